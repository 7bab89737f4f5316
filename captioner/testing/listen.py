"""Push a recording through one recognizer session and keep everything it says.

The engine tests and the quality benchmarks all need the same loop: start a session, cut the
samples into the 100 ms frames a microphone would deliver, push them (as fast as the engine
takes them, or paced like a live microphone), finish, and read the events as they come. One
copy here keeps them feeding every engine the same way, so a figure in bench/ and an
assertion in tests/ are about the same thing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from captioner.audio.frames import AudioFrame, FrameCutter
from captioner.events import Sentence
from captioner.recognition.base import Recognizer
from captioner.settings import RecognitionSettings


@dataclass
class Run:
    """What one session said, in the order it said it."""

    events: list[object]
    #: The session's own figures (rtf, backlog_ms, ...), as it left them after finishing.
    metrics: dict[str, Any]
    #: When each event arrived, in wall seconds since the first frame was pushed.
    arrivals: list[float] = field(default_factory=list)
    #: Wall seconds from the first frame pushed to the last event read.
    wall_s: float = 0.0

    @property
    def finals(self) -> list[Sentence]:
        return [e for e in self.events if isinstance(e, Sentence) and e.final]

    @property
    def partials(self) -> list[Sentence]:
        return [e for e in self.events if isinstance(e, Sentence) and not e.final]

    @property
    def text(self) -> str:
        """The finals' texts joined by spaces (what a transcript of the session reads)."""
        return " ".join(s.text for s in self.finals)


def frames_of(samples: np.ndarray) -> list[AudioFrame]:
    """16 kHz mono samples as the 100 ms frames a capture source delivers (the last one short)."""
    cutter = FrameCutter()
    return cutter.push(samples.astype("<i2").tobytes()) + cutter.flush()


async def recognise(
    recognizer: Recognizer,
    samples: np.ndarray,
    settings: RecognitionSettings | None = None,
    *,
    realtime: bool = False,
    frames: list[AudioFrame] | None = None,
) -> Run:
    """Push `samples` (or the given `frames`) in 100 ms frames, as fast as the engine takes
    them or, with `realtime`, each no earlier than a microphone would have delivered it;
    events are read while pushing, as the pipeline reads them."""
    session = await recognizer.start(settings or RecognitionSettings())
    if frames is None:
        frames = frames_of(samples)
    run = Run([], session.metrics)
    started = time.perf_counter()

    async def read() -> None:
        async for event in session.events():
            run.events.append(event)
            run.arrivals.append(time.perf_counter() - started)

    reader = asyncio.create_task(read())
    for frame in frames:
        if realtime:
            await asyncio.sleep(max(0.0, started + frame.end_ms / 1000 - time.perf_counter()))
        await session.push(frame)
    await session.finish()
    await reader
    run.wall_s = time.perf_counter() - started
    return run
