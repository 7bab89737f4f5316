"""Context (Fun-ASR-Flash) and hot words on the on-device engine: what a term list gains, and
what it writes that nobody said.

docs/protocol.md §11.4: the context's terms become whisper's hot words. This measures the two
things that matter on real speech, through the engine as `captioner serve` runs it
(`LocalRecognizer`, whisper tiny.en int8 + Silero VAD, the hot words as the Flash handler
writes them: one comma-separated list ending in a full stop):

- **Unrelated context** — 10 clips (the 5 LibriVox sentences of the evaluation set and 5
  espeak sentences) each decoded without context and with 13 names none of which is said:
  how many context terms get written (must be 0), and how many clips' text changed at all.
- **Context that was said** — espeak sentences with a made-up or rare term, decoded without
  context and with the term among the 13 unrelated names: is the term written right?

Every replacement the vocabulary guard weighed (the unbiased words, the biased words, kept or
not) is printed, so a threshold change can be judged on what it decided.

usage: .venv/bin/python bench/flash_context.py [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from captioner.recognition.local import decoding  # noqa: E402
from captioner.recognition.local.whisper import LocalRecognizer  # noqa: E402
from captioner.settings import RecognitionSettings  # noqa: E402
from captioner.testing.listen import recognise  # noqa: E402
from captioner.testing.speech import librivox, read_wav, silence, utterances  # noqa: E402

#: Thirteen names, none said in the unrelated clips.
UNRELATED = (
    "Marrakesh", "Quintarello", "Belmondex", "Kubrix", "Anneliese", "Vornholt", "Okonkwo",
    "Umuofia", "Tarkovsky", "Ljubljana", "Hiroshige", "Valparaiso", "Szymborska",
)  # fmt: skip
ESPEAK = (
    "Call me back.",  # the case first seen: "call me Mac" without context, "call me Marrakesh" with it
    "Please call me back when you get this message.",
    "The meeting moved to Thursday afternoon.",
    "Turn off the lights in the kitchen before you leave.",
    "We should buy more coffee and some bread on the way home.",
)
#: (sentence, the term that is said)
SAID = (
    ("Our new product is called Zorvexa and it ships next month.", "Zorvexa"),
    ("We deployed it on Kubernetes with Zarvox.", "Zarvox"),
    ("We deployed it on Kubernetes with Zarvox.", "Kubernetes"),
    ("Tomorrow we fly to Marrakesh for the conference.", "Marrakesh"),
)


def hot_words(terms: tuple[str, ...]) -> tuple[str, ...]:
    return (", ".join(terms) + ".",) if terms else ()


async def transcribe(engine: LocalRecognizer, samples: np.ndarray, terms: tuple[str, ...]) -> str:
    return (await recognise(engine, samples, RecognitionSettings(hot_words=hot_words(terms)))).text


def words(text: str) -> list[str]:
    return [decoding._norm(w) for w in text.split() if decoding._norm(w)]


async def main() -> dict:
    weighed: list[dict] = []
    guard = decoding._without_added_hot_words

    def logged(biased, plain, hot):  # type: ignore[no-untyped-def]
        out = guard(biased, plain, hot)

        def scored(attempt):  # type: ignore[no-untyped-def]
            if isinstance(attempt, tuple):  # the guard before it weighed probabilities (4f949aa)
                return decoding._join(attempt)
            return " ".join(f"{w.strip()}({attempt.probability.get((a, b), -1):.3f})" for a, b, w in attempt.words)

        weighed.append({"plain": scored(plain), "biased": scored(biased), "kept": decoding._join(out)})
        return out

    decoding._without_added_hot_words = logged  # type: ignore[assignment]
    engine = LocalRecognizer()
    await engine.prepare()
    clips = [(r.path.name, np.concatenate([silence(300), read_wav(r.path), silence(1500)])) for r in librivox()]
    clips += [(s, utterances([300, s, 1500])[0]) for s in ESPEAK]
    unrelated = []
    for name, samples in clips:
        before = await transcribe(engine, samples, ())
        after = await transcribe(engine, samples, UNRELATED)
        written = [t for t in UNRELATED if t.lower() in words(after) and t.lower() not in words(before)]
        unrelated.append({"clip": name, "without": before, "with": after, "unsaid_terms_written": written})
        print(f"{name}\n  without: {before}\n  with:    {after}\n  unsaid terms written: {written}")
    said = []
    for sentence, term in SAID:
        samples = utterances([300, sentence, 1500])[0]
        terms = (*(t for t in UNRELATED if t != term), term)
        before = await transcribe(engine, samples, ())
        after = await transcribe(engine, samples, terms)
        right = term.lower() in words(after)
        written = [t for t in terms if t != term and t.lower() in words(after) and t.lower() not in words(before)]
        said.append(
            {
                "sentence": sentence,
                "term": term,
                "without": before,
                "with": after,
                "term_right": right,
                "unsaid_terms_written": written,
            }
        )
        print(f"{term}\n  without: {before}\n  with:    {after}\n  term right: {right}; unsaid written: {written}")
    for w in weighed:
        print(f"guard: plain={w['plain']!r}\n       biased={w['biased']!r}\n       kept={w['kept']!r}")
    summary = {
        "unsaid_terms_written": sum(len(u["unsaid_terms_written"]) for u in unrelated + said),
        "unrelated_clips": len(unrelated),
        "unrelated_clips_changed": sum(u["without"] != u["with"] for u in unrelated),
        "said_terms_right": sum(s["term_right"] for s in said),
        "said_terms": len(said),
        "said_terms_right_without_context": sum(s["term"].lower() in words(s["without"]) for s in said),
    }
    print(json.dumps(summary))
    return {"unrelated": unrelated, "said": said, "weighed": weighed, "summary": summary}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the full results here")
    args = parser.parse_args()
    results = asyncio.run(main())
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
