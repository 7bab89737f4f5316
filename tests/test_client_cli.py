"""`captioner transcribe --engine dashscope` end to end: a real process, a real file, and a
DashScope server (the on-device engine behind `captioner serve`'s server) in this process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import srt

from captioner.recognition.engines import create_recognizer
from captioner.server.realtime import DashScopeServer
from captioner.testing.faults import FaultPlan, FaultyServer
from captioner.testing.server_thread import ServerThread
from captioner.testing.speech import wer
from captioner.testing.trivial import TrivialRecognizer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def captioner(*args, data_dir: Path, env: dict | None = None, timeout=120):
    base = {k: v for k, v in os.environ.items() if k != "DASHSCOPE_API_KEY"}
    base.update(CAPTIONER_DATA_DIR=str(data_dir), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "captioner", *map(str, args)], capture_output=True, text=True, env=base, timeout=timeout
    )


@pytest.fixture(scope="module")
def server():
    # The engine `--engine local` runs, so both sides caption with the same one.
    with ServerThread(FaultyServer(create_recognizer("local"))) as s:
        yield s


@pytest.fixture(scope="module")
def local_cues(goforward_wav, tmp_path_factory):
    d = tmp_path_factory.mktemp("local")
    r = captioner("transcribe", goforward_wav, "--engine", "local", "--srt", d / "local.srt", data_dir=d)
    assert r.returncode == 0, r.stderr
    return list(srt.parse((d / "local.srt").read_text()))


def same_captions(got: list[srt.Subtitle], want: list[srt.Subtitle]) -> None:
    assert len(got) == len(want) >= 1
    for g, w in zip(got, want, strict=False):
        assert wer(w.content, g.content) <= 0.2
        assert abs((g.start - w.start).total_seconds()) <= 0.1 and abs((g.end - w.end).total_seconds()) <= 0.1
    assert wer("go forward ten meters", " ".join(c.content for c in got)) <= 0.15


def test_the_cloud_engine_makes_the_same_subtitles_as_the_local_one(server, goforward_wav, local_cues, tmp_path):
    out = tmp_path / "cloud.srt"
    r = captioner(
        "transcribe", goforward_wav, "--engine", "dashscope", "--url", server.url, "--srt", out, data_dir=tmp_path
    )
    assert r.returncode == 0, r.stderr
    same_captions(list(srt.parse(out.read_text())), local_cues)
    assert server.last_run_task.model == "fun-asr-realtime"
    assert r.stdout.strip().startswith("[00:00:0")


def test_repeated_drops_still_give_complete_correctly_timed_subtitles(server, goforward_wav, local_cues, tmp_path):
    # goforward.wav is one sentence of ~3.5 s: the first three connections drop part-way
    # through it (nothing final yet), so each new task replays it from the start.
    already = server.faults_injected
    server.fault_plan = FaultPlan(drop_after_frames=12, times=already + 3)
    try:
        out = tmp_path / "cloud.srt"
        r = captioner(
            "transcribe", goforward_wav, "--engine", "dashscope", "--url", server.url, "--srt", out, data_dir=tmp_path
        )
    finally:
        server.fault_plan = None
    assert r.returncode == 0, r.stderr
    assert server.faults_injected == already + 3
    same_captions(list(srt.parse(out.read_text())), local_cues)


def test_a_missing_key_for_a_cloud_region_says_what_to_do(goforward_wav, tmp_path):
    out = tmp_path / "never.srt"
    r = captioner(
        "transcribe", goforward_wav, "--engine", "dashscope", "--region", "intl", "--srt", out, data_dir=tmp_path
    )
    assert r.returncode == 2, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("captioner: error:")]
    assert len(errors) == 1 and "DASHSCOPE_API_KEY" in errors[0] and "Singapore" in errors[0]
    assert "Traceback" not in r.stderr and not out.exists()


def test_an_unknown_cloud_model_is_the_services_refusal_not_a_missing_model(goforward_wav, tmp_path):
    """The service (here the emulator, which answers as it does) does not know the model:
    exit 5, recognition failed, with its message; not 4, "no speech model found"."""
    with ServerThread(DashScopeServer(TrivialRecognizer())) as s:
        r = captioner(
            "transcribe", goforward_wav, "--engine", "dashscope", "--url", s.url, "--model", "fun-asr-nonexistent",
            "--srt", tmp_path / "x.srt", data_dir=tmp_path,
        )  # fmt: skip
        assert s.stats.tasks_started == 0
    assert r.returncode == 5, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("captioner: error:")]
    assert len(errors) == 1, r.stderr
    assert "the model name is not known" in errors[0] and "Model not exist: 'fun-asr-nonexistent'" in errors[0]
    assert errors[0].endswith("(ModelNotFound)") and "Traceback" not in r.stderr
    assert not (tmp_path / "x.srt").exists()


def test_a_rejected_key_is_one_clear_error_and_never_printed(goforward_wav, tmp_path):
    key = "sk-cli-secret-4242"
    with ServerThread(DashScopeServer(TrivialRecognizer(), token="the-real-one")) as s:
        r = captioner(
            "transcribe", goforward_wav, "--engine", "dashscope", "--url", s.url, "--srt", tmp_path / "x.srt",
            data_dir=tmp_path, env={"DASHSCOPE_API_KEY": key},
        )  # fmt: skip
        assert s.stats.connections == 0  # refused at the handshake, not retried
    assert r.returncode == 5, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("captioner: error:")]
    assert len(errors) == 1 and "API key was rejected" in errors[0] and "DASHSCOPE_API_KEY" in errors[0]
    assert key not in r.stderr + r.stdout and "Traceback" not in r.stderr
    journals = list(tmp_path.rglob("*"))
    assert all(key not in p.read_text(errors="ignore") for p in journals if p.is_file())
