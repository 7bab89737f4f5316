"""The app's log file, secret redaction, and the "Copy diagnostics" text.

A desktop app's stderr goes nowhere when it is started from a menu, so every run writes a
rotating log in the user's log folder (platformdirs: ~/.local/state/captioner/log on Linux,
%LOCALAPPDATA%\\captioner\\Logs on Windows, ~/Library/Logs/captioner on macOS). A bug report
then needs two things from the user: that file and `diagnostics()`.

Neither may ever contain the cloud API key. The key travels as `ApiKey`, which does not
print itself, but a key can still slip into a log line through an exception message, a URL
or a library's debug output; `RedactingFilter` on every handler is the defence in depth
for that, and `diagnostics()` passes its whole text through the same `redact()`.

The same goes for every other secret the process is given: `captioner serve --token S`,
`--api-key K`, `TOKEN=S` on a command line. The start-up line logs argv through
`redact_argv()`, which masks the value after (or `=` in) any option or variable whose name
ends in token, key, secret or password, and registers those values so a later message that
repeats them is redacted too.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import platform
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

APP_NAME = "captioner"
LOG_FILE = "captioner.log"
#: Big enough for a long session at INFO, small enough to attach to an issue.
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
#: Overrides the log folder (tests, portable installs).
LOG_DIR_ENV = "CAPTIONER_LOG_DIR"
#: Console level, as the GUI always honoured it ("debug", "info", ...); the file gets at
#: least INFO, or DEBUG when this asks for it.
LEVEL_ENV = "CAPTIONER_LOG"
#: Third-party loggers that say something per audio chunk or per connection at INFO: kept
#: out of the file unless DEBUG was asked for (faster-whisper logs every partial decode).
NOISY_LOGGERS = ("faster_whisper", "websockets", "httpx", "httpcore", "urllib3", "qasync", "asyncio")

REDACTED = "[REDACTED]"

# What a secret looks like where it can appear in text. Keys are matched by shape, so a key
# the app never saw (an SDK's own env var, a pasted curl command) is caught too.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # DashScope / OpenAI-style keys: sk-<32 hex>, sk-proj-..., sk-ws-...
    (re.compile(r"\bsk-[A-Za-z0-9][A-Za-z0-9_\-]{7,}"), REDACTED),
    # Authorization: Bearer <token>, in headers, reprs and curl lines.
    (re.compile(r"(?i)\b(bearer)(\s+|%20)[A-Za-z0-9._~+/=\-]{8,}"), rf"\1\2{REDACTED}"),
    # key=value, "api_key": "value", token: value, X-DashScope-ApiKey=value, ?token=value.
    (
        re.compile(
            r"(?i)(\b(?:api[_\-]?key|apikey|access[_\-]?token|auth[_\-]?token|token|secret|password|passwd)"
            r"[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED\])([^\s\"',;&}]{4,})"
        ),
        rf"\1{REDACTED}",
    ),
)
#: Exact secrets known to this process (the env key, keys the settings window loaded).
_known_secrets: set[str] = set()
_known_lock = threading.Lock()
#: Shorter values are not registered: redacting every "test" in a log would hide more than it protects.
_MIN_SECRET_LEN = 8


def register_secret(value: str | None) -> None:
    """Redact this exact value everywhere from now on (e.g. a key loaded from the keyring
    that does not look like sk-...)."""
    if value and len(value.strip()) >= _MIN_SECRET_LEN:
        with _known_lock:
            _known_secrets.add(value.strip())


def _env_secrets() -> Iterable[str]:
    for name in ("DASHSCOPE_API_KEY", "CAPTIONER_SERVE_TOKEN"):
        value = os.environ.get(name, "").strip()
        if len(value) >= _MIN_SECRET_LEN:
            yield value


#: An option (--token, --api-key, --serve-token) or variable (CAPTIONER_SERVE_TOKEN) that carries a secret.
_SECRET_NAME = re.compile(r"(?i)^(-{1,2}[\w-]*|[A-Za-z_][\w]*?)(token|key|secret|password|passwd)$")


def redact_argv(argv: Iterable[str]) -> str:
    """A command line for the log, with the values of secret-bearing options and variables
    masked (`--token S`, `--token=S`, `API_KEY=S`) and registered for `redact()`."""
    out: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            register_secret(arg)
            out.append(REDACTED)
            mask_next = False
            continue
        name, eq, value = arg.partition("=")
        if _SECRET_NAME.match(name):
            if eq:
                register_secret(value)
                arg = f"{name}={REDACTED}"
            elif name.startswith("-"):
                mask_next = True
        out.append(arg)
    return redact(" ".join(out))


def redact(text: str) -> str:
    """`text` with every key-like string replaced by [REDACTED]."""
    if not text:
        return text
    with _known_lock:
        exact = sorted({*_known_secrets, *_env_secrets()}, key=len, reverse=True)
    for secret in exact:
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record so no handler can write a secret: the message (with its args
    merged), and the traceback and stack text. Put it on handlers, not loggers: a logger's
    filter does not see records propagated from its children."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, logging reports the rest
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# -- Setup -----------------------------------------------------------------------------------


def log_dir() -> Path:
    """The folder the log file lives in (not created here)."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False))


