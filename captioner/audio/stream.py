"""Audio bytes that arrive in pieces over a network -> 16 kHz 16-bit mono PCM.

`captioner serve` receives what a DashScope client sends, in whichever of the service's
formats the task declared: raw PCM or a WAV file cut into arbitrary slices at any rate, or a
compressed stream (MP3, ADTS AAC, Opus or Speex in Ogg, AMR-NB). `open_decoder` picks the
decoder for a format; every decoder has the same two calls: `feed(bytes)` returns the PCM
decoded from what has arrived so far (compressed audio is decoded the moment a packet is
complete, never held for the end), and `flush()` the rest at the end of the stream. Bytes
that are not what the format promises raise `AudioFormatError` (NO_VALID_AUDIO_ERROR for
the client). The client's own clock is kept: durations never change, so every time
reported back stays right.
"""

from __future__ import annotations

import abc
import functools
import struct
from typing import cast

import av
import numpy as np
from av.audio.codeccontext import AudioCodecContext

from captioner.audio.frames import SAMPLE_RATE, float_to_pcm16
from captioner.audio.framing import AmrFrames, FramingError, OggPackets, id3v2_size, mp3_start_padding
from captioner.audio.resample import Resampler

PCM_FORMATS = ("pcm", "wav")
#: The compressed formats of the DashScope realtime service, and the FFmpeg decoders that
#: can read each (the first one this PyAV build has is used).
COMPRESSED_FORMATS: dict[str, tuple[str, ...]] = {
    "mp3": ("mp3float", "mp3"),
    "aac": ("aac", "aac_fixed"),
    "opus": ("opus", "libopus"),
    "speex": ("speex", "libspeex"),
    "amr": ("amrnb", "libopencore_amrnb"),
}
#: Every format the service documents for realtime recognition.
FORMATS = PCM_FORMATS + tuple(COMPRESSED_FORMATS)


class AudioFormatError(Exception):
    """The audio does not match the declared format (answered with NO_VALID_AUDIO_ERROR)."""


class StreamDecoder(abc.ABC):
    """Client audio bytes, in any slices -> 16 kHz 16-bit mono PCM for the engine."""

    @abc.abstractmethod
    def feed(self, data: bytes) -> bytes:
        """PCM for everything decodable so far (may be empty); AudioFormatError if the
        bytes cannot be the declared format."""

    @abc.abstractmethod
    def flush(self) -> bytes:
        """The rest, at the end of the stream (call once)."""


@functools.cache
def _decoder_name(fmt: str) -> str | None:
    for name in COMPRESSED_FORMATS.get(fmt, ()):
        try:
            av.Codec(name, "r")
        except (av.error.FFmpegError, ValueError):
            continue
        return name
    return None


def decodable_formats() -> tuple[str, ...]:
    """The formats this build can decode: pcm and wav always, the compressed ones when
    PyAV's FFmpeg has a decoder for them."""
    return PCM_FORMATS + tuple(f for f in COMPRESSED_FORMATS if _decoder_name(f))


def open_decoder(fmt: str, sample_rate: int) -> StreamDecoder:
    """The decoder for a task's `format` and `sample_rate` (ValueError if there is none)."""
    if fmt in PCM_FORMATS:
        return AudioDecoder(fmt, sample_rate)
    return CompressedDecoder(fmt)


class AudioDecoder(StreamDecoder):
    """Client audio bytes -> 16 kHz 16-bit mono PCM for the engine.

    pcm: 16-bit little-endian mono. wav: the same inside RIFF; the header may arrive split
    across any number of frames (the SDK's call() cuts the whole file, header included, into
    12 800-byte slices). Any other rate is resampled (resample.py); durations, and so every
    time reported to the client, stay on the client's clock.
    """

    MAX_WAV_HEADER = 1 << 20

    def __init__(self, fmt: str, sample_rate: int) -> None:
        if fmt not in PCM_FORMATS or sample_rate <= 0:
            raise ValueError(f"not PCM audio: {fmt} at {sample_rate} Hz")
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


