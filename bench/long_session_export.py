"""How long exporting a long session takes: 10 000 finals to SRT, VTT, JSON (and TXT).

A long meeting or a day of captions is a few thousand finals; exports run when the user
presses Save (and the live SRT rewrites on every final), so they must stay well under the
half second a user would notice. Three transcripts: English without word timestamps (the
on-device engine's plain finals), English with words, and Chinese with per-character words
(realtime Fun-ASR's shape). Reports the median of several runs of the in-memory render and
of the atomic file write.

    .venv/bin/python bench/long_session_export.py [--sentences N] [--runs R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from captioner.events import Sentence, Word
from captioner.transcript import export

EN_WORDS = (
    "the of and to in is that it was for on are with as at be this have from or one had by "
    "word but not what all were we when your can said there use an each which she do how their "
    "if will up other about out many then them these so some her would make like him into time "
    "has look two more write go see number no way could people my than first water been call "
    "captioning transcript meeting quarterly results microphone recognition"
).split()
ZH = "今天我们讨论一下项目的进展情况以及下一步的计划安排大家有什么问题可以随时提出来好的我知道了谢谢"


def english(n: int, with_words: bool, rng: random.Random) -> list[Sentence]:
    out, t = [], 0
    for i in range(n):
        k = rng.choice((3, 6, 9, 12, 15, 20, 30))  # some sentences need two or three cues
        ws = [rng.choice(EN_WORDS) for _ in range(k)]
        ws[0] = ws[0].capitalize()
        text = " ".join(ws) + rng.choice(".?!")
        begin = t + rng.randint(200, 1500)
        words = ()
        if with_words:
            words = tuple(
                Word(begin + 300 * j, begin + 300 * j + 280, w, "." if j == k - 1 else "") for j, w in enumerate(ws)
            )
        end = begin + 300 * k
        out.append(Sentence(text, begin, end, True, words, i + 1))
        t = end
    return out


def chinese(n: int, rng: random.Random) -> list[Sentence]:
    out, t = [], 0
    for i in range(n):
        k = rng.choice((5, 10, 16, 24, 40))
        chars = [rng.choice(ZH) for _ in range(k)]
        begin = t + rng.randint(200, 1500)
        words = tuple(
            Word(begin + 200 * j, begin + 200 * j + 190, c, "，" if j == k // 2 else ("。" if j == k - 1 else ""))
            for j, c in enumerate(chars)
        )
        text = "".join(w.text + w.punctuation for w in words)
        end = begin + 200 * k
        out.append(Sentence(text, begin, end, True, words, i + 1))
        t = end
    return out


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(1)
    corpora = {
        "English, no words": english(args.sentences, False, rng),
        "English, with words": english(args.sentences, True, rng),
        "Chinese, char words": chinese(args.sentences, rng),
    }
    print(f"{args.sentences} finals, median of {args.runs} runs (ms); Python {sys.version.split()[0]}")
    print(
        f"{'transcript':22} {'cues':>6} {'SRT':>7} {'VTT':>7} {'JSON':>7} {'TXT':>7} {'SRT file':>9} {'JSON file':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, sents in corpora.items():
            cues = len(export.build_cues(sents))
            row = [
                median_ms(lambda: export.to_srt(sents), args.runs),
                median_ms(lambda: export.to_vtt(sents), args.runs),
                median_ms(lambda: export.to_json(sents), args.runs),
                median_ms(lambda: export.to_txt(sents), args.runs),
                median_ms(lambda: export.write_srt(Path(tmp) / "a.srt", sents), args.runs),
                median_ms(lambda: export.write_json(Path(tmp) / "a.json", sents), args.runs),
            ]
            print(f"{name:22} {cues:6d} " + " ".join(f"{v:7.1f}" for v in row[:4]) + f" {row[4]:9.1f} {row[5]:10.1f}")
        # The live SRT rewrites the whole file on every final: what does the last one cost?
        from captioner.transcript.live_srt import LiveSrtWriter

        sents = corpora["English, no words"]
        live = LiveSrtWriter(Path(tmp) / "live.srt")
        times = []
        for s in sents:
            t0 = time.perf_counter()
            live.append(s)
            times.append((time.perf_counter() - t0) * 1000)
        last = sorted(times[-100:])
        print(
            f"live SRT: {len(sents)} appends in {sum(times) / 1000:.2f} s; at the end of the session one append "
            f"(lay out + rewrite {Path(tmp, 'live.srt').stat().st_size // 1024} KiB) takes median {last[50]:.2f} ms, "
            f"max {last[-1]:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