def log_file() -> Path:
    return log_dir() / LOG_FILE


_HANDLER_MARK = "_captioner_handler"


def _level(name: str | None, default: int) -> int:
    if not name:
        return default
    value = logging.getLevelName(name.strip().upper())
    return value if isinstance(value, int) else default


def setup_logging(
    console_level: int | str | None = None, *, console_format: str | None = None, keep_existing: bool = False
) -> Path | None:
    """Send the process's logs to the rotating file and to stderr; returns the file, or None
    when it could not be opened (a read-only home must not stop the app).

    `console_level` defaults to $CAPTIONER_LOG, else WARNING. Idempotent: calling again
    replaces only the handlers this function added, so pytest's or an embedding
    application's own handlers are left alone. With `keep_existing` nothing changes when
    the root logger already has handlers (the `captioner` command set logging up, or a test
    or an embedding application did), as with logging.basicConfig: entry points that can
    also be called from elsewhere (the window's main(), `captioner serve`) pass it. Also logs
    uncaught exceptions (main thread and others) to the file, then lets the previous hooks run.
    """
    root = logging.getLogger()
    if keep_existing and root.handlers:
        files = [h for h in root.handlers if getattr(h, _HANDLER_MARK, False) and isinstance(h, logging.FileHandler)]
        return Path(files[0].baseFilename) if files else None
    env_level = _level(os.environ.get(LEVEL_ENV), logging.WARNING)
    if console_level is None:
        console = env_level
    elif isinstance(console_level, str):
        console = _level(console_level, env_level)
    else:
        console = console_level
    file_level = min(logging.INFO, env_level, console)

    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
        handler.close()

    redactor = RedactingFilter()
    stream = logging.StreamHandler()
    stream.setLevel(console)
    stream.setFormatter(logging.Formatter(console_format or "%(levelname)s %(name)s: %(message)s"))
    stream.addFilter(redactor)
    setattr(stream, _HANDLER_MARK, True)
    root.addHandler(stream)

    target = log_file()
    path: Path | None = target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", path, exc)
        path = None
    else:
        handler.setLevel(file_level)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s")
        )
        handler.addFilter(redactor)
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)

    root.setLevel(min(file_level, console))
    quiet = logging.WARNING if min(file_level, console) > logging.DEBUG else logging.NOTSET
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    logging.captureWarnings(True)
    _install_exception_hooks()
    logging.getLogger(__name__).info(
        "captioner %s starting: Python %s on %s, argv %s", _app_version(), platform.python_version(),
        platform.platform(), redact_argv(sys.argv),
    )  # fmt: skip
    return path


def _install_exception_hooks() -> None:
    """Uncaught exceptions reach the log file before the usual traceback (or the GUI's
    dialog, which replaces sys.excepthook later and logs on its own). Installed once:
    a hook already ours is not wrapped again."""
    log = logging.getLogger("captioner.uncaught")
    if not getattr(sys.excepthook, _HANDLER_MARK, False):
        previous = sys.excepthook

        def hook(exc_type, exc, tb) -> None:
            if not issubclass(exc_type, KeyboardInterrupt):
                log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
            previous(exc_type, exc, tb)

        setattr(hook, _HANDLER_MARK, True)
        sys.excepthook = hook
    if not getattr(threading.excepthook, _HANDLER_MARK, False):
        previous_thread = threading.excepthook

        def thread_hook(args) -> None:
            if args.exc_type is not SystemExit:
                log.critical(
                    "uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                    exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
                )  # fmt: skip
            previous_thread(args)

        setattr(thread_hook, _HANDLER_MARK, True)
        threading.excepthook = thread_hook


# -- Diagnostics ------------------------------------------------------------------------------

#: What the window says about Qt (its version, the platform plugin), for diagnostics(). This
#: module never imports Qt: the window gathers these on the GUI thread (captioner.ui.qt_check)
#: and hands them over with set_gui_lines(), since diagnostics() runs off that thread.
_gui_lines: list[str] = []


