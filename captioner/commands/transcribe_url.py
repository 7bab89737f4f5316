"""`captioner transcribe-url`: recorded files by URL, through the file-transcription service.

The service (or `captioner serve`) downloads each URL itself, so the files must
be reachable from it: public or pre-signed URLs for Alibaba Cloud; for a local server also
a local path or file:// URL. Progress goes to stderr; the transcript goes to the output
files, or to stdout when none is named.

Several URLs: one task, and one output file per URL and format, numbered in the order given
(`--srt out.srt` -> out-1.srt, out-2.srt, ...); with one URL the name is used as is. A file
the service could not transcribe gets no output, and its reason is printed.

Exit codes (those of captioner.errors, plus 7): 0 every file transcribed (no speech counts:
an empty transcript), 2 bad arguments or no API key, 3 one or more files could not be
transcribed (the others were written), 5 the service refused the request (the key, the model
name, ...), or the task was canceled, is unknown or was not finished by --timeout, 6 the
service could not be reached, 7 an output file could not be written, 130 interrupted (the
task goes on: collect it with --task-id).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from captioner.errors import EXIT_CODES, EXIT_OK, Category

EXIT_USAGE, EXIT_FILES, EXIT_INTERRUPTED = (
    EXIT_CODES[c] for c in (Category.PARAMETER, Category.INPUT, Category.INTERRUPTED)
)
EXIT_OUTPUT = 7
FORMATS = ("srt", "vtt", "txt", "json")


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("urls", nargs="*", metavar="URL", help="http(s) URL of a media file; several make one task")
    p.add_argument("--task-id", metavar="ID", help="collect a task submitted earlier instead of submitting")
    svc = p.add_argument_group("service")
    svc.add_argument(
        "--model", default="fun-asr", help="file transcription model (default fun-asr; paraformer-v2, fun-asr-mtl, ...)"
    )
    svc.add_argument("--region", choices=("cn", "intl"), help="Alibaba Cloud region: Beijing (default) or Singapore")
    svc.add_argument(
        "--base-url",
        metavar="URL",
        help="REST base URL, e.g. http://127.0.0.1:8765/api/v1 (`captioner serve`)",
    )
    svc.add_argument("--workspace", help="Model Studio workspace id")
    svc.add_argument("--timeout", type=float, metavar="SECONDS", help="stop waiting after this long (the task goes on)")
    svc.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="first wait between status queries; doubles every third query, up to 5 s (default 1)",
    )
    rec = p.add_argument_group("recognition")
    rec.add_argument("--language", action="append", metavar="CODE", help="language hint (zh, en, ja, ...); repeatable")
    rec.add_argument(
        "--channel",
        action="append",
        type=int,
        metavar="N",
        help="audio track to transcribe (0-based); repeatable; default 0",
    )
    rec.add_argument("--speakers", type=int, metavar="N", help="tell speakers apart, expecting about N (2-100)")
    rec.add_argument("--diarize", action="store_true", help="tell speakers apart, however many there are")
    rec.add_argument("--vocabulary-id", help="hot-word vocabulary id (see `captioner vocabulary`)")
    rec.add_argument("--disfluency-removal", action="store_true", help="drop filler words (Paraformer)")
    out = p.add_argument_group("output files (several URLs: numbered -1, -2, ... before the extension)")
    for fmt in FORMATS:
        out.add_argument(f"--{fmt}", metavar="FILE", help=f"write a {fmt.upper()} file")
    out.add_argument("--quiet", action="store_true", help="no progress on stderr, only errors")


def output_paths(template: str | None, count: int) -> list[Path | None]:
    """One path per URL: the template itself for one URL, numbered for several."""
    if template is None:
        return [None] * count
    path = Path(template)
    if count == 1:
        return [path]
    return [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(1, count + 1)]


def request_from_args(args: argparse.Namespace):
    from captioner.protocol.files import TranscriptionRequest

    diarize = bool(args.diarize or args.speakers is not None)
    return TranscriptionRequest(
        model=args.model,
        file_urls=tuple(args.urls),
        language_hints=tuple(args.language) if args.language else None,
        channel_id=tuple(args.channel) if args.channel else None,
        diarization_enabled=True if diarize else None,
        speaker_count=args.speakers,
        vocabulary_id=args.vocabulary_id,
        disfluency_removal_enabled=True if args.disfluency_removal else None,
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from captioner.commands._terminal import error, fail
    from captioner.protocol.rest import ServiceError

    if bool(args.urls) == bool(args.task_id):
        return error("give the URLs to transcribe, or --task-id of a task submitted earlier", EXIT_USAGE)
    request = None
    if args.urls:
        try:
            request = request_from_args(args)
            request.check()
        except ServiceError as exc:  # refused here, before sending: a bad parameter
            return fail(exc, exc.message)
    from captioner.protocol.files import PollPolicy
    from captioner.recognition.cloud.files import FileTranscriber

    if not 0 < args.poll_interval <= 60:
        return error("--poll-interval must be between 0 and 60 seconds", EXIT_USAGE)
    poll = PollPolicy(initial=args.poll_interval, cap=max(5.0, args.poll_interval))
    try:
        transcriber = FileTranscriber(args.base_url, args.region, workspace=args.workspace, poll=poll)
    except ValueError as exc:
        return fail(exc)
    except ServiceError as exc:  # no API key
        return fail(exc, exc.message)
    progress = _Progress(args.quiet)
    try:
        return asyncio.run(_transcribe(args, transcriber, request, progress))
    except KeyboardInterrupt:
        if progress.task_id:
            return error(
                f"interrupted; task {progress.task_id} goes on: collect it with "
                f"`captioner transcribe-url --task-id {progress.task_id} ...`",
                EXIT_INTERRUPTED,
            )
        return error("interrupted", EXIT_INTERRUPTED)


class _Progress:
    """Status lines on stderr: the task id as soon as there is one, then each change."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.task_id: str | None = None
        self._last = ""

    def submitted(self, task_id: str) -> None:
        self.task_id = task_id
        self.note(f"task {task_id} submitted")

    def status(self, info) -> None:
        from captioner.recognition.cloud.files import describe_status

        line = describe_status(info)
        if line != self._last:
            self._last = line
            self.note(f"task {info.task_id}: {line}")

    def note(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)


