"""The cloud engine: DashScope realtime recognition (Fun-ASR / Paraformer) over `websockets`.

A thin asyncio layer over the sans-I/O `protocol` module, the way `websockets` sits over its
own protocol layer: this module owns sockets, timers and the audio; `protocol` owns every
JSON shape and the task state machine.

What it adds to the bare protocol, and why:

- **Nothing is lost when the connection drops.** Every pushed frame stays in an `_AudioLog`
  until a final covers it. When the connection drops (or the task fails with a retryable
  code) `push()` keeps accepting audio, the session reconnects with bounded exponential
  backoff and jitter, starts a new task, and replays the audio the service had not yet
  turned into finals. The new task's clock starts at the end of the last final, so its
  times are shifted back onto the session clock; a replayed final that ends at or before
  the last final already delivered is dropped. No final is lost, none is duplicated, and
  times stay monotonic.
- **Pauses do not kill the task.** The service fails a task that receives no data for 23 s.
  When the source goes quiet (capture paused), the sender injects 100 ms of silence every
  second after `keepalive_after` seconds; a `_TaskClock` remembers which stretches of the
  task's audio were real, so injected silence never shifts the transcript.
- **Errors a user understands.** Every service code maps to one sentence (`EXPLANATIONS`);
  a refused handshake names the region, because keys are region-specific.
- **The key stays secret.** It lives in a `credentials.ApiKey` that does not print itself,
  and `websockets`' DEBUG handshake log (which includes request headers) goes through
  `RedactingLogger`. TLS verification is always on; an unverified context is refused.

Timeouts, backoff and keep-alive cadence are constructor arguments so tests (and unusual
networks) can tune them; the defaults follow the service's documented limits.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import dataclasses
import logging
import platform
import random
import ssl
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection as WebSocket
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException

from captioner import __version__
from captioner.audio.frames import BYTES_PER_SAMPLE, FRAME_SAMPLES, SAMPLE_RATE, AudioFrame
from captioner.errors import MissingKeyError, ParameterError
from captioner.events import EngineStatus, RecognitionError, Sentence, Usage
from captioner.protocol import realtime as p
from captioner.protocol.endpoints import REGIONS, Endpoint, resolve
from captioner.protocol.realtime import ErrorCode
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.recognition.cloud.credentials import ENV_VAR, ApiKey, RedactingLogger, resolve_api_key
from captioner.settings import RecognitionSettings

log = logging.getLogger(__name__)
#: The websockets connection logs here (handshake headers at DEBUG, redacted).
wire_log = logging.getLogger("captioner.dashscope.wire")

SAMPLES_PER_MS = SAMPLE_RATE // 1000

# -- Error codes of our own (never sent by the service) -------------------------------------

NO_API_KEY = "NoApiKey"
TLS_ERROR = "TLSError"
BAD_SERVER = "BadServer"  # the peer does not speak the DashScope protocol

#: One short explanation per error code: the single place that turns codes into words.
EXPLANATIONS: dict[str, str] = {
    ErrorCode.CLIENT_ERROR: "the service rejected what this app sent",
    ErrorCode.NO_VALID_AUDIO: "the audio does not match the declared format or sample rate",
    ErrorCode.NO_INPUT_AUDIO: "no speech was found in the audio",
    ErrorCode.INVALID_PARAMETER: "a recognition setting was rejected",
    ErrorCode.CLIENT_DISCONNECT: "the connection closed before the task finished",
    ErrorCode.REQUEST_TIMEOUT: "the service stopped waiting during a long silence (turn on heartbeat for long pauses)",
    ErrorCode.INVALID_API_KEY: "the API key was rejected",
    ErrorCode.NOT_AUTHORIZED: "the workspace id is wrong, or the key does not belong to that workspace",
    ErrorCode.ACCESS_DENIED: "this API key may not use the service",
    ErrorCode.ACCESS_DENIED_UNPURCHASED: "speech recognition is not activated for this Alibaba Cloud account",
    ErrorCode.MODEL_ACCESS_DENIED: "this API key has no permission for the chosen model",
    ErrorCode.WORKSPACE_ACCESS_DENIED: "this API key has no permission in that workspace",
    ErrorCode.FREE_TIER_ONLY: "the free quota is used up and the account allows the free tier only",
    ErrorCode.ARREARAGE: "the Alibaba Cloud account has an overdue payment",
    ErrorCode.MODEL_NOT_FOUND: "the model name is not known in this region",
    ErrorCode.THROTTLING: "too many requests: the service's rate limit was reached",
    ErrorCode.THROTTLING_RATE_QUOTA: "too many requests: the account's rate quota was reached",
    ErrorCode.THROTTLING_BURST_RATE: "too many requests at once",
    ErrorCode.THROTTLING_ALLOCATION_QUOTA: "a quota of the account is used up",
    ErrorCode.INTERNAL_ERROR: "the service had an internal error",
    ErrorCode.INTERNAL_ERROR_ALGO: "the recognition engine had an internal error",
    ErrorCode.INTERNAL_ERROR_TIMEOUT: "the service timed out",
    ErrorCode.SYSTEM_ERROR: "the service had a system error",
    ErrorCode.MODEL_SERVICE_FAILED: "the model service failed",
    ErrorCode.SERVICE_UNAVAILABLE: "the service is overloaded or unavailable",
    ErrorCode.MODEL_UNAVAILABLE: "the model is temporarily unavailable",
    ErrorCode.MODEL_SERVING_ERROR: "the model could not serve the request",
    ErrorCode.NETWORK_ERROR: "the connection to the service failed",
    NO_API_KEY: "no API key was found",
    TLS_ERROR: "the server's TLS certificate could not be verified",
    BAD_SERVER: "the server does not speak the DashScope realtime protocol",
}


def explain(code: str) -> str:
    return EXPLANATIONS.get(code, "the service reported an error")


class ConfigurationError(ParameterError, RecognitionError):
    """The engine cannot be set up as asked (a malformed URL or workspace id, a bad key).
    A RecognitionError for the app, and a ParameterError (so a ValueError too): the CLI
    reports a usage error."""


class MissingApiKey(MissingKeyError, ConfigurationError):
    """No key for a cloud region (category MISSING_KEY: a usage error for the CLI, the
    "enter the key" dialog in the window)."""


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


#: Replay bounds (see _AudioLog): an open sentence keeps at most this much of its audio for a
#: replay (a two-minute sentence is rare), and the log never holds more than MAX_RETAINED_MS
#: (about 19 MB) whatever happens.
REPLAY_WINDOW_MS = 120_000
MAX_RETAINED_MS = 600_000
#: Audio pushed but never sent beyond which push() waits (back-pressure for fast file input;
#: above the give-up time so a live microphone is never held up during an outage).
MAX_UNSENT_MS = 90_000
#: Largest message the client accepts (the SDK's aiohttp default).
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


# -- The recognizer ------------------------------------------------------------------------


class DashScopeRecognizer(Recognizer):
    """Alibaba Cloud Model Studio realtime recognition, or any server speaking its protocol.

    `url` overrides the endpoint (e.g. `captioner serve`); otherwise `region` ("cn" Beijing,
    default, or "intl" Singapore) and `workspace` pick it. The key comes from `api_key`, else
    DASHSCOPE_API_KEY, else the OS keyring (see credentials.py); a custom URL needs none.
    `data_inspection` sends X-DashScope-DataInspection: enable. `ssl_context` may add a CA
    (a corporate proxy) but must verify certificates and host names.
    """

    name = "dashscope"

    def __init__(
        self,
        url: str | None = None,
        region: str | None = None,
        api_key: str | None = None,
        workspace: str | None = None,
        *,
        data_inspection: bool = False,
        workspace_domain: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
        timeouts: Timeouts | None = None,
        replay_window_ms: int = REPLAY_WINDOW_MS,
        max_retained_ms: int = MAX_RETAINED_MS,
        max_unsent_ms: int = MAX_UNSENT_MS,
    ) -> None:
        try:
            self.endpoint: Endpoint = resolve(url, region, workspace, workspace_domain=workspace_domain)
            region_code = self.endpoint.region.code if self.endpoint.region else None
            # A custom URL gets a key only when given one (or the environment's): a key saved
            # for Alibaba Cloud must not be sent to whatever server a URL names.
            self._key: ApiKey | None = resolve_api_key(
                region_code, api_key, use_keyring=not self.endpoint.custom or region is not None
            )
        except ValueError as exc:
            raise ConfigurationError(ErrorCode.INVALID_PARAMETER, str(exc)) from None
        self.workspace = workspace
        self.data_inspection = data_inspection
        if self._key is None and not self.endpoint.custom:
            assert self.endpoint.region is not None
            raise MissingApiKey(
                NO_API_KEY,
                f"No API key for {self.endpoint.label}: set the {ENV_VAR} environment variable, "
                f"or save the key for the {self.endpoint.region.name} region in the app's settings.",
            )
        if ssl_context is not None and (ssl_context.verify_mode != ssl.CERT_REQUIRED or not ssl_context.check_hostname):
            raise ValueError("ssl_context must verify certificates and host names (CERT_REQUIRED, check_hostname)")
        self._ssl = ssl_context
        self.reconnect = reconnect or ReconnectPolicy()
        self.timeouts = timeouts or Timeouts()
        self.replay_window_ms = replay_window_ms
        self.max_retained_ms = max_retained_ms
        self.max_unsent_ms = max_unsent_ms

    def __repr__(self) -> str:
        return f"DashScopeRecognizer(url={self.endpoint.url!r}, key={self._key!r})"

    def describe(self) -> dict[str, Any]:
        """For journals: where and how, never the key (only where it came from)."""
        region = self.endpoint.region
        return {
            "engine": self.name,
            "url": self.endpoint.url,
            "region": region.code if region else None,
            "workspace": self.workspace,
            "data_inspection": self.data_inspection,
            "key_source": self._key.source if self._key else None,
        }

    async def prepare(self) -> None:
        """Load the system's CA certificates now, not while the first session connects."""
        if self.endpoint.secure:
            await asyncio.get_running_loop().run_in_executor(None, self._ssl_context)

    async def start(self, settings: RecognitionSettings) -> DashScopeSession:
        """Connect and start a task; raises RecognitionError if the first attempt fails."""
        if settings.format != "pcm":
            raise RecognitionError(
                ErrorCode.INVALID_PARAMETER,
                f"format: the cloud engine streams raw PCM, so format must be 'pcm' (got {settings.format!r})",
            )
        session = DashScopeSession(self, settings)
        await session._open()
        return session

    # -- Connecting (used by sessions) -------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    async def _connect(self) -> WebSocket:
        """One WebSocket to the endpoint; every failure becomes a RecognitionError."""
        headers: list[tuple[str, str]] = []
        secrets: tuple[str, ...] = ()
        if self._key is not None:
            headers.append(("Authorization", self._key.authorization()))
            secrets = (self._key.reveal(),)
        if self.workspace:
            headers.append(("X-DashScope-WorkSpace", self.workspace))
        if self.data_inspection:
            headers.append(("X-DashScope-DataInspection", "enable"))
        t = self.timeouts
        kwargs: dict[str, Any] = {}
        if self.endpoint.secure:
            kwargs["ssl"] = self._ssl_context()
        try:
            return await connect(
                self.endpoint.url,
                additional_headers=headers,
                user_agent_header=f"captioner/{__version__} websockets/{websockets.__version__} "
                f"python/{platform.python_version()}",
                compression=None,  # audio does not compress; the SDK does not negotiate it either
                open_timeout=t.open,
                ping_interval=t.ping_interval,
                ping_timeout=t.ping_timeout,
                close_timeout=t.close,
                max_size=MAX_MESSAGE_BYTES,
                logger=RedactingLogger(wire_log, secrets),
                **kwargs,
            )
        except InvalidStatus as exc:
            raise self._refused(exc) from None
        except ssl.SSLCertVerificationError as exc:
            raise RecognitionError(
                TLS_ERROR,
                f"The TLS certificate of {self.endpoint.url} could not be verified ({exc.verify_message}). "
                "Check the computer's date and time, or whether a proxy intercepts encrypted traffic.",
            ) from None
        except InvalidURI as exc:
            raise RecognitionError(BAD_SERVER, f"The service URL is not valid: {exc}") from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise RecognitionError(
                ErrorCode.NETWORK_ERROR,
                f"Could not connect to {self.endpoint.label}: {_describe_os_error(exc)}",
                retryable=True,
            ) from None

    def _refused(self, exc: InvalidStatus) -> RecognitionError:
        """A refused handshake, in words: 401/403 mean the key, 5xx/429 mean try later."""
        status = exc.response.status_code
        code, message = p.decode_http_error(exc.response.body or b"")
        where = self.endpoint.label
        if status in (401, 403) and code in ("", ErrorCode.INVALID_API_KEY, ErrorCode.NOT_AUTHORIZED):
            region = self.endpoint.region
            parts = [f"The API key was rejected by {where} (HTTP {status})."]
            if code == ErrorCode.NOT_AUTHORIZED:
                parts.append(explain(code).capitalize() + ".")
            if region is not None and not self.endpoint.custom:
                others = " / ".join(r.name for r in REGIONS.values() if r is not region)
                parts.append(
                    f"Keys are region-specific: a key made for {others} does not work in {region.name}; "
                    "check the key, or choose the region it was created in."
                )
            if self._key is None:
                parts.append("No key was sent: set the API key.")
            else:
                parts.append(f"The key came from {_key_origin(self._key)}.")
            return RecognitionError(code or ErrorCode.INVALID_API_KEY, " ".join(parts))
        if status == 404:
            return RecognitionError(
                BAD_SERVER, f"There is no realtime recognition service at {self.endpoint.url} (HTTP 404)."
            )
        retryable = p.is_retryable_http_status(status) or p.is_retryable(code, message)
        detail = f"{explain(code)}: {message}" if code else f"HTTP {status}"
        return RecognitionError(
            code or f"HTTP{status}", f"{where} refused the connection: {detail}", retryable=retryable
        )


