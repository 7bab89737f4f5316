"""Paraformer partials carry words as finals do (issue #17 item 7, first half): the estimate
on its own, then `captioner serve` over the on-device engine (whose partials come without
word times) as the official SDK sees it, on real speech streamed in real time.
"""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest
from dashscope.audio.asr import Recognition, RecognitionCallback

from captioner.events import Sentence, Word
from captioner.server.partial_words import estimated_words, wants_partial_words, with_estimated_words
from captioner.server.realtime import DashScopeServer
from captioner.testing.server_thread import ServerThread
from captioner.testing.speech import utterances

SENTENCE = "The weather in the mountains changes quickly, so pack a warm jacket and plenty of water."


def test_words_share_the_partials_audio_in_order_by_length() -> None:
    words = estimated_words("Hello, wonderful world.", 1000, 3000)
    assert [(w.text, w.punctuation) for w in words] == [("Hello", ","), ("wonderful", ""), ("world", ".")]
    assert words[0].begin_ms == 1000 and words[-1].end_ms == 3000
    assert all(a.end_ms == b.begin_ms for a, b in itertools.pairwise(words))
    lengths = [w.end_ms - w.begin_ms for w in words]
    assert lengths[1] > lengths[2] > lengths[0] - 1  # "wonderful" is the longest


def test_chinese_is_cut_per_character_with_its_punctuation() -> None:
    words = estimated_words("你好，世界。", 0, 1200)
    assert [(w.text, w.punctuation) for w in words] == [("你", ""), ("好", "，"), ("世", ""), ("界", "。")]
    assert [w.end_ms - w.begin_ms for w in words] == [300, 300, 300, 300]


def test_only_wordless_partials_get_words() -> None:
    partial = Sentence("go forward", 500, 1500, False, sentence_id=1)
    assert [w.text for w in with_estimated_words(partial).words] == ["go", "forward"]
    timed = Sentence("go", 500, 900, False, (Word(500, 900, "go"),), 1)
    final = Sentence("go.", 500, 900, True, (), 1)
    for sentence in (timed, final, Sentence(" ", 0, 100, False, sentence_id=1)):
        assert with_estimated_words(sentence) is sentence
    assert estimated_words("", 0, 100) == () and estimated_words("...", 0, 100) == ()
    assert wants_partial_words("paraformer-realtime-v2") and wants_partial_words("paraformer-realtime-8k-v2")
    assert not wants_partial_words("fun-asr-realtime")


class Collect(RecognitionCallback):
    def __init__(self) -> None:
        self.sentences: list[dict] = []
        self.errors: list = []
        self.done = threading.Event()

    def on_event(self, result) -> None:
        self.sentences.append(result.get_sentence())

    def on_complete(self) -> None:
        self.done.set()

    def on_error(self, result) -> None:
        self.errors.append(result)
        self.done.set()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_the_sdk_gets_words_on_paraformer_partials_from_the_on_device_engine(monkeypatch) -> None:
    from captioner.recognition.local.whisper import LocalRecognizer

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    samples, _ = utterances([300, SENTENCE, 1500])
    pcm = np.asarray(samples, dtype="<i2").tobytes()
    with ServerThread(DashScopeServer(LocalRecognizer())) as server:
        results = {}
        for model in ("paraformer-realtime-v2", "fun-asr-realtime"):
            cb = Collect()
            r = Recognition(model=model, format="pcm", sample_rate=16000, callback=cb, base_address=server.url,
                            api_key="sk-any", language_hints=["en"])  # fmt: skip
            r.start()
            t0 = time.monotonic()
            for n, i in enumerate(range(0, len(pcm), 3200)):  # in real time: partials come as it is spoken
                time.sleep(max(0.0, t0 + n * 0.1 - time.monotonic()))
                r.send_audio_frame(pcm[i : i + 3200])
            r.stop()
            assert cb.done.wait(60) and not cb.errors
            results[model] = cb.sentences
    assert server.stats.internal_errors == 0

    partials = [s for s in results["paraformer-realtime-v2"] if s["end_time"] is None]
    finals = [s for s in results["paraformer-realtime-v2"] if s["end_time"] is not None]
    assert partials and finals
    for s in partials:
        words = s["words"]
        assert words, s  # every partial with text has its words, as the finals do
        assert "".join(w["text"] + w["punctuation"] for w in words) == s["text"].replace(" ", "")
        assert words[0]["begin_time"] == s["begin_time"]
        assert all(w["begin_time"] < w["end_time"] for w in words)
        assert all(a["end_time"] == b["begin_time"] for a, b in itertools.pairwise(words))
        assert set(words[0]) == set(finals[0]["words"][0])  # the same fields as a final's words
    # Fun-ASR partials stay as the engine made them (the service documents no words there).
    assert all(not s["words"] for s in results["fun-asr-realtime"] if s["end_time"] is None)
