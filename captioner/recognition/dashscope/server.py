"""A DashScope-compatible realtime recognition server over any local engine.

`captioner serve` runs this: the official DashScope SDK (or another copy of Captioner)
points its WebSocket URL here and gets Fun-ASR-shaped results from the on-device engine.
All JSON goes through `protocol.py`; this module adds the I/O: the websockets server, the
handshake (path, API key), the timeouts of the real service (23 s without data, 60 s idle
after a task, 60 s of silence without heartbeat), audio decoding (pcm or wav, 16 or 8 kHz),
limits, and test-only fault injection.

One connection runs one task at a time; a connection can run many tasks in turn. A reader
loop feeds frames to the protocol state machine and queues audio; engine start-up, feeding
the engine and pumping its results run beside it. So a client that sends audio before
task-started is caught as the service would catch it, and a slow engine never stops the
socket being read (pings stay answered). Whatever a client sends, the answer is a
task-failed with the service's error code (then close) or a clean close; other connections
never notice.

Use it in-process::

    async with DashScopeServer(TrivialRecognizer(), port=0) as server:
        print(server.url)          # ws://127.0.0.1:<port>/api-ws/v1/inference

or from synchronous code (the SDK's blocking API, benchmarks) with `ServerThread`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import hmac
import logging
import struct
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from websockets.asyncio.server import Server, serve
from websockets.asyncio.server import ServerConnection as WebSocket
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from captioner.audio.frames import SAMPLE_RATE, AudioFrame, FrameCutter
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.recognition.dashscope import protocol as p
from captioner.recognition.dashscope.credentials import RedactingLogger
from captioner.recognition.dashscope.protocol import ErrorCode, State
from captioner.recognition.events import RecognitionError, Sentence
from captioner.recognition.local.languages import check_languages
from captioner.settings import RecognitionSettings, SettingsError

log = logging.getLogger("captioner.serve")

PATH = "/api-ws/v1/inference"
SUPPORTED_FORMATS = ("pcm", "wav")
SUPPORTED_RATES = (16000, 8000)
#: 8 s of 16 kHz audio. The service advises 1-16 KB frames; the SDK's call() sends 12.8 KB.
DEFAULT_MAX_FRAME_BYTES = 256 * 1024
#: Below this RMS (full scale 1.0, about -46 dBFS) audio counts as silence.
SILENCE_RMS = 0.005
#: How many of the latest run-tasks (and continue-task inputs) the server remembers. The
#: protocol needs nothing of a task once it has ended (a client can only start a new one),
#: so this record is for tests and diagnostics alone; a small fixed number keeps a `serve`
#: that runs for months at the same size after ten tasks or ten million.
RECENT_TASKS = 32


@dataclass(frozen=True)
class FaultPlan:
    """Test-only misbehaviour, off unless a FaultPlan is passed to the server.

    Audio frames are counted per connection. A connection is eligible when its number
    (1, 2, 3, ... in order of arrival) is a multiple of `every_nth_connection`; `times`
    limits how many connections get a fault in all (None: every eligible one).
    """

    #: Cut the TCP connection without a close frame after this many audio frames.
    drop_after_frames: int | None = None
    #: Answer task-failed with fail_code / fail_message after this many audio frames.
    fail_after_frames: int | None = None
    fail_code: str = ErrorCode.INTERNAL_ERROR
    fail_message: str = "injected failure"
    every_nth_connection: int = 1
    times: int | None = 1
    #: Seconds to wait before sending each event (task-started, results, ...).
    event_delay: float = 0.0


@dataclass
class ServerStats:
    connections: int = 0
    tasks_started: int = 0
    tasks_finished: int = 0
    active_tasks: int = 0
    audio_bytes: int = 0
    faults_injected: int = 0
    #: task-failed sent, by error code.
    failures: collections.Counter[str] = field(default_factory=collections.Counter)
    #: Unexpected exceptions caught in a connection handler (a bug if ever non-zero).
    internal_errors: int = 0


class TaskRefused(Exception):
    """This server will not run the task; `code` and `message` go into the task-failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AudioFormatError(Exception):
    """The audio does not match the declared format (answered with NO_VALID_AUDIO_ERROR)."""


