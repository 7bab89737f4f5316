"""`captioner --self-test` from source: the real run, and how failures are reported."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from captioner import selftest
from captioner.selftest import CheckResult

ROOT = Path(__file__).resolve().parent.parent


def _run_cli(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONIOENCODING": "utf-8",
        "CAPTIONER_LOG_DIR": str(tmp_path / "logs"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "captioner", *args],
        capture_output=True, text=True, encoding="utf-8", env=environment, cwd=tmp_path, timeout=240,
    )  # fmt: skip


@pytest.mark.slow
def test_self_test_from_source_passes_with_one_line_per_check(tmp_path) -> None:
    result = _run_cli("--self-test", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Captioner self-test"
    by_name = {line[2:].split(":", 1)[0]: line for line in lines[1:-1]}
    assert list(by_name) == ["Captioner", "Log file", "Audio devices", "Speech model", "Captioning", "Qt"]
    for name in ("Captioner", "Log file", "Speech model", "Captioning", "Qt"):
        assert by_name[name].startswith("✓ "), by_name[name]
    # No sound server here means no devices: a warning, never a failure.
    assert by_name["Audio devices"][0] in "✓⚠" and "PortAudio" in by_name["Audio devices"]
    assert "(from source)" in by_name["Captioner"]
    assert "word error rate" in by_name["Captioning"] and "offscreen platform" in by_name["Qt"]
    assert lines[-1].startswith("Self-test passed")
    # The run was logged to the log file the CLI set up.
    assert "--self-test" in (tmp_path / "logs" / "captioner.log").read_text()


def _stub_checks(monkeypatch, **results: CheckResult) -> None:
    defaults = {
        "check_app": CheckResult("Captioner", "ok", "0.1.0"),
        "check_log_file": CheckResult("Log file", "ok", "/tmp/x.log"),
        "check_audio": CheckResult("Audio devices", "ok", "2 inputs"),
        "check_model": CheckResult("Speech model", "ok", "loaded"),
        "check_captioning": CheckResult("Captioning", "ok", "WER 5 %"),
        "check_qt": CheckResult("Qt", "ok", "offscreen"),
    }
    defaults.update(results)
    for name, result in defaults.items():
        monkeypatch.setattr(selftest, name, lambda *a, _r=result, **k: _r)


def test_warnings_pass_and_failures_fail_with_the_reason(monkeypatch) -> None:
    _stub_checks(monkeypatch, check_audio=CheckResult("Audio devices", "warn", "no devices were found"))
    out = io.StringIO()
    assert selftest.main(stream=out) == 0
    assert "⚠ Audio devices: no devices were found" in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "Self-test passed (warnings: Audio devices)"

    _stub_checks(monkeypatch, check_model=CheckResult("Speech model", "fail", "no model.bin in /x"))
    out = io.StringIO()
    assert selftest.main(stream=out) == 1
    assert "✗ Speech model: no model.bin in /x" in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "Self-test FAILED: Speech model"


def test_a_crashing_check_is_a_failed_line_and_the_rest_still_run(monkeypatch) -> None:
    _stub_checks(monkeypatch)

    def boom():
        raise RuntimeError("PortAudio exploded")

    monkeypatch.setattr(selftest, "check_audio", boom)
    results = selftest.run_checks()
    assert [r.status for r in results] == ["ok", "ok", "fail", "ok", "ok", "ok"]
    assert results[2] == CheckResult("Audio devices", "fail", "RuntimeError: PortAudio exploded")


def test_a_console_that_cannot_print_check_marks_gets_words(monkeypatch) -> None:
    _stub_checks(monkeypatch, check_qt=CheckResult("Qt", "fail", "no platform"))
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="cp1252")
    assert selftest.main(stream=out) == 1
    out.flush()
    text = raw.getvalue().decode("cp1252")
    assert "OK   Speech model: loaded" in text and "FAIL Qt: no platform" in text


def test_missing_model_fails_the_model_and_captioning_checks(tmp_path) -> None:
    model = selftest.check_model(tmp_path)
    assert model.status == "fail" and "model.bin" in model.detail
    captioning = selftest.check_captioning(tmp_path)
    assert captioning.status == "fail" and "model.bin" in captioning.detail


def test_word_error_rate() -> None:
    wer = selftest.word_error_rate
    assert wer("Hello, world!", "hello world") == 0
    assert wer("a b c d", "a x c") == 0.5
    assert wer("a b", "") == 1
    assert wer("", "") == 0
    assert wer("mister john dashwood", "Mister John-Dashwood") == 0
