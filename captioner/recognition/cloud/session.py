"""One cloud recognition session, which may span several service tasks (one per connection).

What it adds to the bare protocol, and why:

- **Nothing is lost when the connection drops.** Every pushed frame stays in an `AudioLog`
  (replay.py) until a final covers it. When the connection drops (or the task fails with a
  retryable code) `push()` keeps accepting audio, the session reconnects with bounded
  exponential backoff and jitter, starts a new task, and replays the audio the service had
  not yet turned into finals. The new task's clock starts at the end of the last final, so
  its times are shifted back onto the session clock; a replayed final that ends at or
  before the last final already delivered is dropped. No final is lost, none is
  duplicated, and times stay monotonic.
- **Pauses do not kill the task.** The service fails a task that receives no data for 23 s.
  When the source goes quiet (capture paused), the sender injects 100 ms of silence every
  second after `keepalive_after` seconds; a `TaskClock` remembers which stretches of the
  task's audio were real, so injected silence never shifts the transcript.
- **A file may go as its own packets**: a session with a compressed `format` takes
  `push_encoded()` chunks; each task sends them through its own `TaskMuxer`, a stream that
  decodes from any chunk on, so a replay goes out compressed too. No keep-alive silence then
  (it would need encoding; a file is never paused, so its sender is never idle that long).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from typing import Protocol

from websockets.asyncio.client import ClientConnection as WebSocket
from websockets.exceptions import ConnectionClosed

from captioner.audio.frames import AudioFrame
from captioner.audio.packets import EncodedFrame, TaskMuxer
from captioner.events import EngineStatus, RecognitionError, Usage
from captioner.protocol import realtime as p
from captioner.protocol.endpoints import Endpoint
from captioner.protocol.realtime import ErrorCode
from captioner.recognition.base import RecognitionSession
from captioner.recognition.cloud.failures import BAD_SERVER, closed_reason, explain, task_failure
from captioner.recognition.cloud.replay import SAMPLES_PER_MS, AudioLog, TaskClock, TaskEncoder, pieces
from captioner.settings import RecognitionSettings

log = logging.getLogger(__name__)


# -- Tuning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconnectPolicy:
    """How hard to try after a drop. The first retry is immediate (most drops are blips);
    later ones back off exponentially with jitter. An outage ends when a new task delivers a
    final, finishes, or stays up `stable_after` seconds; one that lasts `give_up_after`
    seconds ends the session with an error (the transcript so far is kept)."""

    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.5  # each delay is scaled by a random factor in [1 - jitter, 1]
    give_up_after: float = 60.0
    stable_after: float = 5.0

    def delay(self, attempt: int) -> float:
        if attempt <= 0:
            return 0.0
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (attempt - 1))
        return base * (1.0 - self.jitter * random.random())


@dataclass(frozen=True)
class Timeouts:
    """Seconds. keepalive_after must stay well under the service's 23-s no-data limit."""

    open: float = 10.0  # TCP + TLS + WebSocket handshake
    start: float = 10.0  # run-task -> task-started
    stall: float = 30.0  # after finish-task: longest wait for the next event
    close: float = 2.0
    ping_interval: float = 10.0  # a dead connection is noticed within ping_interval + ping_timeout
    ping_timeout: float = 10.0
    keepalive_after: float = 12.0
    keepalive_every: float = 1.0
    keepalive_ms: int = 100  # silence per keep-alive packet


#: Audio pushed but never sent beyond which push() waits (back-pressure for fast file input;
#: above the give-up time so a live microphone is never held up during an outage).
MAX_UNSENT_MS = 90_000


class Connector(Protocol):
    """What a session needs from its recognizer (`DashScopeRecognizer` is one): where the
    service is, how patient to be, how much audio to keep, and a way to open a connection."""

    endpoint: Endpoint
    timeouts: Timeouts
    reconnect: ReconnectPolicy
    replay_window_ms: int
    max_retained_ms: int
    max_unsent_ms: int

    async def _connect(self) -> WebSocket: ...