def set_gui_lines(lines: Iterable[str]) -> None:
    """The GUI toolkit's lines of the diagnostics report (replacing any given before)."""
    _gui_lines[:] = list(lines)


def _app_version() -> str:
    from captioner import __version__

    return __version__


def _version(distribution: str, module: str | None = None) -> str:
    """A package's version without importing it where possible (metadata), else the
    module's __version__ (a frozen app may carry no metadata)."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        pass
    loaded = sys.modules.get(module or distribution)
    if loaded is not None:
        return str(getattr(loaded, "__version__", "unknown"))
    if module:
        try:
            import importlib

            return str(getattr(importlib.import_module(module), "__version__", "unknown"))
        except Exception as exc:  # broken native library: report it, do not fail the report
            return f"not loadable ({type(exc).__name__}: {exc})"
    return "not installed"


def _audio_lines() -> list[str]:
    from captioner.preflight import check_portaudio

    problem = check_portaudio()
    if problem:
        return [f"PortAudio: unavailable. {problem}"]
    from captioner.audio.devices import list_devices

    try:
        devices = list_devices()
    except Exception as exc:  # a listing failure is itself a diagnosis
        return [f"PortAudio: loaded, but listing devices failed ({type(exc).__name__}: {exc})"]
    lines = [f"PortAudio: {devices.portaudio_version}", f"Sound server: {devices.sound_server or 'none found'}"]
    for title, group in (("Inputs", devices.inputs), ("System audio", devices.loopbacks)):
        lines.append(f"{title}: {len(group)}")
        lines.extend(
            f"  {'*' if d.is_default else ' '} {d.name} ({d.host_api}, {d.channels} ch, {d.samplerate:.0f} Hz)"
            for d in group
        )
    lines.extend(f"Note: {n}" for n in devices.notes)
    return lines


def _model_lines(model_dir: str | Path | None) -> list[str]:
    from captioner.preflight import check_model

    problem = check_model(model_dir)
    if problem:
        return [f"Speech model: problem. {problem}"]
    from captioner.recognition.local.models import resolve_model_dir

    path = resolve_model_dir(model_dir)
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return [f"Speech model: {path} ({size / 1e6:.0f} MB)"]


def diagnostics(*, model_dir: str | Path | None = None, include_devices: bool = True) -> str:
    """A plain-text report for bug reports ("Copy diagnostics"): versions of the app, Python,
    Qt (as set_gui_lines() gave it), PortAudio and the speech engine, the OS and desktop,
    audio devices, the model folder and the log file. Never the API key: only whether one is
    set, and the whole text goes through `redact()`.

    Listing devices may ask the sound server (pactl, up to a few seconds when it hangs), so
    a GUI should call this off the GUI thread (`asyncio.to_thread(diagnostics)`).
    """
    frozen = getattr(sys, "frozen", False)
    lines = [
        f"Captioner {_app_version()} ({'bundled app' if frozen else 'from source'}: {sys.executable})",
        f"Python: {platform.python_version()} ({platform.python_implementation()}, {platform.machine()})",
        f"OS: {platform.platform()}",
    ]
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            lines.append(f"Distribution: {platform.freedesktop_os_release().get('PRETTY_NAME', '?')}")
        session = os.environ.get("XDG_SESSION_TYPE") or (
            "wayland" if os.environ.get("WAYLAND_DISPLAY") else "x11" if os.environ.get("DISPLAY") else "none"
        )
        lines.append(f"Desktop: {os.environ.get('XDG_CURRENT_DESKTOP', 'unknown')} ({session})")
    lines.append(
        f"Locale: {os.environ.get('LC_ALL') or os.environ.get('LC_MESSAGES') or os.environ.get('LANG') or 'not set'}"
    )
    lines += _gui_lines or ["Qt: not reported (no window in this process)"]
    lines.append(
        "Speech engine: "
        + ", ".join(
            f"{name} {_version(dist, module)}"
            for name, dist, module in (
                ("faster-whisper", "faster-whisper", "faster_whisper"),
                ("ctranslate2", "ctranslate2", "ctranslate2"),
                ("PyAV", "av", "av"),
                ("numpy", "numpy", "numpy"),
                ("sounddevice", "sounddevice", None),
            )
        )
    )
    lines += _model_lines(model_dir)
    if include_devices:
        lines += _audio_lines()
    key = "set (hidden)" if os.environ.get("DASHSCOPE_API_KEY", "").strip() else "not set"
    lines.append(f"DASHSCOPE_API_KEY in environment: {key}")
    lines.append(f"Log file: {log_file()}")
    return redact("\n".join(lines))
