"""One engine switch: `captioner transcribe --engine`, `captioner serve --engine`, and `local`
choosing by language, as a user runs them (real processes, real speech, the official
DashScope SDK as the serve client)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from captioner.testing.speech import GOFORWARD_TEXT, espeak_samples, silence, wer, write_wav
from serve_command import ServeCommand

pytestmark = pytest.mark.slow

#: Two short Mandarin sentences whisper base gets from espeak-ng (its pinyin voice is rough).
PINYIN = ("wo3 men5 qu4 chi1 fan4 ba5", "ni3 men5 ming2 tian1 lai2 ma5")
HANG_GUARD_S = 90


@pytest.fixture(scope="module")
def chinese_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parts = [silence(300)]
    for pinyin in PINYIN:
        parts += [espeak_samples(pinyin, "cmn-latn-pinyin", speed=130), silence(1600)]
    return write_wav(tmp_path_factory.mktemp("zh") / "chinese.wav", np.concatenate(parts))


def captioner(*args: object, data_dir: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAPTIONER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "captioner", *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout
    )


def test_transcribe_language_zh_picks_an_engine_that_can(chinese_wav: Path, tmp_path: Path) -> None:
    r = captioner("transcribe", chinese_wav, "--language", "zh", "--txt", tmp_path / "zh.txt", data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "zh.txt").read_text()
    assert "我们" in text and "吃饭" in text and "。" in text, text
    assert not set("們飯") & set(text)
    assert "often missed" not in r.stderr  # Chinese alone: nothing to warn of


def test_transcribe_chinese_with_english_says_english_words_are_often_missed(chinese_wav: Path, tmp_path: Path) -> None:
    """whisper base keeps almost no English word inside Chinese speech (BENCHMARKS §15):
    asking the device for both (paraformer-realtime-v2 reads every hint; fun-asr-realtime,
    the default model, only the first) says so, and still transcribes."""
    out = tmp_path / "mixed.txt"
    args = ["--model", "paraformer-realtime-v2", "--language", "zh", "--language", "en", "--txt", out]
    r = captioner("transcribe", chinese_wav, *args, data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "English words inside Chinese speech are often missed" in r.stderr and "Paraformer" in r.stderr
    assert "吃饭" in out.read_text()


def test_transcribe_engine_by_name(goforward_wav: Path, tmp_path: Path) -> None:
    r = captioner(
        "transcribe", goforward_wav, "--engine", "whisper-base", "--txt", tmp_path / "o.txt", data_dir=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert wer(GOFORWARD_TEXT, (tmp_path / "o.txt").read_text()) <= 0.25
    journals = list((tmp_path / "sessions").iterdir())
    assert len(journals) == 1  # ... and it records which engine ran
    assert json.loads(journals[0].read_text().splitlines()[0])["catalog"] == "whisper-base"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--engine", "whisper-tiny.en", "--language", "zh"], 2, "whisper tiny.en (English only), does not know"),
        (["--language", "yue"], 2, "does not know the language 'yue'"),
        (["--engine", "whisper-huge"], 2, "invalid choice: 'whisper-huge'"),
    ],
)
def test_transcribe_refuses_what_the_engine_cannot_do(
    chinese_wav: Path, tmp_path: Path, args: list[str], code: int, words: str
) -> None:
    r = captioner("transcribe", chinese_wav, "--txt", tmp_path / "never.txt", *args, data_dir=tmp_path)
    assert r.returncode == code and words in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "never.txt").exists()


def test_the_engine_names_are_in_the_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "captioner", "transcribe", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert all(name in out for name in ("local", "whisper-tiny.en", "whisper-base", "dashscope"))


# captioner serve --engine -------------------------------------------------------------------


def sdk_call(url: str, wav: Path, model: str, **parameters: object) -> object:
    from dashscope.audio.asr import Recognition

    result: list[object] = []

    def call() -> None:  # the SDK blocks; a thread keeps a hung server from hanging the test
        result.append(
            Recognition(model=model, format="wav", sample_rate=16000, callback=None, base_address=url, **parameters)
            .call(str(wav))
        )  # fmt: skip

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(HANG_GUARD_S)
    assert result, "the SDK call did not return"
    return result[0]


def texts(result: object) -> str:
    return "".join(s["text"] for s in result.get_sentence() or ())  # type: ignore[attr-defined]


def test_serve_local_answers_chinese_and_english_clients(
    chinese_wav: Path, goforward_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dashscope

    monkeypatch.setattr(dashscope, "api_key", "sk-any")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with ServeCommand(stop_s=HANG_GUARD_S) as url:
        chinese = sdk_call(url, chinese_wav, "fun-asr-realtime", language_hints=["zh"])
        assert chinese.status_code == 200, chinese  # type: ignore[attr-defined]
        assert "我们" in texts(chinese) and "。" in texts(chinese)
        # paraformer-realtime-v2 with its default hints (none sent: Chinese and English)
        mixed = sdk_call(url, chinese_wav, "paraformer-realtime-v2")
        assert mixed.status_code == 200 and "吃饭" in texts(mixed), mixed  # type: ignore[attr-defined]
        english = sdk_call(url, goforward_wav, "fun-asr-realtime", language_hints=["en"])
        assert wer(GOFORWARD_TEXT, texts(english)) <= 0.25


def test_serve_with_an_english_engine_refuses_chinese_by_name(
    chinese_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dashscope

    monkeypatch.setattr(dashscope, "api_key", "sk-any")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with ServeCommand("--engine", "whisper-tiny.en", stop_s=HANG_GUARD_S) as url:
        refused = sdk_call(url, chinese_wav, "fun-asr-realtime", language_hints=["zh"])
        assert refused.status_code != 200  # type: ignore[attr-defined]
        assert "whisper tiny.en (English only)" in str(refused.message)  # type: ignore[attr-defined]


def test_serve_refuses_an_unknown_engine() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "captioner", "serve", "--engine", "nope"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and "invalid choice: 'nope'" in r.stderr
