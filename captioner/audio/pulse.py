"""The Linux sound server (PulseAudio, or PipeWire's pulse layer), as `pactl` describes it.

PortAudio sees the sound server only as the ALSA `pulse`/`default` PCMs, so its own sources
(microphones by their stable source names, and the "Monitor of <output>" of every sink, the
system-audio sources) are listed here, with `pactl` (JSON where it has it, pactl < 16's text
otherwise). devices.py turns them into InputDevices; capture.py asks
`pulse_source_exists` when a source goes silent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

PULSE_TIMEOUT_S = 3.0


@dataclass(frozen=True, slots=True)
class PulseSource:
    name: str
    description: str
    channels: int
    samplerate: int
    monitor_of: str | None  # sink name when this is a monitor source


@dataclass(frozen=True, slots=True)
class PulseInfo:
    server: str
    default_source: str | None
    default_sink: str | None
    sources: list[PulseSource]
    default_sink_monitor: str | None = None


def _pactl(*args: str) -> str | None:
    exe = shutil.which("pactl")
    if exe is None:
        return None
    try:
        result = subprocess.run(
            [exe, *args], capture_output=True, text=True, timeout=PULSE_TIMEOUT_S, env=os.environ.copy()
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def _parse_spec(spec: str) -> tuple[int, int]:
    """'s16le 2ch 48000Hz' -> (2, 48000)."""
    channels, rate = 2, 48000
    for part in spec.split():
        if part.endswith("ch") and part[:-2].isdigit():
            channels = int(part[:-2])
        elif part.endswith("Hz") and part[:-2].isdigit():
            rate = int(part[:-2])
    return channels, rate


def pulse_source_exists(name: str) -> bool | None:
    """Whether the sound server still lists source `name` (None: cannot tell).

    A PulseAudio/PipeWire source that disappears (USB microphone unplugged, its module
    unloaded) does not always fail the ALSA stream reading it: the stream may just go on
    delivering zeros. Capture asks this when its input turns digitally silent."""
    listing = _pactl("list", "short", "sources")
    if listing is None:
        return None
    return any(len(cols) > 1 and cols[1] == name for cols in (line.split("\t") for line in listing.splitlines()))


def pulse_info() -> PulseInfo | None:
    """The sound server's sources via `pactl`, or None when no server answers."""
    if not sys.platform.startswith("linux"):
        return None
    info_json = _pactl("-f", "json", "info")
    if info_json:
        return _pulse_info_json(info_json)
    info_text = _pactl("info")
    if info_text is None:
        return None
    return _pulse_info_text(info_text)


def server_label(name: str) -> str:
    return "PipeWire" if "pipewire" in name.lower() else "PulseAudio"


def _pulse_info_json(info_json: str) -> PulseInfo | None:
    try:
        info = json.loads(info_json)
        sources = json.loads(_pactl("-f", "json", "list", "sources") or "[]")
        sinks = json.loads(_pactl("-f", "json", "list", "sinks") or "[]")
    except json.JSONDecodeError:
        return None
    result = []
    for s in sources:
        channels, rate = _parse_spec(s.get("sample_specification", ""))
        props = s.get("properties") or {}
        # pactl's JSON puts the monitored sink's name under "monitor_source" for sources.
        monitor_of = s.get("monitor_source") or None
        if monitor_of is None and (props.get("device.class") == "monitor" or s["name"].endswith(".monitor")):
            monitor_of = s["name"].removesuffix(".monitor")
        result.append(PulseSource(s["name"], s.get("description") or s["name"], channels, rate, monitor_of))
    default_sink = info.get("default_sink_name") or None
    monitor = next((k.get("monitor_source") for k in sinks if k.get("name") == default_sink), None)
    return PulseInfo(
        server=f"{server_label(info.get('server_name', ''))} {info.get('server_version', '')}".strip(),
        default_source=info.get("default_source_name") or None,
        default_sink=default_sink,
        sources=result,
        default_sink_monitor=monitor or (f"{default_sink}.monitor" if default_sink else None),
    )


def _pulse_info_text(info_text: str) -> PulseInfo:
    """Fallback for pactl older than 16 (no JSON): `pactl info` + `pactl list short sources`."""
    fields = {}
    for line in info_text.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    sources = []
    for line in (_pactl("list", "short", "sources") or "").splitlines():
        cols = line.split("\t")
        if len(cols) >= 4:
            channels, rate = _parse_spec(cols[3])
            monitor_of = cols[1].removesuffix(".monitor") if cols[1].endswith(".monitor") else None
            sources.append(PulseSource(cols[1], cols[1], channels, rate, monitor_of))
    default_sink = fields.get("Default Sink") or None
    return PulseInfo(
        server=f"{server_label(fields.get('Server Name', ''))} {fields.get('Server Version', '')}".strip(),
        default_source=fields.get("Default Source") or None,
        default_sink=default_sink,
        sources=sources,
        default_sink_monitor=f"{default_sink}.monitor" if default_sink else None,
    )
