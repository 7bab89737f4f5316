"""`captioner recover`: list sessions that did not finish, and export or dismiss one.

    captioner recover                         list unfinished sessions
    captioner recover --all                   list every session
    captioner recover ID|latest               print its transcript
    captioner recover ID --srt out.srt ...    export it (--srt/--vtt/--txt/--json; "-" = stdout)
    captioner recover ID --mark-finished      stop offering it (after exporting, if asked)

The transcript holds every final the session recorded, the sentence that was being
spoken when it stopped (its last recorded words), and a "[not captioned: N s]" marker
wherever audio was dropped because the engine could not keep up.

An ID may be abbreviated to any unique prefix, or be the path of a journal file.
Exit codes: 0 done, 1 could not read or write a file (or the session is still being
recorded), 2 bad usage or no such session (the known ids are listed).
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_IO, EXIT_USAGE = 0, 1, 2
FORMATS = ("srt", "vtt", "txt", "json")


def add_parser(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = __doc__.split("\n\n", 1)[1]
    p.add_argument(
        "session", nargs="?", metavar="ID", help="session id (or unique prefix), 'latest', or a journal file"
    )
    p.add_argument("--all", action="store_true", help="include finished sessions (listing, and for 'latest')")
    p.add_argument("--dir", metavar="DIR", help="sessions folder (default: the user data folder's sessions/)")
    out = p.add_argument_group("export")
    for fmt in FORMATS:
        out.add_argument(f"--{fmt}", metavar="FILE", help=f"write {fmt.upper()} to FILE ('-' for standard output)")
    out.add_argument("--timestamps", action="store_true", help="start each text line with its time (TXT)")
    p.add_argument("--mark-finished", action="store_true", help="dismiss the session: no longer list it as unfinished")


def _err(message: str, code: int) -> int:
    print(f"captioner recover: {message}", file=sys.stderr, flush=True)
    return code


def _when(info) -> str:
    return f"{info.started:%Y-%m-%d %H:%M:%S}" if info.started else "?"


def _status(info) -> str:
    if info.recording:
        return "recording"
    return "finished" if info.finished else "unfinished"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_list(sessions, show_all: bool) -> None:
    if not sessions:
        print("No unfinished sessions." if not show_all else "No sessions.")
        return
    rows = [
        (s.id, _when(s), _status(s), _clip(s.engine or "?", 24), str(s.sentence_count), _clip(s.last_text, 50))
        for s in sessions
    ]
    head = ("ID", "STARTED", "STATUS", "ENGINE", "SENTENCES", "LAST TEXT")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, *rows]:
        cells = [r[i].ljust(widths[i]) if i != 4 else r[i].rjust(widths[i]) for i in range(5)]
        print("  ".join(cells) + "  " + r[5])
    if not show_all:
        print(
            "\nExport one with: captioner recover ID --srt FILE (or --vtt/--txt/--json); "
            "dismiss it with --mark-finished."
        )


def _resolve(name: str, sessions, candidates):
    """(SessionInfo | None, error message) for an id, prefix, 'latest' or path."""
    from pathlib import Path

    from captioner.transcript.journal import SUFFIX, session_info

    if name == "latest":
        if not candidates:
            return None, "there is no unfinished session (use --all for the latest of any)"
        return candidates[-1], ""
    exact = [s for s in sessions if s.id == name]
    if exact:
        return exact[0], ""
    if name.endswith(SUFFIX) and Path(name).is_file():
        return session_info(name), ""
    matches = [s for s in sessions if s.id.startswith(name)]
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"{name!r} matches several sessions: {', '.join(s.id for s in matches)}"
    known = ", ".join(s.id for s in sessions) or "(none)"
    return None, f"no session {name!r}. Known sessions: {known}"


def run(args: argparse.Namespace) -> int:
    from captioner.transcript import export
    from captioner.transcript.journal import JournalError, list_sessions, load_journal, mark_finished

    outputs = {fmt: getattr(args, fmt) for fmt in FORMATS if getattr(args, fmt)}
    if sum(1 for v in outputs.values() if v == "-") > 1:
        return _err("only one format can go to standard output ('-')", EXIT_USAGE)
    try:
        sessions = list_sessions(args.dir)
    except OSError as exc:
        return _err(f"cannot read the sessions folder: {exc}", EXIT_IO)
    shown = sessions if args.all else [s for s in sessions if not s.finished and s.sentence_count]

    if args.session is None:
        if outputs or args.mark_finished:
            return _err("name the session to export or dismiss (an ID, or 'latest')", EXIT_USAGE)
        _print_list(shown, args.all)
        return EXIT_OK

    info, problem = _resolve(args.session, sessions, shown)
    if info is None:
        return _err(problem, EXIT_USAGE)
    try:
        contents = load_journal(info.path)
    except OSError as exc:
        return _err(f"cannot read {info.path}: {exc}", EXIT_IO)
    meta, finals = contents.meta, contents.entries
    sentence_count = len(contents.finals) + (contents.unfinished is not None)
    if contents.unfinished is not None:
        print(f"note: session {info.id} stopped mid-sentence; its last words are as last recorded", file=sys.stderr)

    if not outputs and not args.mark_finished:
        sys.stdout.write(export.to_txt(finals, timestamps=args.timestamps))
        sys.stdout.flush()
        return EXIT_OK

    for fmt, target in outputs.items():
        try:
            if target == "-":
                if fmt == "srt":
                    text = export.to_srt(finals)
                elif fmt == "vtt":
                    text = export.to_vtt(finals)
                elif fmt == "txt":
                    text = export.to_txt(finals, timestamps=args.timestamps)
                else:
                    text = export.to_json(finals, meta=meta)
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                export.write_exports(finals, meta=meta, txt_timestamps=args.timestamps, **{fmt: target})
                print(f"wrote {target} ({sentence_count} sentences)", file=sys.stderr)
        except OSError as exc:
            return _err(f"could not write {target}: {exc}", EXIT_IO)

    if args.mark_finished:
        if info.finished:
            print(f"session {info.id} was already finished", file=sys.stderr)
        else:
            try:
                mark_finished(info.path)
            except JournalError as exc:
                return _err(str(exc), EXIT_IO)
            except OSError as exc:
                return _err(f"could not update {info.path}: {exc}", EXIT_IO)
            print(f"session {info.id} marked finished", file=sys.stderr)
    if info.recording and outputs:
        print(f"note: session {info.id} is still being recorded; this is what it holds so far", file=sys.stderr)
    return EXIT_OK
