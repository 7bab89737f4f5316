import pytest

from captioner.settings import RecognitionSettings, SettingsError


def test_defaults_match_the_service():
    s = RecognitionSettings()
    assert s.model == "fun-asr-realtime"
    assert (s.sample_rate, s.format) == (16000, "pcm")
    assert s.max_sentence_silence == 1300
    assert s.semantic_punctuation_enabled is False
    assert s.punctuation_prediction_enabled is True
    assert s.speech_noise_threshold is None
    assert s.language is None


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"max_sentence_silence": 199}, "max_sentence_silence", "between 200 and 6000 ms (got 199)"),
        ({"max_sentence_silence": 6001}, "max_sentence_silence", "between 200 and 6000"),
        ({"max_sentence_silence": 800.5}, "max_sentence_silence", "whole number"),
        ({"speech_noise_threshold": 1.5}, "speech_noise_threshold", "between -1.0 and 1.0 (got 1.5)"),
        ({"speech_noise_threshold": "loud"}, "speech_noise_threshold", "must be a number"),
        ({"format": "flac"}, "format", "must be one of pcm, wav"),
        ({"sample_rate": 4000}, "sample_rate", "between 8000 and 48000 Hz"),
        ({"language_hints": ["xx"]}, "language_hints", "unknown language code 'xx'"),
        ({"heartbeat": "yes"}, "heartbeat", "true or false"),
        ({"model": " "}, "model", "must not be empty"),
    ],
)
def test_out_of_range_values_name_the_field_and_the_range(changes, field, words):
    with pytest.raises(SettingsError) as info:
        RecognitionSettings(**changes)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert words in str(info.value)


def test_edges_of_ranges_are_allowed():
    RecognitionSettings(max_sentence_silence=200, speech_noise_threshold=-1.0)
    RecognitionSettings(max_sentence_silence=6000, speech_noise_threshold=1)


def test_round_trip_through_a_plain_dict():
    s = RecognitionSettings(language_hints=["zh", "en"], max_sentence_silence=800, hot_words=["Dashwood"])
    assert s.language_hints == ("zh", "en") and s.language == "zh"
    assert RecognitionSettings.from_dict(s.to_dict()) == s
    with pytest.raises(SettingsError, match="api_key: is not a recognition setting"):
        RecognitionSettings.from_dict({**s.to_dict(), "api_key": "sk-x"})
