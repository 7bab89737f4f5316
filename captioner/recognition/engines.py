"""Make the recognizer a user chose, by name, importing only that engine."""

from __future__ import annotations

from pathlib import Path

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
) -> Recognizer:
    if engine == "local":
        from captioner.recognition.local.whisper import LocalRecognizer

        return LocalRecognizer(model_dir=model_dir)
    if engine == "dashscope":
        from captioner.recognition.cloud.realtime import DashScopeRecognizer

        return DashScopeRecognizer(url=url, region=region, api_key=api_key, workspace=workspace)
    raise ValueError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