async def _transcribe(args, transcriber, request, progress: _Progress) -> int:
    from captioner.commands._terminal import clock, error, fail
    from captioner.events import RecognitionError
    from captioner.protocol.rest import ServiceError
    from captioner.recognition.cloud.files import TaskError
    from captioner.transcript.export import write_exports
    from captioner.transcript.export.entries import speaker_label

    progress.note(f"transcribing with {transcriber.endpoint.label}")
    try:
        if request is not None:
            job = await transcriber.transcribe(
                request, on_status=progress.status, on_submitted=progress.submitted, timeout=args.timeout
            )
        else:
            progress.task_id = args.task_id
            job = await transcriber.resume(args.task_id, on_status=progress.status, timeout=args.timeout)
    except TaskError as exc:
        return fail(exc, exc.message)
    except ServiceError as exc:
        if exc.category is Category.NETWORK:
            return fail(exc, exc.message)
        return fail(exc, f"{exc.explanation}: {exc.message} ({exc.code})")
    except RecognitionError as exc:
        return fail(exc, str(exc))

    outcomes = job.outcomes
    paths = {fmt: output_paths(getattr(args, fmt), len(outcomes)) for fmt in FORMATS}
    written_any = any(getattr(args, fmt) for fmt in FORMATS)
    for i, outcome in enumerate(outcomes):
        if not outcome.ok:
            progress.note(f"failed: {outcome.describe()}")
            continue
        if outcome.no_speech:
            progress.note(f"{outcome.file_url}: no speech found; the transcript is empty")
        if written_any:
            try:
                targets: dict[str, Any] = {fmt: paths[fmt][i] for fmt in FORMATS}
                written = write_exports(outcome.sentences, **targets)
            except OSError as exc:
                return error(f"could not write the output: {exc}", EXIT_OUTPUT)
            for path in written:
                progress.note(f"wrote {path}")
        else:  # no output files: the transcript is the output
            if len(outcomes) > 1:
                print(f"# {outcome.file_url}", flush=True)
            for s in outcome.sentences:
                speaker = speaker_label(s)
                print(f"[{clock(s.begin_ms)} --> {clock(s.end_ms)}] {speaker}{s.text}", flush=True)
    failed = job.failed
    if failed and len(failed) == len(outcomes):
        return error(f"no file could be transcribed ({job.task.status.value})", EXIT_FILES)
    if failed:
        return error(f"{len(failed)} of {len(outcomes)} files could not be transcribed", EXIT_FILES)
    return EXIT_OK
