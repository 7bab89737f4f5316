"""Build the one-folder app and run its self-test: minutes of CPU, so only on request.

    CAPTIONER_TEST_BUILD=1 .venv/bin/python -m pytest tests/test_packaging_build.py

Needs PyInstaller in the environment (pip install -e ".[build]"). Writes build/ and dist/
in the checkout, exactly as packaging/build.py does by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_privacy import clean_home

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dist" / "captioner"

pytestmark = [
    pytest.mark.skipif(os.environ.get("CAPTIONER_TEST_BUILD") != "1", reason="set CAPTIONER_TEST_BUILD=1 to build"),
    pytest.mark.slow,
    pytest.mark.timeout(1800),
]


@pytest.fixture(scope="module")
def built_app() -> Path:
    pytest.importorskip("PyInstaller")
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py")], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "contents check passed" in result.stdout
    print(result.stdout)  # build time, size and file count, for `pytest -s`
    return APP


def test_built_app_passes_its_self_test_offscreen(built_app, tmp_path) -> None:
    exe = built_app / ("captioner.exe" if sys.platform == "win32" else "captioner")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONIOENCODING": "utf-8",
        "CAPTIONER_LOG_DIR": str(tmp_path),
    }
    # Away from the checkout and the venv: the bundle must not lean on either.
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    result = subprocess.run([str(exe), "--self-test"], capture_output=True, text=True, encoding="utf-8", env=env,
                            cwd=tmp_path, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(bundled app)" in result.stdout
    assert str(built_app) in next(line for line in result.stdout.splitlines() if "Speech model" in line)
    assert result.stdout.splitlines()[-1].startswith("Self-test passed")


def test_built_app_transcribes_a_file_to_srt(built_app, tmp_path) -> None:
    exe = built_app / ("captioner.exe" if sys.platform == "win32" else "captioner")
    srt = tmp_path / "sample.srt"
    env = {**os.environ, "CAPTIONER_LOG_DIR": str(tmp_path / "logs")}
    result = subprocess.run([str(exe), "transcribe", str(ROOT / "resources" / "sample.ogg"), "--srt", str(srt)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "dashwood" in srt.read_text().lower()


def test_built_app_writes_no_onnxruntime_telemetry(built_app, tmp_path) -> None:
    """Issue #20 in the bundle: its onnxruntime is the official wheel's, telemetry included;
    captioner/privacy.py must switch it off there too (tests/test_privacy.py does the rest)."""
    exe = built_app / ("captioner.exe" if sys.platform == "win32" else "captioner")
    home, env = clean_home(tmp_path)  # a user's HOME, no CI markers (they silence onnxruntime)
    result = subprocess.run([str(exe), "transcribe", str(ROOT / "resources" / "sample.ogg")],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "dashwood" in result.stdout.lower()
    assert not (home / ".cache" / "Microsoft").exists(), sorted(map(str, home.rglob("*")))


def test_built_app_diagnostics_name_the_bundled_versions(built_app, tmp_path) -> None:
    exe = built_app / ("captioner.exe" if sys.platform == "win32" else "captioner")
    env = {**os.environ, "CAPTIONER_LOG_DIR": str(tmp_path), "DASHSCOPE_API_KEY": "sk-build0123456789abcdef"}
    result = subprocess.run([str(exe), "--diagnostics"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "(bundled app" in result.stdout and "not installed" not in result.stdout
    assert "ctranslate2 4." in result.stdout and "Qt: 6." in result.stdout
    assert "sk-build" not in result.stdout