class CompressedDecoder(StreamDecoder):
    """MP3, ADTS AAC, Opus or Speex in Ogg, or AMR-NB, decoded packet by packet as it arrives.

    MP3 and AAC are framed by FFmpeg's parser, Ogg and AMR by `framing.py`; each packet is
    decoded at once, downmixed, and resampled from the stream's own rate (Opus always
    decodes at 48 kHz) to 16 kHz. A few bad packets in a good stream are skipped, as a
    player would; a stream that never locks onto its format (three good packets in a row)
    within MAX_JUNK bytes, or loses it for MAX_JUNK bytes, is refused.
    """

    MAX_JUNK = 16 * 1024
    MAX_TAG = 1 << 20
    LOCK_PACKETS = 3

    def __init__(self, fmt: str) -> None:
        name = _decoder_name(fmt)
        if name is None:
            raise ValueError(f"this build cannot decode {fmt} audio")
        self.format = fmt
        self._codec = av.Codec(name, "r")
        self._ctx: AudioCodecContext | None = None
        self._ogg = OggPackets() if fmt in ("opus", "speex") else None
        self._amr = AmrFrames() if fmt == "amr" else None
        self._headers_left = 0  # Ogg header packets still to skip (comments)
        self._head = bytearray() if fmt == "mp3" else None  # bytes before the first mp3 frame
        self._tag_left = 0
        self._first_packet = fmt == "mp3"
        self._trim = 0  # samples still to drop at the start (mp3 encoder delay)
        self._rate = 0
        self._resampler: Resampler | None = None
        self._received = 0
        self._junk = 0  # bytes in since the last good packet
        self._good_run = 0
        self._good = 0
        self._bad = 0
        self._locked = False
        self._decoded_ms = 0.0
        if self._ogg is None:
            self._ctx = cast(AudioCodecContext, av.CodecContext.create(self._codec))

    def feed(self, data: bytes) -> bytes:
        self._received += len(data)
        if self._ogg is None or (self._ctx is not None and not self._headers_left):
            self._junk += len(data)  # (Ogg headers may be large: cover art in the comments)
        try:
            packets = self._packets(data)
        except FramingError as exc:
            raise AudioFormatError(f"format is {self.format}, but {exc}") from None
        out = [self._decode(p) for p in packets]
        self._check()
        return b"".join(out)

    def flush(self) -> bytes:
        out = []
        if self._ctx is not None:
            if self._ogg is None and self._amr is None:
                with _quiet_errors():
                    out += [self._decode(bytes(p)) for p in self._ctx.parse(None)]
            out.append(self._decode(None))
        if self._resampler is not None:
            out.append(float_to_pcm16(self._resampler.flush()))
        if self._received and not self._locked and self._good <= self._bad:
            raise AudioFormatError(
                f"format is {self.format}, but none of the {self._received} bytes received decode as {self.format}"
            )
        return b"".join(out)

    # -- Packets ---------------------------------------------------------------------------

    def _packets(self, data: bytes) -> list[bytes]:
        if self._amr is not None:
            return self._amr.push(data)
        if self._ogg is not None:
            return [p for packet in self._ogg.push(data) if (p := self._ogg_packet(packet.data, packet.first))]
        if self._head is not None:  # mp3: an ID3v2 tag may come first
            data = self._skip_tag(data)
            if not data:
                return []
        assert self._ctx is not None
        try:
            return [bytes(p) for p in self._ctx.parse(data)]
        except (av.error.FFmpegError, ValueError):
            self._bad += 1
            return []

    def _skip_tag(self, data: bytes) -> bytes:
        assert self._head is not None
        if self._tag_left:
            n = min(self._tag_left, len(data))
            self._tag_left -= n
            self._junk -= n
            data = data[n:]
            if self._tag_left:
                return b""
        self._head += data
        size = id3v2_size(bytes(self._head[:10]))
        if size is None:
            return b""
        if size > self.MAX_TAG:
            raise AudioFormatError(f"format is mp3, but its ID3 tag claims {size} bytes (more than 1 MiB)")
        head, self._head = bytes(self._head), None
        if size == 0:
            return head
        self._junk -= min(size, len(head))
        if size > len(head):
            self._tag_left = size - len(head)
            self._head = bytearray()  # another tag may follow this one
            return b""
        self._head = bytearray()
        return self._skip_tag(head[size:]) if head[size:] else b""

    def _ogg_packet(self, data: bytes, first: bool) -> bytes | None:
        """The packet for the decoder, or None for a header (which sets the decoder up)."""
        if first:
            self._open_ogg_stream(data)
            return None
        if self._ctx is None:
            return None
        if self._headers_left:
            self._headers_left -= 1
            self._junk = 0  # comments (cover art) may be large, and are no junk
            return None
        return data

    def _open_ogg_stream(self, head: bytes) -> None:
        expected = {"opus": b"OpusHead", "speex": b"Speex   "}[self.format]
        if not head.startswith(expected):
            raise FramingError(f"the Ogg stream holds {_ogg_codec(head)}")
        if self._ctx is not None:  # a chained stream: drain the old decoder first
            self._decode(None)
        ctx = cast(AudioCodecContext, av.CodecContext.create(self._codec))
        ctx.extradata = head
        if self.format == "opus":
            if len(head) < 19:
                raise FramingError("its Opus header is too short")
            ctx.sample_rate = 48000
            self._headers_left = 1  # OpusTags
        else:
            if len(head) < 80:
                raise FramingError("its Speex header is too short")
            rate = struct.unpack_from("<I", head, 36)[0]
            if not 6000 <= rate <= 48000:
                raise FramingError(f"its Speex header gives a rate of {rate} Hz")
            ctx.sample_rate = rate
            self._headers_left = 1 + struct.unpack_from("<I", head, 68)[0]  # comments + extras
        self._ctx = ctx
        self._junk = 0

    # -- Decoding --------------------------------------------------------------------------

    def _decode(self, packet: bytes | None) -> bytes:
        ctx = self._ctx
        if ctx is None:
            return b""
        if packet is not None and self._first_packet:
            self._first_packet = False
            trim = mp3_start_padding(packet)
            if trim is not None:  # metadata, not audio
                self._trim = trim
                self._good += 1
                self._junk = 0
                return b""
        try:
            frames = ctx.decode(av.Packet(packet) if packet is not None else None)
        except (av.error.FFmpegError, ValueError):
            self._bad += 1
            self._good_run = 0
            return b""
        if packet is not None:
            self._good += 1
            self._good_run += 1
            self._locked = self._locked or self._good_run >= self.LOCK_PACKETS
            if self._locked:  # before that, junk counts every byte since the start
                self._junk = 0
        return b"".join(self._convert(f) for f in frames)

    def _convert(self, frame: av.AudioFrame) -> bytes:
        x = frame.to_ndarray()
        if not frame.format.is_planar:
            x = x.reshape(-1, len(frame.layout.channels)).T
        mono = x.mean(axis=0, dtype=np.float64) if x.shape[0] > 1 else x[0]
        kind = x.dtype
        if kind == np.int16:
            mono = mono / 32768.0
        elif kind == np.int32:
            mono = mono / 2147483648.0
        elif kind == np.uint8:
            mono = (mono - 128.0) / 128.0
        mono = np.asarray(mono, dtype=np.float32)
        if self._trim:
            n = min(self._trim, len(mono))
            self._trim -= n
            mono = mono[n:]
        out = b""
        if frame.rate != self._rate:
            if self._resampler is not None:
                out = float_to_pcm16(self._resampler.flush())
            self._rate = frame.rate
            self._resampler = Resampler(frame.rate, SAMPLE_RATE, "float32")
        assert self._resampler is not None
        self._decoded_ms += 1000 * len(mono) / frame.rate
        return out + float_to_pcm16(self._resampler.push(mono))

    def _check(self) -> None:
        if self._junk <= self.MAX_JUNK:
            return
        if self._locked:
            where = f"after {self._decoded_ms / 1000:.1f} s of audio, "
            raise AudioFormatError(f"format is {self.format}, but {where}{self._junk} bytes in a row do not decode")
        raise AudioFormatError(
            f"format is {self.format}, but the first {self._received} bytes received do not decode as {self.format}"
        )


def _ogg_codec(head: bytes) -> str:
    for magic, name in (
        (b"OpusHead", "Opus"),
        (b"Speex   ", "Speex"),
        (b"\x01vorbis", "Vorbis"),
        (b"\x7fFLAC", "FLAC"),
    ):
        if head.startswith(magic):
            return name
    return "an unknown codec"


class _quiet_errors:
    """Swallow FFmpeg's complaints about the tail of a stream (a parser's last scraps)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: object, tb: object) -> bool:
        return isinstance(exc, (av.error.FFmpegError, ValueError))
