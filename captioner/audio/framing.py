"""Compressed audio that arrives in arbitrary slices -> the packets a codec decodes.

FFmpeg's parsers frame MP3 and ADTS AAC by themselves; the rest needs framing of our own,
done here on plain bytes so a network client's audio can be decoded slice by slice, as it
arrives, never waiting for the end of the stream:

- `OggPackets`: Ogg pages (RFC 3533) -> packets, for Opus and Speex. The first packet of a
  logical stream is the codec's header; every page's checksum is verified.
- `AmrFrames`: the AMR-NB storage format (RFC 4867 §5): `#!AMR\\n`, then frames whose size
  their first (TOC) byte gives, so each frame goes out the moment its last byte is in.
- `id3v2_size` and `mp3_start_padding`: an ID3v2 tag before the first MP3 frame, and the
  Xing/Info frame (LAME's encoder delay), which a file demuxer would skip for us.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass


class FramingError(ValueError):
    """The bytes are not in the shape their format promises."""


#: Each byte value with its bits in reverse order.
_REVERSED = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def ogg_crc(page: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, no pre- or post-inversion).

    zlib's crc32 is the same polynomial reflected, so it gives Ogg's CRC of a message whose
    bytes are bit-reversed, bit-reversed itself (with zlib's inversions undone): C speed,
    where a table loop in Python would cost more than decoding the audio.
    """
    crc = zlib.crc32(page.translate(_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{crc:032b}"[::-1], 2)


@dataclass(frozen=True)
class OggPacket:
    data: bytes
    #: True for the first packet of a logical stream (the codec's identification header).
    first: bool


class OggPackets:
    """Ogg pages, pushed in any slices -> the packets of the first logical stream.

    Once the reader is in step with the stream, each packet goes out as soon as its last
    byte is in, before the rest of its page (an encoder that fills a page with a second of
    packets would otherwise add a second of delay); the page's checksum is verified when
    the page is complete. Pages of other multiplexed streams are ignored; a stream chained
    after the first one ended starts over with its own header packet (`first`). A damaged
    page is skipped and the reader finds the next one; too many bytes without a good page
    is an error.
    """

    MAX_RESYNC = 64 * 1024
    MAX_PAGE = 27 + 255 + 255 * 255

    def __init__(self) -> None:
        self._buf = bytearray()
        self._serial: int | None = None
        self._ended = False
        self._next_seq = 0
        self._partial = bytearray()
        self._skipped = 0
        self._new_stream = False
        self._page_open = False  # the page at the buffer's start has been started
        self._page_ours = False  # ... and belongs to our stream
        self._continued = False  # skipping the tail of a packet whose head was lost
        self._done = 0  # segments of the open page already taken

    def push(self, data: bytes) -> list[OggPacket]:
        self._buf += data
        out: list[OggPacket] = []
        buf = self._buf
        while len(buf) >= 27:
            if buf[:4] != b"OggS" or buf[4] != 0:
                if self._serial is None and self._skipped == 0:
                    raise FramingError("the audio is not in an Ogg container (it does not start with 'OggS')")
                self._resync()
                continue
            n = buf[26]
            if len(buf) < 27 + n:
                break
            lacing = bytes(buf[27 : 27 + n])
            total = 27 + n + sum(lacing)
            if len(buf) < total:
                if self._serial is not None and self._skipped == 0:  # in step: take what is complete
                    out += self._take(bytes(buf), lacing, early=True)
                break
            page = bytes(buf[:total])
            if ogg_crc(page[:22] + b"\0\0\0\0" + page[26:]) != struct.unpack_from("<I", page, 22)[0]:
                if self._serial is None and self._skipped == 0:
                    raise FramingError("its first Ogg page is damaged (checksum mismatch)")
                self._resync()
                continue
            del buf[:total]
            self._skipped = 0
            out += self._take(page, lacing, early=False)
            self._page_open, self._done = False, 0
        if self._skipped + max(0, len(buf) - self.MAX_PAGE) > self.MAX_RESYNC:
            raise FramingError(f"no valid Ogg page in {self.MAX_RESYNC // 1024} KiB of audio")
        return out

    def _resync(self) -> None:
        if self._page_open:  # a page we took packets from early turned out damaged
            self._partial.clear()
            self._page_open, self._done = False, 0
        i = self._buf.find(b"OggS", 1)
        drop = i if i >= 0 else max(1, len(self._buf) - 3)
        del self._buf[:drop]
        self._skipped += drop
        if self._skipped > self.MAX_RESYNC:
            raise FramingError(f"no valid Ogg page in {self.MAX_RESYNC // 1024} KiB of audio")

    def _open(self, page: bytes) -> bool:
        """Start a page: True if it belongs to the stream we follow."""
        flags = page[5]
        serial, seq = struct.unpack_from("<II", page, 14)
        if self._serial is None or (serial != self._serial and flags & 0x02 and self._ended):
            if not flags & 0x02:
                raise FramingError("the Ogg stream does not begin with its first page (no beginning-of-stream flag)")
            self._serial, self._ended, self._new_stream = serial, False, True
            self._partial.clear()
        elif serial != self._serial:
            return False  # another stream multiplexed into the same Ogg
        elif seq != self._next_seq:
            self._partial.clear()  # a page went missing: its packet is lost
        self._next_seq = (seq + 1) & 0xFFFFFFFF
        if flags & 0x04:
            self._ended = True
        self._continued = bool(flags & 0x01) and not self._partial
        return True

    def _take(self, page: bytes, lacing: bytes, early: bool) -> list[OggPacket]:
        """The packets of the page at the buffer's start that are complete in `page`."""
        if not self._page_open:
            self._page_open = True
            self._page_ours = self._open(page)
        if not self._page_ours:
            return []
        offset = 27 + len(lacing) + sum(lacing[: self._done])
        end = len(lacing)
        if early:  # only up to the last packet whose bytes are all here
            end, pos = self._done, offset
            for i in range(self._done, len(lacing)):
                pos += lacing[i]
                if pos > len(page):
                    break
                if lacing[i] < 255:
                    end = i + 1
        out = []
        for size in lacing[self._done : end]:
            chunk = page[offset : offset + size]
            offset += size
            if self._continued:  # the rest of a packet whose beginning was lost
                self._continued = size == 255
                continue
            self._partial += chunk
            if size < 255:
                out.append(OggPacket(bytes(self._partial), self._new_stream))
                self._new_stream = False
                self._partial.clear()
        self._done = end
        return out


#: AMR-NB frame sizes (bytes after the TOC byte) by frame type; None: not a valid type.
AMR_NB_SIZES = (12, 13, 15, 17, 19, 20, 26, 31, 5, None, None, None, None, None, None, 0)
AMR_MAGIC = b"#!AMR\n"


class AmrFrames:
    """The AMR-NB storage format, pushed in any slices -> one frame (TOC byte included)
    per packet, each as soon as it is complete."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._header = False

    def push(self, data: bytes) -> list[bytes]:
        buf = self._buf
        buf += data
        if not self._header:
            if buf[:6] == b"#!AMR-":
                raise FramingError("the audio is AMR-WB; format amr means AMR-NB (narrowband, 8 kHz)")
            if buf[:6] != AMR_MAGIC[: len(buf[:6])]:
                raise FramingError("the audio does not start with the AMR file header '#!AMR\\n'")
            if len(buf) < 6:
                return []
            del buf[:6]
            self._header = True
        out = []
        while buf:
            toc = buf[0]
            size = AMR_NB_SIZES[(toc >> 3) & 0x0F]
            if size is None or toc & 0x83:
                raise FramingError(f"byte 0x{toc:02x} is not an AMR-NB frame header")
            if len(buf) < 1 + size:
                break
            out.append(bytes(buf[: 1 + size]))
            del buf[: 1 + size]
        return out


def id3v2_size(head: bytes) -> int | None:
    """Bytes taken by an ID3v2 tag at the start of `head` (0: none), None: need more bytes."""
    if head[:3] != b"ID3"[: len(head[:3])]:
        return 0
    if len(head) < 10:
        return None
    size = 0
    for b in head[6:10]:
        size = (size << 7) | (b & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


def mp3_start_padding(frame: bytes) -> int | None:
    """If `frame` is a Xing/Info frame (metadata, silent when decoded), the samples a
    player trims from the start (LAME's encoder delay plus the decoder's 529), else None."""
    if len(frame) < 4 or frame[0] != 0xFF or frame[1] & 0xE0 != 0xE0:
        return None
    mpeg1 = (frame[1] >> 3) & 3 == 3
    mono = (frame[3] >> 6) & 3 == 3
    side = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    offset = 4 + (0 if frame[1] & 1 else 2) + side
    if frame[offset : offset + 4] not in (b"Xing", b"Info"):
        return None
    delay = 0
    if len(frame) >= offset + 8:
        flags = struct.unpack_from(">I", frame, offset + 4)[0]
        p = offset + 8 + (4 if flags & 1 else 0) + (4 if flags & 2 else 0) + (100 if flags & 4 else 0)
        p += 4 if flags & 8 else 0
        if len(frame) >= p + 24 and frame[p : p + 4] in (b"LAME", b"Lavf", b"Lavc"):
            delay = (frame[p + 21] << 4) | (frame[p + 22] >> 4)
    return delay + 529
