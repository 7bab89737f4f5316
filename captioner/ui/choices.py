"""What the user picked, as plain data: which audio to caption and which engine to use.

Kept apart from the widgets so the controller, the store and the tests can pass choices
around without a window, and so the one place that turns a choice into an AudioSource or a
Recognizer is easy to find.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Input kinds offered in the picker. "demo" plays the bundled sample at speaking pace.
SOURCE_KINDS = ("microphone", "system", "both", "demo")

#: Recognition engines: on this device, or Alibaba Cloud Model Studio (DashScope protocol).
ENGINE_LOCAL = "local"
ENGINE_CLOUD = "dashscope"

#: Cloud regions and their users' names for them; API keys are per region.
REGIONS = ("cn", "intl")

#: Realtime models offered for the cloud engine (the combo box is editable for others).
CLOUD_MODELS = ("fun-asr-realtime", "paraformer-realtime-v2", "paraformer-realtime-v1", "gummy-realtime-v1")

#: Models the Singapore (intl) region serves: Fun-ASR only (Paraformer is Beijing-only).
INTL_MODEL_PREFIX = "fun-asr"


@dataclass(frozen=True)
class SourceChoice:
    """Which audio to caption: a microphone, system audio (a monitor/loopback source), both
    mixed, or the bundled demo recording."""

    kind: str = "microphone"
    #: Stable device name from captioner.audio.devices, or None for the system default.
    device: str | None = None
    #: System-audio (monitor) source name, or None for the default one.
    loopback: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"unknown input kind {self.kind!r}")

    @property
    def live(self) -> bool:
        return self.kind != "demo"

    def describe(self) -> str:
        """What a journal records as the session's source (no user-facing translation)."""
        if self.kind == "demo":
            return "demo sample"
        parts = []
        if self.kind in ("microphone", "both"):
            parts.append(f"microphone {self.device or 'default'}")
        if self.kind in ("system", "both"):
            parts.append(f"system audio {self.loopback or 'default'}")
        return " + ".join(parts)


@dataclass(frozen=True)
class EngineChoice:
    """Which engine recognises speech, and how to reach it. The API key is not part of it:
    it lives in the OS keyring and is fetched only when a cloud session starts."""

    engine: str = ENGINE_LOCAL
    region: str = "cn"
    url: str = ""
    workspace: str = ""
    model_dir: str = ""
    #: Which on-device engine (a catalog name, recognition/catalog.py), or "local": the best
    #: one for each session's language. A model folder, if given, overrides it.
    on_device: str = ENGINE_LOCAL

    @property
    def cloud(self) -> bool:
        return self.engine == ENGINE_CLOUD

    def cache_key(self) -> tuple:
        """Two choices with the same key can share one prepared Recognizer."""
        if self.cloud:
            return (self.engine, self.region, self.url, self.workspace)
        return (self.engine, self.model_dir, "" if self.model_dir else self.on_device)


def on_device_names() -> tuple[str, ...]:
    """What EngineChoice.on_device may be: "local" or an on-device engine of the catalog."""
    from captioner.recognition import catalog

    return (ENGINE_LOCAL, *(spec.name for spec in catalog.on_device()))


def model_serves_region(model: str, region: str) -> bool:
    """Whether Alibaba Cloud offers `model` in `region` (Paraformer realtime is Beijing-only)."""
    return region != "intl" or model.startswith(INTL_MODEL_PREFIX)
