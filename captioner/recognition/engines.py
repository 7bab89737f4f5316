"""Make the recognizer a user chose, by name, importing only that engine.

The one place an engine is built: the window (ui/engine_host.py), `captioner transcribe`,
`captioner serve` and its REST service all come here, so an engine gets the same defaults
wherever it runs. The names are the catalog's (recognition/catalog.py): `local` (the best
on-device engine for each task's language), an engine by name (`whisper-tiny.en`,
`whisper-base`, ...), or `dashscope` (the cloud).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from captioner.errors import ParameterError
from captioner.recognition import catalog
from captioner.recognition.base import Recognizer


def create_recognizer(
    engine: str = catalog.LOCAL,
    *,
    model_dir: str | Path | None = None,
    url: str | None = None,
    region: str | None = None,
    api_key: str | None = None,
    workspace: str | None = None,
    **cloud_options: Any,
) -> Recognizer:
    """`engine` "local" (on this device: `model_dir` if given, else per task the best engine
    for its language), an on-device engine's catalog name, or "dashscope" (the cloud client:
    `url`, or `region` and `workspace`; `api_key` else the environment or the keyring).
    `cloud_options` go to the cloud client as they are (`data_inspection`, `ssl_context`,
    `reconnect`, `timeouts`, ...; see DashScopeRecognizer).

    Raises UnknownEngineError (a ValueError) for an unknown name, ParameterError for a
    `model_dir` with a named engine (a folder is whisper's, run as `local`), WeightsMissingError (with
    the pip command) when a named engine's weights are not installed, and whatever the
    engine's constructor raises (a missing key is a RecognitionError).
    """
    chosen = None if engine == catalog.LOCAL else catalog.spec(engine)
    if model_dir is not None and chosen is not None:
        raise ParameterError(f"a model folder (--model-dir) goes with the engine 'local', not {engine!r}")
    if chosen is not None and not chosen.on_device:
        return chosen.create(url=url, region=region, api_key=api_key, workspace=workspace, **cloud_options)
    if cloud_options:
        raise TypeError(f"the on-device engine takes no {', '.join(sorted(cloud_options))}")
    if model_dir is not None:  # a folder the user chose: a whisper model
        from captioner.recognition.local.whisper import LocalRecognizer

        return LocalRecognizer(model_dir=model_dir)
    if chosen is None:
        from captioner.recognition.on_device import BestOnDeviceRecognizer

        return BestOnDeviceRecognizer()
    chosen.require()
    return chosen.create()
