"""CaptionSession: the one path from sound to captions.

    source (mic, system audio, file) -> recognizer session -> transcript -> listeners

The GUI, the CLI, the server's tests and the benchmarks all drive this object; none of them
wire sources to engines themselves. It owns the session clock: every frame is re-stamped with
the milliseconds of audio pushed so far, so the clock runs on even when the user switches to
another microphone mid-session. No Qt here: the UI subscribes a listener and turns events
into signals.

A media file the engine can take as it is (the cloud, for a file in a format the service
decodes: `audio/packets.py`) is sent as its own compressed packets instead of decoded PCM:
the same path, the same clock (each chunk carries its duration), only smaller.

Overload sheds work, not words: when a live source drops audio because the engine is too
slow, the session records a `Gap` where it happened (merged while the drops continue), so
the transcript, the journal and every export say that something is missing there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from captioner.audio.frames import AudioFrame, AudioSource, AudioSourceError
from captioner.audio.packets import EncodedFrame, EncodedSource, Encoding
from captioner.events import EngineStatus, Gap, RecognitionError, Sentence, Usage
from captioner.protocol.realtime import ErrorCode
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings
from captioner.transcript.model import Transcript

log = logging.getLogger(__name__)

#: A gap still growing is recorded (and a new one started) after this much session clock,
#: so a long overload is marked along its length and reaches the journal promptly instead
#: of as one marker, written only when the overload ends (or never, after a crash).
GAP_SPLIT_MS = 5000


class SessionState(enum.Enum):
    IDLE = "idle"
    STARTING = "starting"
    LISTENING = "listening"
    RECONNECTING = "reconnecting"
    STOPPING = "stopping"
    STOPPED = "stopped"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class StateChanged:
    state: SessionState
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AudioLevel:
    """Per-frame level for meters; position_ms is the end of the frame on the session clock."""

    position_ms: int
    rms: float
    peak: float


@dataclass(frozen=True, slots=True)
class SourceFailed:
    """The audio source died (device unplugged, file damaged). The transcript so far is kept."""

    message: str


@dataclass(frozen=True, slots=True)
class AudioDropped:
    """The engine is slower than the audio: a live source threw away its oldest audio.

    `total_ms` is everything dropped so far this session; published when it grows (at most
    once a second), so the UI can say captions are lagging instead of silently skipping."""

    total_ms: float


SessionEvent = Sentence | Usage | EngineStatus | StateChanged | AudioLevel | SourceFailed | AudioDropped | Gap
Listener = Callable[[SessionEvent], None]


class FinalSink(Protocol):
    """Where finals go the moment they arrive (the crash-safe journal, a live SRT file)."""

    def append(self, sentence: Sentence) -> None: ...


class PartialSink(Protocol):
    """Optional on a sink: also take every partial (the journal keeps the latest, so a
    crash in the middle of a long sentence does not lose all of it)."""

    def append_partial(self, sentence: Sentence) -> None: ...


class GapSink(Protocol):
    """Optional on a sink: also take every gap (audio that was dropped, never captioned)."""

    def append_gap(self, gap: Gap) -> None: ...


class CaptionSession:
    """Run one captioning session: `await session.run()` returns the finished transcript.

    `stop()` ends it gracefully (the source closes, the engine finalises the sentence being
    spoken, run() returns); `switch_source()` continues on another input without a gap in
    the transcript. If the source fails, `SourceFailed` is reported and the session either
    finishes (the CLI) or waits for `switch_source()` (the GUI), per `wait_on_source_error`.
    """

    def __init__(
        self,
        source: AudioSource,
        recognizer: Recognizer,
        settings: RecognitionSettings,
        *,
        transcript: Transcript | None = None,
        sinks: list[FinalSink] | None = None,
        wait_on_source_error: bool = False,
    ) -> None:
        self.source = source
        self.recognizer = recognizer
        self.settings = settings
        self.transcript = transcript if transcript is not None else Transcript()
        self.sinks = list(sinks or [])
        self.state = SessionState.IDLE
        self.wait_on_source_error = wait_on_source_error
        self.position_ms = 0
        self._listeners: list[Listener] = []
        self._stopping = asyncio.Event()
        self._source_changed = asyncio.Event()
        self._recognition: RecognitionSession | None = None
        #: Audio dropped by sources already left behind (switch_source), and by the current one.
        self._dropped_before_ms = 0.0
        self._dropped_reported_ms = 0.0
        self._dropped_reported_at = 0
        #: Dropped audio already turned into gaps (or into the open one), in ms.
        self._dropped_seen_ms = 0.0
        #: The gap still growing: [position on the session clock, ms dropped so far].
        self._open_gap: list[float] | None = None
        #: The source's own encoding, when the engine takes its packets as they are.
        self.encoding: Encoding | None = None

    # Observation -----------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def dropped_ms(self) -> float:
        return self._dropped_before_ms + self.source.dropped_ms

    @property
    def metrics(self) -> dict[str, Any]:
        metrics = dict(self._recognition.metrics) if self._recognition else {}
        metrics["audio_dropped_ms"] = round(self.dropped_ms)
        return metrics

    def _publish(self, event: SessionEvent) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a broken observer must not take captions down with it
                log.exception("session listener failed on %r", event)

    def _set_state(self, state: SessionState, detail: str = "") -> None:
        if state is not self.state or detail:
            self.state = state
            self._publish(StateChanged(state, detail))

    # Control ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Finish gracefully: no more audio, the last sentence still arrives. Idempotent."""
        if not self._stopping.is_set():
            self._stopping.set()
            if self.state in (SessionState.LISTENING, SessionState.RECONNECTING, SessionState.STARTING):
                self._set_state(SessionState.STOPPING)
            self.source.close()

    def switch_source(self, source: AudioSource) -> None:
        """Continue on another input; the clock and the transcript run on."""
        self._track_drops(self.position_ms)
        self._close_gap()  # the next source's drops are a new gap
        self._dropped_before_ms += self.source.dropped_ms
        old, self.source = self.source, source
        self._source_changed.set()
        old.close()

    # Running ---------------------------------------------------------------------------

    async def run(self) -> Transcript:
        """Caption until the source ends or stop(); raises RecognitionError if the engine fails."""
        self._set_state(SessionState.STARTING)
        try:
            await self.recognizer.prepare()
            self._recognition = await self._start()
        except RecognitionError as exc:
            self._set_state(SessionState.ERROR, exc.message)
            raise
        if not self._stopping.is_set():
            self._set_state(SessionState.LISTENING)
        pump = asyncio.create_task(self._pump(self._recognition), name="caption-pump")
        try:
            await self._consume(self._recognition)
            source_error = await pump
        except BaseException as exc:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
            await self._recognition.aclose()
            if isinstance(exc, RecognitionError):
                self._set_state(SessionState.ERROR, exc.message)
            elif isinstance(exc, Exception):
                self._set_state(SessionState.ERROR, f"internal error: {exc}")
            raise
        if source_error is not None and not self._stopping.is_set():
            self._set_state(SessionState.ERROR, source_error)
        else:
            self._set_state(SessionState.STOPPED)
        return self.transcript

    async def _start(self) -> RecognitionSession:
        """Start the engine's session: on the source's packets when it takes them; if the
        service then refuses that format (a server whose decoder lacks it), on PCM."""
        settings = self._start_settings()
        try:
            return await self.recognizer.start(settings)
        except RecognitionError as exc:
            if self.encoding is None or exc.code != ErrorCode.INVALID_PARAMETER:
                raise
            log.warning("the engine refused %s audio (%s); sending PCM", settings.format, exc.message)
            self.encoding = None
            return await self.recognizer.start(self.settings)

    def _start_settings(self) -> RecognitionSettings:
        """The settings as given, or, when the source can hand over its own packets and the
        engine takes them as they are, those settings with the packets' format and rate."""
        source = self.source
        if isinstance(source, EncodedSource) and source.encoding is not None:
            encoded = self.recognizer.encoded_settings(source.encoding, self.settings)
            if encoded is not None:
                self.encoding = source.encoding
                log.info("sending %s as %s at %d Hz", source, encoded.format, encoded.sample_rate)
                return encoded
        return self.settings

    def _frames(self, source: AudioSource) -> AsyncIterator[AudioFrame | EncodedFrame]:
        """The source's packets on a session that takes them, else its PCM frames. (A
        source switched to mid-session in another encoding gives PCM, which the engine
        refuses with a RecognitionError: files, the only encoded sources, are not switched.)"""
        if self.encoding is not None and isinstance(source, EncodedSource) and source.encoding == self.encoding:
            return source.encoded_frames()
        return source.frames()

    async def _pump(self, recognition: RecognitionSession) -> str | None:
        """Move frames from the (current) source into the engine; returns a source error."""
        try:
            return await self._pump_sources(recognition)
        except Exception:
            # A bug below must not leave run() waiting for events that will never come.
            await recognition.aclose()
            raise

    async def _pump_sources(self, recognition: RecognitionSession) -> str | None:
        error: str | None = None
        while True:
            source = self.source
            self._source_changed.clear()
            try:
                async for frame in self._frames(source):
                    if frame.start_ms != self.position_ms:  # a copy only when the stamp changes
                        frame = dataclasses.replace(frame, start_ms=self.position_ms)
                    self._track_drops(frame.start_ms)
                    self.position_ms = frame.end_ms
                    if self._listeners:  # nobody to tell: no need to measure
                        # Packets are not decoded here: their level is unknown (0), their
                        # position still drives progress bars.
                        rms, peak = frame.level() if isinstance(frame, AudioFrame) else (0.0, 0.0)
                        self._publish(AudioLevel(self.position_ms, rms, peak))
                    self._report_drops()
                    if isinstance(frame, EncodedFrame):
                        await recognition.push_encoded(frame)
                    else:
                        await recognition.push(frame)
            except AudioSourceError as exc:
                error = str(exc)
                self._publish(SourceFailed(error))
                if self.wait_on_source_error and not self._stopping.is_set():
                    self._set_state(SessionState.ERROR, error)
                    await self._wait_for_new_source_or_stop()
            if self._stopping.is_set() or self.source is source:  # stopped, ended, or failed for good
                break
            error = None  # switched to another source: carry on
            if self.state is SessionState.ERROR:
                self._set_state(SessionState.LISTENING)
        self._track_drops(self.position_ms)
        self._close_gap()
        await recognition.finish()
        return error

    def _track_drops(self, at_ms: int) -> None:
        """Turn growth of the dropped total into gaps, precisely: called before each frame,
        so audio dropped since the previous frame lies just before `at_ms`. Drops on
        consecutive frames make one gap; the first frame without a drop ends it."""
        dropped = self.dropped_ms
        grown = dropped - self._dropped_seen_ms
        if grown <= 0:
            self._close_gap()
            return
        self._dropped_seen_ms = dropped
        if self._open_gap is not None and at_ms - self._open_gap[0] >= GAP_SPLIT_MS:
            self._close_gap()
        if self._open_gap is None:
            self._open_gap = [at_ms, grown]
        else:
            self._open_gap[1] += grown

    def _close_gap(self) -> None:
        if self._open_gap is None:
            return
        at, ms = self._open_gap
        self._open_gap = None
        if round(ms) > 0:
            self._record_gap(Gap(int(at), round(ms)))

    def _record_gap(self, gap: Gap) -> None:
        """A gap (ours, or one the engine reported) goes where a final goes."""
        self.transcript.apply(gap)
        self._to_sinks("append_gap", gap)
        self._publish(gap)

    def _report_drops(self) -> None:
        if self.position_ms - self._dropped_reported_at < 1000:
            return
        dropped = self.dropped_ms
        if dropped > self._dropped_reported_ms:
            self._dropped_reported_ms = dropped
            self._dropped_reported_at = self.position_ms
            self._publish(AudioDropped(dropped))

    async def _wait_for_new_source_or_stop(self) -> None:
        stop = asyncio.create_task(self._stopping.wait())
        switch = asyncio.create_task(self._source_changed.wait())
        await asyncio.wait({stop, switch}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        switch.cancel()

    def _to_sinks(self, method: str, item: Sentence | Gap) -> None:
        """Call `method` on every sink that has it (partials and gaps are optional)."""
        for sink in self.sinks:
            record = getattr(sink, method, None)
            if record is None:
                continue
            try:
                record(item)
            except OSError:  # a full disk must not stop the captions on screen
                log.exception("could not record %r in %r", item, sink)

    async def _consume(self, recognition: RecognitionSession) -> None:
        async for event in recognition.events():
            if isinstance(event, Gap):
                self._record_gap(event)
                continue
            if isinstance(event, Sentence):
                self.transcript.apply(event)
                self._to_sinks("append" if event.final else "append_partial", event)
            elif isinstance(event, EngineStatus):
                if event.state == "reconnecting":
                    self._set_state(SessionState.RECONNECTING, event.detail)
                elif event.state == "ready" and self.state is SessionState.RECONNECTING:
                    self._set_state(SessionState.LISTENING)
            self._publish(event)
