"""A media file's own compressed audio, cut into ~100 ms chunks without decoding it, and the
bytes each recognition task sends of it.

The DashScope realtime service takes MP3, ADTS AAC, AMR-NB, and Opus or Speex in Ogg as well
as PCM (docs/protocol.md §2.4). A file already in one of those formats need not be decoded
and sent as PCM, 5-20 times its size: its packets can go as they are. Here:

- `probe_encoding(path)`: the file's `Encoding` (the service's format name, the stream's
  rate, the codec header), or None when the file is not in a format the service takes
  (another codec, another container, more than one channel: the service wants mono).
- `demux(path)`: the packets, demuxed by PyAV (never decoded), grouped into `EncodedFrame`s
  of about 100 ms. Each carries its duration in whole milliseconds of the session clock,
  rounded on the running total so an hour of 104.49-ms MP3 chunks does not drift.
- `TaskMuxer`: what one task sends, from any chunk on: a stream the service can decode from
  its first byte. For Ogg that is fresh identification and comment pages, then our own pages
  of the chunks (one page per chunk, so nothing waits for a page to fill), with granule
  positions counted from the task's start; for MP3 the file's Xing/LAME frame (so the
  encoder delay is trimmed as on the first task), then the frames; for AMR the `#!AMR`
  magic, then the frames; ADTS AAC frames carry their own headers, and raw AAC-LC from an
  M4A/MP4 is given one per packet (the service takes AAC as ADTS). So after a dropped
  connection the replay starts from a chunk boundary in the same format, not as PCM.
"""

from __future__ import annotations

import abc
import os
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av

from captioner.audio.frames import SAMPLE_RATE, AudioSource, AudioSourceError
from captioner.audio.framing import id3v2_size, mp3_start_padding, ogg_crc

#: About this much audio per chunk (the service wants ~100 ms per binary frame).
CHUNK_MS = 100

_MP4 = "mov,mp4,m4a,3gp,3g2,mj2"
#: AAC's sampling-frequency table (ISO 14496-3), indexed as in an AudioSpecificConfig / ADTS.
_AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)

#: (FFmpeg demuxer, decoder) -> the service's format name. Only these go out compressed.
_FORMATS = {
    ("mp3", "mp3float"): "mp3",
    ("mp3", "mp3"): "mp3",
    ("ogg", "opus"): "opus",
    ("ogg", "speex"): "speex",
    ("aac", "aac"): "aac",
    ("aac", "aac_fixed"): "aac",
    (_MP4, "aac"): "aac",  # M4A / MP4: raw AAC-LC, given ADTS headers on the way out
    (_MP4, "aac_fixed"): "aac",
    ("amr", "amrnb"): "amr",
    ("amr", "libopencore_amrnb"): "amr",
}

#: The rates an Opus stream decodes at (RFC 6716): whichever a task names, the same packets.
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)

#: An MP3's Xing/LAME frame is a few hundred bytes; more between the tag and the first
#: frame is something else, and is not sent.
_MAX_MP3_HEADER = 4096


@dataclass(frozen=True)
class Encoding:
    """How a file's audio is coded, in the realtime service's terms.

    `rate` is the stream's own sample rate (for Opus the input rate its header records; the
    packets decode at any of OPUS_RATES). `setup` is the codec's identification header for
    Ogg streams (OpusHead, the Speex header), the MP3 file's Xing/LAME frame, or for AAC
    from an MP4 the fixed part of an ADTS header (each packet then gets one); `comments`
    the Ogg comment packet a task sends after it.
    """

    format: str
    rate: int
    setup: bytes = b""
    comments: bytes = b""
    #: Speex: extra header packets after the comments (always 0 in practice); sent empty.
    extra_headers: int = 0

    def rate_for(self, allowed: tuple[int, ...] | None) -> int | None:
        """The sample_rate a task sends this stream at, given the model's allowed rates
        (None: any); None when the model cannot take it as it is (then decode to PCM)."""
        if self.format == "opus":  # one of Opus's own rates, never its input's 44.1 kHz
            usable = [r for r in OPUS_RATES if allowed is None or r in allowed]
            if self.rate in usable:
                return self.rate
            return SAMPLE_RATE if SAMPLE_RATE in usable else (usable[-1] if usable else None)
        if allowed is None or self.rate in allowed:
            return self.rate
        return None


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """About 100 ms of a file's compressed audio: whole packets, as the file holds them.

    Stamped on the session clock like an AudioFrame (`start_ms`, `duration_ms`); `samples`
    is its length in the stream's own samples (Ogg granule units)."""

    packets: tuple[bytes, ...]
    duration_ms: int
    samples: int
    #: The stream's encoding (shared by every chunk): what a task needs to start its stream.
    encoding: Encoding
    start_ms: int = 0

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms

    @property
    def sample_count(self) -> int:
        """Its length in session-clock samples (16 kHz), as AudioFrame.sample_count."""
        return self.duration_ms * SAMPLE_RATE // 1000

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.packets)


