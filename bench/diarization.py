"""Telling speakers apart (recognition/local/diarization.py): CPU per audio second, and how
often a spoken turn gets the right speaker, on dialogues made offline.

Each case is turns of known speakers with 1.2 s pauses between (16 kHz mono):
- espeak-ng voice pairs (and one trio), reading the evaluation set's kind of sentences;
- real read speech: the LibriVox reader of Debian's pocketsphinx-testdata (a woman reading
  Sense and Sensibility) and the "go forward ten meters" speaker (a man), taking turns.

Per case: audio seconds, CPU seconds of `diarize()` (process time, all threads: Moonshine's
model load, its transcription pass and the speaker models), their ratio, the speakers found,
and turn accuracy: each turn's speaker is the turn-overlap majority (`speaker_of`), scored
under the best one-to-one mapping of true voices to found speakers (a turn whose voice maps
to no found speaker is wrong). With `--speaker-count N` the hint goes in as well.

usage: .venv/bin/python bench/diarization.py [--out FILE.json] [--speaker-count N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from captioner.recognition.local.diarization import diarize, speaker_of  # noqa: E402
from captioner.testing.speech import (  # noqa: E402
    GOFORWARD_RAW,
    espeak_samples,
    librivox,
    read_wav,
    silence,
)

PAUSE_MS = 1200
LINES = (
    "The meeting starts at nine in the morning.",
    "I will bring the quarterly report with me.",
    "She already accepted the invitation yesterday.",
    "Then we only need a larger room.",
    "The room on the third floor is free all day.",
    "Good, and please remember the projector this time.",
    "It was broken last week, so I ordered a new one.",
    "Let us hope it arrives before Thursday.",
)
#: Who speaks each line (voice index), not simply alternating.
ORDER = (0, 1, 1, 0, 1, 0, 0, 1)


def trimmed(samples: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples


def dialogue(turns: list[tuple[int, np.ndarray]]) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """The samples and each turn's (begin_ms, end_ms, voice)."""
    chunks, truth, pos = [], [], 0
    for voice, samples in turns:
        samples = trimmed(samples)
        truth.append((pos, pos + len(samples) // 16, voice))
        chunks += [samples, silence(PAUSE_MS)]
        pos += len(samples) // 16 + PAUSE_MS
    return np.concatenate(chunks), truth


def espeak_case(voices: tuple[str, ...], order: tuple[int, ...] = ORDER) -> tuple[np.ndarray, list]:
    return dialogue([(v, espeak_samples(LINES[i % len(LINES)], voices[v])) for i, v in enumerate(order)])


def real_case(goforwards: int) -> tuple[np.ndarray, list]:
    """The reader's five sentences with the 2.8 s "go forward" between them, `goforwards` times."""
    reader = [read_wav(r.path) for r in librivox()]
    goforward = np.fromfile(GOFORWARD_RAW, dtype="<i2")
    pattern = {2: (0, 1, 0, 0, 1, 0), 5: (0, 1, 1, 0, 0, 1, 1, 0, 1, 0)}[goforwards]
    turns, k = [], 0
    for v in pattern:
        turns.append((v, goforward if v else reader[k]))
        k += v == 0
    return dialogue(turns)


CASES = {
    "en-us | en-us+f3": lambda: espeak_case(("en-us", "en-us+f3")),
    "en-us | en-gb (two male voices)": lambda: espeak_case(("en-us", "en-gb")),
    "en-us+m3 | en-gb+f2": lambda: espeak_case(("en-us+m3", "en-gb+f2")),
    "en-us | en-us+f3 | en-gb+f2": lambda: espeak_case(("en-us", "en-us+f3", "en-gb+f2"), (0, 1, 2, 0, 2, 1, 0, 2)),
    "real: LibriVox reader | goforward x2 (5.6 s)": lambda: real_case(2),
    "real: LibriVox reader | goforward x5 (14 s)": lambda: real_case(5),
}


def accuracy(truth: list[tuple[int, int, int]], found: list[int | None]) -> float:
    voices = sorted({v for *_, v in truth})
    labels = sorted({f for f in found if f is not None})
    best = 0
    for perm in itertools.permutations(labels + [None] * len(voices), len(voices)):
        mapping = dict(zip(voices, perm, strict=True))
        best = max(best, sum(mapping[v] == f for (*_, v), f in zip(truth, found, strict=True)))
    return best / len(truth)


def run(speaker_count: int | None) -> dict:
    rows = []
    for name, make in CASES.items():
        samples, truth = make()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        turns = diarize(samples, speaker_count)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        found = [speaker_of(b, e, turns) for b, e, _ in truth]
        audio_s = len(samples) / 16000
        row = {
            "case": name,
            "voices": len({v for *_, v in truth}),
            "turns": len(truth),
            "audio_s": round(audio_s, 1),
            "cpu_s": round(cpu, 2),
            "wall_s": round(wall, 2),
            "cpu_per_audio_s": round(cpu / audio_s, 3),
            "speakers_found": len({t.speaker for t in turns}),
            "turn_accuracy": round(accuracy(truth, found), 3),
            "labels": found,
            "truth": [v for *_, v in truth],
        }
        rows.append(row)
        print(
            f"{name:45s} {row['audio_s']:6.1f} s audio  {row['cpu_per_audio_s']:.3f} CPU s/s  "
            f"found {row['speakers_found']} of {row['voices']}  turns right {row['turn_accuracy']:.0%}  "
            f"{found} vs {row['truth']}",
            flush=True,
        )
    return {"machine": platform.processor() or platform.machine(), "speaker_count": speaker_count, "cases": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--speaker-count", type=int)
    args = parser.parse_args()
    result = run(args.speaker_count)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
