"""Levels and "is anything coming in?" for live input.

The most common live-captioning failure is not a crash but silence: a muted microphone, the
wrong device, a headset that went to sleep. A level meter lets the user see it; the silence
detector says it in words ("no audio detected") after a few seconds of *digital* silence
(samples at or next to zero, which real rooms and real playback never produce). Whether the
device itself is still alive is the capture source's watchdog's job (see capture.py).

Everything here is computed from AudioFrames on the asyncio side, so it is cheap and the UI
can poll it at any rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from captioner.audio.frames import AudioFrame

#: Floor for dB readings: below 16-bit resolution.
MIN_DB = -96.0

#: Peak at or below this (full-scale units) counts as digital silence: 3 LSB of int16, so a
#: device that dithers with +-1 LSB is still "silent" while any real signal is not.
DIGITAL_SILENCE_PEAK = 3.0 / 32768.0


def to_db(value: float) -> float:
    """Full-scale amplitude 0..1 -> dBFS, floored at MIN_DB."""
    return max(MIN_DB, 20.0 * math.log10(value)) if value > 0 else MIN_DB


@dataclass(frozen=True, slots=True)
class Level:
    """RMS and peak of a frame in full-scale units (0..1)."""

    rms: float = 0.0
    peak: float = 0.0

    @property
    def rms_db(self) -> float:
        return to_db(self.rms)

    @property
    def peak_db(self) -> float:
        return to_db(self.peak)

    @classmethod
    def of(cls, frame: AudioFrame) -> Level:
        return cls(*frame.level())


class LevelMeter:
    """Per-frame level plus a falling peak-hold, the way a VU meter should look.

    `update()` returns this frame's level; `held_peak` decays by `decay_db_per_s` so a short
    click stays visible for a moment instead of flickering for one frame.
    """

    def __init__(self, decay_db_per_s: float = 20.0) -> None:
        self.decay_db_per_s = decay_db_per_s
        self.level = Level()
        self.held_peak = 0.0

    def update(self, frame: AudioFrame) -> Level:
        self.level = Level.of(frame)
        decay = 10 ** (-self.decay_db_per_s * frame.duration_ms / 1000.0 / 20.0)
        self.held_peak = max(self.level.peak, self.held_peak * decay)
        return self.level


class SilenceDetector:
    """Says "no audio detected" after `after_ms` of uninterrupted digital silence."""

    def __init__(self, after_ms: int = 5000, threshold: float = DIGITAL_SILENCE_PEAK) -> None:
        self.after_ms = after_ms
        self.threshold = threshold
        self.silent_ms = 0

    @property
    def no_audio(self) -> bool:
        return self.silent_ms >= self.after_ms

    def update(self, frame: AudioFrame, level: Level | None = None) -> bool:
        """Feed one frame; returns `no_audio`."""
        peak = (level or Level.of(frame)).peak
        if peak <= self.threshold:
            self.silent_ms += frame.duration_ms
        else:
            self.silent_ms = 0
        return self.no_audio


@dataclass(frozen=True, slots=True)
class InputHealth:
    """What the UI shows for one live input: meter, silence warning, and losses."""

    name: str
    level: Level
    held_peak: float
    no_audio: bool
    silent_ms: int
    overflows: int = 0
    dropped_ms: float = 0.0
    lag_ms: float = 0.0
    running: bool = True

    @property
    def message(self) -> str | None:
        """A short sentence for the status bar, or None when all is well."""
        if not self.running:
            return f"{self.name}: stopped"
        if self.no_audio:
            return f"{self.name}: no audio detected for {self.silent_ms / 1000:.0f} s (muted or wrong device?)"
        if self.dropped_ms >= 100 or self.overflows:
            return (
                f"{self.name}: audio lost ({self.dropped_ms / 1000:.1f} s dropped, {self.overflows} device "
                "overflows): the computer is too busy"
            )
        return None
