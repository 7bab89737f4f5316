"""Nothing about the user is written for, or sent to, anyone else (issue #20).

onnxruntime (faster-whisper's voice detector) has Microsoft's telemetry on by default: on
import it writes a device id and an event queue under $XDG_CACHE_HOME or
~/.cache/Microsoft/DeveloperTools/.onnxruntime/. captioner/privacy.py turns that off before
onnxruntime can load. These run the real program in a throwaway HOME and look at what it
left there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Names onnxruntime's 1DS telemetry gives its files (strings in libonnxruntime.so 1.32).
TELEMETRY_NAMES = {"Microsoft", "DeveloperTools", ".onnxruntime", "deviceid", "onnxruntime.db"}


def clean_home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An empty HOME, XDG_CACHE_HOME unset (so the default ~/.cache is used), and telemetry
    asked for explicitly: the app must turn it off even against an inherited setting."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "CAPTIONER_DATA_DIR": str(tmp_path / "data"),
           "CAPTIONER_LOG_DIR": str(tmp_path / "logs"), "ORT_DISABLE_TELEMETRY": "0"}  # fmt: skip
    env.pop("XDG_CACHE_HOME", None)
    # onnxruntime keeps quiet on a CI machine (it looks for these), which would make every
    # test here pass for the wrong reason there: a user's desktop sets none of them.
    for marker in ("CI", "CONTINUOUS_INTEGRATION", "TF_BUILD", "GITHUB_ACTIONS", "BUILD_ID", "JENKINS_URL"):
        env.pop(marker, None)
    return home, env


def telemetry_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.name in TELEMETRY_NAMES)


def test_onnxruntime_left_alone_does_write_telemetry(tmp_path) -> None:
    """The control: without Captioner the same import does leave the files, so the tests
    below can see them (the pinned onnxruntime has telemetry on)."""
    home, env = clean_home(tmp_path)
    subprocess.run([sys.executable, "-c", "import onnxruntime"], env=env, check=True, timeout=120)
    found = telemetry_files(home)
    assert ".cache/Microsoft/DeveloperTools/.onnxruntime/deviceid" in found


@pytest.mark.parametrize("code", [
    "import captioner.cli, onnxruntime",  # the CLI module, then the library (as `serve` does)
    "import captioner.ui.app, onnxruntime",  # the window's module
    "import captioner.recognition, onnxruntime",  # any submodule: the package comes first
])  # fmt: skip
def test_importing_captioner_first_keeps_onnxruntime_quiet(tmp_path, code) -> None:
    home, env = clean_home(tmp_path)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120, cwd=ROOT)
    assert telemetry_files(home) == []


def test_onnxruntime_imported_before_captioner_still_has_events_switched_off(tmp_path) -> None:
    """Too late for the variable then (that process has its files already): the events
    API is still called, so nothing more is queued."""
    _, env = clean_home(tmp_path)  # this process does write them: not into the real HOME
    code = ("import onnxruntime, unittest.mock as m\n"
            "with m.patch.object(onnxruntime, 'disable_telemetry_events') as off:\n"
            "    import captioner\n"
            "assert off.called\n")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120, cwd=ROOT)


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["python -m captioner", "captioner script"])
def test_transcribing_a_file_leaves_no_telemetry_behind(tmp_path, goforward_wav, launcher) -> None:
    """The real thing: `captioner transcribe` loads the voice detector (onnxruntime) and the
    model, captions the file, and nothing of onnxruntime's appears in HOME."""
    home, env = clean_home(tmp_path)
    script = Path(sys.executable).parent / ("captioner.exe" if sys.platform == "win32" else "captioner")
    assert launcher != "captioner script" or script.exists(), "no `captioner` script: run packaging/setup.sh"
    argv = [sys.executable, "-m", "captioner"] if launcher == "python -m captioner" else [str(script)]
    r = subprocess.run([*argv, "transcribe", str(goforward_wav)], capture_output=True, text=True, env=env,
                       timeout=300, cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "forward" in r.stdout.lower()  # the engine, and so the VAD, really ran
    assert telemetry_files(home) == []
    assert not (home / ".cache" / "Microsoft").exists()
