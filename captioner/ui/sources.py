"""Turning a SourceChoice into an AudioSource, and listing what can be chosen.

The device modules (PortAudio through sounddevice) are imported here, lazily, and called
from a worker thread by the widgets: opening a first PortAudio stream can take a second or
two, and the window must never freeze for it. Nothing here imports Qt.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field

from captioner.audio.frames import AudioSource, AudioSourceError
from captioner.ui.choices import SourceChoice

log = logging.getLogger(__name__)

#: What the capture module takes as "the system's default device".
DEFAULT = "default"


@dataclass(frozen=True)
class DeviceEntry:
    """One pickable input: `name` is what capture accepts (stable across restarts)."""

    name: str
    label: str
    default: bool = False


@dataclass(frozen=True)
class InputList:
    microphones: list[DeviceEntry] = field(default_factory=list)
    loopbacks: list[DeviceEntry] = field(default_factory=list)
    #: Why the list could not be read (no audio system, PortAudio missing), or "".
    error: str = ""
    #: Advice from the device layer (e.g. how to capture system audio on macOS).
    notes: list[str] = field(default_factory=list)


def _devices_module():
    try:
        return importlib.import_module("captioner.audio.devices")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("captioner"):
            return None
        raise


def list_inputs(refresh: bool = False) -> InputList:
    """Microphones and system-audio (monitor / loopback) sources. Blocking: call in a thread.
    `refresh` re-enumerates (a headset plugged in since the last look)."""
    devices = _devices_module()
    if devices is None:
        return InputList(error="device listing is not available in this build")
    try:
        found = devices.list_devices(refresh=refresh)
    except AudioSourceError as exc:  # PortAudio missing: say so in the picker
        return InputList(error=str(exc))
    except Exception as exc:  # an audio server misbehaving must not stop the window
        log.warning("cannot list audio devices: %s", exc, exc_info=True)
        return InputList(error=str(exc) or type(exc).__name__)
    return InputList(
        microphones=[DeviceEntry(d.name, d.description or d.name, d.is_default) for d in found.inputs],
        loopbacks=[DeviceEntry(d.name, d.description or d.name, d.is_default) for d in found.loopbacks],
        notes=list(found.notes),
    )


def input_available(choice: SourceChoice) -> bool:
    """Whether the chosen live input is there to be opened (again): after the sound server
    restarted, or a headset came back. Re-enumerates (when no stream is open). Blocking:
    call in a thread. Never raises: anything wrong means "not yet"."""
    devices = _devices_module()
    if devices is None or not choice.live:
        return False
    try:
        found = devices.list_devices(refresh=True)
        if choice.kind in ("microphone", "both"):
            devices.resolve_device(choice.device or DEFAULT, found)
        if choice.kind in ("system", "both"):
            devices.resolve_loopback(choice.loopback or DEFAULT, found)
    except Exception as exc:  # not there yet, or the audio system still starting
        log.debug("input not available yet: %s", exc)
        return False
    return True


def open_source(choice: SourceChoice) -> AudioSource:
    """Open the chosen input. Blocking (PortAudio's first stream is slow): call in a thread.
    Raises AudioSourceError with a message for the user."""
    if choice.kind == "demo":
        return open_demo()
    try:
        capture = importlib.import_module("captioner.audio.capture")
    except ModuleNotFoundError as exc:
        raise AudioSourceError(f"live audio capture is not available in this build ({exc.name})") from exc
    except OSError as exc:  # sounddevice without a PortAudio library
        raise AudioSourceError(f"the audio system could not be loaded: {exc}") from exc
    device = (choice.device or DEFAULT) if choice.kind in ("microphone", "both") else None
    loopback = (choice.loopback or DEFAULT) if choice.kind in ("system", "both") else None
    return capture.open_live_source(device, loopback)


def open_demo() -> AudioSource:
    """The bundled sample, paced like a microphone so captions appear as it is 'spoken'."""
    from captioner.audio.media import MediaSource
    from captioner.resources import SAMPLE, resource

    try:
        path = resource(SAMPLE)
    except FileNotFoundError as exc:
        raise AudioSourceError(str(exc)) from exc
    # Decoded here even for the cloud: the demo is played like a microphone, and its level
    # meter needs the samples (a file's own packets carry no level).
    return MediaSource(path, realtime=True, upload="pcm")
