"""One client WebSocket of `captioner serve`: its protocol state, its task, its timers.

A reader loop feeds frames to the protocol state machine (`captioner.protocol.realtime`)
and queues decoded audio; the task itself is a `CaptionSession` — the same pipeline the
window and `captioner transcribe` drive — whose source is the client's audio and whose
events become result-generated frames. So a client that sends audio before task-started is
caught as the service would catch it, and a slow engine never stops the socket being read
(pings stay answered). Whatever a client sends, the answer is a task-failed with the
service's error code (then close) or a clean close; other connections never notice.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from captioner.audio.frames import SAMPLE_RATE, AudioFrame, AudioSource, FrameCutter
from captioner.audio.stream import AudioFormatError, StreamDecoder, open_decoder
from captioner.events import RecognitionError, Sentence
from captioner.pipeline import AudioLevel, CaptionSession, SessionEvent, SessionState, StateChanged
from captioner.protocol import realtime as p
from captioner.protocol.realtime import ErrorCode, State
from captioner.recognition.base import Recognizer
from captioner.server.partial_words import wants_partial_words, with_estimated_words
from captioner.server.web import ChannelClosed, WebSocketChannel
from captioner.settings import RecognitionSettings, SettingsError

log = logging.getLogger("captioner.serve")

#: Below this RMS (full scale 1.0, about -46 dBFS) audio counts as silence.
SILENCE_RMS = 0.005


@dataclass
class ServerStats:
    connections: int = 0
    tasks_started: int = 0
    tasks_finished: int = 0
    active_tasks: int = 0
    audio_bytes: int = 0
    #: task-failed sent, by error code.
    failures: collections.Counter[str] = field(default_factory=collections.Counter)
    #: Unexpected exceptions caught in a connection handler (a bug if ever non-zero).
    internal_errors: int = 0


class Host(Protocol):
    """What a connection needs from the server it belongs to (`DashScopeServer` is one):
    its engine, its limits and timeouts (seconds), its admission policy and its records."""

    recognizer: Recognizer | None
    stats: ServerStats
    max_frame_bytes: int
    max_backlog_seconds: float
    silence_timeout: float | None
    heartbeat_interval: float
    no_data_timeout: float
    idle_timeout: float

    def admit(self, run: p.RunTask) -> RecognitionSettings: ...

    def record_run(self, run: p.RunTask) -> None: ...

    def record_context(self, task_id: str, context: dict[str, Any]) -> None: ...


class ClientAudio(AudioSource):
    """What the client sent, decoded and cut into 100-ms frames, as the session's source.

    The reader loop only queues audio here, so it keeps reading the socket while a slow
    engine works through a file sent all at once; it waits only when the engine is
    `maxsize` frames behind. `end()` (finish-task) lets the session drain what is queued.
    """

    def __init__(self, maxsize: int) -> None:
        self._queue: asyncio.Queue[AudioFrame | None] = asyncio.Queue(maxsize=max(1, maxsize))
        self._closed = False

    async def put(self, frame: AudioFrame) -> None:
        await self._queue.put(frame)

    async def end(self) -> None:
        await self._queue.put(None)

    async def frames(self) -> AsyncIterator[AudioFrame]:
        while not self._closed and (frame := await self._queue.get()) is not None:
            yield frame

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)


@dataclass(eq=False)
class _Task:
    """One recognition task on a connection."""

    run: p.RunTask
    settings: RecognitionSettings
    decoder: StreamDecoder
    audio: ClientAudio
    cutter: FrameCutter = field(default_factory=FrameCutter)
    #: Frames for the client, in the order they must go out; None ends the sender.
    outbox: asyncio.Queue[p.ServerEvent | None] = field(default_factory=asyncio.Queue)
    runner: asyncio.Task[None] | None = None
    started: bool = False
    next_sentence_id: int = 1
    position_ms: int = 0
    silent_ms: int = 0
    next_beat_ms: int = 0
    holds_slot: bool = True


class ConnectionHandler:
    """Everything about one WebSocket. `DashScopeServer.handler_class` names the class to
    use, so a test double can misbehave on purpose (`captioner.testing.faults`)."""

    def __init__(self, server: Host, ws: WebSocketChannel, number: int) -> None:
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
        self._background: set[asyncio.Task[None]] = set()
        self._closer: asyncio.Task[None] | None = None

    async def run(self) -> None:
        watchdog = asyncio.create_task(self._watchdog())
        try:
            async for frame in self.ws:
                if self.closing:
                    # Keep reading, and drop what comes: a client still streaming would
                    # otherwise bury its close frame under audio nobody reads, and the
                    # close would hang until its timeout.
                    continue
                self._busy = True
                try:
                    await self._on_frame(frame)
                finally:
                    self._busy = False
                    self._touch()
        except ChannelClosed:
            pass
        finally:
            watchdog.cancel()
            if self.task is not None and self.conn.state is not State.FAILED:
                log.info("%s: client left during task %s", peer(self.ws), self.task.run.task_id)
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
            self.server.record_context(message.task_id, message.input)
        elif isinstance(message, p.FinishTask):
            await self._on_finish_task()

    async def _on_run_task(self, run: p.RunTask) -> None:
        self.server.record_run(run)
        try:
            settings = self.server.admit(run)
        except TaskRefused as refusal:
            await self._fail(refusal.code, refusal.message)
            return
        self.server.stats.active_tasks += 1
        frames = round(self.server.max_backlog_seconds * 10)  # 100-ms frames
        task = _Task(run, settings, open_decoder(settings.format, settings.sample_rate), ClientAudio(frames))
        self.task = task
        task.runner = self._spawn(self._run_task, task)

    async def _on_audio(self, data: bytes) -> None:
        task = self.task
        assert task is not None  # the state machine saw to it
        self.audio_frames += 1
        self.server.stats.audio_bytes += len(data)
        try:
            pcm = task.decoder.feed(data)
        except AudioFormatError as exc:
            await self._fail(ErrorCode.NO_VALID_AUDIO, str(exc))
            return
        for frame in task.cutter.push(pcm):
            await task.audio.put(frame)
        # Let the session take its turn: frames a client sent in a burst are all buffered,
        # so the reader would otherwise queue every one of them before a result goes out.
        await asyncio.sleep(0)

    async def _on_finish_task(self) -> None:
        task = self.task
        assert task is not None
        try:
            tail = task.decoder.flush()
        except AudioFormatError as exc:
            await self._fail(ErrorCode.NO_VALID_AUDIO, str(exc))
            return
        for frame in task.cutter.push(tail) + task.cutter.flush():
            await task.audio.put(frame)
        await task.audio.end()

    # -- The task: one CaptionSession -------------------------------------------------------

    async def _run_task(self, task: _Task) -> None:
        """Run the task's session to its end, then task-finished (unless it failed)."""
        # The engine gets what it is actually fed: 16 kHz PCM, whatever the client sends.
        engine_settings = task.settings.replace(format="pcm", sample_rate=SAMPLE_RATE)
        assert self.server.recognizer is not None  # set by start()
        session = CaptionSession(task.audio, self.server.recognizer, engine_settings)
        session.subscribe(lambda event: self._on_session_event(task, event))
        sender = asyncio.create_task(self._send_outbox(task))
        try:
            await session.run()
        except SettingsError as exc:
            await self._fail(ErrorCode.INVALID_PARAMETER, str(exc))
        except RecognitionError as exc:
            await self._fail(exc.code or ErrorCode.INTERNAL_ERROR, exc.message)
        except Exception as exc:
            log.exception("engine failed")
            await self._fail(ErrorCode.INTERNAL_ERROR, f"the engine failed: {exc}")
        finally:
            task.outbox.put_nowait(None)
            try:
                await sender
            except asyncio.CancelledError:
                sender.cancel()
                raise
        if self.conn.state is not State.FINISHING:
            return
        # Free the slot first: once task-finished is out, the client may start another task.
        await self._drop_task(task)
        if await self._send(p.TaskFinished(task.run.task_id)):
            self.server.stats.tasks_finished += 1
            log.info("%s: task %s finished", peer(self.ws), task.run.task_id)
            self._touch()

    def _on_session_event(self, task: _Task, event: SessionEvent) -> None:
        """Session events -> frames for the client, queued in order (this runs on the loop,
        inside the session, so it must not wait)."""
        if isinstance(event, StateChanged) and event.state is SessionState.LISTENING and not task.started:
            task.started = True
            task.outbox.put_nowait(p.TaskStarted(task.run.task_id))
        elif isinstance(event, Sentence):
            sid = event.sentence_id or task.next_sentence_id
            if event.final:
                task.next_sentence_id = sid + 1
            if sid != event.sentence_id:
                event = dataclasses.replace(event, sentence_id=sid)
            if not event.final and wants_partial_words(task.run.model):
                event = with_estimated_words(event)  # Paraformer's partials carry words too
            task.outbox.put_nowait(p.ResultGenerated(task.run.task_id, event))
        elif isinstance(event, AudioLevel):
            self._count_silence(task, event)
        # Usage stays here: a final is billed up to its own end (the encoder's rule).

    def _count_silence(self, task: _Task, level: AudioLevel) -> None:
        """Heartbeats through a silence (heartbeat=true), or the service's silence timeout."""
        duration = level.position_ms - task.position_ms
        task.position_ms = level.position_ms
        if level.rms >= SILENCE_RMS:
            task.silent_ms = 0
            task.next_beat_ms = 0
            return
        task.silent_ms += duration
        timeout = self.server.silence_timeout
        if task.settings.heartbeat:
            interval_ms = max(1, round(self.server.heartbeat_interval * 1000))
            if task.next_beat_ms == 0:
                task.next_beat_ms = interval_ms
            if task.silent_ms >= task.next_beat_ms:
                task.next_beat_ms += interval_ms
                task.outbox.put_nowait(p.Heartbeat(task.run.task_id))
        elif timeout is not None and task.silent_ms >= timeout * 1000 and self.conn.state is not State.FAILED:
            message = (
                f"Response timeout! Only silence for {timeout:g} seconds; "
                "start the task with heartbeat=true to keep a silent stream open."
            )
            self._spawn(self._fail, ErrorCode.REQUEST_TIMEOUT, message)

    async def _send_outbox(self, task: _Task) -> None:
        while (event := await task.outbox.get()) is not None:
            if not await self._send(event):
                continue  # keep draining: the runner waits for the None
            if isinstance(event, p.TaskStarted):
                self.server.stats.tasks_started += 1
                log.info("%s: task %s started (%s)", peer(self.ws), task.run.task_id, task.run.model)

    # -- Frames out ------------------------------------------------------------------------

    async def _send(self, event: p.ServerEvent) -> bool:
        """Send one event in protocol order; False if it can no longer be sent."""
        async with self._send_lock:
            if self.conn.state is State.FAILED:
                return False
            try:
                frame = self.conn.send(event)
            except p.LocalProtocolError as exc:
                log.warning("%s: not sending %s: %s", peer(self.ws), type(event).__name__, exc.message)
                return False
            try:
                await self.ws.send(frame)
            except ChannelClosed:
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
            with contextlib.suppress(ChannelClosed):
                await self.ws.send(frame)
        self.server.stats.failures[code] += 1
        log.info("%s: task-failed %s: %s", peer(self.ws), code, message)
        await self._drop_task()
        self._closer = asyncio.create_task(self.ws.close(1000, "task failed"))

    async def _drop_task(self, task: _Task | None = None) -> None:
        """End `task` (default: the current one): free its slot, stop its session."""
        task = task or self.task
        if task is None:
            return
        if self.task is task:
            self.task = None
        if task.holds_slot:
            task.holds_slot = False
            self.server.stats.active_tasks -= 1
        runner = task.runner
        if runner is not None and runner is not asyncio.current_task() and not runner.done():
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner

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
                log.info("%s: idle for %gs, closing", peer(self.ws), limit)
                self.closing = True
                await self.ws.close(1000, "idle timeout")
            return

    def _spawn(self, function: Callable[..., Awaitable[Any]], *args: Any) -> asyncio.Task[None]:
        """Run function(*args) beside the reader loop; its failures end the task, not us."""
        t = asyncio.create_task(self._guard(function, *args))
        self._background.add(t)
        t.add_done_callback(self._background.discard)
        return t

    async def _guard(self, function: Callable[..., Awaitable[Any]], *args: Any) -> None:
        try:
            await function(*args)
        except (asyncio.CancelledError, ChannelClosed):
            pass
        except Exception as exc:
            self.server.stats.internal_errors += 1
            log.exception("%s: unexpected error", peer(self.ws))
            with contextlib.suppress(Exception):
                await self._fail(ErrorCode.INTERNAL_ERROR, f"internal server error: {exc}")


class TaskRefused(Exception):
    """This server will not run the task; `code` and `message` go into the task-failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def peer(ws: WebSocketChannel) -> str:
    address = ws.remote_address
    return f"{address[0]}:{address[1]}" if address else "?"
