"""`captioner transcribe FILE --model fun-asr-flash-2026-06-15 [--context-file F]`: one
synchronous call (docs/protocol.md §11) instead of a realtime task.

The whole file goes to the service in one request and its transcript comes back in the
answer: no journal (there is nothing to recover from a call that either answers or not),
finals printed to stdout, the same output files and exit codes as every other transcribe.
`--url` may be the REST base (http://host:port/api/v1) or the realtime WebSocket URL of the
same host; `--region`, `--workspace` and the API key are found as for the other cloud
commands.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from captioner.errors import EXIT_CODES, EXIT_OK, Category

#: Context read from --context-file at most (the service tolerates much, the decoder's
#: prompt holds little; a larger file is most likely the wrong file).
MAX_CONTEXT_BYTES = 1024 * 1024


def run(args: argparse.Namespace) -> int:
    from captioner.commands._terminal import error, fail

    usage = EXIT_CODES[Category.PARAMETER]
    if not args.input:
        return error(f"--model {args.model} is a synchronous call on a whole file: give a media file", usage)
    if args.realtime or args.live_srt:
        return error(
            f"--model {args.model} answers with the whole transcript at once: drop --realtime/--live-srt", usage
        )
    ignored = [option for option, given in _realtime_only(args) if given]
    if ignored:
        return error(
            f"{', '.join(ignored)}: not used by the synchronous call of --model {args.model}; "
            "name the terms to expect with --context-file instead",
            usage,
        )
    context = ""
    if args.context_file:
        try:
            raw = Path(args.context_file).read_bytes()
        except OSError as exc:
            return error(f"could not read the context file: {exc}", EXIT_CODES[Category.INPUT])
        if len(raw) > MAX_CONTEXT_BYTES:
            return error(f"the context file is larger than {MAX_CONTEXT_BYTES // 1024} KB", usage)
        context = raw.decode("utf-8", "replace")

    from captioner.audio.frames import AudioSourceError
    from captioner.events import RecognitionError
    from captioner.recognition.cloud.flash import FlashClient, http_base_url

    try:
        client = FlashClient(http_base_url(args.url), args.region, workspace=args.workspace)
    except (ValueError, RecognitionError) as exc:  # a bad URL, no API key
        return fail(exc)
    except OSError as exc:  # the key store could not be read
        return error(str(exc), usage)
    try:
        answer = asyncio.run(
            client.transcribe(args.input, context=context, model=args.model, language_hints=tuple(args.language or ()))
        )
    except (AudioSourceError, RecognitionError) as exc:
        return fail(exc)
    except KeyboardInterrupt:
        return error("interrupted", EXIT_CODES[Category.INTERRUPTED])
    if not args.quiet:
        for sentence in answer.sentences:
            print(sentence.text, flush=True)
        if not answer.sentences:
            print("captioner: no speech found", file=sys.stderr)

    from captioner.transcript.export import write_exports

    try:
        write_exports(list(answer.sentences), srt=args.srt, vtt=args.vtt, txt=args.txt, json=args.json)
    except OSError as exc:
        return error(f"could not write the output: {exc}", EXIT_CODES[Category.INPUT])
    return EXIT_OK


def _realtime_only(args: argparse.Namespace) -> list[tuple[str, bool]]:
    """Options of a realtime task that the synchronous call has no use for: refused by name
    rather than silently ignored."""
    return [
        ("--vocabulary-id", bool(args.vocabulary_id)),
        ("--hot-word", bool(args.hot_word)),
        ("--max-sentence-silence", args.max_sentence_silence is not None),
        ("--semantic-punctuation", bool(args.semantic_punctuation)),
        ("--multi-threshold", bool(args.multi_threshold)),
        ("--noise-threshold", args.noise_threshold is not None),
        ("--heartbeat", bool(args.heartbeat)),
        ("--disfluency-removal", bool(args.disfluency_removal)),
        # The call carries the file's own bytes; PCM decoded here is a realtime-task choice.
        ("--upload pcm", args.upload == "pcm"),
    ]
