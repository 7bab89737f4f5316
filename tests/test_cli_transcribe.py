"""`captioner transcribe` end to end, as a user runs it: a real process, real speech, the real
on-device engine, real files written and parsed back."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import srt

from captioner.testing.speech import wer

pytestmark = pytest.mark.slow


def make_file(name, content: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name

    return make


def captioner(*args, data_dir: Path, timeout=120):
    env = {**os.environ, "CAPTIONER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "captioner", *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout
    )


def test_a_speech_file_becomes_subtitles(goforward_wav, tmp_path):
    out = {fmt: tmp_path / f"out.{fmt}" for fmt in ("srt", "vtt", "txt", "json")}
    flags = [x for fmt, path in out.items() for x in (f"--{fmt}", path)]
    r = captioner("transcribe", goforward_wav, *flags, data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines and lines[0].startswith("[00:00:0")
    cues = list(srt.parse(out["srt"].read_text()))
    assert wer("go forward ten meters", " ".join(c.content for c in cues)) <= 0.15
    assert out["vtt"].read_text().startswith("WEBVTT")
    assert wer("go forward ten meters", out["txt"].read_text()) <= 0.15
    sentences = json.loads(out["json"].read_text())["transcripts"][0]["sentences"]
    assert sentences and all(s["words"] for s in sentences)


def test_the_bundled_sample_is_captioned(tmp_path):
    from captioner.resources import resource

    r = captioner("transcribe", resource("sample.ogg"), "--srt", tmp_path / "s.srt", data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    reference = resource("sample.txt").read_text()
    hypothesis = " ".join(c.content for c in srt.parse((tmp_path / "s.srt").read_text()))
    assert wer(reference, hypothesis) <= 0.15
    assert len(r.stdout.strip().splitlines()) >= 5  # one final per spoken sentence (1.5 s pauses)


@pytest.mark.parametrize(
    "make_input, extra, code, message",
    [
        (lambda d: d / "missing.wav", [], 3, "no such file"),
        (make_file("empty.wav", b""), [], 3, "the file is empty"),
        (make_file("notes.mp3", b"not audio at all"), [], 3, "cannot decode"),
        (None, ["--max-sentence-silence", "100"], 2, "--max-sentence-silence: must be between 200 and 6000 ms"),
        (None, ["--noise-threshold", "2"], 2, "--noise-threshold: must be between -1.0 and 1.0"),
        (None, ["--language", "klingon"], 2, "unknown language code 'klingon'"),
        (None, ["--model-dir", "/nonexistent/model"], 4, "/nonexistent/model"),
        # `local` gives Japanese to whisper base; the English engine, named, refuses it
        (
            None,
            ["--engine", "whisper-tiny.en", "--language", "ja"],
            2,
            "whisper tiny.en (English only), does not know the language 'ja'",
        ),
        (
            None,
            ["--engine", "whisper-tiny.en", "--language", "ja", "--language", "en"],
            2,
            "fun-asr-realtime reads only the first hint",
        ),
        (None, ["--device", "default"], 2, "either a file or --device"),
    ],
)
def test_bad_input_gets_one_clear_message_and_writes_nothing(tmp_path, goforward_wav, make_input, extra, code, message):
    source = make_input(tmp_path) if make_input else goforward_wav
    out = tmp_path / "never.srt"
    r = captioner("transcribe", source, "--srt", out, *extra, data_dir=tmp_path)
    assert r.returncode == code, (r.returncode, r.stderr)
    errors = [line for line in r.stderr.splitlines() if line.startswith("captioner: error:")]
    assert len(errors) == 1 and message in errors[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_nothing_to_caption_is_a_usage_error(tmp_path):
    r = captioner("transcribe", data_dir=tmp_path)
    assert r.returncode == 2 and "nothing to caption" in r.stderr


def test_paraformer_hints_are_served_where_the_model_can(goforward_wav, tmp_path):
    """paraformer-realtime-v2 reads every hint: "zh or en" on the English model captions English."""
    r = captioner(
        "transcribe",
        goforward_wav,
        "--model",
        "paraformer-realtime-v2",
        "--language",
        "zh",
        "--language",
        "en",
        "--txt",
        tmp_path / "out.txt",
        data_dir=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert wer("go forward ten meters", (tmp_path / "out.txt").read_text()) <= 0.15
