"""`captioner`: the window by default; subcommands for headless use.

Each subcommand lives in `captioner/commands/<name>.py` with two functions,
`add_parser(subparsers)` and `run(args) -> int`, imported only when used so that
`captioner devices` does not pay for Qt or the speech engine.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from captioner import __version__

COMMANDS = {
    "transcribe": "caption a media file or live input in the terminal",
    "serve": "serve the DashScope realtime protocol over the on-device engine",
    "transcribe-url": "transcribe recorded files by URL with the file transcription service",
    "vocabulary": "manage hot-word vocabularies (cloud or `captioner serve --http-port`)",
    "devices": "list input devices and system-audio sources",
    "recover": "list and export sessions that did not finish",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="captioner", description="Live captions for what you hear.")
    parser.add_argument("--version", action="version", version=f"captioner {__version__}")
    parser.add_argument("--demo", action="store_true", help="caption the bundled sample as if it were a microphone")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = _command_module(name)
        if module is not None:
            module.add_parser(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def _command_module(name: str):
    module = f"captioner.commands.{name.replace('-', '_')}"  # transcribe-url -> transcribe_url.py
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from captioner.ui.app import main as gui_main

        return gui_main(demo=args.demo)
    try:
        return _command_module(args.command).run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
