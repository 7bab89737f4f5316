"""Quality of the on-device engine on the hard evaluation set: lost passages and invented words.

The cases (captioner/testing/corpus.py, built deterministically in about a second): real LibriVox read
speech, espeak-ng voices (en-us, en-gb, en+f3, en-us+m3, en-gb+f2, 150-240 wpm), repetitive
text, 3 minutes of run-on reading, short and long pauses, fast, quiet (-30 dBFS), pink noise at
10 and 5 dB SNR, a telephone band, short commands, a 64 ms fragment before speech (a
reconnect), and four with nothing said (music, noise, clicks and breaths, and speech played
backwards: a voice with no words, a stress test of the no-speech guard).

Method, as bench/accuracy.py: each case is one stream through LocalRecognizer (faster-whisper
tiny.en + Silero VAD; default RecognitionSettings unless --settings), cut into 100 ms frames
by FrameCutter and pushed as fast as the engine takes them; a 3 s warm-up decode first. The
finals' texts, joined, are scored against the reference (captioner/testing/corpus.py `score`: words
normalised as captioner.testing.speech.wer; Levenshtein alignment with backtrace):

- WER: captioner.testing.speech.wer over the whole case (none for a case with no speech);
- lost passages: runs of >= 5 consecutive reference words all deleted;
- invented words: insertions in the alignment (for a case with no speech: every word output);
- withdrawn partials: a partial with text later replaced by an empty partial of the same
  sentence_id (the engine showed words, then took them back without a final). Fed as fast as
  possible the engine skips partials (its worker is never idle), so this needs --realtime
  (frames paced like a microphone; the whole set then takes ~9 minutes);
- subtitles: the finals laid out as SRT cues (captioner.transcript.export.build_cues): how
  many, whether their words are exactly the finals' words (none lost, none doubled), how
  many last over 7 s or have over 2 lines, and how many run on past a sentence end (". N");
- RTF: wall time of the stream / audio duration (the engine's own figure, decode time / audio,
  is in the JSON as engine_rtf, and is what the table shows with --realtime).

Engines (issue #16): --engine NAME runs the set on a catalog engine (whisper-tiny.en,
whisper-base, local, ...) instead of LocalRecognizer's packaged tiny.en; --chinese runs the
Chinese and mixed cases of captioner/testing/corpus_zh.py instead, each with its own language
hints, scored by CER (shown in the WER column; see that module for what the speech is).

usage: .venv/bin/python bench/quality.py [--cases tale,music] [--settings max_sentence_silence=800]
                                         [--engine NAME] [--chinese] [--realtime] [--json] [--out FILE.json] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This checkout first, unless PYTHONPATH names another one (to measure an older engine with
# this script: PYTHONPATH=/tmp/before, which must hold captioner/testing/corpus.py, speech.py and
# listen.py too).
_FIRST = len([p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
sys.path.insert(1 + _FIRST if _FIRST else 0, str(ROOT))

import captioner  # noqa: E402
from captioner.events import Sentence  # noqa: E402
from captioner.recognition.engines import create_recognizer  # noqa: E402
from captioner.recognition.local.whisper import LocalRecognizer  # noqa: E402
from captioner.settings import RecognitionSettings  # noqa: E402
from captioner.testing import corpus_zh  # noqa: E402
from captioner.testing.corpus import CASES, Case, build, score  # noqa: E402
from captioner.testing.listen import Run, recognise  # noqa: E402
from captioner.transcript.export import build_cues  # noqa: E402

#: A sentence end inside a cue: a full stop, question or exclamation mark, then a capital.
RUN_ON = re.compile(r"[.!?][\"')]*\s+[\"'(]?[A-Z]")


def partials_of(heard: Run) -> tuple[int, int]:
    """(partials with text, withdrawn partials): a partial is withdrawn when an empty partial
    of the same sentence_id replaces it (the engine showed words, then took them back without
    a final)."""
    partials = withdrawn = 0
    shown: dict[int, str] = {}  # sentence_id -> text of the partial on screen
    for event in heard.events:
        if not isinstance(event, Sentence):
            continue
        if event.final:
            shown.pop(event.sentence_id, None)
        elif event.text:
            partials += 1
            shown[event.sentence_id] = event.text
        elif shown.pop(event.sentence_id, ""):
            withdrawn += 1
    return partials, withdrawn


def parse_settings(pairs: list[str]) -> RecognitionSettings:
    """key=value pairs onto the default RecognitionSettings, each value typed like the default."""
    base = RecognitionSettings()
    changes = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        default = getattr(base, key)
        if isinstance(default, bool):
            changes[key] = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            changes[key] = int(value)
        elif isinstance(default, float) or key.endswith("threshold"):
            changes[key] = None if value.lower() == "none" else float(value)
        elif isinstance(default, tuple):
            changes[key] = tuple(v for v in value.split(",") if v)
        else:
            changes[key] = None if value.lower() == "none" else value
    return dataclasses.replace(base, **changes)


def subtitles(finals: list[Sentence]) -> dict:
    cues = build_cues(finals)
    said = " ".join(s.text for s in finals).split()
    shown = " ".join(c.text.replace("\n", " ") for c in cues).split()
    return {
        "cues": len(cues),
        "cue_words_equal_final_words": shown == said,
        "cues_over_7s": sum(c.end_ms - c.start_ms > 7000 for c in cues),
        "cues_over_2_lines": sum(len(c.lines) > 2 for c in cues),
        "cues_running_past_a_sentence_end": sum(bool(RUN_ON.search(c.text.replace("\n", " "))) for c in cues),
        "longest_cue_s": round(max((c.end_ms - c.start_ms for c in cues), default=0) / 1000, 1),
    }


def row(case: Case, heard: Run, scorer=score, joiner: str = " ") -> dict:
    partials, withdrawn = partials_of(heard)
    hypothesis = joiner.join(s.text for s in heard.finals)
    s = scorer(case.reference, hypothesis, case.is_speech)
    return {
        "case": case.name,
        "description": case.description,
        "is_speech": case.is_speech,
        "seconds": round(case.seconds, 1),
        **s,
        "finals": len(heard.finals),
        **subtitles(heard.finals),
        "partials": partials,
        "withdrawn_partials": withdrawn,
        "rtf": round(heard.wall_s / case.seconds, 3),
        "engine_rtf": heard.metrics.get("rtf"),
        "wall_s": round(heard.wall_s, 1),
        "hypothesis": hypothesis,
        "reference": case.reference,
    }


async def run(args) -> dict:
    chinese = getattr(args, "chinese", False)
    known = corpus_zh.CASES if chinese else CASES
    names = [n for n in args.cases.split(",") if n] if args.cases else list(known)
    unknown = set(names) - set(known)
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}; known: {', '.join(known)}")
    settings = parse_settings(args.settings)
    t = time.perf_counter()
    cases = [corpus_zh.build(n) if chinese else build(n) for n in names]
    built_s = time.perf_counter() - t
    engine = getattr(args, "engine", None)
    recognizer = create_recognizer(engine) if engine else LocalRecognizer(getattr(args, "model_dir", None))
    await recognizer.prepare()
    await recognise(recognizer, build("clean").samples[: 16000 * 3], settings)  # warm-up
    rows = []
    for name, case in zip(names, cases, strict=True):
        if chinese:
            spec = corpus_zh.CASES[name]
            case_settings = settings.replace(model=spec.model, language_hints=spec.hints)
            heard = await recognise(recognizer, case.samples, case_settings, realtime=args.realtime)
            rows.append(row(case, heard, corpus_zh.score, ""))
        else:
            rows.append(row(case, await recognise(recognizer, case.samples, settings, realtime=args.realtime)))
        rows[-1]["engine"] = recognizer.describe().get("catalog") or engine or "whisper (packaged or --model-dir)"
        if not args.json:
            print(_line(rows[-1], args.realtime), flush=True)
    speech = [r for r in rows if r["is_speech"]]
    ref_words = sum(r["reference_words"] for r in speech)
    errors = sum(r["substitutions"] + r["deletions"] + r["insertions"] for r in speech)
    return {
        "captioner": str(Path(captioner.__file__).resolve().parent),
        "engine": engine or "LocalRecognizer (packaged tiny.en, or --model-dir)",
        "measure": "CER (Han characters, Latin words)" if chinese else "WER",
        "settings": dataclasses.asdict(settings) if args.settings else "default",
        "pacing": "real time" if args.realtime else "as fast as the engine takes it",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "corpus_build_s": round(built_s, 2),
        "cases": rows,
        "total": {
            "audio_s": round(sum(r["seconds"] for r in rows), 1),
            "speech_wer": round(errors / max(1, ref_words), 4),
            "lost_passages": sum(r["lost_passages"] for r in rows),
            "invented_words": sum(r["invented_words"] for r in rows),
            "withdrawn_partials": sum(r["withdrawn_partials"] for r in rows),
            "finals": sum(r["finals"] for r in rows),
            "cues": sum(r["cues"] for r in rows),
            "cases_whose_cue_words_differ": sum(not r["cue_words_equal_final_words"] for r in rows),
            "cues_over_7s": sum(r["cues_over_7s"] for r in rows),
            "cues_over_2_lines": sum(r["cues_over_2_lines"] for r in rows),
            "cues_running_past_a_sentence_end": sum(r["cues_running_past_a_sentence_end"] for r in rows),
        },
    }


HEADER = (
    f"{'case':<15} {'sec':>6} {'ref':>5} {'WER':>7} {'lost':>5} {'invent':>6} {'finals':>6} {'withdr':>6} {'RTF':>6}"
)


def _line(r: dict, realtime: bool = False) -> str:
    """One table row; paced in real time the RTF shown is the engine's decode time / audio."""
    w = "-" if r["wer"] is None else f"{r['wer'] * 100:.1f} %"
    rtf = (r["engine_rtf"] or 0.0) if realtime else r["rtf"]
    return (f"{r['case']:<15} {r['seconds']:>6.1f} {r['reference_words']:>5} {w:>7} {r['lost_passages']:>5} "
            f"{r['invented_words']:>6} {r['finals']:>6} {r['withdrawn_partials']:>6} {rtf:>6.3f}")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="", help=f"comma-separated, of: {','.join(CASES)}")
    ap.add_argument("--settings", nargs="*", default=[], metavar="KEY=VALUE", help="RecognitionSettings fields")
    ap.add_argument("--realtime", action="store_true", help="pace frames like a microphone (partials appear)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--out", type=Path, help="also write the JSON report to this file")
    ap.add_argument("--model-dir", type=Path, help="a CTranslate2 whisper folder (default: the packaged tiny.en)")
    ap.add_argument("--engine", help="a catalog engine name (captioner/recognition/catalog.py), e.g. whisper-base")
    ap.add_argument("--chinese", action="store_true", help="the Chinese and mixed cases (corpus_zh), scored by CER")
    args = ap.parse_args()
    if not args.json:
        print(HEADER, flush=True)
    report = asyncio.run(run(args))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    t = report["total"]
    print(f"{t['audio_s']} s of audio; speech WER {t['speech_wer'] * 100:.1f} %, {t['lost_passages']} lost passages, "
          f"{t['invented_words']} invented words, {t['withdrawn_partials']} withdrawn partials")  # fmt: skip
    print(f"subtitles: {t['finals']} finals -> {t['cues']} cues; {t['cues_over_7s']} over 7 s, "
          f"{t['cues_over_2_lines']} over 2 lines, {t['cues_running_past_a_sentence_end']} running past a "
          f"sentence end; cases whose cue words differ from the finals' words: "
          f"{t['cases_whose_cue_words_differ']}")  # fmt: skip
    print(f"engine: {report['captioner']}")
    for r in report["cases"]:
        for passage in r["lost"]:
            print(f'  {r["case"]}: lost "{passage}"')
        if r["invented_words"] and not r["is_speech"]:
            print(f'  {r["case"]}: invented "{r["hypothesis"]}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
