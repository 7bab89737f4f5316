"""Audio frames: 16 kHz 16-bit mono PCM, each stamped with its place on the session clock.

Every source (microphone, system audio, media file) ends in the same shape so that the
pipeline and every engine see one kind of audio. Times are milliseconds of audio since the
session started, never wall-clock: that keeps subtitles right across pauses, reconnects and
faster-than-real-time file input.
"""

from __future__ import annotations

import abc
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass

import numpy as np

from captioner.errors import DeviceError, InputError

SAMPLE_RATE = 16_000
FRAME_MS = 100
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
BYTES_PER_SAMPLE = 2


def samples_to_ms(samples: int) -> int:
    return samples * 1000 // SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """A chunk of 16 kHz mono little-endian int16 PCM starting at `start_ms`."""

    pcm: bytes
    start_ms: int = 0

    @property
    def samples(self) -> np.ndarray:
        return np.frombuffer(self.pcm, dtype="<i2")

    @property
    def sample_count(self) -> int:
        return len(self.pcm) // BYTES_PER_SAMPLE

    @property
    def duration_ms(self) -> int:
        return samples_to_ms(self.sample_count)

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms

    def level(self) -> tuple[float, float]:
        """(RMS, peak) in full-scale units 0..1, for level meters and silence detection."""
        s = self.samples
        if s.size == 0:
            return 0.0, 0.0
        # One pass for each figure: every frame of every live input comes through here.
        f = s.astype(np.float32)
        rms = math.sqrt(float(np.dot(f, f)) / s.size) / 32768.0
        return rms, max(-int(s.min()), int(s.max())) / 32768.0


def float_to_pcm16(samples: np.ndarray) -> bytes:
    """Float samples in -1..1 to int16 PCM bytes, clipping instead of wrapping around."""
    clipped = np.clip(samples, -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2").tobytes()


class FrameCutter:
    """Cuts a stream of mono 16 kHz int16 samples into 100 ms frames on a running clock.

    Sources deliver blocks of any size; engines and the wire protocol want ~100 ms chunks.
    """

    def __init__(self, frame_samples: int = FRAME_SAMPLES, start_samples: int = 0) -> None:
        self._frame_bytes = frame_samples * BYTES_PER_SAMPLE
        self._pending = bytearray()
        self._clock_samples = start_samples

    @property
    def position_ms(self) -> int:
        """End of the last frame emitted, on this cutter's clock."""
        return samples_to_ms(self._clock_samples)

    def push(self, pcm: bytes) -> list[AudioFrame]:
        self._pending += pcm
        frames = []
        while len(self._pending) >= self._frame_bytes:
            frames.append(self._emit(bytes(self._pending[: self._frame_bytes])))
            del self._pending[: self._frame_bytes]
        return frames

    def flush(self) -> list[AudioFrame]:
        """The final partial frame, if any audio is left over."""
        if len(self._pending) < BYTES_PER_SAMPLE:
            self._pending.clear()
            return []
        usable = len(self._pending) - len(self._pending) % BYTES_PER_SAMPLE
        frame = self._emit(bytes(self._pending[:usable]))
        self._pending.clear()
        return [frame]

    def _emit(self, pcm: bytes) -> AudioFrame:
        frame = AudioFrame(pcm, samples_to_ms(self._clock_samples))
        self._clock_samples += len(pcm) // BYTES_PER_SAMPLE
        return frame


class AudioSource(abc.ABC):
    """Anything that yields AudioFrames: a microphone, system audio, a media file.

    `frames()` ends when the source is exhausted or after `close()`; a source that fails
    raises `AudioSourceError` from `frames()` with a message a user can act on.
    """

    #: Total length when known (media files), for progress bars; None for live input.
    duration_ms: int | None = None

    @abc.abstractmethod
    def frames(self) -> AsyncIterator[AudioFrame]: ...

    @abc.abstractmethod
    def close(self) -> None:
        """Stop producing soon; safe to call from any state, more than once."""

    @property
    def dropped_ms(self) -> float:
        """Audio this source had to throw away because its consumer fell behind (a live
        source drops the oldest audio rather than let memory grow; a file never drops)."""
        return 0.0


class AudioSourceError(InputError):
    """A source could not be opened or failed mid-stream (message is user-facing).

    As such an input problem (a media file missing, empty or damaged); a live device's
    trouble is an AudioDeviceError, which is still an AudioSourceError to catch."""


class AudioDeviceError(DeviceError, AudioSourceError):
    """An audio device could not be opened, stopped, or vanished, or the audio system
    (PortAudio, the sound server) is unusable. Category DEVICE (see captioner.errors)."""
