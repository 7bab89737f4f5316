"""A DashScope-compatible realtime recognition server over any engine.

`captioner serve` runs this: the official DashScope SDK (or another copy of Captioner)
points its WebSocket URL here and gets Fun-ASR-shaped results from the on-device engine.
All JSON goes through `captioner.protocol.realtime`; this module adds the route (on the
one port `web.WebHost` serves, beside the REST services), the handshake (path, API key)
and the admission policy (models, formats, rates, languages,
how many tasks at once). Each connection is a `ConnectionHandler` (`connection.py`), and
each task on it a `CaptionSession`, the same pipeline the window and the CLI drive.

Use it in-process::

    async with DashScopeServer(recognizer, port=0) as server:
        print(server.url)          # ws://127.0.0.1:<port>/api-ws/v1/inference
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiohttp import web

from captioner.audio.stream import FORMATS, decodable_formats
from captioner.events import RecognitionError
from captioner.protocol import realtime as p
from captioner.protocol import vocabulary
from captioner.protocol.realtime import ErrorCode, allowed_rates
from captioner.protocol.rest import ServiceError
from captioner.recognition.base import Recognizer
from captioner.recognition.engines import create_recognizer
from captioner.recognition.local.languages import check_languages
from captioner.server.connection import ConnectionHandler, ServerStats, TaskRefused, peer
from captioner.server.web import WebHost, WebSocketChannel, gateway_error
from captioner.settings import RecognitionSettings, SettingsError

log = logging.getLogger("captioner.serve")

PATH = "/api-ws/v1/inference"
#: 8 s of 16 kHz audio. The service advises 1-16 KB frames; the SDK's call() sends 12.8 KB.
DEFAULT_MAX_FRAME_BYTES = 256 * 1024
#: How many of the latest run-tasks (and continue-task inputs) the server remembers. The
#: protocol needs nothing of a task once it has ended (a client can only start a new one),
#: so this record is for tests and diagnostics alone; a small fixed number keeps a `serve`
#: that runs for months at the same size after ten tasks or ten million.
RECENT_TASKS = 32


class DashScopeServer:
    """The realtime recognition service, served over `recognizer`, on one address.

    Timeouts are in seconds and are constructor arguments so tests can shorten them.
    `run_tasks` keeps the last run-task received under each task id and `contexts` the last
    continue-task input, so client tests can check that every parameter arrived; both hold
    the latest RECENT_TASKS task ids only, the oldest forgotten first. Everything else about
    a task goes with it when it ends.
    """

    def __init__(
        self,
        recognizer: Recognizer | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        max_sessions: int | None = None,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        no_data_timeout: float = 23.0,
        idle_timeout: float = 60.0,
        silence_timeout: float | None = 60.0,
        heartbeat_interval: float = 1.0,
        max_backlog_seconds: float = 1200.0,
        model_dir: str | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.host = host
        self.port = port
        self.token = token
        self.max_sessions = max_sessions
        self.max_frame_bytes = max_frame_bytes
        self.no_data_timeout = no_data_timeout
        self.idle_timeout = idle_timeout
        #: Seconds of silent audio after which a task without heartbeat fails (None: never).
        self.silence_timeout = silence_timeout
        #: Seconds of silent audio between heartbeat packets (tasks with heartbeat=true).
        self.heartbeat_interval = heartbeat_interval
        #: Audio a task may queue ahead of its engine before the server stops reading the
        #: socket (20 min: about 38 MB at 16 kHz), so a whole file sent at once still leaves
        #: the connection responsive (pings answered) while a slow engine catches up.
        self.max_backlog_seconds = max_backlog_seconds
        self.model_dir = model_dir
        self.stats = ServerStats()
        self.run_tasks: dict[str, p.RunTask] = {}
        self.contexts: dict[str, dict[str, Any]] = {}
        self._web: WebHost | None = None  # our own listener, when not mounted on a shared one
        self._channels: set[WebSocketChannel] = set()

    #: The class that runs each connection (a test double can misbehave on purpose).
    handler_class: type[ConnectionHandler] = ConnectionHandler

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}{PATH}"

    @property
    def last_run_task(self) -> p.RunTask | None:
        return next(reversed(self.run_tasks.values()), None)

    async def start(self) -> None:
        """Load the engine, then listen on our own address. `port` holds the bound port
        afterwards. (`captioner serve` mounts this service on a shared `WebHost` instead.)"""
        self._web = WebHost([self], host=self.host, port=self.port)
        await self._web.start()
        log.info("serving DashScope realtime recognition on %s (engine: %s)", self.url, self.engine_name)

    async def stop(self) -> None:
        web_host, self._web = self._web, None
        if web_host is not None:
            await web_host.stop()

    @property
    def open_connections(self) -> int:
        """WebSockets open now (diagnostics, the memory benchmark)."""
        return len(self._channels)

    async def stop_listening(self) -> None:
        """Refuse new connections, keep the open ones (tests of reconnects; when this server
        listens on its own address, not mounted on a shared one)."""
        if self._web is not None:
            await self._web.stop_listening()

    def abort_connections(self) -> int:
        """Cut every open WebSocket without a close frame, as a network failure would (tests
        of reconnects; a client still sending after a task-failed would otherwise wait out
        its close timeout). How many were cut."""
        channels = list(self._channels)
        for channel in channels:
            channel.abort()
        return len(channels)

    # -- Service (web.Service) ---------------------------------------------------------------

    @property
    def engine_name(self) -> str:
        return self.recognizer.name if self.recognizer is not None else "none"

    async def prepare(self) -> None:
        if self.recognizer is None:
            self.recognizer = create_recognizer("local", model_dir=self.model_dir)
        await self.recognizer.prepare()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", PATH, self._on_request)
        router.add_route("*", PATH + "/", self._on_request)

    async def shutdown(self) -> None:
        """Close every WebSocket with 1001 (going away), as a stopping service does; each
        connection's handler then ends its task."""
        await asyncio.gather(*(ch.close(1001, "server stopping") for ch in list(self._channels)))

    async def serve_forever(self) -> None:
        await self.start()
        try:
            await asyncio.Future()
        finally:
            await self.stop()

    async def __aenter__(self) -> DashScopeServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- Handshake -------------------------------------------------------------------------

    def _check_request(self, request: web.Request) -> web.Response | None:
        """An HTTP error instead of the upgrade: not a WebSocket handshake, or a bad API key."""
        if request.method != "GET":
            return gateway_error(405, "MethodNotAllowed", "The realtime service takes a WebSocket handshake (GET).")
        if self.token is not None:
            values = request.headers.getall("Authorization", [])
            scheme, _, key = (values[0] if len(values) == 1 else "").partition(" ")
            given = key.strip().encode("utf-8", "surrogateescape")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given, self.token.encode()):
                log.info("refused %s: bad or missing API key", request.remote)
                return gateway_error(401, ErrorCode.INVALID_API_KEY, "Invalid API-key provided.")
        return None

    async def _on_request(self, request: web.Request) -> web.StreamResponse:
        refusal = self._check_request(request)
        if refusal is not None:
            return refusal
        ws = web.WebSocketResponse(
            compress=False,  # audio does not compress; spare the CPU
            # Frames up to max_frame_bytes get a task-failed naming the limit; far bigger
            # ones are cut off by aiohttp itself (close 1009) before they fill memory.
            max_msg_size=max(4 * self.max_frame_bytes, 64 * 1024),
            # A ping every 60 s; no pong within 30 s (aiohttp waits half the interval) ends a
            # dead connection. Generous on purpose: a client's loop may stall on a loaded
            # machine, and the 23-s no-data and 60-s idle rules catch silent peers anyway.
            heartbeat=60.0,
            timeout=5.0,  # the close handshake
        )
        if not ws.can_prepare(request).ok:
            return gateway_error(426, "UpgradeRequired", "This path takes a WebSocket handshake.")
        await ws.prepare(request)
        channel = WebSocketChannel(ws, request)
        self._channels.add(channel)
        try:
            await self._handle(channel)
        finally:
            self._channels.discard(channel)
        return ws

    async def _handle(self, ws: WebSocketChannel) -> None:
        self.stats.connections += 1
        handler = self.handler_class(self, ws, self.stats.connections)
        try:
            await handler.run()
        except Exception:  # never let one connection's trouble reach the server
            self.stats.internal_errors += 1
            log.exception("connection %s failed", peer(ws))

    # -- Record ----------------------------------------------------------------------------

    def record_run(self, run: p.RunTask) -> None:
        """run as the newest entry of `run_tasks`; the oldest beyond RECENT_TASKS go, with
        their contexts."""
        self.run_tasks.pop(run.task_id, None)  # insertion order = arrival order
        self.run_tasks[run.task_id] = run
        while len(self.run_tasks) > RECENT_TASKS:
            oldest = next(iter(self.run_tasks))
            del self.run_tasks[oldest]
            self.contexts.pop(oldest, None)

    def record_context(self, task_id: str, context: dict[str, Any]) -> None:
        if task_id in self.run_tasks:  # so `contexts` never outgrows `run_tasks`
            self.contexts[task_id] = context

    # -- Policy ----------------------------------------------------------------------------

    def admit(self, run: p.RunTask) -> RecognitionSettings:
        """The settings to run this task with, or TaskRefused saying why not."""
        if not p.is_realtime_model(run.model):
            raise TaskRefused(
                ErrorCode.MODEL_NOT_FOUND,
                f"Model not exist: {run.model!r} is not a realtime recognition model "
                "(try fun-asr-realtime or paraformer-realtime-v2).",
            )
        try:
            settings = run.settings()
        except SettingsError as exc:
            raise TaskRefused(ErrorCode.INVALID_PARAMETER, str(exc)) from None
        self._check_format(settings.format)
        self._check_rate(run.model, settings.sample_rate)
        self._check_languages(settings)
        settings = self._with_inline_hot_words(run, settings)
        if self.max_sessions is not None and self.stats.active_tasks >= self.max_sessions:
            raise TaskRefused(
                ErrorCode.THROTTLING,
                f"Too many concurrent tasks: this server runs at most {self.max_sessions}; try again later.",
            )
        return settings

    @staticmethod
    def _with_inline_hot_words(run: p.RunTask, settings: RecognitionSettings) -> RecognitionSettings:
        """Hot words as the run-task names them, by the documented rules (docs/protocol.md
        §5): a phrase_id, an inline `vocabulary` map or a vocabulary_id that the model does
        not take is refused by name; an inline map's words become the engine's hot words.
        (A vocabulary_id's words are added by HotWordRecognizer, which has the store.)"""
        try:
            vocabulary.phrase_resources(run.model, run.resources)
            vocabulary.check_vocabulary_id(run.model, settings.vocabulary_id)
            inline = vocabulary.inline_hot_words(run.model, run.parameters.get("vocabulary"))
        except ServiceError as exc:
            raise TaskRefused(exc.code, exc.message) from None
        if not inline:
            return settings
        return settings.replace(hot_words=tuple(dict.fromkeys((*settings.hot_words, *(w.text for w in inline)))))

    def _check_format(self, fmt: str) -> None:
        """Refuse a format the service does not document, or one this build cannot decode,
        naming the formats it can."""
        can = decodable_formats()
        if fmt in can:
            return
        why = (
            "is not a DashScope realtime format"
            if fmt not in FORMATS
            else "cannot be decoded by this server (its FFmpeg has no decoder for it)"
        )
        raise TaskRefused(ErrorCode.INVALID_PARAMETER, f"format: {fmt!r} {why}; this server decodes {', '.join(can)}")

    @staticmethod
    def _check_rate(model: str, rate: int) -> None:
        """The service's sample-rate rule for the model (docs/protocol.md §2.3); RecognitionSettings
        already keeps every rate within 8000-48000 Hz."""
        allowed = allowed_rates(model)
        if allowed is not None and rate not in allowed:
            rates = " or ".join(f"{r} Hz" for r in allowed)
            raise TaskRefused(ErrorCode.INVALID_PARAMETER, f"sample_rate: {model} takes {rates} audio (got {rate} Hz)")

    def _check_languages(self, settings: RecognitionSettings) -> None:
        """Refuse language hints the on-device model cannot serve, naming the model and the
        languages it can do, before the task takes a slot (other engines judge their own)."""
        if self.recognizer is None:
            return
        try:
            check_languages(self.recognizer, settings)
        except RecognitionError as exc:
            raise TaskRefused(exc.code, exc.message) from None