def probe_encoding(path: Path) -> Encoding | None:
    """The file's encoding when the service takes it as it is; None otherwise (and when
    PyAV cannot read it: MediaSource reports that)."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            ctx = stream.codec_context
            fmt = _FORMATS.get((container.format.name, ctx.name))
            # (Other streams, such as an MP3's or M4A's cover art, are left behind.)
            if fmt is None or ctx.channels != 1 or len(container.streams.audio) != 1:
                return None
            extradata = bytes(ctx.extradata or b"")
            if fmt == "opus":
                if not extradata.startswith(b"OpusHead") or len(extradata) < 19:
                    return None
                rate = struct.unpack_from("<I", extradata, 12)[0] or 48000
                return Encoding(fmt, rate, extradata, _comments(b"OpusTags"))
            if fmt == "speex":
                if not extradata.startswith(b"Speex   ") or len(extradata) < 80:
                    return None
                rate = struct.unpack_from("<I", extradata, 36)[0]
                extra = struct.unpack_from("<I", extradata, 68)[0]
                return Encoding(fmt, rate, extradata, _comments(b""), extra)
            if container.format.name == _MP4:
                adts = _adts_fixed(extradata, ctx.sample_rate)
                return Encoding(fmt, ctx.sample_rate, adts) if adts else None
            first = next((p for p in container.demux(stream) if p.size), None)
            if first is None:
                return None
            setup = _mp3_header(path, first.pos) if fmt == "mp3" and first.pos is not None else b""
            return Encoding(fmt, ctx.sample_rate, setup)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError):
        return None


def _adts_fixed(asc: bytes, rate: int) -> bytes:
    """The first 4 bytes of an ADTS header (less the frame length) for raw AAC-LC mono
    described by an AudioSpecificConfig; b"" for anything else (HE-AAC, whose output rate
    is twice the core's, an escape rate, more channels)."""
    if len(asc) < 2:
        return b""
    kind, index, channels = asc[0] >> 3, ((asc[0] & 7) << 1) | (asc[1] >> 7), (asc[1] >> 3) & 15
    if kind != 2 or index >= len(_AAC_RATES) or _AAC_RATES[index] != rate or channels != 1:
        return b""
    # syncword, MPEG-4, layer 0, no CRC | profile (LC = 1), rate index, channel config
    return bytes([0xFF, 0xF1, ((kind - 1) << 6) | (index << 2) | (channels >> 2), (channels & 3) << 6])


def _adts(fixed: bytes, packet: bytes) -> bytes:
    """One raw AAC packet as an ADTS frame (7-byte header, no CRC)."""
    n = len(packet) + 7
    return (
        fixed[:3]
        + bytes([fixed[3] | (n >> 11), (n >> 3) & 0xFF, ((n & 7) << 5) | 0x1F, 0xFC])  # buffer fullness: VBR
        + packet
    )


def _comments(magic: bytes) -> bytes:
    """A comment packet naming us as the vendor, with no comments (the file's own may hold
    cover art: never worth uploading)."""
    vendor = b"captioner"
    return magic + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)


def _mp3_header(path: Path, first_pos: int) -> bytes:
    """The Xing/LAME frame between the ID3 tag and the first audio frame, if there is one."""
    with path.open("rb") as f:
        start = 0
        while (size := id3v2_size(f.read(10))) is not None and size > 0:
            start += size
            f.seek(start)
        if not 0 < first_pos - start <= _MAX_MP3_HEADER:
            return b""
        f.seek(start)
        head = f.read(first_pos - start)
    return head if mp3_start_padding(head) is not None else b""


