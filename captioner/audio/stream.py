"""Audio bytes that arrive in pieces over a network -> 16 kHz 16-bit mono PCM frames.

`captioner serve` receives what a DashScope client sends: raw PCM or a WAV file cut into
arbitrary slices, at 16 or 8 kHz. This turns it into what every engine takes, keeping the
client's own clock (durations never change, so every time reported back stays right).
"""

from __future__ import annotations

import struct

import numpy as np

from captioner.audio.frames import SAMPLE_RATE
from captioner.audio.resample import Resampler

SUPPORTED_FORMATS = ("pcm", "wav")
SUPPORTED_RATES = (16000, 8000)


class AudioFormatError(Exception):
    """The audio does not match the declared format (answered with NO_VALID_AUDIO_ERROR)."""


class AudioDecoder:
    """Client audio bytes -> 16 kHz 16-bit mono PCM for the engine.

    pcm: 16-bit little-endian mono. wav: the same inside RIFF; the header may arrive split
    across any number of frames (the SDK's call() cuts the whole file, header included, into
    12 800-byte slices). 8 kHz is resampled (resample.py); durations, and so every time
    reported to the client, stay on the client's clock.
    """

    MAX_WAV_HEADER = 1 << 20

    def __init__(self, fmt: str, sample_rate: int) -> None:
        if fmt not in SUPPORTED_FORMATS or sample_rate not in SUPPORTED_RATES:
            raise ValueError(f"unsupported audio: {fmt} at {sample_rate} Hz")
        self._wav = fmt == "wav"
        self._rate = sample_rate
        self._header = bytearray()  # wav header bytes not yet parsed
        self._header_seen = 0
        self._riff = False
        self._fmt_ok = False
        self._skip = 0  # bytes of an uninteresting chunk still to skip
        self._in_data = not self._wav
        self._data_left: int | None = None  # bytes left in the wav data chunk, if known
        self._odd = b""  # half a sample carried to the next frame
        self._resampler = Resampler(sample_rate, SAMPLE_RATE, "int16")

    def feed(self, data: bytes) -> bytes:
        pcm = self._pcm(data)
        if self._resampler.passthrough or not pcm:
            return pcm
        return self._resampler.push(np.frombuffer(pcm, dtype="<i2")).astype("<i2").tobytes()

    def flush(self) -> bytes:
        return self._resampler.flush().astype("<i2").tobytes()

    def _pcm(self, data: bytes) -> bytes:
        if not self._in_data:
            data = self._parse_wav_header(data)
        if self._data_left is not None:
            data = data[: self._data_left]
            self._data_left -= len(data)
        data = self._odd + data
        cut = len(data) - len(data) % 2
        self._odd = data[cut:]
        return data[:cut]

    def _parse_wav_header(self, data: bytes) -> bytes:
        """Consume header bytes; return the PCM that follows the data chunk's header, if any."""
        self._header_seen += len(data)
        h = self._header
        h += data
        while True:
            if not self._riff:
                if h[:4] != b"RIFF"[: len(h[:4])]:
                    raise AudioFormatError("format is wav, but the audio does not start with a RIFF header")
                if len(h) < 12:
                    return b""
                if h[8:12] != b"WAVE":
                    raise AudioFormatError("format is wav, but the RIFF file is not WAVE")
                del h[:12]
                self._riff = True
            if self._skip:
                n = min(self._skip, len(h))
                del h[:n]
                self._skip -= n
                if self._skip:
                    return b""
            if self._header_seen - len(h) > self.MAX_WAV_HEADER:
                raise AudioFormatError("no wav data chunk in the first megabyte")
            if len(h) < 8:
                return b""
            chunk_id, size = bytes(h[:4]), struct.unpack("<I", h[4:8])[0]
            if chunk_id == b"data":
                if not self._fmt_ok:
                    raise AudioFormatError("wav data chunk before its fmt chunk")
                del h[:8]
                self._in_data = True
                self._data_left = size if 0 < size < 0xFFFFFFFF else None
                rest = bytes(h)
                h.clear()
                return rest
            if chunk_id == b"fmt ":
                if size < 16 or size > 1024:
                    raise AudioFormatError(f"wav fmt chunk of {size} bytes is malformed")
                if len(h) < 8 + size:
                    return b""
                self._check_fmt(bytes(h[8 : 8 + size]))
                del h[: 8 + size]
                self._skip = size & 1
            else:
                del h[:8]
                self._skip = size + (size & 1)

    def _check_fmt(self, fmt: bytes) -> None:
        tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
        if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: sub-format GUID at 24
            tag = struct.unpack("<H", fmt[24:26])[0]
        if tag != 1 or bits != 16:
            raise AudioFormatError("wav audio must be 16-bit PCM")
        if channels != 1:
            raise AudioFormatError(f"wav audio must be mono (this file has {channels} channels)")
        if rate != self._rate:
            raise AudioFormatError(f"the wav header says {rate} Hz but sample_rate is {self._rate}")
        self._fmt_ok = True
