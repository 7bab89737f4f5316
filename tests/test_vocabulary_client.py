"""`captioner vocabulary` and the vocabulary client against the emulator (no speech engine)."""

from __future__ import annotations

import pytest

from captioner.cli import main as cli_main
from captioner.recognition.cloud.rest import Retry
from captioner.testing.trivial import TrivialRecognizer
from rest_support import rest_emulator

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def served():
    with rest_emulator(TrivialRecognizer(), token="sk-vocab") as srv:
        yield srv


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-vocab")


def vocab(served, *argv: str) -> int:
    action, *rest = argv
    return cli_main(["vocabulary", action, "--base-url", served.url, *rest])


def test_create_list_show_update_delete(served, capsys) -> None:
    assert vocab(served, "create", "--target-model", "fun-asr", "--prefix", "cli", "Quillbyte:5:en", "Dr. Okonkwo") == 0
    vid = capsys.readouterr().out.strip()
    assert vid.startswith("vocab-cli-") and served.vocabularies.hot_words(vid) == ("Quillbyte", "Dr. Okonkwo")
    assert vocab(served, "list", "--prefix", "cli") == 0
    assert capsys.readouterr().out.startswith(f"{vid}\tOK\t")
    assert vocab(served, "show", vid) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["Quillbyte\t5\ten", "Dr. Okonkwo\t4"]
    assert vocab(served, "update", vid, "Zarvox:2") == 0
    assert served.vocabularies.hot_words(vid) == ("Zarvox",)
    assert vocab(served, "delete", vid) == 0
    assert vocab(served, "show", vid) == 5
    assert "BadRequest.ResourceNotExist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("create", "--target-model", "fun-asr", "--prefix", "BAD", "x"), 2, "prefix"),
        (("create", "--target-model", "fun-asr", "--prefix", "ok", "x:9"), 2, "weight"),
        (("create", "--target-model", "paraformer-v1", "--prefix", "ok", "x"), 2, "does not take"),
    ],
)
def test_words_over_the_limits_are_refused_before_sending(served, argv, code, message, capsys) -> None:
    assert vocab(served, *argv) == code
    assert message in capsys.readouterr().err


def test_a_wrong_key_and_an_unreachable_server(served, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-wrong")
    assert vocab(served, "list") == 5
    assert "InvalidApiKey" in capsys.readouterr().err
    monkeypatch.setattr("captioner.recognition.cloud.rest.Retry", lambda: Retry(attempts=0))
    assert cli_main(["vocabulary", "list", "--base-url", "http://127.0.0.1:9/api/v1"]) == 6
