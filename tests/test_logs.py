"""The log file (rotation, levels), secret redaction at DEBUG, and diagnostics()."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from captioner import logs

KEY = "sk-test0123456789abcdef0123456789ab"


@pytest.fixture
def logging_setup(tmp_path, monkeypatch):
    """setup_logging() into tmp_path, undone afterwards (root handlers, levels, hooks)."""
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "logs"))
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    saved_hooks = (sys.excepthook, threading.excepthook)
    saved_noisy = {name: logging.getLogger(name).level for name in logs.NOISY_LOGGERS}
    yield tmp_path / "logs" / logs.LOG_FILE
    for handler in [h for h in root.handlers if h not in saved_handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(saved_level)
    sys.excepthook, threading.excepthook = saved_hooks
    for name, level in saved_noisy.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, logs._HANDLER_MARK, False)]


def test_debug_records_reach_the_file_with_every_secret_redacted(logging_setup, monkeypatch) -> None:
    monkeypatch.setenv("CAPTIONER_LOG", "debug")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "plain-secret-without-prefix-42")
    logs.register_secret("keyring-value-9f8e7d6c")
    path = logs.setup_logging()
    assert path == logging_setup
    log = logging.getLogger("captioner.test")
    log.debug("connecting with key %s", KEY)
    log.debug("headers: {'Authorization': 'Bearer %s'}", "tok_0123456789abcdef")
    log.debug("url wss://example/ws?api_key=abcdef123456&x=1 token: zzzz9999 password=hunter2hunter2")
    log.debug("env key is %s, keyring key is %s", "plain-secret-without-prefix-42", "keyring-value-9f8e7d6c")
    try:
        raise RuntimeError(f"server rejected {KEY}")
    except RuntimeError:
        log.exception("failed")
    log.debug("harmless: max_tokens=448 basic settings tokenizer.json sk-")
    for handler in _ours():
        handler.flush()
    text = path.read_text(encoding="utf-8")
    for secret in (KEY, "tok_0123456789abcdef", "abcdef123456", "zzzz9999", "hunter2hunter2",
                   "plain-secret-without-prefix-42", "keyring-value-9f8e7d6c"):  # fmt: skip
        assert secret not in text
    assert text.count(logs.REDACTED) >= 8
    assert "DEBUG captioner.test: connecting with key [REDACTED]" in text
    assert "Traceback" in text and "RuntimeError: server rejected [REDACTED]" in text
    assert "harmless: max_tokens=448 basic settings tokenizer.json sk-" in text


def test_file_gets_info_by_default_console_only_warnings(logging_setup, monkeypatch, capsys) -> None:
    monkeypatch.delenv("CAPTIONER_LOG", raising=False)
    path = logs.setup_logging()
    log = logging.getLogger("captioner.test")
    log.debug("not kept")
    log.info("kept in the file")
    log.warning("shown everywhere")
    logging.getLogger("faster_whisper").info("Processing audio with duration 00:01.000")
    for handler in _ours():
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "kept in the file" in text and "shown everywhere" in text
    assert "not kept" not in text and "Processing audio" not in text  # per-decode chatter stays out
    err = capsys.readouterr().err
    assert "shown everywhere" in err and "kept in the file" not in err


def test_the_file_rotates_at_its_size_and_keeps_three_backups(logging_setup, monkeypatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 4000)
    path = logs.setup_logging()
    log = logging.getLogger("captioner.test")
    for i in range(400):
        log.info("line %04d %s", i, "x" * 60)
    for handler in _ours():
        handler.flush()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["captioner.log", "captioner.log.1", "captioner.log.2", "captioner.log.3"]
    assert all(p.stat().st_size <= 4000 for p in path.parent.iterdir())
    assert "line 0399" in path.read_text()


def test_setup_is_idempotent_and_leaves_foreign_handlers(logging_setup) -> None:
    foreign = logging.NullHandler()
    logging.getLogger().addHandler(foreign)
    try:
        logs.setup_logging()
        logs.setup_logging()
        ours = _ours()
        assert len(ours) == 2  # one console, one file
        assert sum(isinstance(h, logging.handlers.RotatingFileHandler) for h in ours) == 1
        assert foreign in logging.getLogger().handlers
    finally:
        logging.getLogger().removeHandler(foreign)


def test_an_unwritable_log_folder_is_not_fatal(logging_setup, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "logs"))
    assert logs.setup_logging() is None
    assert len(_ours()) == 1  # the console still works


def test_uncaught_exceptions_are_logged_before_the_usual_hook(logging_setup, monkeypatch) -> None:
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda *a: seen.append(a[0]))
    path = logs.setup_logging()
    try:
        raise ValueError(f"boom {KEY}")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    for handler in _ours():
        handler.flush()
    assert seen == [ValueError]
    text = path.read_text()
    assert "CRITICAL captioner.uncaught: uncaught exception" in text and "ValueError: boom [REDACTED]" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key={KEY}", "key=[REDACTED]"),
        (f'{{"api_key": "{KEY}"}}', '{"api_key": "[REDACTED]"}'),
        ("Authorization: Bearer abc.def-ghi_jkl", "Authorization: Bearer [REDACTED]"),
        ("X-DashScope-ApiKey=abcd1234", "X-DashScope-ApiKey=[REDACTED]"),
        ("access_token: 'xyz98765'", "access_token: '[REDACTED]'"),
        ("max_tokens=448, the tokenizer.json, basic settings", "max_tokens=448, the tokenizer.json, basic settings"),
        ("", ""),
    ],
)
def test_redact(text, expected) -> None:
    assert logs.redact(text) == expected


def test_diagnostics_has_versions_devices_and_model_but_never_the_key(monkeypatch) -> None:
    from captioner.ui.qt_check import qt_lines

    monkeypatch.setenv("DASHSCOPE_API_KEY", KEY)
    monkeypatch.setattr(logs, "_gui_lines", [])
    logs.set_gui_lines(qt_lines())  # what the window (or `captioner --diagnostics`) hands over
    text = logs.diagnostics()
    assert KEY not in text and "sk-test" not in text
    assert "DASHSCOPE_API_KEY in environment: set (hidden)" in text
    from captioner import __version__

    for needle in (f"Captioner {__version__}", "Python: 3.", "OS: ", "Qt: 6.", "PySide6 6.", "faster-whisper 1.",
                   "ctranslate2 4.", "PyAV ", "Speech model: ", "model (", "PortAudio", "Log file: "):  # fmt: skip
        assert needle in text, needle
    assert "Inputs:" in text or "PortAudio: unavailable" in text


def test_diagnostics_reports_a_missing_model_instead_of_failing(tmp_path) -> None:
    text = logs.diagnostics(model_dir=tmp_path, include_devices=False)
    assert "Speech model: problem." in text and "model.bin" in text
    assert "Inputs:" not in text


def test_diagnostics_without_a_window_says_qt_was_not_reported(monkeypatch) -> None:
    monkeypatch.setattr(logs, "_gui_lines", [])
    text = logs.diagnostics(include_devices=False)
    assert "Qt: not reported (no window in this process)" in text


def test_keep_existing_leaves_logging_that_is_already_set_up(logging_setup) -> None:
    path = logs.setup_logging()
    ours = _ours()
    assert logs.setup_logging(logging.DEBUG, keep_existing=True) == path
    assert _ours() == ours and ours[0].level != logging.DEBUG  # untouched, as basicConfig would


def test_cli_diagnostics_prints_the_report_and_logs_no_key(tmp_path) -> None:
    import os
    import subprocess

    env = {**os.environ, "DASHSCOPE_API_KEY": KEY, logs.LOG_DIR_ENV: str(tmp_path), "CAPTIONER_LOG": "debug"}
    result = subprocess.run([sys.executable, "-m", "captioner", "--diagnostics"], capture_output=True, text=True,
                            env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Speech engine: faster-whisper" in result.stdout and "set (hidden)" in result.stdout
    assert "Qt: 6." in result.stdout  # `captioner --diagnostics` asks Qt itself (captioner.ui.qt_check)
    for text in (result.stdout, result.stderr, (tmp_path / logs.LOG_FILE).read_text()):
        assert KEY not in text


# -- Secrets on the command line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["captioner", "serve", "--token", "SECRET"], "captioner serve --token [REDACTED]"),
        (["captioner", "serve", "--token=SECRET", "--port", "0"], "captioner serve --token=[REDACTED] --port 0"),
        (["x", "--api-key", "k-1234", "--serve-token=t"], "x --api-key [REDACTED] --serve-token=[REDACTED]"),
        (
            ["env", "CAPTIONER_SERVE_TOKEN=abc", "DASHSCOPE_API_KEY=def"],
            "env CAPTIONER_SERVE_TOKEN=[REDACTED] DASHSCOPE_API_KEY=[REDACTED]",
        ),
        (
            ["captioner", "transcribe", "--max-tokens", "448", "talk.wav"],
            "captioner transcribe --max-tokens 448 talk.wav",
        ),
    ],
)
def test_redact_argv_masks_secret_options_and_variables(argv, expected) -> None:
    assert logs.redact_argv(argv) == expected


def test_the_start_line_does_not_log_a_token_given_on_the_command_line(logging_setup, monkeypatch) -> None:
    secret = "serve-token-7c1e"
    monkeypatch.setattr(sys, "argv", ["captioner", "serve", "--token", secret, "--port", "0"])
    path = logs.setup_logging()
    logging.getLogger("captioner.test").warning("a later message repeating %s", secret)
    for handler in _ours():
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "argv captioner serve --token [REDACTED] --port 0" in text
    assert secret not in text


def test_captioner_serve_keeps_its_token_out_of_the_log_file(tmp_path) -> None:
    """The real command, as a user starts it: neither `--token S` nor `--token=S` is logged."""
    import os
    import subprocess
    import time

    for args in (["--token", "TOKEN-in-argv-1"], ["--token=TOKEN-in-argv-2"]):
        secret = args[-1].split("=")[-1]
        folder = tmp_path / secret
        env = {**os.environ, logs.LOG_DIR_ENV: str(folder)}
        proc = subprocess.Popen([sys.executable, "-m", "captioner", "serve", *args, "--port", "0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "starting" not in ((folder / logs.LOG_FILE).read_text() if (folder / logs.LOG_FILE).exists() else ""):
                assert time.monotonic() < deadline, "captioner serve wrote no log"
                time.sleep(0.1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        text = (folder / logs.LOG_FILE).read_text()
        assert "argv" in text and "--token" in text and secret not in text
