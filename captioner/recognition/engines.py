"""Make the recognizer a user chose, by name, importing only that engine.

The one place an engine is built: the window (ui/engine_host.py), `captioner transcribe`,
`captioner serve` and its REST service all come here, so an engine gets the same defaults
wherever it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from captioner.recognition.base import Recognizer

ENGINES = ("local", "dashscope")


def create_recognizer(
    engine: str = "local",
    *,
    model_dir: str | Path | None = None,
    url: str | None = None,
    region: str | None = None,
    api_key: str | None = None,
    workspace: str | None = None,
    **cloud_options: Any,
) -> Recognizer:
    """`engine` "local" (on this device, `model_dir` or the packaged model) or "dashscope"
    (the cloud client: `url`, or `region` and `workspace`; `api_key` else the environment or
    the keyring). `cloud_options` go to the cloud client as they are (`data_inspection`,
    `ssl_context`, `reconnect`, `timeouts`, ...; see DashScopeRecognizer).

    Raises ImportError when the engine is not installed, ValueError for an unknown engine,
    and whatever the engine's constructor raises (a missing key is a RecognitionError).
    """
    if engine == "local":
        if cloud_options:
            raise TypeError(f"the on-device engine takes no {', '.join(sorted(cloud_options))}")
        from captioner.recognition.local.whisper import LocalRecognizer

        return LocalRecognizer(model_dir=model_dir)
    if engine == "dashscope":
        from captioner.recognition.cloud.realtime import DashScopeRecognizer

        return DashScopeRecognizer(url=url, region=region, api_key=api_key, workspace=workspace, **cloud_options)
    raise ValueError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