def _key_origin(key: ApiKey) -> str:
    origins = {"env": ENV_VAR, "keyring": "the system keyring", "explicit": "the app's settings"}
    return origins.get(key.source, key.source)


def _describe_os_error(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    import socket

    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror})"
    return str(exc) or type(exc).__name__


def _task_failure(event: p.TaskFailed, endpoint: Endpoint) -> RecognitionError:
    code, message = event.error_code, event.error_message
    text = f"{endpoint.label}: {explain(code)} — {message}" if message else f"{endpoint.label}: {explain(code)}"
    if code == ErrorCode.INVALID_API_KEY and endpoint.region is not None and not endpoint.custom:
        text += " (API keys are region-specific)"
    return RecognitionError(code, text, retryable=event.retryable)


# -- Clocks and audio --------------------------------------------------------------------


class _TaskClock:
    """Task audio time -> session time, for one task.

    The service times results by the audio the task received. Real frames advance both
    clocks together (a run); injected keep-alive silence advances only the task's. A task
    time inside injected silence maps to the end of the run before it. Positions are kept in
    samples, so odd frame lengths do not drift.
    """

    def __init__(self, fallback_ms: int) -> None:
        self.task_samples = 0
        self._starts: list[int] = []  # task sample where each run starts
        self._runs: list[tuple[int, int]] = []  # (session start in samples, length in samples)
        self._fallback = fallback_ms * SAMPLES_PER_MS

    def add_real(self, frame: AudioFrame) -> None:
        n = frame.sample_count
        session = frame.start_ms * SAMPLES_PER_MS
        if self._runs:
            s0, length = self._runs[-1]
            if self._starts[-1] + length == self.task_samples and abs(s0 + length - session) < SAMPLES_PER_MS:
                self._runs[-1] = (s0, length + n)
                self.task_samples += n
                return
        self._starts.append(self.task_samples)
        self._runs.append((session, n))
        self.task_samples += n

    def add_silence(self, samples: int) -> None:
        self.task_samples += samples

    def to_session(self, task_ms: int) -> int:
        t = task_ms * SAMPLES_PER_MS
        i = bisect.bisect_right(self._starts, t) - 1
        if i < 0:
            return round((self._runs[0][0] if self._runs else self._fallback) / SAMPLES_PER_MS)
        s0, length = self._runs[i]
        return round((s0 + min(t - self._starts[i], length)) / SAMPLES_PER_MS)

    def map(self, s: Sentence) -> Sentence:
        begin = self.to_session(s.begin_ms)
        offset = begin - s.begin_ms
        times = [s.end_ms] + [t for w in s.words for t in (w.begin_ms, w.end_ms)]
        if all(self.to_session(t) == t + offset for t in times):
            return s.shifted(offset)
        words = tuple(
            dataclasses.replace(w, begin_ms=self.to_session(w.begin_ms), end_ms=self.to_session(w.end_ms))
            for w in s.words
        )
        return dataclasses.replace(s, begin_ms=begin, end_ms=self.to_session(s.end_ms), words=words)