class AudioDecoder:
    """Client audio bytes -> 16 kHz 16-bit mono PCM for the engine.

    pcm: 16-bit little-endian mono. wav: the same inside RIFF; the header may arrive split
    across any number of frames (the SDK's call() cuts the whole file, header included, into
    12 800-byte slices). 8 kHz is resampled with soxr; durations, and so every time reported
    to the client, stay on the client's clock.
    """

    MAX_WAV_HEADER = 1 << 20

    def __init__(self, fmt: str, sample_rate: int) -> None:
        if fmt not in SUPPORTED_FORMATS or sample_rate not in SUPPORTED_RATES:
            raise ValueError(f"unsupported audio: {fmt} at {sample_rate} Hz")
        self._wav = fmt == "wav"
        self._rate = sample_rate
        self._header = bytearray()  # wav header bytes not yet parsed
        self._header_seen = 0
        self._riff = False
        self._fmt_ok = False
        self._skip = 0  # bytes of an uninteresting chunk still to skip
        self._in_data = not self._wav
        self._data_left: int | None = None  # bytes left in the wav data chunk, if known
        self._odd = b""  # half a sample carried to the next frame
        self._resampler = None
        if sample_rate != SAMPLE_RATE:
            import soxr

            self._resampler = soxr.ResampleStream(sample_rate, SAMPLE_RATE, 1, dtype="int16")

    def feed(self, data: bytes) -> bytes:
        return self._to_16k(self._pcm(data), last=False)

    def flush(self) -> bytes:
        return self._to_16k(b"", last=True)

    def _pcm(self, data: bytes) -> bytes:
        if not self._in_data:
            data = self._parse_wav_header(data)
        if self._data_left is not None:
            data = data[: self._data_left]
            self._data_left -= len(data)
        data = self._odd + data
        cut = len(data) - len(data) % 2
        self._odd = data[cut:]
        return data[:cut]

    def _to_16k(self, pcm: bytes, last: bool) -> bytes:
        if self._resampler is None:
            return pcm
        samples = np.frombuffer(pcm, dtype="<i2")
        if not samples.size and not last:
            return b""
        return self._resampler.resample_chunk(samples, last=last).astype("<i2").tobytes()

    def _parse_wav_header(self, data: bytes) -> bytes:
        """Consume header bytes; return the PCM that follows the data chunk's header, if any."""
        self._header_seen += len(data)
        h = self._header
        h += data
        while True:
            if not self._riff:
                if h[:4] != b"RIFF"[: len(h[:4])]:
                    raise AudioFormatError("format is wav, but the audio does not start with a RIFF header")
                if len(h) < 12:
                    return b""
                if h[8:12] != b"WAVE":
                    raise AudioFormatError("format is wav, but the RIFF file is not WAVE")
                del h[:12]
                self._riff = True
            if self._skip:
                n = min(self._skip, len(h))
                del h[:n]
                self._skip -= n
                if self._skip:
                    return b""
            if self._header_seen - len(h) > self.MAX_WAV_HEADER:
                raise AudioFormatError("no wav data chunk in the first megabyte")
            if len(h) < 8:
                return b""
            chunk_id, size = bytes(h[:4]), struct.unpack("<I", h[4:8])[0]
            if chunk_id == b"data":
                if not self._fmt_ok:
                    raise AudioFormatError("wav data chunk before its fmt chunk")
                del h[:8]
                self._in_data = True
                self._data_left = size if 0 < size < 0xFFFFFFFF else None
                rest = bytes(h)
                h.clear()
                return rest
            if chunk_id == b"fmt ":
                if size < 16 or size > 1024:
                    raise AudioFormatError(f"wav fmt chunk of {size} bytes is malformed")
                if len(h) < 8 + size:
                    return b""
                self._check_fmt(bytes(h[8 : 8 + size]))
                del h[: 8 + size]
                self._skip = size & 1
            else:
                del h[:8]
                self._skip = size + (size & 1)

    def _check_fmt(self, fmt: bytes) -> None:
        tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
        if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: sub-format GUID at 24
            tag = struct.unpack("<H", fmt[24:26])[0]
        if tag != 1 or bits != 16:
            raise AudioFormatError("wav audio must be 16-bit PCM")
        if channels != 1:
            raise AudioFormatError(f"wav audio must be mono (this file has {channels} channels)")
        if rate != self._rate:
            raise AudioFormatError(f"the wav header says {rate} Hz but sample_rate is {self._rate}")
        self._fmt_ok = True


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
        fault_plan: FaultPlan | None = None,
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
        self.fault_plan = fault_plan
        self.model_dir = model_dir
        self.stats = ServerStats()
        self.run_tasks: dict[str, p.RunTask] = {}
        self.contexts: dict[str, dict[str, Any]] = {}
        self._server: Server | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}{PATH}"

    @property
    def last_run_task(self) -> p.RunTask | None:
        return next(reversed(self.run_tasks.values()), None)

    async def start(self) -> None:
        """Load the engine, then listen. `port` holds the bound port afterwards."""
        if self.recognizer is None:
            from captioner.recognition.local.whisper import LocalRecognizer

            self.recognizer = LocalRecognizer(model_dir=self.model_dir)
        await self.recognizer.prepare()
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._check_request,
            compression=None,  # audio does not compress; spare the CPU
            # Frames up to max_frame_bytes get a task-failed naming the limit; far bigger
            # ones are cut off by websockets itself (close 1009) before they fill memory.
            max_size=max(4 * self.max_frame_bytes, 64 * 1024),
            ping_interval=20,
            ping_timeout=60,
            close_timeout=5,
            # websockets logs handshake headers at DEBUG: never the clients' API keys.
            logger=RedactingLogger(logging.getLogger("websockets.server")),
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("serving DashScope realtime recognition on %s (engine: %s)", self.url, self.recognizer.name)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

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

    def _check_request(self, connection: WebSocket, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path not in (PATH, PATH + "/"):
            return _json_response(connection, 404, "NotFound", "Not found!")
        if self.token is not None:
            values = request.headers.get_all("Authorization")
            scheme, _, key = (values[0] if len(values) == 1 else "").partition(" ")
            given = key.strip().encode("utf-8", "surrogateescape")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given, self.token.encode()):
                log.info("refused %s: bad or missing API key", _peer(connection))
                return _json_response(connection, 401, ErrorCode.INVALID_API_KEY, "Invalid API-key provided.")
        return None

    async def _handle(self, ws: WebSocket) -> None:
        self.stats.connections += 1
        handler = _ConnectionHandler(self, ws, self.stats.connections)
        try:
            await handler.run()
        except Exception:  # never let one connection's trouble reach the server
            self.stats.internal_errors += 1
            log.exception("connection %s failed", _peer(ws))

    # -- Record ----------------------------------------------------------------------------

    def _record_run(self, run: p.RunTask) -> None:
        """run as the newest entry of `run_tasks`; the oldest beyond RECENT_TASKS go, with
        their contexts."""
        self.run_tasks.pop(run.task_id, None)  # insertion order = arrival order
        self.run_tasks[run.task_id] = run
        while len(self.run_tasks) > RECENT_TASKS:
            oldest = next(iter(self.run_tasks))
            del self.run_tasks[oldest]
            self.contexts.pop(oldest, None)

    def _record_context(self, task_id: str, context: dict[str, Any]) -> None:
        if task_id in self.run_tasks:  # so `contexts` never outgrows `run_tasks`
            self.contexts[task_id] = context

    # -- Policy ----------------------------------------------------------------------------

    def _admit(self, run: p.RunTask) -> RecognitionSettings:
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
        if settings.format not in SUPPORTED_FORMATS:
            raise TaskRefused(
                ErrorCode.INVALID_PARAMETER,
                f"format: {settings.format!r} is not supported by this server; send pcm or wav (16-bit mono)",
            )
        if settings.sample_rate not in SUPPORTED_RATES:
            raise TaskRefused(
                ErrorCode.INVALID_PARAMETER,
                f"sample_rate: {settings.sample_rate} Hz is not supported by this server; send 16000 or 8000 Hz",
            )
        if p.is_8k_model(run.model) and settings.sample_rate != 8000:
            raise TaskRefused(
                ErrorCode.INVALID_PARAMETER,
                f"sample_rate: {run.model} takes 8000 Hz audio (got {settings.sample_rate})",
            )
        self._check_languages(settings)
        if self.max_sessions is not None and self.stats.active_tasks >= self.max_sessions:
            raise TaskRefused(
                ErrorCode.THROTTLING,
                f"Too many concurrent tasks: this server runs at most {self.max_sessions}; try again later.",
            )
        return settings

    def _check_languages(self, settings: RecognitionSettings) -> None:
        """Refuse language hints the on-device model cannot serve, naming the model and the
        languages it can do, before the task takes a slot (other engines judge their own)."""
        if self.recognizer is None:
            return
        try:
            check_languages(self.recognizer, settings)
        except RecognitionError as exc:
            raise TaskRefused(exc.code, exc.message) from None

    def _fault_due(self, connection_number: int, frames: int) -> str | None:
        """'drop' or 'fail' if the fault plan says this connection misbehaves now."""
        plan = self.fault_plan
        if plan is None or connection_number % max(1, plan.every_nth_connection):
            return None
        if plan.times is not None and self.stats.faults_injected >= plan.times:
            return None
        if frames == plan.drop_after_frames:
            return "drop"
        if frames == plan.fail_after_frames:
            return "fail"
        return None


