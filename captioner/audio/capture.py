"""Live capture: a PortAudio input stream as an AudioSource of 16 kHz frames.

Threads only at the edges: PortAudio's callback counts the block (and any overflow flag) and
copies it into the AudioBridge; nothing else happens on that thread. The loop is woken only
when enough audio for the next 100 ms frame has arrived. Downmixing, soxr
resampling, cutting into 100 ms frames, levels and silence detection run in `frames()` on the
asyncio loop. The stream runs at the device's native rate so the OS does no resampling of its
own and the device clock, not wall time, is the session clock.

Failure is loud and bounded: if PortAudio ends the stream (device unplugged, sound server
gone) `frames()` raises AudioSourceError at once; if the callbacks merely stop (a frozen
server never tells anyone), a watchdog raises after `stall_timeout_s`; if a sound-server
source vanishes while its stream goes on delivering zeros, the silence triggers a check
that the source still exists. Closing the stream
happens on a helper thread because PortAudio can block for tens of seconds talking to a
dead server; the loop never waits on it for more than `close_timeout_s`.

`close()` may be called from any thread or a signal handler and ends `frames()` promptly,
after the audio already captured (so Ctrl-C keeps the last words).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol

import numpy as np

from captioner.audio import devices as _devices
from captioner.audio import pulse
from captioner.audio.bridge import AudioBridge, BridgeStats
from captioner.audio.convert import PcmConverter
from captioner.audio.devices import InputDevice, list_devices, resolve_device, resolve_loopback
from captioner.audio.frames import (
    FRAME_SAMPLES,
    SAMPLE_RATE,
    AudioDeviceError,
    AudioFrame,
    AudioSource,
    AudioSourceError,
    FrameCutter,
)
from captioner.audio.health import InputHealth, LevelMeter, SilenceDetector


class InputStreamLike(Protocol):
    """The part of `sounddevice.InputStream` the capture uses (tests substitute fakes)."""

    def start(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


#: (device, samplerate, channels, callback, finished_callback) -> an opened, not started stream.
StreamFactory = Callable[[InputDevice, float, int, Callable[..., None], Callable[[], None]], InputStreamLike]


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Set environment variables for the duration (None = leave as is)."""
    saved = {k: os.environ.get(k) for k, v in values.items() if v is not None}
    try:
        for k, v in values.items():
            if v is not None:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _PortAudioStream:
    """A sounddevice InputStream that keeps devices.rescan() from terminating PortAudio under it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._closed = False
        _devices.stream_opened()

    def start(self) -> None:
        self._stream.start()

    def abort(self) -> None:
        self._stream.abort()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._stream.close()
        finally:
            _devices.stream_closed()


def open_portaudio_stream(
    device: InputDevice,
    samplerate: float,
    channels: int,
    callback: Callable[..., None],
    finished_callback: Callable[[], None],
) -> InputStreamLike:
    """Open (not start) a float32 PortAudio input stream on `device`.

    A sound-server source is selected with PULSE_SOURCE, which libpulse reads when the ALSA
    `pulse` PCM is opened; the variable is set only around the open, under PortAudio's lock,
    so two sources opened from different threads cannot swap places (and a device rescan
    cannot re-initialise PortAudio mid-open).
    """
    sd = _devices._sounddevice()
    with _devices.portaudio_lock:
        index = _devices.portaudio_index(device)
        with _environment(PULSE_SOURCE=device.pulse_source):
            try:
                stream = sd.InputStream(
                    device=index,
                    samplerate=samplerate,
                    channels=channels,
                    dtype="float32",
                    callback=callback,
                    finished_callback=finished_callback,
                )
            except (sd.PortAudioError, ValueError) as exc:
                raise AudioDeviceError(f"Cannot open audio device {device.name!r}: {exc}") from exc
        return _PortAudioStream(stream)


class CaptureSource(AudioSource):
    """Frames from one live input device (microphone or system audio)."""

    def __init__(
        self,
        device: InputDevice,
        *,
        capacity_ms: float = 2000.0,
        start_timeout_s: float = 5.0,
        stall_timeout_s: float = 2.0,
        close_timeout_s: float = 2.0,
        no_audio_after_ms: int = 5000,
        presence_check_ms: int = 1000,
        stream_factory: StreamFactory = open_portaudio_stream,
    ) -> None:
        """Opens the stream now (so a bad device fails here, with a clear AudioSourceError);
        it starts when `frames()` is first iterated.

        `capacity_ms`: audio the bridge holds for a slow consumer before dropping the oldest;
        `start_timeout_s` /
        `stall_timeout_s`: the watchdog (no first audio / no more audio);
        `no_audio_after_ms`: digital silence before status() says "no audio detected";
        `presence_check_ms`: digital silence after which a sound-server source is checked
        for still existing."""
        self.device = device
        self.name = device.name
        self.samplerate = float(device.samplerate)
        self.channels = device.capture_channels
        self.start_timeout_s = start_timeout_s
        self.stall_timeout_s = stall_timeout_s
        self.close_timeout_s = close_timeout_s
        self.meter = LevelMeter()
        self.silence = SilenceDetector(no_audio_after_ms)
        self.presence_check_ms = presence_check_ms
        self._presence_probe: asyncio.Future | None = None
        self._presence_checked = 0.0
        self._bridge = AudioBridge(self.channels, self.samplerate, capacity_ms)
        self._converter: PcmConverter | None = PcmConverter(self.samplerate)
        self._cutter = FrameCutter()
        self._callbacks = 0
        self._captured = 0
        self._overflows = 0
        #: time.monotonic() when the first sample was captured: lets the mixer line up
        #: devices that started at different moments. Each early callback gives "now minus
        #: the audio so far"; scheduling delays only make that later, so the minimum is kept.
        self.first_sample_time: float | None = None
        self._closing = False
        self._started = False
        self._running = False
        self._shutdown_claim = threading.Lock()
        self._shutdown_done = threading.Event()
        self._stream = stream_factory(device, self.samplerate, self.channels, self._callback, self._finished)

    # -- PortAudio's thread ---------------------------------------------------------------

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self._captured += frames
        if self._callbacks < 200:  # refine over the first ~2 s: a late callback only adds
            t0 = time.monotonic() - self._captured / self.samplerate
            if self.first_sample_time is None or t0 < self.first_sample_time:
                self.first_sample_time = t0
        self._callbacks += 1
        if status and getattr(status, "input_overflow", False):
            self._overflows += 1
        if not self._closing:
            self._bridge.push(indata)

    def _finished(self) -> None:
        if not self._closing:
            self._bridge.close(
                AudioDeviceError(
                    f"Audio device {self.name!r} stopped: its stream ended unexpectedly "
                    "(was it unplugged, or did the sound server stop?)"
                )
            )

    # -- the loop's side ------------------------------------------------------------------

    async def frames(self) -> AsyncIterator[AudioFrame]:
        if self._started:
            raise RuntimeError("CaptureSource.frames() can be iterated only once; open a new source")
        self._started = True
        converter = self._converter
        assert converter is not None
        try:
            if self._closing:
                return
            try:
                self._stream.start()
            except Exception as exc:
                raise AudioDeviceError(f"Cannot start audio device {self.name!r}: {exc}") from exc
            self._running = True
            timeout = self.start_timeout_s
            failure: AudioSourceError | None = None
            while True:
                try:
                    block = await self._bridge.read(timeout=timeout, min_samples=self._input_for_next_frame(converter))
                except AudioSourceError as exc:  # the stream ended under us
                    failure = exc
                    break
                if block is None:
                    if not self._closing:
                        failure = AudioDeviceError(self._stall_message(started=self._callbacks > 0))
                    break
                if not len(block):
                    break
                timeout = self.stall_timeout_s
                for frame in self._cutter.push(converter.process(block)):
                    self._observe(frame)
                    yield frame
                if self.device.pulse_source and (failure := self._check_presence()) is not None:
                    break
            # The resampler's tail and the last partial frame are audio too, even on failure.
            for frame in self._cutter.push(converter.flush()) + self._cutter.flush():
                self._observe(frame)
                yield frame
            if failure is not None:
                raise failure
        finally:
            self._running = False
            self._converter = None  # soxr state is not needed any more; don't keep it alive
            await self._shutdown()

    def _input_for_next_frame(self, converter: PcmConverter) -> int:
        """Device samples still needed before the next 100 ms frame can be cut: waking the
        loop earlier would only shuffle audio around, so the bridge waits for this much (no
        added latency, ~10 wake-ups a second instead of one per device block)."""
        pending = converter.samples_out - self._cutter.position_ms * SAMPLE_RATE // 1000
        missing = max(1, FRAME_SAMPLES - pending)
        return max(1, math.ceil(missing * self.samplerate / SAMPLE_RATE))

    def _stall_message(self, started: bool) -> str:
        if not started:
            return (
                f"Audio device {self.name!r} delivered no audio within {self.start_timeout_s:g} s of starting "
                "(is it busy, or is the sound server stuck?)"
            )
        return (
            f"Audio device {self.name!r} stopped delivering audio (nothing for {self.stall_timeout_s:g} s): "
            "was it unplugged, or did the sound server stop?"
        )

    def _check_presence(self) -> AudioDeviceError | None:
        """While a sound-server source is digitally silent, ask (off the loop, every couple
        of seconds) whether it still exists; a vanished source can feed us zeros forever."""
        probe = self._presence_probe
        if probe is not None and probe.done():
            self._presence_probe = None
            self._presence_checked = time.monotonic()
            if not probe.cancelled() and probe.exception() is None and probe.result() is False:
                return AudioDeviceError(
                    f"Audio device {self.name!r} disappeared: the sound server no longer lists it (was it unplugged?)"
                )
        elif (
            probe is None
            and self.silence.silent_ms >= self.presence_check_ms
            and time.monotonic() - self._presence_checked >= 2.0
        ):
            source = self.device.pulse_source
            assert source is not None  # only sound-server sources are checked (see the caller)
            self._presence_probe = asyncio.get_running_loop().run_in_executor(None, pulse.pulse_source_exists, source)
        return None

    def _observe(self, frame: AudioFrame) -> None:
        level = self.meter.update(frame)
        self.silence.update(frame, level)

    def close(self) -> None:
        """Stop soon: `frames()` yields what was captured and ends. Any thread, any time."""
        self._closing = True
        self._bridge.close()
        if not self._started:
            self._begin_shutdown()

    def _begin_shutdown(self) -> threading.Event:
        self._closing = True
        if self._shutdown_claim.acquire(blocking=False):
            threading.Thread(target=self._close_stream, name=f"audio-close-{self.name}", daemon=True).start()
        return self._shutdown_done

    def _close_stream(self) -> None:
        try:
            with contextlib.suppress(Exception):
                self._stream.abort()
            with contextlib.suppress(Exception):
                self._stream.close()
        finally:
            self._shutdown_done.set()

    async def _shutdown(self) -> None:
        done = self._begin_shutdown()
        deadline = time.monotonic() + self.close_timeout_s
        while not done.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Block until the PortAudio stream is really closed (for tests and device switching)."""
        return self._shutdown_done.wait(timeout)

    # -- observation ----------------------------------------------------------------------

    @property
    def overflows(self) -> int:
        """Input overflows PortAudio reported: audio lost before it reached us."""
        return self._overflows

    @property
    def callbacks(self) -> int:
        return self._callbacks

    @property
    def lag_ms(self) -> float:
        """Captured audio not yet turned into frames (cheap; for meters and back-pressure)."""
        return 1000.0 * self._bridge.lag_samples / self.samplerate

    @property
    def dropped_ms(self) -> float:
        return self._bridge.stats().dropped_ms

    def bridge_stats(self) -> BridgeStats:
        return self._bridge.stats()

    def health(self) -> list[InputHealth]:
        """Same shape as MixedSource.health(): one entry per live input."""
        return [self.status()]

    def status(self) -> InputHealth:
        stats = self._bridge.stats()
        return InputHealth(
            name=self.name,
            level=self.meter.level,
            held_peak=self.meter.held_peak,
            no_audio=self.silence.no_audio,
            silent_ms=self.silence.silent_ms,
            overflows=self._overflows,
            dropped_ms=stats.dropped_ms,
            lag_ms=stats.lag_ms,
            running=self._running,
        )


def open_live_source(device: str | None = None, loopback: str | None = None, **options: Any) -> AudioSource:
    """The live input the CLI and GUI caption: a microphone, system audio, or both mixed.

    `device` / `loopback` are names from `captioner devices` or "default"; with neither, the
    default microphone. Unknown names raise DeviceNotFoundError (an AudioSourceError) listing
    what exists; the streams are opened here, so a device that cannot be opened fails here
    too. `options` go to each CaptureSource (e.g. `capacity_ms`, `stall_timeout_s`).
    """
    available = list_devices()
    if device is None and loopback is None:
        device = "default"
    chosen: list[InputDevice] = []
    if device is not None:
        chosen.append(resolve_device(device, available))
    if loopback is not None:
        sys_audio = resolve_loopback(loopback, available)
        if not chosen or sys_audio.name != chosen[0].name:
            chosen.append(sys_audio)
    sources: list[CaptureSource] = []
    try:
        for d in chosen:
            sources.append(CaptureSource(d, **options))
    except BaseException:
        for s in sources:
            s.close()
        raise
    if len(sources) == 1:
        return sources[0]
    from captioner.audio.mixer import MixedSource

    return MixedSource(sources, names=[s.name for s in sources])
