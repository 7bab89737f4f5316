"""The command line's errors name the options a user typed, never an internal setting key."""

import pytest

from captioner.cli import main
from captioner.commands._terminal import in_options
from captioner.commands.transcribe import SETTING_OPTIONS


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-sentence-silence", "8000"], "--max-sentence-silence: must be between 200 and 6000 ms (got 8000)"),
        (["--noise-threshold", "3"], "--noise-threshold: must be between -1.0 and 1.0 (got 3.0)"),
        (["--language", "klingon"], "--language: unknown language code 'klingon'"),
    ],
)
def test_a_bad_option_is_named_as_typed(tmp_path, capsys, extra, message):
    code = main(["transcribe", str(tmp_path / "talk.wav"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert not any(name in err for name in SETTING_OPTIONS if not name.startswith("model")), err


def test_setting_names_become_options_only_where_they_are_words():
    text = "The on-device model does not know the language 'ja' that language_hints asks for; max_sentence_silence_x"
    assert in_options(text, SETTING_OPTIONS) == (
        "The on-device model does not know the language 'ja' that --language asks for; max_sentence_silence_x"
    )
    assert in_options("the model: fun-asr-realtime", SETTING_OPTIONS) == "the model: fun-asr-realtime"
