"""`captioner`: the window by default; subcommands for headless use.

Each subcommand lives in `captioner/commands/<name>.py` with two functions,
`add_parser(subparsers)` and `run(args) -> int`, imported only when used so that
`captioner devices` does not pay for Qt or the speech engine. The top-level flags
(--self-test, --diagnostics, --install-desktop-entry) work the same way.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from captioner import __version__
from captioner.errors import CaptionerError, Category, exit_code, user_message

COMMANDS = {
    "transcribe": "caption a media file or live input in the terminal",
    "serve": "serve the DashScope realtime protocol over the on-device engine",
    "transcribe-url": "transcribe recorded files by URL with the file transcription service",
    "vocabulary": "manage hot-word vocabularies (cloud or `captioner serve`)",
    "devices": "list input devices and system-audio sources",
    "recover": "list and export sessions that did not finish",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="captioner", description="Live captions for what you hear.")
    parser.add_argument("--version", action="version", version=f"captioner {__version__}")
    parser.add_argument("--demo", action="store_true", help="caption the bundled sample as if it were a microphone")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check audio devices, the speech model and Qt, caption the bundled sample; exit 0 if all work",
    )
    parser.add_argument(
        "--diagnostics",
        action="store_true",
        help="print versions, devices and paths for a bug report (never the API key)",
    )
    parser.add_argument(
        "--install-desktop-entry", action="store_true", help="add Captioner to this user's applications menu (Linux)"
    )
    parser.add_argument("--uninstall-desktop-entry", action="store_true", help="remove it from the menu again")
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


#: Commands that open audio devices (when given live input), and their exit code for
#: "PortAudio is unusable", checked up front: libasound aborts the process, with no message,
#: when its configuration is missing. (`devices` documents 1 of its own.)
_AUDIO_COMMANDS = {"devices": 1, "transcribe": exit_code(Category.DEVICE)}


def _audio_problem(args: argparse.Namespace) -> int | None:
    code = _AUDIO_COMMANDS.get(args.command)
    if code is None or (args.command == "transcribe" and not (args.device or args.loopback)):
        return None
    from captioner.preflight import check_portaudio

    problem = check_portaudio()
    if problem:
        print(f"captioner {args.command}: {problem}", file=sys.stderr)
        return code
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if argv is None:  # the process's entry point; callers passing argv (tests) keep their logging
        import logging

        from captioner.logs import setup_logging

        verbose = getattr(args, "verbose", False)
        setup_logging(
            logging.INFO if verbose else None,
            console_format="%(asctime)s %(levelname)s %(name)s: %(message)s" if verbose else None,
        )
    if args.self_test:
        from captioner.selftest import main as self_test

        return self_test()
    if args.diagnostics:
        from captioner import logs
        from captioner.ui.qt_check import qt_lines

        logs.set_gui_lines(qt_lines())
        print(logs.diagnostics())
        return 0
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        from captioner.desktop_entry import run as desktop_entry

        return desktop_entry(uninstall_entry=args.uninstall_desktop_entry)
    if args.command is None:
        from captioner.ui.qt_check import check_qt

        problem = check_qt()
        if problem:  # no Qt, no dialog: say it on stderr (and in the log file) instead of a traceback
            import logging

            logging.getLogger("captioner").info("window not started: %s", problem)
            print(f"captioner: {problem}", file=sys.stderr)
            return 1
        from captioner.ui.app import main as gui_main

        return gui_main(demo=args.demo)
    audio_exit = _audio_problem(args)
    if audio_exit is not None:
        return audio_exit
    try:
        return _command_module(args.command).run(args)
    except KeyboardInterrupt as exc:
        return exit_code(exc)
    except CaptionerError as exc:  # a command let one through: its category still says the code
        print(f"captioner: error: {user_message(exc)}", file=sys.stderr)
        return exit_code(exc)


def gui() -> int:
    """`captioner-gui`: the same as `captioner` (the window unless a subcommand or flag is
    given), installed as a [project.gui-scripts] entry, so that on Windows the launcher
    starts the window without opening a console behind it. Elsewhere the two are the same."""
    return main()


if __name__ == "__main__":
    sys.exit(main())
