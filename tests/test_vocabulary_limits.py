"""Hot-word limits as documented (issue #17 item 6): weights, counts and languages per model
for vocabularies, the inline `vocabulary` map of the model that takes one, and `phrase_id`
answered by name rather than ignored. Each limit has its own clear error: first from the
protocol alone (bytes in, ServiceError out), then from `captioner serve` (ServeApp over the
trivial engine) as the official SDK meets it.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from dashscope.audio.asr import Recognition, RecognitionCallback, Transcription, VocabularyService
from dashscope.audio.asr.vocabulary import VocabularyServiceException

from captioner.protocol import vocabulary
from captioner.protocol.rest import ServiceError
from captioner.protocol.vocabulary import HotWord, VocabularyAction
from captioner.testing.trivial import TrivialRecognizer
from rest_support import RecordingRecognizer, aim_sdk, serve_app

pytestmark = pytest.mark.timeout(120)

TOKEN = "sk-vocab-limits"
QWEN = "qwen-audio-3.0-asr-flash-streaming"
HANG_GUARD_S = 60


def refused(call, *args, **kwargs) -> str:
    """The message of the InvalidParameter (HTTP 400) `call` raises."""
    with pytest.raises(ServiceError) as info:
        call(*args, **kwargs)
    assert (info.value.status, info.value.code) == (400, "InvalidParameter")
    return info.value.message


def create(model: str, *words: HotWord) -> None:
    VocabularyAction(vocabulary.CREATE, target_model=model, prefix="t", words=words).check()


# -- Vocabularies: counts and languages per model -----------------------------------------------------


def test_a_vocabulary_holds_at_most_500_words() -> None:
    create("fun-asr", *(HotWord(f"word{i}") for i in range(500)))
    assert "501 hot words; at most 500" in refused(create, "fun-asr", *(HotWord(f"word{i}") for i in range(501)))


@pytest.mark.parametrize(
    ("model", "ok", "not_ok"),
    [
        ("fun-asr-realtime", ("zh", "en", "ja"), ("yue", "de")),
        ("fun-asr-realtime-2025-09-15", ("zh", "en"), ("ja",)),  # the snapshot hears zh and en only
        ("fun-asr-flash-8k-realtime", ("zh",), ("en",)),
        ("fun-asr-2025-08-25", ("zh", "en"), ("ja",)),
        ("paraformer-realtime-v2", ("zh", "en", "ja", "yue", "ko", "de", "fr", "ru"), ("es",)),
        ("gummy-realtime-v1", ("zh", "en", "ja", "yue", "ko", "de", "fr", "ru"), ("es",)),
    ],
)
def test_hot_word_languages_are_the_models(model, ok, not_ok) -> None:
    for lang in ok:
        create(model, HotWord("Zarvox", 4, lang))
    for lang in not_ok:
        message = refused(create, model, HotWord("Zarvox", 4, lang))
        assert f"lang {lang!r} is not supported for {model}; use one of {', '.join(ok)}" in message


@pytest.mark.parametrize(
    ("model", "target", "words"),
    [
        ("paraformer-realtime-v1", None, "v1 phrase lists (phrase_id)"),
        (QWEN, None, "takes its hot words inline"),
        ("fun-asr-realtime", "fun-asr", "was made for fun-asr; a vocabulary serves the model it was made for only"),
    ],
)
def test_a_vocabulary_id_the_model_cannot_take(model, target, words) -> None:
    assert words in refused(vocabulary.check_vocabulary_id, model, "vocab-t-1", target)


def test_a_vocabulary_id_the_model_takes() -> None:
    vocabulary.check_vocabulary_id("fun-asr-realtime", "vocab-t-1", "fun-asr-realtime")
    vocabulary.check_vocabulary_id("gummy-realtime-v1", "vocab-t-1")
    vocabulary.check_vocabulary_id("paraformer-v2", None)  # none named: nothing to check


# -- The inline map ------------------------------------------------------------------------------------


def test_the_inline_map_becomes_hot_words_heaviest_first() -> None:
    words = vocabulary.inline_hot_words(QWEN, {"Quillbyte": 4, " Zarvox ": 50, "阿里巴巴": 1})
    assert words == (HotWord("Zarvox", 50), HotWord("Quillbyte", 4), HotWord("阿里巴巴", 1))
    assert vocabulary.inline_hot_words(QWEN, None) == ()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"Zarvox": 6}, "weight must be 1-5, or 50"),
        ({"Zarvox": 0}, "weight must be 1-5, or 50"),
        ({"Zarvox": 49}, "weight must be 1-5, or 50"),
        ({"Zarvox": "5"}, "weight must be 1-5, or 50"),
        ({"Zarvox": True}, "weight must be 1-5, or 50"),
        ({f"w{i}": 50 for i in range(51)}, "51 words of weight 50; at most 50"),
        ({f"w{i}": 3 for i in range(2001)}, "2001 words; at most 2000"),
        ({"one two three four five six seven eight": 3}, "at most 7 words"),
        ({"一二三四五六七八九十一二三四五六": 3}, "at most 15 characters"),
        ({" ": 3}, "must not be empty"),
        ({}, "non-empty object"),
        (["Zarvox"], "non-empty object"),
    ],
)
def test_inline_map_limits(value, words) -> None:
    assert words in refused(vocabulary.inline_hot_words, QWEN, value)


def test_the_inline_map_on_a_model_that_does_not_take_one_is_refused_by_name() -> None:
    message = refused(vocabulary.inline_hot_words, "fun-asr-realtime", {"Zarvox": 4})
    assert message.startswith("vocabulary: the inline") and "fun-asr-realtime takes vocabulary_id" in message


# -- phrase_id -----------------------------------------------------------------------------------------


def test_phrase_id_is_answered_by_name() -> None:
    phrase = [{"resource_id": "phrase-abc", "resource_type": "asr_phrase"}]
    v1 = refused(vocabulary.phrase_resources, "paraformer-realtime-v1", phrase)
    assert "phrase_id 'phrase-abc'" in v1 and "not kept by this server" in v1 and "vocabulary_id" in v1
    v2 = refused(vocabulary.phrase_resources, "paraformer-v2", phrase)
    assert "phrase lists are for the v1 models only; paraformer-v2 takes vocabulary_id" in v2
    vocabulary.phrase_resources("paraformer-v2", None)
    vocabulary.phrase_resources("paraformer-v2", [{"resource_id": "x", "resource_type": "other"}])


# -- `captioner serve`, met by the official SDK ------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    with serve_app(RecordingRecognizer(TrivialRecognizer()), token=TOKEN) as serve:
        yield serve


@pytest.fixture
def sdk(app, monkeypatch):
    aim_sdk(monkeypatch, app, TOKEN)
    return app.rest.recognizer.inner  # the RecordingRecognizer


class Callback(RecognitionCallback):
    def __init__(self) -> None:
        self.errors: list = []
        self.finals: list[str] = []
        self.done = threading.Event()

    def on_event(self, result) -> None:
        if result.get_sentence().get("sentence_end"):
            self.finals.append(result.get_sentence()["text"])

    def on_complete(self) -> None:
        self.done.set()

    def on_error(self, result) -> None:
        self.errors.append(result)
        self.done.set()


def refused_start(model: str, phrase_id: str | None = None, **parameters) -> str:
    """The task-failed message the SDK reports for a run-task the server refuses."""
    cb = Callback()
    r = Recognition(model=model, format="pcm", sample_rate=16000, callback=cb, **parameters)
    r.start(phrase_id=phrase_id)
    assert cb.done.wait(HANG_GUARD_S)
    timer = getattr(r, "_silence_timer", None)  # the SDK leaves it running after a failed start
    if timer is not None:
        timer.cancel()
    assert (cb.errors[0].status_code, cb.errors[0].code) == (44, "InvalidParameter")
    return cb.errors[0].message


def test_the_sdk_gets_a_clear_error_for_each_way_a_realtime_task_cannot_take_hot_words(sdk) -> None:
    assert "phrase_id 'phrase-abc'" in refused_start("paraformer-realtime-v1", phrase_id="phrase-abc")
    assert "vocabulary: the inline" in refused_start("fun-asr-realtime", vocabulary={"Zarvox": 4})
    assert "weight must be 1-5, or 50" in refused_start(QWEN, vocabulary={"Zarvox": 7})
    assert "v1 phrase lists" in refused_start("paraformer-realtime-v1", vocabulary_id="vocab-x-1")
    vid = VocabularyService(api_key=TOKEN).create_vocabulary(
        target_model="fun-asr", prefix="files", vocabulary=[{"text": "Zarvox", "weight": 4}]
    )
    assert f"{vid!r} was made for fun-asr" in refused_start("fun-asr-realtime", vocabulary_id=vid)
    assert not sdk.started  # no task reached the engine


def test_the_inline_map_biases_the_model_that_takes_it(sdk) -> None:
    cb = Callback()
    r = Recognition(model=QWEN, format="pcm", sample_rate=16000, callback=cb,
                    vocabulary={"Quillbyte": 4, "Zarvox": 50})  # fmt: skip
    r.start()
    for frame in np.array_split((np.sin(np.arange(16000) / 2.5) * 8000).astype("<i2"), 10):
        r.send_audio_frame(frame.tobytes())
    r.stop()
    assert not cb.errors and cb.finals
    assert sdk.started[-1].hot_words == ("Zarvox", "Quillbyte")


def test_file_tasks_and_vocabularies_refuse_by_name_too(sdk) -> None:
    answer = Transcription.async_call(model="paraformer-v2", file_urls=["https://example.invalid/a.wav"],
                                      phrase_id="ph-1", api_key=TOKEN)  # fmt: skip
    assert (answer.status_code, answer.code) == (400, "InvalidParameter")
    assert "phrase_id 'ph-1': phrase lists are for the v1 models only" in answer.message
    with pytest.raises(VocabularyServiceException) as info:
        VocabularyService(api_key=TOKEN).create_vocabulary(
            target_model="fun-asr-realtime-2025-09-15", prefix="snap", vocabulary=[{"text": "寿司", "lang": "ja"}]
        )
    error = info.value
    assert (error._status_code, error._code) == (400, "InvalidParameter")  # the SDK keeps them private
    assert "lang 'ja' is not supported for fun-asr-realtime-2025-09-15" in error._error_message