class _AudioLog:
    """Session audio the service has not finalised yet, plus audio not yet sent.

    Frames are numbered in push order (seq). Frames up to the end of the last final are
    dropped; a frame the last final ends inside is cut there, so a replay starts exactly
    where the transcript stands. Two bounds keep it finite, both counted in
    `truncated_ms`: a sentence still open `window_ms` after its start (as far as the
    service has reported hearing) loses its oldest audio, and whatever happens, no more
    than `max_retained_ms` is kept (a long silence yields no results at all).

    "Sent" is not "heard": a file fed faster than real time may be far ahead of the
    service, so the window is measured from what results show the service has heard.
    """

    def __init__(self, window_ms: int, max_retained_ms: int) -> None:
        self.frames: collections.deque[AudioFrame] = collections.deque()
        self.first_seq = 0
        self.window_ms = window_ms
        self.max_retained_ms = max(window_ms, max_retained_ms)
        self.fresh_seq = 0  # frames below this were sent at least once
        self.pushed_samples = 0
        self.fresh_samples = 0  # samples of frames sent at least once
        self.truncated_ms = 0

    @property
    def end_seq(self) -> int:
        return self.first_seq + len(self.frames)

    @property
    def unsent_ms(self) -> int:
        return (self.pushed_samples - self.fresh_samples) // SAMPLES_PER_MS

    def append(self, frame: AudioFrame) -> None:
        self.frames.append(frame)
        self.pushed_samples += frame.sample_count

    def get(self, seq: int) -> AudioFrame | None:
        i = seq - self.first_seq
        return self.frames[i] if 0 <= i < len(self.frames) else None

    def sent(self, seq: int) -> None:
        """Frame `seq` went out; keep the log under max_retained_ms."""
        newest = self.get(seq)
        if seq >= self.fresh_seq:
            self.fresh_seq = seq + 1
            if newest is not None:
                self.fresh_samples += newest.sample_count
        while (
            newest is not None
            and self.first_seq < seq
            and newest.end_ms - self.frames[0].start_ms > self.max_retained_ms
        ):
            self._truncate()

    def heard(self, end_ms: int, cursor: int) -> None:
        """A result shows the service heard audio up to end_ms."""
        while self.frames and self.first_seq < cursor and self.frames[0].end_ms <= end_ms - self.window_ms:
            self._truncate()

    def finalised(self, end_ms: int, cursor: int) -> None:
        """Audio up to end_ms is in a delivered final; keep only what follows (and what is
        not yet sent on the current task, `cursor` and beyond, whatever its time)."""
        while self.frames and self.first_seq < cursor and self.frames[0].end_ms <= end_ms:
            self._pop()
        if self.frames and self.first_seq < cursor:
            f = self.frames[0]
            if f.start_ms < end_ms < f.end_ms:
                cut = (end_ms - f.start_ms) * SAMPLES_PER_MS * BYTES_PER_SAMPLE
                self.frames[0] = AudioFrame(f.pcm[cut:], end_ms)

    def _truncate(self) -> None:
        self.truncated_ms += self.frames[0].duration_ms
        self._pop()

    def _pop(self) -> None:
        self.frames.popleft()
        self.first_seq += 1


