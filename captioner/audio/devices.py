"""Which microphones and system-audio ("what the computer plays") sources exist, by stable name.

PortAudio numbers devices by index, and indexes shift whenever a headset is plugged in, so
the app addresses devices by *name*. Where audio really comes from differs per platform:

- Linux: PortAudio (ALSA host API) sees the sound server only as the ALSA `pulse`/`default`
  PCMs. The server's own sources (PulseAudio or PipeWire's pulse layer) are discovered with
  `pactl` (pulse.py), addressed by their source name (stable across reboots), and captured through
  PortAudio's `pulse` device with `PULSE_SOURCE` naming the source. Monitor sources (the
  "Monitor of <output>" of every sink) are the system-audio sources.
- Windows: PortAudio's WASAPI host API (19.7+, as bundled with sounddevice) lists a loopback
  capture device "<output> [Loopback]" for every output; those are the system-audio sources.
- macOS: Core Audio offers no loopback to PortAudio; a virtual device such as BlackHole
  (routed via a Multi-Output Device) shows up as an ordinary input and is used as loopback.

ALSA's virtual PCMs ("default", "pulse", "sysdefault", ...) keep their names (what
`--device` takes) but get descriptions that say what they are, so a menu does not show
"System default", "default" and "VirtualMic (default)" side by side with no way to tell them apart.

`resolve_device()` / `resolve_loopback()` turn a name (or "default") into an InputDevice, or
raise DeviceNotFoundError listing what exists.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from captioner.audio.frames import AudioDeviceError
from captioner.audio.pulse import pulse_info, server_label

#: Host APIs in order of preference when the same device appears under several of them.
HOST_API_PREFERENCE = (
    "Windows WASAPI",
    "Core Audio",
    "ALSA",
    "JACK Audio Connection Kit",
    "Windows DirectSound",
    "MME",
    "Windows WDM-KS",
    "OSS",
)

#: Names of virtual loopback drivers people install on macOS (and sometimes elsewhere).
VIRTUAL_LOOPBACK_HINTS = ("blackhole", "loopback audio", "soundflower", "vb-cable", "cable output")

MACOS_LOOPBACK_NOTE = (
    "macOS cannot capture system audio directly: install a virtual audio device such as "
    "BlackHole (https://existential.audio/blackhole/), add it with your speakers to a "
    "Multi-Output Device in Audio MIDI Setup, then use it as --loopback 'BlackHole 2ch'."
)


#: What ALSA's virtual PCMs are, for menus ("{server}": the sound server, e.g. "PulseAudio").
ALSA_PCM_DESCRIPTIONS = {
    "default": "ALSA default device (as ALSA is configured; usually the sound server)",
    "sysdefault": "ALSA system default (the first sound card, bypassing the sound server)",
    "pulse": "{server} default input, through ALSA",
    "pipewire": "PipeWire default input, through ALSA",
    "jack": "JACK, through ALSA",
    "dsnoop": "ALSA shared capture (dsnoop)",
}


def _describe(d: _PaDevice, server: str | None) -> str:
    """A PortAudio device's menu text: ALSA's virtual PCMs say what they are."""
    text = ALSA_PCM_DESCRIPTIONS.get(d.name) if d.host_api == "ALSA" else None
    return text.replace("{server}", server or "Sound server") if text else d.name


class DeviceNotFoundError(AudioDeviceError):
    """The requested device does not exist; the message lists the ones that do."""


@dataclass(frozen=True, slots=True)
class InputDevice:
    """Something the app can capture from."""

    #: Stable address: what `--device` / `--loopback` and the settings store hold.
    name: str
    #: What a person reads in a menu.
    description: str
    #: "ALSA", "Windows WASAPI", "Core Audio", or "PulseAudio"/"PipeWire" for server sources.
    host_api: str
    #: Maximum input channels (the capture uses at most 2 and downmixes).
    channels: int
    #: The device's native rate: the capture runs at this rate and resamples itself.
    samplerate: float
    #: The system (or sound server) default for its kind.
    is_default: bool = False
    #: Captures what the computer plays rather than a microphone.
    is_loopback: bool = False
    #: The PortAudio device that carries the audio, and its host API.
    portaudio_name: str = ""
    portaudio_host_api: str = ""
    #: Sound-server source routed through PortAudio's ALSA `pulse` device (Linux).
    pulse_source: str | None = None

    @property
    def capture_channels(self) -> int:
        return max(1, min(self.channels, 2))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DeviceList:
    """Everything `captioner devices` shows."""

    inputs: list[InputDevice]
    loopbacks: list[InputDevice]
    portaudio_version: str = ""
    sound_server: str | None = None
    notes: list[str] = field(default_factory=list)

    def all(self) -> list[InputDevice]:
        return [*self.inputs, *self.loopbacks]

    def to_dict(self) -> dict:
        return {
            "portaudio_version": self.portaudio_version,
            "sound_server": self.sound_server,
            "inputs": [d.to_dict() for d in self.inputs],
            "loopbacks": [d.to_dict() for d in self.loopbacks],
            "notes": list(self.notes),
        }


# -- PortAudio ------------------------------------------------------------------------------

_open_streams = 0
#: Held while PortAudio is re-initialised and while a stream is being opened, so the two
#: never overlap (capture.open_portaudio_stream takes it too).
portaudio_lock = threading.RLock()


def stream_opened() -> None:
    """Capture calls this per open PortAudio stream, so `rescan()` never pulls the rug."""
    global _open_streams
    with portaudio_lock:
        _open_streams += 1


def stream_closed() -> None:
    global _open_streams
    with portaudio_lock:
        _open_streams = max(0, _open_streams - 1)


def _sounddevice():
    try:
        import sounddevice
    except OSError as exc:  # the wheel on Linux needs the system library
        raise AudioDeviceError(
            f"PortAudio is not available ({exc}); install it (Debian/Ubuntu: apt install libportaudio2)"
        ) from exc
    return sounddevice


def rescan() -> bool:
    """Re-initialise PortAudio so devices plugged in (or a sound server started) since the
    process began are seen. PortAudio only enumerates at initialisation, and terminating it
    would kill open streams, so this does nothing (returns False) while any capture is open."""
    sd = _sounddevice()
    with portaudio_lock:
        if _open_streams:
            return False
        sd._terminate()
        sd._initialize()
    return True


@dataclass(frozen=True, slots=True)
class _PaDevice:
    index: int
    name: str
    host_api: str
    channels: int
    samplerate: float
    is_default: bool
    is_default_output: bool
    output_only: bool


def _portaudio_devices() -> list[_PaDevice]:
    sd = _sounddevice()
    apis = sd.query_hostapis()
    devices = sd.query_devices()
    out = []
    for d in devices:
        api = apis[d["hostapi"]]
        out.append(
            _PaDevice(
                index=d["index"],
                name=d["name"],
                host_api=api["name"],
                channels=d["max_input_channels"],
                samplerate=float(d["default_samplerate"]),
                is_default=d["index"] == api["default_input_device"],
                is_default_output=d["index"] == api["default_output_device"],
                output_only=d["max_input_channels"] == 0,
            )
        )
    # The global default wins over each host API's own default.
    default_in = sd.default.device[0]
    if isinstance(default_in, int) and default_in >= 0:
        out = [replace(d, is_default=d.index == default_in) for d in out]
    else:
        best = _preferred([d for d in out if d.is_default])
        out = [replace(d, is_default=best is not None and d.index == best.index) for d in out]
    return out


def portaudio_index(device: InputDevice) -> int:
    """The current PortAudio index of `device` (indexes change; names don't)."""
    for d in _portaudio_devices():
        if d.name == device.portaudio_name and (
            not device.portaudio_host_api or d.host_api == device.portaudio_host_api
        ):
            return d.index
    raise DeviceNotFoundError(
        f"Audio device {device.name!r} is no longer available (PortAudio device "
        f"{device.portaudio_name!r} is gone); run `captioner devices` to see what exists"
    )


def _preferred(devices: Iterable[_PaDevice]) -> _PaDevice | None:
    def rank(d: _PaDevice) -> int:
        return HOST_API_PREFERENCE.index(d.host_api) if d.host_api in HOST_API_PREFERENCE else len(HOST_API_PREFERENCE)

    devices = list(devices)
    return min(devices, key=rank) if devices else None


# -- The list ---------------------------------------------------------------------------------


def list_devices(refresh: bool = False) -> DeviceList:
    """All capture devices. `refresh=True` re-enumerates PortAudio first (if no stream is open);
    it is also done automatically when PortAudio sees nothing but a sound server is running
    (the server started after this process)."""
    sd = _sounddevice()
    pulse = pulse_info()
    if refresh:
        rescan()
    pa = _portaudio_devices()
    if pulse is not None and not any(d.channels for d in pa) and rescan():
        pa = _portaudio_devices()

    inputs: list[InputDevice] = []
    loopbacks: list[InputDevice] = []
    notes: list[str] = []
    pa_inputs = [d for d in pa if d.channels > 0]

    # Same name under several host APIs (Windows lists each device up to four times): the
    # preferred one keeps the bare name, the others get " [host api]".
    by_name: dict[str, list[_PaDevice]] = {}
    for d in pa_inputs:
        by_name.setdefault(d.name, []).append(d)
    pulse_rate = None
    if pulse is not None and pulse.default_source:
        pulse_rate = next((s.samplerate for s in pulse.sources if s.name == pulse.default_source), None)
    for d in pa_inputs:
        best = _preferred(by_name[d.name])
        name = d.name if best is d else f"{d.name} [{d.host_api}]"
        rate = d.samplerate
        if pulse_rate and d.host_api == "ALSA" and d.name in ("pulse", "default", "pipewire"):
            rate = float(pulse_rate)  # the server's native rate, so it does not resample for us
        is_loopback = d.host_api == "Windows WASAPI" and d.name.endswith("[Loopback]")
        dev = InputDevice(
            name=name,
            description=_describe(d, server_label(pulse.server) if pulse else None),
            host_api=d.host_api,
            channels=d.channels,
            samplerate=rate,
            is_default=d.is_default and not is_loopback,
            is_loopback=is_loopback,
            portaudio_name=d.name,
            portaudio_host_api=d.host_api,
        )
        (loopbacks if is_loopback else inputs).append(dev)

    if any(d.is_loopback for d in loopbacks):
        default_out = next((d for d in pa if d.is_default_output and d.host_api == "Windows WASAPI"), None)
        if default_out is not None:
            target = f"{default_out.name} [Loopback]"
            loopbacks = [replace(d, is_default=d.portaudio_name == target) for d in loopbacks]

    if pulse is not None:
        carrier = next((d for d in pa_inputs if d.host_api == "ALSA" and d.name == "pulse"), None)
        if carrier is None:
            notes.append(
                f"{pulse.server} is running but PortAudio has no ALSA 'pulse' device: install the ALSA "
                "pulse plugin (Debian/Ubuntu: libasound2-plugins) to capture its sources by name"
            )
        else:
            for s in pulse.sources:
                dev = InputDevice(
                    name=s.name,
                    description=s.description,
                    host_api=server_label(pulse.server),
                    channels=s.channels,
                    samplerate=float(s.samplerate),
                    is_default=s.name == (pulse.default_sink_monitor if s.monitor_of else pulse.default_source),
                    is_loopback=s.monitor_of is not None,
                    portaudio_name=carrier.name,
                    portaudio_host_api=carrier.host_api,
                    pulse_source=s.name,
                )
                (loopbacks if dev.is_loopback else inputs).append(dev)
            # PortAudio's default is normally ALSA's `default`/`pulse`, i.e. the server's default
            # source: then that source (by its stable name, at its native rate) is the default.
            server_default = next((d for d in inputs if d.pulse_source and d.is_default), None)
            pa_default = next((d for d in inputs if d.is_default and not d.pulse_source), None)
            routed = pa_default is None or pa_default.portaudio_name in ("default", "pulse", "pipewire")
            if server_default is not None and routed:
                inputs = [replace(d, is_default=d is server_default) for d in inputs]
            else:
                inputs = [replace(d, is_default=d.is_default and not d.pulse_source) for d in inputs]
    elif sys.platform.startswith("linux"):
        notes.append(
            "No PulseAudio/PipeWire server answered (pactl): system-audio capture needs one; "
            "only ALSA devices are listed"
        )
    if sys.platform == "darwin":
        virtual = [d for d in inputs if any(h in d.name.lower() for h in VIRTUAL_LOOPBACK_HINTS)]
        loopbacks.extend(replace(d, is_loopback=True, is_default=i == 0) for i, d in enumerate(virtual))
        if not virtual:
            notes.append(MACOS_LOOPBACK_NOTE)
    if sys.platform == "win32" and not loopbacks:
        notes.append(
            "This PortAudio build offers no WASAPI loopback devices; update sounddevice "
            "(its Windows wheel bundles PortAudio with loopback support)"
        )
    if not inputs and not loopbacks:
        notes.append("No audio input devices found.")
    return DeviceList(
        inputs=inputs,
        loopbacks=loopbacks,
        portaudio_version=sd.get_portaudio_version()[1],
        sound_server=pulse.server if pulse else None,
        notes=notes,
    )


def _match(name: str, candidates: list[InputDevice]) -> list[InputDevice]:
    """Exact name, then exact description, then case-insensitive, then unique substring."""
    for key in (
        lambda d: d.name == name,
        lambda d: d.description == name,
        lambda d: d.name.lower() == name.lower() or d.description.lower() == name.lower(),
    ):
        hits = [d for d in candidates if key(d)]
        if hits:
            return hits
    needle = name.lower()
    return [d for d in candidates if needle in d.name.lower() or needle in d.description.lower()]


def _listing(devices: list[InputDevice]) -> str:
    if not devices:
        return "  (none)"
    return "\n".join(f"  {'*' if d.is_default else ' '} {d.name}  ({d.description}, {d.host_api})" for d in devices)


def _not_found(
    kind: str, name: str, devices: DeviceList, pool: list[InputDevice], hits: list[InputDevice]
) -> DeviceNotFoundError:
    if len(hits) > 1:
        head = f"{kind} name {name!r} is ambiguous; it matches:\n{_listing(hits)}"
    else:
        head = f"No {kind} named {name!r}. Available:\n{_listing(pool)}"
    notes = "".join(f"\n{n}" for n in devices.notes)
    return DeviceNotFoundError(head + notes)


def resolve_device(name: str | None = "default", devices: DeviceList | None = None) -> InputDevice:
    """A microphone (or any input) by name; None or "default" is the system default input.

    Raises DeviceNotFoundError (an AudioSourceError) listing the available devices.
    """
    devices = devices or list_devices()
    pool = devices.inputs
    if name is None or name == "default":
        default = next((d for d in pool if d.is_default), None) or (pool[0] if pool else None)
        if default is None:
            raise _not_found("input device", "default", devices, pool, [])
        return default
    hits = _match(name, pool) or _match(name, devices.loopbacks)
    if len(hits) == 1:
        return hits[0]
    # Duplicates across host APIs: the preferred host API's copy has the bare name.
    bare = [d for d in hits if d.name == name]
    if len(bare) == 1:
        return bare[0]
    raise _not_found("input device", name, devices, pool, hits)


def resolve_loopback(name: str | None = "default", devices: DeviceList | None = None) -> InputDevice:
    """A system-audio source by name; None or "default" is what the default output plays.

    Any input device may be named too (a virtual cable, BlackHole), since that is how
    system audio is captured where the OS offers no loopback.
    """
    devices = devices or list_devices()
    pool = devices.loopbacks
    if name is None or name == "default":
        default = next((d for d in pool if d.is_default), None) or (pool[0] if pool else None)
        if default is None:
            raise _not_found("system-audio source", "default", devices, pool, [])
        return default
    hits = _match(name, pool)
    if not hits:
        hits = [replace(d, is_loopback=True) for d in _match(name, devices.inputs)]
    if len(hits) == 1:
        return hits[0]
    bare = [d for d in hits if d.name == name]
    if len(bare) == 1:
        return bare[0]
    raise _not_found("system-audio source", name, devices, pool, hits)