@dataclass(eq=False)
class _Task:
    """One recognition task on a connection."""

    run: p.RunTask
    settings: RecognitionSettings
    decoder: AudioDecoder
    #: 100-ms frames on their way to the engine; None after the last one (finish-task).
    backlog: asyncio.Queue[AudioFrame | None]
    cutter: FrameCutter = field(default_factory=FrameCutter)
    session: RecognitionSession | None = None
    pump: asyncio.Task | None = None
    next_sentence_id: int = 1
    silent_ms: int = 0
    next_beat_ms: int = 0
    holds_slot: bool = True


class _ConnectionHandler:
    """Everything about one WebSocket: its protocol state, its task, its timers."""

    def __init__(self, server: DashScopeServer, ws: WebSocket, number: int) -> None:
        self.server = server
        self.ws = ws
        self.number = number
        self.conn = p.ServerConnection()
        self.task: _Task | None = None
        self.audio_frames = 0
        self.closing = False
        self._send_lock = asyncio.Lock()
        self._poke = asyncio.Event()
        self._since = asyncio.get_running_loop().time()
        self._busy = False
        self._background: set[asyncio.Task] = set()
        self._closer: asyncio.Task | None = None

    async def run(self) -> None:
        watchdog = asyncio.create_task(self._watchdog())
        try:
            async for frame in self.ws:
                if self.closing:
                    # Keep reading, and drop what comes: a client still streaming would
                    # otherwise bury its close frame under audio nobody reads, and the
                    # close would hang until close_timeout.
                    continue
                self._busy = True
                try:
                    await self._on_frame(frame)
                finally:
                    self._busy = False
                    self._touch()
        except ConnectionClosed:
            pass
        finally:
            watchdog.cancel()
            if self.task is not None and self.conn.state is not State.FAILED:
                log.info("%s: client left during task %s", _peer(self.ws), self.task.run.task_id)
            await self._drop_task()
            for t in list(self._background):
                t.cancel()
            if self._closer is not None:
                with contextlib.suppress(Exception):
                    await self._closer

    # -- Frames in -------------------------------------------------------------------------

    async def _on_frame(self, frame: str | bytes) -> None:
        size = len(frame) if isinstance(frame, bytes) else len(frame.encode())
        if size > self.server.max_frame_bytes:
            await self._fail(
                ErrorCode.CLIENT_ERROR,
                f"frame of {size} bytes exceeds this server's limit of {self.server.max_frame_bytes} bytes; "
                "send about 100 ms of audio (1-16 KB) per frame",
            )
            return
        try:
            message = self.conn.receive(frame)
        except p.ProtocolError as exc:
            await self._fail(exc.code, exc.message)
            return
        if isinstance(message, p.RunTask):
            await self._on_run_task(message)
        elif isinstance(message, p.Audio):
            await self._on_audio(message.data)
        elif isinstance(message, p.ContinueTask):
            self.server._record_context(message.task_id, message.input)
        elif isinstance(message, p.FinishTask):
            await self._on_finish_task()

    async def _on_run_task(self, run: p.RunTask) -> None:
        self.server._record_run(run)
        try:
            settings = self.server._admit(run)
        except TaskRefused as refusal:
            await self._fail(refusal.code, refusal.message)
            return
        self.server.stats.active_tasks += 1
        backlog: asyncio.Queue[AudioFrame | None] = asyncio.Queue(maxsize=max(1, round(self.server.max_backlog_seconds * 10)))  # 100-ms frames
        self.task = _Task(run, settings, AudioDecoder(settings.format, settings.sample_rate), backlog)
        self._spawn(self._start, self.task)

    async def _start(self, task: _Task) -> None:
        # The engine gets what it is actually fed: 16 kHz PCM, whatever the client sends.
        engine_settings = task.settings.replace(format="pcm", sample_rate=SAMPLE_RATE)
        try:
            recognizer = self.server.recognizer
            assert recognizer is not None  # set by start()
            session = await recognizer.start(engine_settings)
        except SettingsError as exc:
            await self._fail(ErrorCode.INVALID_PARAMETER, str(exc))
            return
        except RecognitionError as exc:
            await self._fail(exc.code or ErrorCode.INTERNAL_ERROR, exc.message)
            return
        except Exception as exc:
            log.exception("engine failed to start")
            await self._fail(ErrorCode.INTERNAL_ERROR, f"the engine could not start: {exc}")
            return
        if self.task is not task or self.conn.state is not State.STARTING:
            await session.aclose()  # the task failed while the engine was starting
            return
        task.session = session
        if await self._send(p.TaskStarted(task.run.task_id)):
            self.server.stats.tasks_started += 1
            log.info("%s: task %s started (%s)", _peer(self.ws), task.run.task_id, task.run.model)
            task.pump = self._spawn(self._pump, task)
            self._spawn(self._feed, task)

    async def _on_audio(self, data: bytes) -> None:
        task = self.task
        assert task is not None and task.session is not None  # the state machine saw to it
        self.audio_frames += 1
        self.server.stats.audio_bytes += len(data)
        fault = self.server._fault_due(self.number, self.audio_frames)
        if fault == "drop":
            self.server.stats.faults_injected += 1
            log.info("%s: fault plan: dropping the connection", _peer(self.ws))
            self.closing = True
            self.ws.transport.abort()
            return
        try:
            pcm = task.decoder.feed(data)
        except AudioFormatError as exc:
            await self._fail(ErrorCode.NO_VALID_AUDIO, str(exc))
            return
        for frame in task.cutter.push(pcm):
            await task.backlog.put(frame)  # waits only when the engine is far behind
        if fault == "fail":
            self.server.stats.faults_injected += 1
            plan = self.server.fault_plan
            assert plan is not None
            await self._fail(plan.fail_code, plan.fail_message)

    async def _on_finish_task(self) -> None:
        task = self.task
        assert task is not None
        for frame in task.cutter.push(task.decoder.flush()) + task.cutter.flush():
            await task.backlog.put(frame)
        await task.backlog.put(None)

    async def _feed(self, task: _Task) -> None:
        """Backlog -> engine, then, after the last frame, task-finished.

        The reader loop only queues audio, so it keeps reading the socket (and websockets
        keeps answering pings) while a slow engine works through a file sent all at once.
        """
        assert task.session is not None
        try:
            while (frame := await task.backlog.get()) is not None:
                await self._push_frame(task, frame)
                if self.conn.state is State.FAILED:
                    return
            await task.session.finish()
            if task.pump is not None:
                await task.pump
        except RecognitionError as exc:
            await self._fail(exc.code or ErrorCode.INTERNAL_ERROR, exc.message)
            return
        if self.conn.state is not State.FINISHING:
            return
        # Free the slot first: once task-finished is out, the client may start another task.
        await self._drop_task(task)
        if await self._send(p.TaskFinished(task.run.task_id)):
            self.server.stats.tasks_finished += 1
            log.info("%s: task %s finished", _peer(self.ws), task.run.task_id)
            self._touch()

    async def _push_frame(self, task: _Task, frame: AudioFrame) -> None:
        assert task.session is not None
        await task.session.push(frame)
        rms, _ = frame.level()
        if rms >= SILENCE_RMS:
            task.silent_ms = 0
            task.next_beat_ms = 0
            return
        task.silent_ms += frame.duration_ms
        if task.settings.heartbeat:
            interval_ms = max(1, round(self.server.heartbeat_interval * 1000))
            if task.next_beat_ms == 0:
                task.next_beat_ms = interval_ms
            if task.silent_ms >= task.next_beat_ms:
                task.next_beat_ms += interval_ms
                await self._send(p.Heartbeat(task.run.task_id))
        elif self.server.silence_timeout is not None and task.silent_ms >= self.server.silence_timeout * 1000:
            await self._fail(
                ErrorCode.REQUEST_TIMEOUT,
                f"Response timeout! Only silence for {self.server.silence_timeout:g} seconds; "
                "start the task with heartbeat=true to keep a silent stream open.",
            )

    async def _pump(self, task: _Task) -> None:
        """Engine events -> result-generated, until the engine's stream ends."""
        assert task.session is not None
        try:
            async for event in task.session.events():
                # Usage and EngineStatus stay here: a final is billed up to its own end
                # (the encoder's rule), whatever an engine counts as pushed so far.
                if isinstance(event, Sentence):
                    sid = event.sentence_id or task.next_sentence_id
                    if event.final:
                        task.next_sentence_id = sid + 1
                    if sid != event.sentence_id:
                        event = dataclasses.replace(event, sentence_id=sid)
                    await self._send(p.ResultGenerated(task.run.task_id, event))
        except RecognitionError as exc:
            await self._fail(exc.code or ErrorCode.INTERNAL_ERROR, exc.message)
        except Exception as exc:
            log.exception("engine failed")
            await self._fail(ErrorCode.INTERNAL_ERROR, f"the engine failed: {exc}")

    # -- Frames out ------------------------------------------------------------------------

    async def _send(self, event: p.ServerEvent) -> bool:
        """Send one event in protocol order; False if it can no longer be sent."""
        async with self._send_lock:
            plan = self.server.fault_plan
            if plan is not None and plan.event_delay:
                await asyncio.sleep(plan.event_delay)
            if self.conn.state is State.FAILED:
                return False
            try:
                frame = self.conn.send(event)
            except p.LocalProtocolError as exc:
                log.warning("%s: not sending %s: %s", _peer(self.ws), type(event).__name__, exc.message)
                return False
            try:
                await self.ws.send(frame)
            except ConnectionClosed:
                return False
        if isinstance(event, p.TaskStarted):
            self._touch()
        return True

    async def _fail(self, code: str, message: str) -> None:
        """task-failed, end the task, close the connection (the service's way)."""
        if self.conn.state is State.FAILED:
            return
        self.closing = True
        async with self._send_lock:
            if self.conn.state is State.FAILED:
                return
            frame = self.conn.fail(code, message)
            with contextlib.suppress(ConnectionClosed):
                await self.ws.send(frame)
        self.server.stats.failures[code] += 1
        log.info("%s: task-failed %s: %s", _peer(self.ws), code, message)
        await self._drop_task()
        self._closer = asyncio.create_task(self.ws.close(1000, "task failed"))

    async def _drop_task(self, task: _Task | None = None) -> None:
        """End `task` (default: the current one): free its slot, stop its engine session."""
        task = task or self.task
        if task is None:
            return
        if self.task is task:
            self.task = None
        if task.holds_slot:
            task.holds_slot = False
            self.server.stats.active_tasks -= 1
        if task.pump is not None and task.pump is not asyncio.current_task():
            task.pump.cancel()
        if task.session is not None:
            with contextlib.suppress(Exception):
                await task.session.aclose()

    # -- Timers ----------------------------------------------------------------------------

    def _touch(self) -> None:
        self._since = asyncio.get_running_loop().time()
        self._poke.set()

    async def _watchdog(self) -> None:
        """The 23-s no-data rule while a task runs; the 60-s idle rule between tasks."""
        loop = asyncio.get_running_loop()
        while not self.closing:
            self._poke.clear()
            state = self.conn.state
            limit = {State.IDLE: self.server.idle_timeout, State.RUNNING: self.server.no_data_timeout}.get(state)
            if limit is None or self._busy:
                await self._poke.wait()
                continue
            remaining = self._since + limit - loop.time()
            if remaining > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._poke.wait(), remaining)
                continue
            if state is State.RUNNING:
                await self._fail(ErrorCode.CLIENT_ERROR, p.NO_DATA_TIMEOUT_MESSAGE.format(seconds=limit))
            else:
                log.info("%s: idle for %gs, closing", _peer(self.ws), limit)
                self.closing = True
                await self.ws.close(1000, "idle timeout")
            return

    def _spawn(self, function, *args) -> asyncio.Task:
        """Run function(*args) beside the reader loop; its failures end the task, not us."""
        t = asyncio.create_task(self._guard(function, *args))
        self._background.add(t)
        t.add_done_callback(self._background.discard)
        return t

    async def _guard(self, function, *args) -> None:
        try:
            await function(*args)
        except (asyncio.CancelledError, ConnectionClosed):
            pass
        except Exception as exc:
            self.server.stats.internal_errors += 1
            log.exception("%s: unexpected error", _peer(self.ws))
            with contextlib.suppress(Exception):
                await self._fail(ErrorCode.INTERNAL_ERROR, f"internal server error: {exc}")


def _json_response(connection: WebSocket, status: int, code: str, message: str) -> Response:
    """An HTTP error in the gateway's shape: {"code", "message", "request_id"}."""
    request_id = str(uuid.uuid4())
    response = connection.respond(status, p.encode_http_error(code, message, request_id))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    response.headers["x-request-id"] = request_id
    return response


def _peer(ws: WebSocket) -> str:
    try:
        host, port = ws.remote_address[:2]
        return f"{host}:{port}"
    except Exception:
        return "?"


class ServerThread:
    """Runs a DashScopeServer on its own event loop in a background thread.

    For synchronous callers: the official SDK's blocking API in tests, benchmarks::

        with ServerThread(DashScopeServer(TrivialRecognizer())) as server:
            dashscope.base_websocket_api_url = server.url
    """

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
