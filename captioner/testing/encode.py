"""Compressed test streams, encoded on this machine, in the shapes a DashScope client sends.

`encode(samples, fmt)` turns 16-bit mono PCM into one of the realtime service's compressed
formats: Opus in Ogg, MP3, ADTS AAC and AMR-NB with PyAV; Speex in Ogg with the ffmpeg
command (PyAV's FFmpeg has a Speex decoder but no encoder). Ogg pages are flushed every
`page_ms`, as a streaming client does, so a packet is never a second behind its audio.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import cast

import av
import numpy as np
from av.audio.stream import AudioStream

#: Format -> (PyAV container format, encoder, encoding rate, bit rate).
_PYAV = {
    "opus": ("ogg", "libopus", 48000, 32000),
    "mp3": ("mp3", "libmp3lame", 16000, 32000),
    "aac": ("adts", "aac", 16000, 48000),
    "amr": ("amr", "libopencore_amrnb", 8000, 12200),
}
FORMATS = (*_PYAV, "speex")


def encode(
    samples: np.ndarray, fmt: str, rate: int = 16000, page_ms: int = 100, tags: dict[str, str] | None = None
) -> bytes:
    """`samples` (int16 mono at `rate`) as a whole `fmt` stream; `tags` go into its metadata
    (an MP3's ID3 tag, Opus comments) where the format has any."""
    pcm = np.asarray(samples, dtype="<i2")
    if fmt == "speex":
        return _ffmpeg(
            pcm, rate, ["-c:a", "libspeex", "-ar", "16000", "-page_duration", str(page_ms * 1000), "-f", "ogg"]
        )
    container_format, codec, out_rate, bit_rate = _PYAV[fmt]
    options = {"page_duration": str(page_ms * 1000)} if container_format == "ogg" else {}
    return _pyav(pcm, rate, container_format, codec, out_rate, bit_rate, options=options, tags=tags)


def encode_mp3(samples: np.ndarray, out_rate: int = 16000, bit_rate: int = 32000, channels: int = 1) -> bytes:
    """`samples` (int16 mono at 16 kHz) as an MP3 file at `out_rate` and `bit_rate`, the same
    sound in each of `channels` (a typical download is 44.1 kHz, 128 kbit/s)."""
    return _pyav(np.asarray(samples, dtype="<i2"), 16000, "mp3", "libmp3lame", out_rate, bit_rate, channels=channels)


def encode_m4a(samples: np.ndarray, rate: int = 16000, channels: int = 1, bit_rate: int = 48000) -> bytes:
    """`samples` (int16 mono at 16 kHz) as AAC-LC in an MP4 container at `rate`, as phones
    record voice memos (a file format, not one of the realtime stream formats above)."""
    return _pyav(np.asarray(samples, dtype="<i2"), 16000, "ipod", "aac", rate, bit_rate, channels=channels)


def _pyav(
    pcm: np.ndarray,
    rate: int,
    container_format: str,
    codec: str,
    out_rate: int,
    bit_rate: int,
    *,
    channels: int = 1,
    options: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
) -> bytes:
    """Encode `pcm` (mono at `rate`), copied into each of `channels`, with PyAV: resampled to
    `out_rate` in the codec's own frame size, then flushed."""
    layout = "mono" if channels == 1 else "stereo"
    interleaved = np.tile(pcm, (channels, 1)).T.reshape(1, -1)
    buf = io.BytesIO()
    with av.open(buf, "w", format=container_format, options=options or {}) as out:
        out.metadata.update(tags or {})
        stream = cast(AudioStream, out.add_stream(codec, rate=out_rate))
        stream.layout = layout
        stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout=layout)
        frame.rate = rate
        resampler = av.AudioResampler(
            format=stream.format.name, layout=layout, rate=out_rate, frame_size=stream.codec_context.frame_size or None
        )
        for piece in [*resampler.resample(frame), *resampler.resample(None)]:
            piece.pts = None
            out.mux(stream.encode(piece))
        out.mux(stream.encode(None))
    return buf.getvalue()


def _ffmpeg(pcm: np.ndarray, rate: int, args: list[str]) -> bytes:
    if not shutil.which("ffmpeg"):
        raise RuntimeError("the ffmpeg command is not installed (scripts/setup --test installs it)")
    command = ["ffmpeg", "-loglevel", "error", "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", *args]
    return subprocess.run([*command, "pipe:1"], input=pcm.tobytes(), capture_output=True, check=True).stdout
