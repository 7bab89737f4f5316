"""`captioner transcribe`: caption a media file or live input in the terminal, write subtitles.

Finals go to stdout, one line each, flushed at once (so a pipe or a log sees every sentence
the moment it is final); partials and the progress bar go to stderr, and only to a terminal.
Exit codes (captioner.errors.EXIT_CODES, the same for every command): 0 done, 2 bad
parameter (or no API key), 3 input file problem, 4 no speech model, 5 recognition failed
(the service refused the request, the key or the model name), 6 audio device problem or the
service could not be reached, 130 interrupted.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from captioner.errors import EXIT_CODES, EXIT_OK, Category

if TYPE_CHECKING:
    from captioner.audio.frames import AudioSource
    from captioner.pipeline import FinalSink

EXIT_USAGE, EXIT_INPUT, EXIT_INTERRUPTED = (
    EXIT_CODES[c] for c in (Category.PARAMETER, Category.INPUT, Category.INTERRUPTED)
)


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", help="media file (wav, flac, mp3, m4a, ogg, mp4, webm, ...)")
    live = p.add_argument_group("live input (instead of a file; Ctrl-C ends and saves)")
    live.add_argument("--device", metavar="NAME", help="input device name, or 'default' (see `captioner devices`)")
    live.add_argument("--loopback", metavar="NAME", help="also (or only) caption this system-audio source")
    out = p.add_argument_group("output files")
    for fmt in ("srt", "vtt", "txt", "json"):
        out.add_argument(f"--{fmt}", metavar="FILE", help=f"write a {fmt.upper()} file")
    out.add_argument("--live-srt", metavar="FILE", help="keep this SRT file up to date during the session")
    out.add_argument("--quiet", action="store_true", help="print nothing but errors")
    out.add_argument("--export-text", choices=("original", "translation", "both"), default="both",
                     help="with --translate-to: what the files hold (default both: the translation under each line)")  # fmt: skip
    eng = p.add_argument_group("engine")
    from captioner.recognition import catalog

    eng.add_argument("--engine", choices=catalog.engine_names(), default=catalog.LOCAL, metavar="NAME",
                     help="local (default: the best on-device engine for --language), "
                          f"{', '.join(catalog.engine_names()[1:])}")  # fmt: skip
    eng.add_argument("--model-dir", metavar="DIR", help="on-device whisper model folder (CTranslate2), for local")
    eng.add_argument("--region", choices=("cn", "intl"), help="Alibaba Cloud region (Beijing or Singapore)")
    eng.add_argument("--url", help="DashScope WebSocket URL (e.g. a `captioner serve` instance)")
    eng.add_argument("--workspace", help="Model Studio workspace id")
    eng.add_argument("--model", help="recognition model (default fun-asr-realtime)")
    rec = p.add_argument_group("recognition")
    rec.add_argument("--realtime", action="store_true", help="feed a file at speaking pace, like a microphone")
    rec.add_argument("--upload", choices=("compressed", "pcm"), default="compressed",
                     help="cloud: send a file in a format the service takes (mp3, aac, amr, opus/speex in ogg) "
                          "as it is (default), or always decode it here and send PCM")  # fmt: skip
    rec.add_argument("--language", action="append", metavar="CODE", help="language hint (zh, en, ja, ...); repeatable")
    rec.add_argument("--max-sentence-silence", type=int, metavar="MS", help="silence that ends a sentence, 200-6000")
    rec.add_argument("--semantic-punctuation", action="store_true", help="break sentences by meaning, not by pauses")
    rec.add_argument("--multi-threshold", action="store_true", help="keep VAD sentences from growing too long")
    rec.add_argument("--noise-threshold", type=float, metavar="X", help="speech/noise threshold, -1.0..1.0")
    rec.add_argument("--vocabulary-id", help="hot-word vocabulary id (cloud)")
    rec.add_argument("--hot-word", action="append", metavar="WORD", help="bias the on-device engine; repeatable")
    rec.add_argument("--heartbeat", action="store_true", help="keep the cloud task alive through long silences")
    rec.add_argument("--disfluency-removal", action="store_true", help="drop filler words (Paraformer)")
    rec.add_argument("--translate-to", metavar="CODE",
                     help="also translate each sentence (on this device: en; the cloud: gummy-realtime-v1's targets)")  # fmt: skip
    rec.add_argument("--context-file", metavar="F", help="names and terms to expect (fun-asr-flash-2026-06-15 only)")
    rec.add_argument(
        "--diarize", action="store_true", help="tell speakers apart (a file; writes [Speaker N]; needs moonshine-voice)"
    )
    rec.add_argument("--speakers", type=int, metavar="N", help="with --diarize: at most N speakers (2-100)")


#: The option that sets each recognition setting, so an error names what the user typed.
SETTING_OPTIONS = {
    "model": "--model",
    "language_hints": "--language",
    "max_sentence_silence": "--max-sentence-silence",
    "speech_noise_threshold": "--noise-threshold",
    "vocabulary_id": "--vocabulary-id",
    "hot_words": "--hot-word",
    "semantic_punctuation_enabled": "--semantic-punctuation",
    "multi_threshold_mode_enabled": "--multi-threshold",
    "disfluency_removal_enabled": "--disfluency-removal",
    "translation_target": "--translate-to",
}

#: The cloud model that translates (protocol/gummy.py); --translate-to picks it for the cloud.
TRANSLATING_MODEL = "gummy-realtime-v1"


def settings_from_args(args: argparse.Namespace):
    from captioner.settings import RecognitionSettings

    values: dict = {}
    if args.model:
        values["model"] = args.model
    if args.translate_to:
        values["translation_target"] = args.translate_to
        if not args.model and args.engine == "dashscope":
            values["model"] = TRANSLATING_MODEL
    if args.language:
        values["language_hints"] = tuple(args.language)
    if args.max_sentence_silence is not None:
        values["max_sentence_silence"] = args.max_sentence_silence
    if args.noise_threshold is not None:
        values["speech_noise_threshold"] = args.noise_threshold
    if args.vocabulary_id:
        values["vocabulary_id"] = args.vocabulary_id
    if args.hot_word:
        values["hot_words"] = tuple(args.hot_word)
    return RecognitionSettings(
        semantic_punctuation_enabled=args.semantic_punctuation,
        multi_threshold_mode_enabled=args.multi_threshold,
        heartbeat=args.heartbeat,
        disfluency_removal_enabled=args.disfluency_removal,
        **values,
    )


def run(args: argparse.Namespace) -> int:
    from captioner.commands._terminal import Terminal, error, fail

    if args.input and (args.device or args.loopback):
        return error("give either a file or --device/--loopback, not both", EXIT_USAGE)
    if not args.input and not (args.device or args.loopback):
        return error("nothing to caption: give a media file, or --device NAME for live input", EXIT_USAGE)

    from captioner.settings import SettingsError

    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        return fail(exc, options=SETTING_OPTIONS)

    refused = _check_diarization(args)
    if refused is not None:
        return refused

    from captioner.protocol.flash import FLASH_MODELS

    if args.model in FLASH_MODELS:  # a synchronous call, not a realtime task
        from captioner.commands import transcribe_flash

        return transcribe_flash.run(args)
    if args.translate_to and args.engine == "dashscope" and settings.model != TRANSLATING_MODEL:
        return error(f"--translate-to needs --model {TRANSLATING_MODEL} (the cloud model that translates)", EXIT_USAGE)
    if args.context_file:
        return error(
            f"--context-file needs --model {FLASH_MODELS[0]} (context is part of its synchronous call)", EXIT_USAGE
        )

    from captioner.audio.frames import AudioSourceError

    if args.input:
        from captioner.audio.media import MediaSource

        try:
            source: AudioSource = MediaSource(args.input, realtime=args.realtime, upload=args.upload)
        except AudioSourceError as exc:
            return fail(exc)
    else:
        from captioner.audio.capture import open_live_source

        try:
            source = open_live_source(args.device, args.loopback)
        except AudioSourceError as exc:  # a device error; the mixer keeps the kind
            return fail(exc)

    from captioner.events import RecognitionError
    from captioner.recognition.engines import create_recognizer

    try:
        recognizer = create_recognizer(
            args.engine, model_dir=args.model_dir, url=args.url, region=args.region, workspace=args.workspace
        )
    except ValueError as exc:  # a ConfigurationError, MissingApiKey, or an unknown engine
        return fail(exc)
    except RecognitionError as exc:  # WeightsMissingError: the engine's pip package (4)
        return fail(exc)
    except OSError as exc:  # the key store could not be read
        return error(str(exc), EXIT_USAGE)

    import asyncio

    terminal = Terminal(quiet=args.quiet, live=not args.input, duration_ms=source.duration_ms)
    return asyncio.run(_caption(args, source, recognizer, settings, terminal))


async def _caption(args, source, recognizer, settings, terminal) -> int:
    import asyncio
    import signal

    from captioner.commands._terminal import error, fail
    from captioner.events import RecognitionError
    from captioner.pipeline import CaptionSession, SourceFailed
    from captioner.recognition import catalog
    from captioner.transcript.export import write_exports
    from captioner.transcript.journal import Journal

    refused = await _check_engine(args, recognizer, settings)
    if refused is not None:
        return refused
    on_device = args.engine == catalog.LOCAL or catalog.spec(args.engine).on_device
    if on_device and catalog.asks_for_mixed_speech(settings):
        terminal.note(catalog.MIXED_SPEECH_NOTE)
    journal = Journal.create(
        {
            "source": str(args.input or args.device or args.loopback),
            **recognizer.describe(),
            "settings": settings.to_dict(),
        }
    )
    sinks: list[FinalSink] = [journal]
    if args.live_srt:
        from captioner.transcript.live_srt import LiveSrtWriter

        sinks.append(LiveSrtWriter(args.live_srt))
    session = CaptionSession(source, recognizer, settings, sinks=sinks)
    session.subscribe(terminal.on_event)
    failures: list[str] = []
    session.subscribe(lambda e: failures.append(e.message) if isinstance(e, SourceFailed) else None)

    interrupted = False
    main_task = asyncio.current_task()
    assert main_task is not None  # we are in a coroutine

    def on_sigint() -> None:
        nonlocal interrupted
        if interrupted or args.input:  # a file: Ctrl-C abandons; live: first Ctrl-C saves
            main_task.cancel()
        interrupted = True
        terminal.note("stopping: finishing the last sentence (Ctrl-C again to abandon)")
        session.stop()

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        transcript = await session.run()
    except asyncio.CancelledError:
        journal.close(finished=False)
        terminal.done()
        return error("interrupted; the captions so far are kept (see `captioner recover`)", EXIT_INTERRUPTED)
    except RecognitionError as exc:
        journal.close(finished=False)
        terminal.done()
        return fail(exc)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    terminal.done()
    if failures:  # the file was damaged (an input problem), or the device failed for good
        journal.close(finished=False)
        return error(failures[-1], EXIT_CODES[Category.INPUT if args.input else Category.DEVICE])
    if args.diarize or args.speakers is not None:
        from captioner.audio.frames import AudioSourceError
        from captioner.errors import ModelError
        from captioner.recognition.local import diarization

        terminal.note("telling speakers apart")
        try:
            turns = await diarization.diarize_file(args.input, args.speakers)
        except (ModelError, AudioSourceError) as exc:
            journal.close(finished=False)
            return fail(exc)
        # The labels go into the files written below (stdout had each final as it came).
        transcript.finals = diarization.label_sentences(transcript.finals, turns)
    try:
        write_exports(
            transcript.entries, srt=args.srt, vtt=args.vtt, txt=args.txt, json=args.json, text=args.export_text
        )
    except OSError as exc:
        journal.close(finished=False)
        return error(f"could not write the output: {exc}", EXIT_INPUT)
    journal.close(finished=True)
    return EXIT_OK


def _check_diarization(args: argparse.Namespace) -> int | None:
    """Refuse --diarize/--speakers before anything runs where they cannot be served: live
    input, a count out of the documented range, or no speaker models (exit 4, naming the
    install command). None: go ahead (or not asked)."""
    if not (args.diarize or args.speakers is not None):
        return None
    from captioner.commands._terminal import error, fail
    from captioner.protocol.files import SPEAKER_COUNT_RANGE
    from captioner.protocol.flash import FLASH_MODELS
    from captioner.recognition.local import diarization

    if not args.input:
        return error("--diarize works on a media file, not on live input", EXIT_USAGE)
    if args.model in FLASH_MODELS:
        return error(f"--diarize is not available with {args.model} (its synchronous call has no speakers)", EXIT_USAGE)
    lo, hi = SPEAKER_COUNT_RANGE
    if args.speakers is not None and not lo <= args.speakers <= hi:
        return error(f"--speakers must be between {lo} and {hi} (got {args.speakers})", EXIT_USAGE)
    try:
        diarization.check_available()
    except diarization.DiarizationUnavailable as exc:
        return fail(exc)
    return None


async def _check_engine(args, recognizer, settings) -> int | None:
    """Load the on-device engine (for `local`, the one --language picks) and refuse language
    hints it cannot serve, before a journal or a session exists: a bad --language is a bad
    parameter (exit 2), a missing weight package a missing model (4), not a failed run.
    None: go ahead."""
    from captioner.recognition import catalog

    if args.engine != catalog.LOCAL and not catalog.spec(args.engine).on_device:
        return None
    from captioner.commands._terminal import fail
    from captioner.events import RecognitionError
    from captioner.recognition.local.languages import check_languages
    from captioner.recognition.on_device import BestOnDeviceRecognizer

    try:
        if isinstance(recognizer, BestOnDeviceRecognizer):  # load only the engine the language picks
            await recognizer.prepare_for(settings)
        else:
            await recognizer.prepare()
        check_languages(recognizer, settings)
    except RecognitionError as exc:  # ModelNotFoundError (4), UnsupportedLanguageError (2), ...
        return fail(exc, options=SETTING_OPTIONS)
    return None
