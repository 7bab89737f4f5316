"""Run a server on its own event loop in a background thread, for synchronous callers:
the official SDK's blocking API in tests and benchmarks::

    with ServerThread(DashScopeServer(TrivialRecognizer())) as server:
        dashscope.base_websocket_api_url = server.url
"""

from __future__ import annotations

import asyncio
import threading

from captioner.server.realtime import DashScopeServer


class ServerThread:
    """A DashScopeServer (or a subclass) served from a daemon thread while in `with`."""

    def __init__(self, server: DashScopeServer) -> None:
        self.server = server
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="dashscope-server", daemon=True)

    @property
    def url(self) -> str:
        return self.server.url

    def __enter__(self) -> DashScopeServer:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self.server

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self.server.stop()
