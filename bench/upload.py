"""What sending a file as its own packets saves, and what it costs in words (issue #17 item 1).

Audio: the five LibriVox sentences of Debian's pocketsphinx-testdata, each followed by 1.5 s
of silence and joined (32.5 s of 16 kHz speech), written once as a file per format with
`captioner.testing.encode` (MP3 32 kbit/s at 16 kHz, Opus in Ogg 32 kbit/s, ADTS AAC
48 kbit/s, Speex in Ogg, AMR-NB 12.2 kbit/s), as a typical downloaded MP3 (44.1 kHz,
128 kbit/s: `encode_mp3`) and as voice memos (AAC-LC in M4A, 64 kbit/s, at 16 and
44.1 kHz: `encode_m4a`).

Each file is captioned twice through the one pipeline (`CaptionSession(MediaSource(file,
upload=...), DashScopeRecognizer(url))`) against our own `captioner serve` (in-process, the
on-device engine: it stands in for the cloud), model fun-asr-realtime (16 kHz only), and
for the files it cannot take as they are, also the model that can (AMR-NB:
paraformer-realtime-8k-v2; 44.1-kHz MP3 and M4A: paraformer-realtime-v2, any rate):

- `compressed` (the default): the file's packets where the model takes the format, else PCM;
- `pcm`: always decoded on this machine and sent as 16 kHz PCM, as before.

Reported per format and way: the run-task's format and rate, bytes the server received
(`stats.audio_bytes`, equal to the client's `audio_sent_bytes`), their ratio to the PCM
upload, WER against the reference transcripts, and whether the two ways gave the same
sentences (text and times). Then the client's CPU to read the file as it is sent (the
source alone, no network): `encoded_frames()` (demux only) against `frames()` (decode,
downmix, resample to 16 kHz), median of --runs, per second of audio.

usage: .venv/bin/python bench/upload.py [--runs 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from captioner.audio.media import MediaSource
from captioner.pipeline import CaptionSession
from captioner.protocol.realtime import is_8k_model
from captioner.recognition.cloud.realtime import DashScopeRecognizer
from captioner.recognition.local.whisper import LocalRecognizer
from captioner.server.realtime import DashScopeServer
from captioner.settings import RecognitionSettings
from captioner.testing.encode import encode, encode_m4a, encode_mp3
from captioner.testing.speech import librivox, read_wav, silence, wer

FUN_ASR = "fun-asr-realtime"
#: (name, encode()'s format or "mp3-44k", file extension, models)
CASES = [
    ("mp3", "mp3", "mp3", (FUN_ASR,)),
    ("opus", "opus", "opus", (FUN_ASR,)),
    ("aac", "aac", "aac", (FUN_ASR,)),
    ("speex", "speex", "spx", (FUN_ASR,)),
    ("amr", "amr", "amr", (FUN_ASR, "paraformer-realtime-8k-v2")),
    ("mp3 44.1k 128k", "mp3-44k", "mp3", (FUN_ASR, "paraformer-realtime-v2")),
    ("m4a (AAC-LC 16k)", "m4a", "m4a", (FUN_ASR,)),
    ("m4a (AAC-LC 44.1k)", "m4a-44k", "m4a", (FUN_ASR, "paraformer-realtime-v2")),
]
SETTINGS = RecognitionSettings(language_hints=("en",), max_sentence_silence=800)


def speech() -> tuple[np.ndarray, str]:
    recordings = librivox()
    parts = [np.concatenate([read_wav(r.path), silence(1500)]) for r in recordings]
    return np.concatenate([silence(300), *parts]), " ".join(r.text for r in recordings)


def make(samples: np.ndarray, fmt: str) -> bytes:
    if fmt == "mp3-44k":
        return encode_mp3(samples, out_rate=44100, bit_rate=128000)  # a typical download
    if fmt.startswith("m4a"):
        return encode_m4a(samples, rate=44100 if fmt.endswith("44k") else 16000, bit_rate=64000)
    return encode(samples, fmt)


async def caption(server: DashScopeServer, path: Path, upload: str, model: str) -> dict:
    before = server.stats.audio_bytes
    # PCM goes at the rate the model takes (8 kHz models: resampled on this side)
    settings = SETTINGS.replace(model=model, sample_rate=8000 if is_8k_model(model) else 16000)
    session = CaptionSession(MediaSource(path, upload=upload), DashScopeRecognizer(url=server.url), settings)
    transcript = await session.run()
    run_task = list(server.run_tasks.values())[-1]
    finals = [(s.text, s.begin_ms, s.end_ms) for s in transcript.finals]
    return {
        "format": run_task.parameters["format"],
        "sample_rate": run_task.parameters["sample_rate"],
        "bytes": server.stats.audio_bytes - before,
        "client_bytes": session.metrics["audio_sent_bytes"],
        "audio_ms": session.position_ms,
        "text": " ".join(t for t, _, _ in finals),
        "finals": finals,
    }


async def read_cpu(path: Path, encoded: bool) -> float:
    """CPU seconds to read the whole file as the session would (no pacing, no network)."""
    source = MediaSource(path)
    t0 = time.process_time()
    frames = source.encoded_frames() if encoded else source.frames()
    async for _ in frames:
        pass
    return time.process_time() - t0


async def measure(server: DashScopeServer, path: Path, model: str, reference: str, runs: int) -> dict:
    """One file and model, both ways."""
    row: dict = {"model": model, "file_bytes": path.stat().st_size}
    for upload in ("compressed", "pcm"):
        got = await caption(server, path, upload, model)
        got["wer"] = round(wer(reference, got["text"]), 4)
        row[upload] = got
    row["ratio"] = round(row["pcm"]["bytes"] / row["compressed"]["bytes"], 2)
    row["same_sentences"] = row["pcm"]["finals"] == row["compressed"]["finals"]
    audio_s = row["pcm"]["audio_ms"] / 1000
    row["read_cpu_ms_per_s"] = {}
    for way in ("packets", "decoded"):
        cpu = statistics.median([await read_cpu(path, way == "packets") for _ in range(runs)])
        row["read_cpu_ms_per_s"][way] = round(1000 * cpu / audio_s, 3)
    return row


async def main(runs: int) -> dict:
    samples, reference = speech()
    folder = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    results: dict = {"audio_s": round(len(samples) / 16000, 1), "formats": {}}
    async with DashScopeServer(LocalRecognizer()) as server:
        for name, fmt, ext, models in CASES:
            path = folder / f"{fmt}.{ext}"
            path.write_bytes(make(samples, fmt))
            for model in models:
                row = await measure(server, path, model, reference, runs)
                results["formats"][f"{name} / {model}"] = row
                c, q = row["compressed"], row["pcm"]
                print(
                    f"{name} / {model}: sent as {c['format']}@{c['sample_rate']}: {c['bytes']} B vs "
                    f"{q['format']}@{q['sample_rate']} {q['bytes']} B ({row['ratio']}x less); WER {c['wer']:.3f} "
                    f"vs {q['wer']:.3f}; same sentences: {row['same_sentences']}; read CPU ms/s: packets "
                    f"{row['read_cpu_ms_per_s']['packets']}, decoded {row['read_cpu_ms_per_s']['decoded']}",
                    flush=True,
                )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args()
    out = asyncio.run(main(args.runs))
    if args.json:
        for row in out["formats"].values():
            for way in ("compressed", "pcm"):
                row[way].pop("finals")
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