class _Encoder:
    """16 kHz session PCM -> the task's sample rate (8 kHz telephone models, or others)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._resampler = None
        if rate != SAMPLE_RATE:
            import soxr

            self._resampler = soxr.ResampleStream(SAMPLE_RATE, rate, 1, dtype="int16")

    def encode(self, pcm: bytes) -> bytes:
        if self._resampler is None:
            return pcm
        import numpy as np

        return self._resampler.resample_chunk(np.frombuffer(pcm, dtype="<i2")).astype("<i2").tobytes()

    def flush(self) -> bytes:
        """What the resampler still holds (its filter delay): sent before finish-task."""
        if self._resampler is None:
            return b""
        import numpy as np

        tail = self._resampler.resample_chunk(np.zeros(0, dtype="<i2"), last=True)
        return tail.astype("<i2").tobytes()

    def silence(self, ms: int) -> bytes:
        return bytes(self.rate * ms // 1000 * BYTES_PER_SAMPLE)


# -- One connection running one task -----------------------------------------------------


@dataclass(eq=False)
class _Link:
    ws: WebSocket
    conn: p.ClientConnection
    task_id: str
    clock: _TaskClock
    encoder: _Encoder
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
    usage_s (billed seconds, all tasks), audio_sent_ms, replayed_ms, keepalive_ms,
    heartbeats, duplicates_dropped, replay_truncated_ms.
    """

    def __init__(self, recognizer: DashScopeRecognizer, settings: RecognitionSettings) -> None:
        super().__init__()
        self.recognizer = recognizer
        self.settings = settings
        self._endpoint = recognizer.endpoint
        self._t = recognizer.timeouts
        self._policy = recognizer.reconnect
        self._log = _AudioLog(recognizer.replay_window_ms, recognizer.max_retained_ms)
        self._max_unsent_ms = recognizer.max_unsent_ms
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
            usage_s=0, audio_sent_ms=0, replayed_ms=0, keepalive_ms=0, heartbeats=0,
            duplicates_dropped=0, replay_truncated_ms=0,
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"<DashScopeSession {self._endpoint.url} task={self.metrics['task_id']}>"

    # -- The RecognitionSession interface ------------------------------------------------

    async def push(self, frame: AudioFrame) -> None:
        """Queue ~100 ms of audio. Never blocks on the network; waits only when more than
        max_unsent_ms of audio is waiting to be sent (a file read faster than the service
        takes it). Audio after finish() or aclose() is ignored."""
        if self._finishing or self._closed or self.ended:
            return
        for piece in _pieces(frame):
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
            raise _task_failure(event, self._endpoint)
        assert isinstance(event, p.TaskStarted)  # the state machine admits nothing else here
        log_ = self._log
        link = _Link(
            ws, conn, run.task_id, _TaskClock(self._last_final_end), _Encoder(self.settings.sample_rate),
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
            raise _Retry(_closed_reason(exc)) from None
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
                await link.ws.send(link.conn.send(p.Audio(link.encoder.encode(frame.pcm))))
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
                tail = link.encoder.flush()
                if tail:
                    await link.ws.send(link.conn.send(p.Audio(tail)))
                await link.ws.send(link.conn.send(p.FinishTask(link.task_id)))
                link.finish_sent_at = self._loop.time()
                return
            now = self._loop.time()
            due = next_keepalive if next_keepalive is not None else last_audio + t.keepalive_after
            if now >= due:
                link.clock.add_silence(t.keepalive_ms * SAMPLES_PER_MS)
                await link.ws.send(link.conn.send(p.Audio(link.encoder.silence(t.keepalive_ms))))
                self.metrics["keepalive_ms"] += t.keepalive_ms
                next_keepalive = now + t.keepalive_every
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), due - now)

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
                error = _task_failure(event, self._endpoint)
                if error.retryable:
                    raise _Retry(error.message)
                raise error

    def _on_result(self, link: _Link, event: p.ResultGenerated) -> None:
        s = event.sentence
        if event.usage is not None and event.usage.duration_s > link.usage_s:
            link.usage_s = event.usage.duration_s
        if s.text and self.metrics["first_package_delay_ms"] is None and link.first_audio_at is not None:
            self.metrics["first_package_delay_ms"] = round((self._loop.time() - link.first_audio_at) * 1000)
        mapped = link.clock.map(s)
        self._log.heard(mapped.end_ms, link.cursor)
        self.metrics["replay_truncated_ms"] = self._log.truncated_ms
        if s.final:
            if mapped.end_ms <= self._last_final_end:
                # Replayed audio the transcript already has (or an empty final of it).
                self.metrics["duplicates_dropped"] += bool(s.text)
            else:
                self._last_final_end = mapped.end_ms
                self._log.finalised(mapped.end_ms, link.cursor)
                link.cursor = max(link.cursor, self._log.first_seq)
                if s.text:
                    link.delivered_final = True
                    self._emit(mapped)
        elif s.text:
            self._emit(mapped)
        total = self._usage_done + link.usage_s
        if total > self._usage_shown:
            self._usage_shown = total
            self.metrics["usage_s"] = total
            self._emit(Usage(total))


def _pieces(frame: AudioFrame) -> list[AudioFrame]:
    """The service wants about 100 ms per binary frame (1-16 KB); longer frames are cut."""
    size = FRAME_SAMPLES * BYTES_PER_SAMPLE
    if len(frame.pcm) <= size * 3 // 2:
        return [frame]
    return [
        AudioFrame(frame.pcm[i : i + size], frame.start_ms + i // BYTES_PER_SAMPLE // SAMPLES_PER_MS)
        for i in range(0, len(frame.pcm), size)
    ]


def _closed_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionClosed):
        rcvd = exc.rcvd
        if rcvd is None:
            return "the connection dropped"
        return f"the server closed the connection ({rcvd.code}{' ' + rcvd.reason if rcvd.reason else ''})"
    return _describe_os_error(exc)


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


__all__ = [
    "EXPLANATIONS",
    "ConfigurationError",
    "DashScopeRecognizer",
    "DashScopeSession",
    "MissingApiKey",
    "ReconnectPolicy",
    "Timeouts",
    "explain",
]