# -- One connection running one task -----------------------------------------------------


@dataclass(eq=False)
class _Link:
    ws: WebSocket
    conn: p.ClientConnection
    task_id: str
    clock: TaskClock
    encoder: TaskEncoder
    #: A compressed session's stream for this task (started with the first chunk it sends).
    muxer: TaskMuxer | None
    cursor: int  # next frame (seq) to send
    replay_end: int  # frames below this were sent by an earlier task
    opened_at: float
    usage_s: int = 0
    first_audio_at: float | None = None
    finish_sent_at: float | None = None
    delivered_final: bool = False


class _Retry(Exception):
    """The task ended in a way a new connection and task can fix."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DashScopeSession(RecognitionSession):
    """One recognition session, which may span several service tasks (one per connection).

    metrics: task_id / request_id (current task), tasks, reconnects, reconnect_latency_ms
    (last) and reconnect_latency_ms_max, first_package_delay_ms (first audio sent -> first
    non-empty result, first task), last_package_delay_ms (finish-task -> task-finished),
    usage_s (billed seconds, all tasks), audio_sent_ms, audio_sent_bytes (binary frames'
    bytes, headers included), replayed_ms, keepalive_ms, heartbeats, duplicates_dropped,
    replay_truncated_ms.
    """

    def __init__(self, recognizer: Connector, settings: RecognitionSettings) -> None:
        super().__init__()
        self.recognizer = recognizer
        self.settings = settings
        self._endpoint = recognizer.endpoint
        self._t = recognizer.timeouts
        self._policy = recognizer.reconnect
        self._log = AudioLog(recognizer.replay_window_ms, recognizer.max_retained_ms)
        self._max_unsent_ms = recognizer.max_unsent_ms
        #: Whether this session takes a file's packets (push_encoded) rather than PCM (push).
        self._encoded = settings.format != "pcm"
        self._wake = asyncio.Event()  # audio pushed, or finish()
        self._drained = asyncio.Event()  # audio sent (push may go on), or the session ended
        self._finishing = False
        self._closed = False
        self._last_final_end = 0
        self._usage_done = 0
        self._usage_shown = 0
        self._trouble_since: float | None = None
        self._attempt = 0
        self._link: _Link | None = None
        self._runner: asyncio.Task | None = None
        self._loop = asyncio.get_running_loop()
        self.metrics.update(
            task_id=None, request_id=None, tasks=0, reconnects=0, reconnect_latency_ms=None,
            reconnect_latency_ms_max=0, first_package_delay_ms=None, last_package_delay_ms=None,
            usage_s=0, audio_sent_ms=0, audio_sent_bytes=0, replayed_ms=0, keepalive_ms=0, heartbeats=0,
            duplicates_dropped=0, replay_truncated_ms=0,
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"<DashScopeSession {self._endpoint.url} task={self.metrics['task_id']}>"

    # -- The RecognitionSession interface ------------------------------------------------

    async def push(self, frame: AudioFrame) -> None:
        """Queue ~100 ms of audio. Never blocks on the network; waits only when more than
        max_unsent_ms of audio is waiting to be sent (a file read faster than the service
        takes it). Audio after finish() or aclose() is ignored."""
        if self._encoded:
            raise RecognitionError(
                ErrorCode.INVALID_PARAMETER, f"this session sends {self.settings.format} packets, not PCM"
            )
        await self._keep(pieces(frame))

    async def push_encoded(self, frame: EncodedFrame) -> None:
        """Queue a chunk of the file's own packets (a session started with their format),
        as push() does PCM."""
        if not self._encoded or frame.encoding.format != self.settings.format:
            raise RecognitionError(
                ErrorCode.INVALID_PARAMETER,
                f"this session sends {self.settings.format} audio, not {frame.encoding.format} packets",
            )
        await self._keep([frame])

    async def _keep(self, frames: list[AudioFrame] | list[EncodedFrame]) -> None:
        if self._finishing or self._closed or self.ended:
            return
        for piece in frames:
            self._log.append(piece)
        self._wake.set()
        while self._log.unsent_ms > self._max_unsent_ms and not (self.ended or self._closed):
            self._drained.clear()
            await self._drained.wait()

    async def finish(self) -> None:
        """No more audio: the rest is sent, then finish-task; events() ends after the last
        final. A drop meanwhile still reconnects, so the last sentence is not lost."""
        self._finishing = True
        self._wake.set()

    async def aclose(self) -> None:
        """Abandon the session now; it is never reconnected afterwards."""
        self._closed = True
        runner = self._runner
        if runner is not None and not runner.done():
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
        self._end()
        self._drained.set()

    # -- Start-up ------------------------------------------------------------------------

    async def _open(self) -> None:
        self._emit(EngineStatus("connecting", self._endpoint.label))
        link = await self._start_task()
        self._emit(EngineStatus("ready", self._endpoint.label))
        self._runner = asyncio.create_task(self._run(link), name="dashscope-session")

    async def _start_task(self) -> _Link:
        """Connect, send run-task (new task id), wait for task-started. Raises RecognitionError."""
        ws = await self.recognizer._connect()
        conn = p.ClientConnection()
        run = p.RunTask.from_settings(self.settings)
        try:
            await ws.send(conn.send(run))
            event = conn.receive(await asyncio.wait_for(ws.recv(), self._t.start))
        except p.RemoteProtocolError as exc:
            await _close(ws)
            raise self._bad_server(exc) from None
        except (ConnectionClosed, TimeoutError) as exc:
            await _close(ws)
            why = "no answer to run-task" if isinstance(exc, TimeoutError) else "the connection closed"
            raise RecognitionError(
                ErrorCode.NETWORK_ERROR, f"{self._endpoint.label} did not start the task: {why}", retryable=True
            ) from None
        except BaseException:
            await _close(ws)
            raise
        if isinstance(event, p.TaskFailed):
            await _close(ws)
            raise task_failure(event, self._endpoint)
        assert isinstance(event, p.TaskStarted)  # the state machine admits nothing else here
        log_ = self._log
        link = _Link(
            ws, conn, run.task_id, TaskClock(self._last_final_end), TaskEncoder(self.settings.sample_rate), None,
            cursor=log_.first_seq, replay_end=log_.fresh_seq, opened_at=self._loop.time(),
        )  # fmt: skip
        self._link = link
        request_id = ws.response.headers.get("x-request-id") if ws.response is not None else None
        self.metrics.update(task_id=run.task_id, request_id=request_id or run.task_id, tasks=self.metrics["tasks"] + 1)
        return link

    def _bad_server(self, exc: p.ProtocolError) -> RecognitionError:
        return RecognitionError(BAD_SERVER, f"{self._endpoint.label}: {explain(BAD_SERVER)} ({exc.message})")

    # -- Running, reconnecting -----------------------------------------------------------

    async def _run(self, link: _Link) -> None:
        try:
            while True:
                try:
                    await self._serve(link)
                    self._end()
                    await self._drop(link, graceful=True)
                    return
                except _Retry as retry:
                    reason = retry.reason
                await self._drop(link)
                dropped_at = self._loop.time()
                if (
                    self._trouble_since is None
                    or link.delivered_final
                    or dropped_at - link.opened_at >= self._policy.stable_after
                ):
                    self._trouble_since, self._attempt = dropped_at, 0
                log.info("connection to %s lost (%s); reconnecting", self._endpoint.label, reason)
                self._emit(EngineStatus("reconnecting", reason))
                link = await self._reconnect(reason)
                latency = round((self._loop.time() - dropped_at) * 1000)
                self.metrics["reconnects"] += 1
                self.metrics["reconnect_latency_ms"] = latency
                self.metrics["reconnect_latency_ms_max"] = max(latency, self.metrics["reconnect_latency_ms_max"])
                self._emit(EngineStatus("ready", self._endpoint.label))
        except RecognitionError as exc:
            self._fail(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must end the session with a message, not hang it
            log.exception("the cloud session failed")
            self._fail(RecognitionError(ErrorCode.INTERNAL_ERROR, f"the cloud client failed: {exc!r}"))
        finally:
            self._drained.set()
            if self._link is not None:
                await self._drop(self._link)

    async def _drop(self, link: _Link, graceful: bool = False) -> None:
        self._usage_done += link.usage_s
        link.usage_s = 0
        if self._link is link:
            self._link = None
        await _close(link.ws, graceful)

    async def _reconnect(self, reason: str) -> _Link:
        """New connection and task, with backoff; raises RecognitionError when it gives up
        or when the failure cannot be fixed by trying again (a revoked key)."""
        assert self._trouble_since is not None
        while True:
            elapsed = self._loop.time() - self._trouble_since
            remaining = self._policy.give_up_after - elapsed
            if remaining <= 0:
                raise RecognitionError(
                    ErrorCode.NETWORK_ERROR,
                    f"Lost the connection to {self._endpoint.label} and could not restore it within "
                    f"{self._policy.give_up_after:g} s (last error: {reason}). The captions so far are kept.",
                    retryable=True,
                )
            await asyncio.sleep(min(self._policy.delay(self._attempt), remaining))
            self._attempt += 1
            try:
                return await self._start_task()
            except RecognitionError as exc:
                if not exc.retryable:
                    raise
                reason = exc.message

    async def _serve(self, link: _Link) -> None:
        """Send and receive on one task until task-finished (returns) or a failure: _Retry
        when a new task can fix it, RecognitionError when not."""
        sender = asyncio.create_task(self._send_loop(link), name="dashscope-send")
        receiver = asyncio.create_task(self._receive_loop(link), name="dashscope-receive")
        try:
            done, _ = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if receiver not in done and sender.exception() is None:
                await receiver  # finish-task is out; wait for the rest of the results
            elif receiver not in done:
                # The sender failed (a dropped connection). Give the receiver a moment to
                # read what the server said last (a task-failed explains more than a reset).
                await asyncio.wait({receiver}, timeout=0.5)
            if receiver.done():
                receiver.result()
            sender_error = sender.exception() if sender.done() else None
            if sender_error is not None:
                raise sender_error
        except (ConnectionClosed, OSError) as exc:
            raise _Retry(closed_reason(exc)) from None
        except p.LocalProtocolError as exc:  # we sent on a task the server had just failed
            raise _Retry(exc.message) from None
        finally:
            for t in (sender, receiver):
                t.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)

    async def _send_loop(self, link: _Link) -> None:
        """Audio (replay first, then live), keep-alive silence while idle, then finish-task."""
        t = self._t
        last_audio = self._loop.time()
        next_keepalive: float | None = None
        while True:
            self._wake.clear()
            frame = self._log.get(link.cursor)
            if frame is not None:
                # On the task's clock before it is on the wire: its results may arrive while
                # send() still waits for the buffer to drain.
                link.clock.add_real(frame)
                if link.first_audio_at is None:
                    link.first_audio_at = self._loop.time()
                await self._send_audio(link, frame)
                if link.cursor < link.replay_end:
                    self.metrics["replayed_ms"] += frame.duration_ms
                self.metrics["audio_sent_ms"] += frame.duration_ms
                self._log.sent(link.cursor)
                self.metrics["replay_truncated_ms"] = self._log.truncated_ms
                link.cursor = max(link.cursor + 1, self._log.first_seq)
                self._drained.set()
                last_audio, next_keepalive = self._loop.time(), None
                continue
            if self._finishing:
                tail = b"" if self._encoded else link.encoder.flush()
                if tail:
                    await link.ws.send(link.conn.send(p.Audio(tail)))
                    self.metrics["audio_sent_bytes"] += len(tail)
                await link.ws.send(link.conn.send(p.FinishTask(link.task_id)))
                link.finish_sent_at = self._loop.time()
                return
            now = self._loop.time()
            due = next_keepalive if next_keepalive is not None else last_audio + t.keepalive_after
            if self._encoded:  # no keep-alive silence for packets (see the module's docstring)
                await self._wake.wait()
                continue
            if now >= due:
                link.clock.add_silence(t.keepalive_ms * SAMPLES_PER_MS)
                silence = link.encoder.silence(t.keepalive_ms)
                await link.ws.send(link.conn.send(p.Audio(silence)))
                self.metrics["keepalive_ms"] += t.keepalive_ms
                self.metrics["audio_sent_bytes"] += len(silence)
                next_keepalive = now + t.keepalive_every
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), due - now)

    async def _send_audio(self, link: _Link, frame: AudioFrame | EncodedFrame) -> None:
        """One frame on the wire: PCM at the task's rate, or the chunk's packets in the
        task's own stream (its headers first, on the task's first chunk)."""
        if isinstance(frame, AudioFrame):
            data = link.encoder.encode(frame.pcm)
        else:
            if link.muxer is None:
                link.muxer = TaskMuxer(frame.encoding)
                head = link.muxer.start()
                if head:
                    await link.ws.send(link.conn.send(p.Audio(head)))
                    self.metrics["audio_sent_bytes"] += len(head)
            data = link.muxer.chunk(frame)
        await link.ws.send(link.conn.send(p.Audio(data)))
        self.metrics["audio_sent_bytes"] += len(data)

    async def _receive_loop(self, link: _Link) -> None:
        while True:
            timeout = self._t.stall if link.finish_sent_at is not None else None
            try:
                frame = await asyncio.wait_for(link.ws.recv(), timeout)
            except TimeoutError:
                raise _Retry(f"no answer for {self._t.stall:g} s after the end of the audio") from None
            try:
                event = link.conn.receive(frame)
            except p.RemoteProtocolError as exc:
                raise self._bad_server(exc) from None
            if isinstance(event, p.ResultGenerated):
                self._on_result(link, event)
            elif isinstance(event, p.Heartbeat):
                self.metrics["heartbeats"] += 1
            elif isinstance(event, p.TaskFinished):
                if link.finish_sent_at is not None:
                    self.metrics["last_package_delay_ms"] = round((self._loop.time() - link.finish_sent_at) * 1000)
                return
            elif isinstance(event, p.TaskFailed):
                error = task_failure(event, self._endpoint)
                if error.retryable:
                    raise _Retry(error.message)
                raise error

    def _on_result(self, link: _Link, event: p.ResultGenerated) -> None:
        s = event.sentence
        # Gummy with transcription off sends the translation alone: that is the content.
        said = bool(s.text or (s.translation is not None and s.translation.text))
        if event.usage is not None and event.usage.duration_s > link.usage_s:
            link.usage_s = event.usage.duration_s
        if said and self.metrics["first_package_delay_ms"] is None and link.first_audio_at is not None:
            self.metrics["first_package_delay_ms"] = round((self._loop.time() - link.first_audio_at) * 1000)
        mapped = link.clock.map(s)
        self._log.heard(mapped.end_ms, link.cursor)
        self.metrics["replay_truncated_ms"] = self._log.truncated_ms
        if s.final:
            if mapped.end_ms <= self._last_final_end:
                # Replayed audio the transcript already has (or an empty final of it).
                self.metrics["duplicates_dropped"] += said
            else:
                self._last_final_end = mapped.end_ms
                self._log.finalised(mapped.end_ms, link.cursor)
                link.cursor = max(link.cursor, self._log.first_seq)
                if said:
                    link.delivered_final = True
                    self._emit(mapped)
        elif said:
            self._emit(mapped)
        total = self._usage_done + link.usage_s
        if total > self._usage_shown:
            self._usage_shown = total
            self.metrics["usage_s"] = total
            self._emit(Usage(total))


async def _close(ws: WebSocket, graceful: bool = False) -> None:
    """Close after a finished task (a clean close handshake), else just cut the connection:
    after a failure the server may have stopped reading, and a close handshake would only
    wait for its timeout."""
    if not graceful:
        ws.transport.abort()
    try:
        await ws.close()
    except Exception:  # closing a broken connection may fail in any number of ways
        pass
