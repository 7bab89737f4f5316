"""What the headless commands show on a terminal: finals on stdout, the rest on stderr."""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Mapping

from captioner.events import EngineStatus, Sentence
from captioner.pipeline import AudioLevel, SourceFailed, StateChanged


def error(message: str, code: int) -> int:
    print(f"captioner: error: {message}", file=sys.stderr, flush=True)
    return code


def fail(exc: BaseException, message: str | None = None, options: Mapping[str, str] | None = None) -> int:
    """Report `exc` (or `message` about it) and return its exit code: the one place a
    command turns an exception into an exit code (captioner.errors.exit_code).

    `options` maps setting names to the options a user typed (max_sentence_silence ->
    --max-sentence-silence): the message names what the user can change, not an internal key."""
    from captioner.errors import exit_code, user_message

    text = message if message is not None else user_message(exc)
    if options:
        field = getattr(exc, "field", None)  # a SettingsError says which setting first
        if isinstance(field, str) and field in options and text.startswith(f"{field}: "):
            text = options[field] + text[len(field) :]
        text = in_options(text, options)
    return error(text, exit_code(exc))


def in_options(text: str, options: Mapping[str, str]) -> str:
    """`text` with every setting key in `options` (the snake_case ones: "model" is also a
    word) replaced by its command-line option."""
    keys = [name for name in options if "_" in name]
    if not keys:
        return text
    names = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])")
    return names.sub(lambda m: options[m.group(1)], text)


def clock(ms: int) -> str:
    s, ms = divmod(max(0, ms), 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


class Terminal:
    """Session listener for the CLI. Partials and progress are redrawn in place, on a TTY only."""

    def __init__(self, *, quiet: bool = False, live: bool = False, duration_ms: int | None = None) -> None:
        self.quiet = quiet
        self.live = live
        self.duration_ms = duration_ms
        self.tty = sys.stderr.isatty() and not quiet
        self._status_shown = False
        self._last_draw = 0.0
        self._partial = ""
        self._position_ms = 0

    def on_event(self, event) -> None:
        if isinstance(event, Sentence):
            if event.final:
                self._clear()
                if not self.quiet:
                    times = f"[{clock(event.begin_ms)} --> {clock(event.end_ms)}] "
                    lines = [event.text] if event.text else []
                    if event.translation is not None and event.translation.text:
                        lines.append(event.translation.text)  # under its sentence, aligned with it
                    print(times + ("\n" + " " * len(times)).join(lines), flush=True)
                self._partial = ""
            else:
                self._partial = event.text
                self._draw(force=True)
        elif isinstance(event, AudioLevel):
            self._position_ms = event.position_ms
            self._draw()
        elif isinstance(event, (SourceFailed,)):
            self.note(event.message)
        elif isinstance(event, EngineStatus) and event.state in ("reconnecting", "lagging", "loading"):
            self.note(f"{event.state}{': ' + event.detail if event.detail else ''}")
        elif isinstance(event, StateChanged) and event.state.value == "listening" and self.live:
            self.note("listening; press Ctrl-C to stop and save")

    def note(self, message: str) -> None:
        if self.quiet:
            return
        self._clear()
        print(message, file=sys.stderr, flush=True)

    def done(self) -> None:
        self._clear()

    def _draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.2:
            return
        self._last_draw = now
        width = shutil.get_terminal_size((80, 20)).columns
        prefix = ""
        if self.duration_ms:
            fraction = min(1.0, self._position_ms / self.duration_ms)
            bar = "#" * int(fraction * 20)
            prefix = f"[{bar:<20}] {fraction:4.0%} "
        elif self.live:
            prefix = f"{clock(self._position_ms)[:8]} "
        line = (prefix + self._partial)[-(width - 1) :] if self._partial else prefix
        sys.stderr.write("\r\x1b[K" + line)
        sys.stderr.flush()
        self._status_shown = True

    def _clear(self) -> None:
        if self.tty and self._status_shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._status_shown = False
