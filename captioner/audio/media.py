"""Any media file (PyAV) as a source of 100 ms frames, paced like a microphone or as fast as
the engine takes them.

The file is opened and checked when the source is created, so a missing, empty or
undecodable file is reported before a session starts, in words a user understands.
Decoding runs in a worker thread; the loop only receives finished frames, and it always
goes on to the end of the file. The length FFmpeg reports is for progress bars; only when it
comes from the file itself (a WAV, FLAC or MP4 header, an Ogg's last page) is a file that
ends well short of it called truncated. For raw streams such as ADTS AAC, or an MP3 without
a Xing header, it is guessed from the first frames' bit rate and can be far off either way.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import av
import numpy as np

from captioner.audio.frames import SAMPLE_RATE, AudioFrame, AudioSourceError, FrameCutter, float_to_pcm16
from captioner.audio.packets import EncodedFrame, EncodedSource, demux, probe_encoding
from captioner.audio.resample import Resampler

#: Decode this much audio per hop to the worker thread: large enough that thread hand-offs
#: cost nothing, small enough that a paced source starts at once.
_CHUNK_MS = 500
#: What a MediaSource hands out: decoded frames, or the file's own packets.
_Frame = TypeVar("_Frame", AudioFrame, EncodedFrame)

#: Containers whose length comes from the file itself (a header, or the last page's
#: timestamp), not from a bit-rate guess: a file of these that decodes to much less is cut.
#: Names as FFmpeg's demuxers give them (`container.format.name`).
EXACT_LENGTH_FORMATS = frozenset(
    {"wav", "w64", "flac", "mov,mp4,m4a,3gp,3g2,mj2", "ogg", "matroska,webm", "aiff", "caf", "wv", "ape"}
)


#: How a file may reach a cloud engine: its own compressed packets where the service takes
#: its format (less upload; the default), or always decoded here and sent as PCM.
UPLOADS = ("compressed", "pcm")


class MediaSource(EncodedSource):
    """A media file, decoded to frames; with `upload="compressed"` (the default) and a file
    the realtime service takes as it is (packets.probe_encoding), also its own packets,
    which CaptionSession sends instead when the engine takes them."""

    def __init__(self, path: str | Path, *, realtime: bool = False, upload: str = "compressed") -> None:
        if upload not in UPLOADS:
            raise ValueError(f"upload must be one of {', '.join(UPLOADS)} (got {upload!r})")
        self.path = Path(path)
        self.realtime = realtime
        self._closed = threading.Event()
        #: The length FFmpeg reports (ms; None: unknown), for progress only: it may be an estimate.
        self.duration_ms, exact = _probe(self.path)
        self._expected_ms = self.duration_ms if exact else None
        #: Audio decoded (or sent as packets) so far (ms), for progress bars.
        self.position_ms = 0
        self.encoding = probe_encoding(self.path) if upload == "compressed" else None

    def close(self) -> None:
        self._closed.set()

    async def frames(self) -> AsyncIterator[AudioFrame]:
        chunks = _decode_chunks(self.path, self._closed, self._expected_ms)
        async for frame in self._paced(lambda: next(chunks, None)):
            yield frame

    async def encoded_frames(self) -> AsyncIterator[EncodedFrame]:
        """The file's own packets in ~100 ms chunks (never decoded), paced as frames() is."""
        if self.encoding is None:
            raise AudioSourceError(f"{self.path}: not in a format that is sent as it is")
        chunks = demux(self.path, self.encoding, self._closed)
        async for frame in self._paced(lambda: _next_batch(chunks) or None):
            yield frame

    async def _paced(self, next_batch: Callable[[], list[_Frame] | None]) -> AsyncIterator[_Frame]:
        """Frames from batches the worker thread reads (None: the file is done), at speaking
        pace when `realtime`, until the end or close()."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        while not self._closed.is_set():
            batch = await asyncio.to_thread(next_batch)
            if batch is None:
                return
            for frame in batch:
                if self._closed.is_set():
                    return
                if self.realtime:
                    delay = t0 + frame.end_ms / 1000 - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                self.position_ms = frame.end_ms
                yield frame


def _next_batch(chunks: Iterator[EncodedFrame]) -> list[EncodedFrame]:
    """About _CHUNK_MS of chunks per hop to the worker thread (or fewer at the end)."""
    batch: list[EncodedFrame] = []
    for frame in chunks:
        batch.append(frame)
        if frame.end_ms - batch[0].start_ms >= _CHUNK_MS:
            break
    return batch


def probe(path: Path) -> int | None:
    """Check the file holds decodable audio; return its duration in ms when known (for a
    raw stream such as ADTS AAC or an MP3 without a Xing header, an estimate)."""
    return _probe(path)[0]


def _probe(path: Path) -> tuple[int | None, bool]:
    """probe(), and whether the duration comes from the file itself rather than a guess."""
    if not path.exists():
        raise AudioSourceError(f"{path}: no such file")
    if path.is_dir():
        raise AudioSourceError(f"{path}: is a folder, not a media file")
    if path.stat().st_size == 0:
        raise AudioSourceError(f"{path}: the file is empty")
    _check_wav_length(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioSourceError(f"{path}: the file has no audio track")
            stream = container.streams.audio[0]
            # Decode the first packets so a file with a valid header but garbage inside is
            # caught now, not minutes into a session.
            for _ in zip(range(3), container.decode(stream), strict=False):
                pass
            exact = container.format.name in EXACT_LENGTH_FORMATS
            if stream.duration is not None and stream.time_base is not None:
                return int(stream.duration * stream.time_base * 1000), exact
            if container.duration is not None:
                return int(container.duration / 1000), exact
            return None, False
    except AudioSourceError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioSourceError(f"{path}: cannot decode this file as audio ({_reason(exc)})") from exc


def _check_wav_length(path: Path) -> None:
    """A WAV cut short still decodes (FFmpeg trusts the file size), so compare the length
    its header promises with what is on disk, or a truncated recording passes as whole."""
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return
        while chunk := f.read(8):
            if len(chunk) < 8:
                return
            size = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                if size in (0, 0xFFFFFFFF):  # written by a streaming recorder: length unknown
                    return
                missing = f.tell() + size - path.stat().st_size
                if missing > 0:
                    raise AudioSourceError(
                        f"{path}: the file ends early: its header announces {size} bytes of audio "
                        f"but {missing} are missing (truncated?)"
                    )
                return
            f.seek(size + (size & 1), 1)


def _decode_chunks(path: Path, closed: threading.Event, expected_ms: int | None) -> Iterator[list[AudioFrame]]:
    """Frames in batches of about _CHUNK_MS, decoded, downmixed and resampled to 16 kHz."""
    cutter = FrameCutter()
    batch: list[AudioFrame] = []
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate or stream.rate
            # PyAV turns any sample format into planar float at the file's own rate and
            # layout; channels are averaged (never clips, unlike a summing downmix) and
            # Resampler (soxr) does the rate conversion.
            to_float = av.AudioResampler(format="fltp", rate=rate)
            resampler = Resampler(rate, SAMPLE_RATE, "float32")

            def convert(frames: list[av.AudioFrame], last: bool = False) -> list[AudioFrame]:
                out = []
                for f in frames:
                    mono = f.to_ndarray().mean(axis=0, dtype=np.float32)
                    out += cutter.push(float_to_pcm16(resampler.push(mono)))
                if last:
                    out += cutter.push(float_to_pcm16(resampler.flush()))
                    out += cutter.flush()
                return out

            for decoded in container.decode(stream):
                if closed.is_set():
                    return
                batch += convert(to_float.resample(decoded))
                if batch and batch[-1].end_ms - batch[0].start_ms >= _CHUNK_MS:
                    yield batch
                    batch = []
            batch += convert(to_float.resample(None), last=True)
    except av.error.FFmpegError as exc:
        raise AudioSourceError(
            f"{path}: the file is damaged after {cutter.position_ms / 1000:.1f} s ({_reason(exc)})"
        ) from exc
    if expected_ms and cutter.position_ms < expected_ms * 0.95 - 500:
        raise AudioSourceError(
            f"{path}: the file ends early: it should hold {expected_ms / 1000:.1f} s of audio but only "
            f"{cutter.position_ms / 1000:.1f} s could be read (truncated?)"
        )
    if batch:
        yield batch


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
