"""`captioner devices`: what can be captioned live, by the names `--device`/`--loopback` take.

Microphones and other inputs first, then system-audio sources (monitors of outputs on
Linux, WASAPI loopback on Windows, a virtual device on macOS). `*` marks the default of
each kind. `--json` prints the same for scripts and the settings dialog. Exit codes: 0 ok,
1 PortAudio unavailable.
"""

from __future__ import annotations

import argparse


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--refresh", action="store_true",
                   help="re-enumerate PortAudio first (devices plugged in after start)")  # fmt: skip


def _table(title: str, devices: list) -> list[str]:
    lines = [f"{title}:"]
    if not devices:
        return [*lines, "    (none)"]
    width = max(len(d.name) for d in devices)
    for d in devices:
        mark = "*" if d.is_default else " "
        desc = f"  {d.description}" if d.description != d.name else ""
        lines.append(f"  {mark} {d.name:<{width}}  {d.host_api:<10} {d.channels:>2} ch  {d.samplerate:>6.0f} Hz{desc}")
    return lines


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from captioner.audio.devices import list_devices
    from captioner.audio.frames import AudioSourceError

    try:
        devices = list_devices(refresh=args.refresh)
    except AudioSourceError as exc:
        print(f"captioner devices: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(devices.to_dict(), indent=2))
        return 0
    server = f", {devices.sound_server}" if devices.sound_server else ""
    print(f"# {devices.portaudio_version}{server}")
    print("\n".join(_table("Inputs (--device NAME)", devices.inputs)))
    print()
    print("\n".join(_table("System audio (--loopback NAME)", devices.loopbacks)))
    for note in devices.notes:
        print(f"\nNote: {note}")
    return 0
