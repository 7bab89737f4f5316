"""`captioner serve` as a user runs it: the real command in a process of its own, its URL read
from the line it prints, and stopped with Ctrl-C, which it must obey (exit 0, or 130 for the
interrupt). One copy for every test that starts the command this way."""

from __future__ import annotations

import signal
import subprocess
import sys


class ServeCommand:
    """`captioner serve --port 0 *args` in a subprocess; `with` gives its WebSocket URL.

    Ctrl-C is how the test stops it, so the server must not inherit an ignored SIGINT (a test
    run started in the background by a script has one, and `serve` then never ends).
    `banner` is what its first line must hold; `stop_s` is the hang guard on its exit."""

    def __init__(
        self, *args: str, env: dict[str, str] | None = None, banner: str = " on ws://127.0.0.1:", stop_s: float = 90
    ) -> None:
        self.banner = banner
        self.stop_s = stop_s
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "captioner", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip

    def __enter__(self) -> str:
        try:
            assert self.proc.stdout is not None and self.proc.stderr is not None
            line = self.proc.stdout.readline()
            assert self.banner in line, self.proc.stderr.read()
            return line.split(" on ", 1)[1].strip()
        except BaseException:
            self.__exit__()  # a server that did not start is still stopped
            raise

    def __exit__(self, *exc: object) -> None:
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.wait(self.stop_s) in (0, 130)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
