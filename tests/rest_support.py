"""Helpers for the REST tests (file transcription, vocabularies): a static file server on
loopback that the emulator downloads from, an event loop in a thread for the blocking SDK
and CLI, and an engine wrapper that records the settings each task started with."""

from __future__ import annotations

import asyncio
import functools
import http.server
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings

T = TypeVar("T")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class FileServer:
    """Serves one folder over http://127.0.0.1:<port>/ from a daemon thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="test-file-server", daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class LoopThread:
    """An asyncio loop in a background thread: servers run there while the test thread
    makes blocking calls (the official SDK, `captioner.cli.main`)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> LoopThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class RecordingRecognizer(Recognizer):
    """Passes everything to `inner`; keeps the settings of every task it started."""

    def __init__(self, inner: Recognizer) -> None:
        self.inner = inner
        self.started: list[RecognitionSettings] = []

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.inner.name

    async def prepare(self) -> None:
        await self.inner.prepare()

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        self.started.append(settings)
        return await self.inner.start(settings)
