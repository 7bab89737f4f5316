"""Helpers for the REST tests (file transcription, vocabularies): a static file server on
loopback that the emulator downloads from, an event loop in a thread for the blocking SDK
and CLI, the emulator (or all of `captioner serve`) running on such a loop, an engine wrapper
that records the settings each task started with, and the spec's example result file."""

from __future__ import annotations

import asyncio
import functools
import http.server
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.server.app import ServeApp
from captioner.server.rest import RestServer
from captioner.settings import RecognitionSettings

T = TypeVar("T")

#: The example result file of the protocol spec, §4.3 (Latin words padded with spaces, marks in
#: punctuation): what the file service's transcription_url serves.
RESULT_FILE: dict[str, Any] = {
    "file_url": "https://example.invalid/hello_world_female2.wav",
    "properties": {
        "audio_format": "pcm_s16le",
        "channels": [0],
        "original_sampling_rate": 16000,
        "original_duration_in_milliseconds": 3834,
    },
    "transcripts": [
        {
            "channel_id": 0,
            "content_duration_in_milliseconds": 3720,
            "text": "Hello world, 这里是阿里巴巴语音实验室。",
            "sentences": [
                {
                    "begin_time": 100,
                    "end_time": 3820,
                    "text": "Hello world, 这里是阿里巴巴语音实验室。",
                    "sentence_id": 1,
                    "speaker_id": 0,
                    "words": [
                        {"begin_time": 100, "end_time": 596, "text": "Hello ", "punctuation": ""},
                        {"begin_time": 596, "end_time": 844, "text": "world", "punctuation": ", "},
                    ],
                }
            ],
        }
    ],
}


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


@contextmanager
def rest_emulator(engine: Recognizer, *, sdk: bool = False, **options: Any) -> Iterator[RestServer]:
    """`captioner serve`'s REST services over `engine` (`options` as RestServer takes them) on a
    loop of their own, so the test thread can make blocking calls; with `sdk`, the official
    SDK's `base_http_api_url` points at them until the block ends (docs/protocol.md §8). A
    request that crashed a handler (an internal error) fails the test on the way out."""
    with LoopThread() as lt:
        srv = RestServer(engine, **options)
        lt.run(srv.start())
        if sdk:
            import dashscope  # the official SDK: a test dependency, only for the tests that use it

            saved = dashscope.base_http_api_url
            dashscope.base_http_api_url = srv.url
        try:
            yield srv
        finally:
            if sdk:
                dashscope.base_http_api_url = saved
            lt.run(srv.stop())
    assert srv.stats.internal_errors == 0


@contextmanager
def serve_app(engine: Recognizer, **options: Any) -> Iterator[ServeApp]:
    """All of `captioner serve` (realtime and REST on one port; `options` as ServeApp takes
    them) on a loop of its own; an internal error in either service fails the test on the way out."""
    with LoopThread() as lt:
        serve = ServeApp(engine, **options)
        lt.run(serve.start())
        try:
            yield serve
        finally:
            lt.run(serve.stop())
    assert serve.realtime.stats.internal_errors == 0 and serve.rest.stats.internal_errors == 0


def aim_sdk(monkeypatch: pytest.MonkeyPatch, serve: ServeApp, token: str) -> None:
    """Point the official SDK (its key, REST and WebSocket base URLs) at `serve` for one test
    (`monkeypatch` undoes it); loopback bypasses any proxy the machine has set."""
    import dashscope  # the official SDK: a test dependency, only for the tests that use it

    monkeypatch.setattr(dashscope, "api_key", token)
    monkeypatch.setattr(dashscope, "base_http_api_url", serve.rest.url)
    monkeypatch.setattr(dashscope, "base_websocket_api_url", serve.realtime.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


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