def demux(path: Path, encoding: Encoding, closed: threading.Event | None = None) -> Iterator[EncodedFrame]:
    """The file's packets in chunks of about CHUNK_MS, stamped from 0 on the file's clock.

    Durations come from the demuxer (each packet's duration, else the pts step); a chunk's
    length in ms is the difference of the rounded running totals, so the session clock
    stays within a millisecond of the stream's over any length."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            time_base = stream.time_base or Fraction(1, stream.codec_context.sample_rate or SAMPLE_RATE)
            rate = stream.codec_context.sample_rate or SAMPLE_RATE
            packets: list[bytes] = []
            length = 0  # of the chunk being filled, in time_base units
            total = 0  # before it
            done_ms = 0
            last_pts: int | None = None
            for packet in container.demux(stream):
                if closed is not None and closed.is_set():
                    return
                if not packet.size:
                    continue
                step = packet.duration or 0
                if not step and packet.pts is not None and last_pts is not None:
                    step = packet.pts - last_pts
                last_pts = packet.pts
                packets.append(bytes(packet))
                length += step
                if (total + length) * time_base * 1000 - done_ms >= CHUNK_MS:
                    total, done_ms, frame = _chunk(packets, total, length, done_ms, time_base, rate, encoding)
                    packets, length = [], 0
                    yield frame
            if packets:
                yield _chunk(packets, total, length, done_ms, time_base, rate, encoding)[2]
    except av.error.FFmpegError as exc:
        raise AudioSourceError(f"{path}: the file is damaged ({getattr(exc, 'strerror', None) or exc})") from exc


def _chunk(
    packets: list[bytes], total: int, length: int, done_ms: int, time_base: Fraction, rate: int, encoding: Encoding
) -> tuple[int, int, EncodedFrame]:
    total += length
    end_ms = round(total * time_base * 1000)
    samples = round(length * time_base * rate)
    return total, end_ms, EncodedFrame(tuple(packets), end_ms - done_ms, samples, encoding, done_ms)


# -- What one task sends ------------------------------------------------------------------


@dataclass
class TaskMuxer:
    """The bytes of one task's stream: `start()` once, then `chunk()` for each frame, from
    whichever chunk the task starts at (a replay starts mid-file)."""

    encoding: Encoding
    serial: int = field(default_factory=lambda: int.from_bytes(os.urandom(4), "little"))
    _seq: int = 0
    _granule: int = 0

    @property
    def ogg(self) -> bool:
        return self.encoding.format in ("opus", "speex")

    def start(self) -> bytes:
        enc = self.encoding
        if self.ogg:
            headers = [self._page([enc.setup], bos=True), self._page([enc.comments])]
            headers += [self._page([b""]) for _ in range(enc.extra_headers)]
            if enc.format == "opus":  # audio granules count the pre-skip (RFC 7845 §4)
                self._granule = struct.unpack_from("<H", enc.setup, 10)[0]
            return b"".join(headers)
        if enc.format == "amr":
            return b"#!AMR\n"
        if enc.format == "aac":
            return b""  # every ADTS frame carries its own header
        return enc.setup  # mp3: the Xing/LAME frame (or nothing)

    def chunk(self, frame: EncodedFrame) -> bytes:
        if not self.ogg:
            if self.encoding.format == "aac" and self.encoding.setup:  # raw AAC from an MP4
                return b"".join(_adts(self.encoding.setup, p) for p in frame.packets)
            return b"".join(frame.packets)
        self._granule += frame.samples
        return self._page(list(frame.packets))

    def _page(self, packets: list[bytes], bos: bool = False) -> bytes:
        """One or more Ogg pages (RFC 3533) holding `packets`: a page takes 255 lacing
        values, so a long run of packets continues on the next page."""
        lacing = bytearray()
        for p in packets:
            lacing += b"\xff" * (len(p) // 255) + bytes([len(p) % 255])
        body = b"".join(packets)
        out: list[bytes] = []
        continued = False
        while True:
            take = lacing[:255]
            size = sum(take)
            last = len(lacing) <= 255
            # Only the page where the last packet ends carries the granule; others -1.
            granule = self._granule if last else (1 << 64) - 1
            flags = (1 if continued else 0) | (2 if bos and not out else 0)
            head = struct.pack("<4sBBQIII", b"OggS", 0, flags, granule, self.serial, self._seq, 0)
            page = head + bytes([len(take)]) + bytes(take) + body[:size]
            crc = ogg_crc(page)
            out.append(page[:22] + struct.pack("<I", crc) + page[26:])
            self._seq += 1
            body, lacing = body[size:], lacing[255:]
            if last:
                return b"".join(out)
            continued = take[-1] == 255


# -- A source that can hand over its own packets -------------------------------------------


class EncodedSource(AudioSource):
    """A source that can also give its audio as the file's own packets (`encoded_frames()`)
    when `encoding` is not None. `frames()` still decodes to PCM: CaptionSession takes the
    packets only when the engine sends this encoding as it is (the cloud), else the PCM."""

    encoding: Encoding | None = None

    @abc.abstractmethod
    def encoded_frames(self) -> AsyncIterator[EncodedFrame]: ...
