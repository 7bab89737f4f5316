"""Compressed realtime audio (mp3, aac, opus, speex, amr) and any-rate PCM in `captioner serve`.

The decoders (`captioner/audio/stream.py`, `framing.py`) on their own first, fed in slices
as a network delivers them; then the server over a websockets client with the trivial
engine: streams decode as they arrive, garbage ends the task with NO_VALID_AUDIO_ERROR, the
sample-rate rules hold. Streams are encoded here (`captioner.testing.encode`).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct

import numpy as np
import pytest
from websockets.asyncio.client import connect

from captioner.audio import stream
from captioner.audio.framing import OggPackets, ogg_crc
from captioner.audio.stream import AudioDecoder, AudioFormatError, CompressedDecoder, decodable_formats, open_decoder
from captioner.protocol import realtime as p
from captioner.protocol.realtime import ErrorCode
from captioner.testing.encode import FORMATS, encode
from tests.test_server import events_until_end, failure, finals, run_task, serving

pytestmark = pytest.mark.timeout(60)


def tone(ms: int, rate: int = 16000, hz: float = 440) -> np.ndarray:
    t = np.arange(rate * ms // 1000) / rate
    return (np.sin(2 * np.pi * hz * t) * 0.25 * 32767).astype("<i2")


@pytest.fixture(scope="module")
def streams() -> dict[str, bytes]:
    """Two seconds of a 440 Hz tone in every compressed format."""
    return {fmt: encode(tone(2000), fmt) for fmt in FORMATS}


def decode(fmt: str, data: bytes, step: int) -> np.ndarray:
    dec = open_decoder(fmt, 16000)
    out = b"".join(dec.feed(data[i : i + step]) for i in range(0, len(data), step)) + dec.flush()
    return np.frombuffer(out, dtype="<i2")


def peak_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(np.float32)))
    return float(np.argmax(spectrum) * 16000 / len(x))


# -- The decoders --------------------------------------------------------------------------


def test_this_build_decodes_every_documented_format():
    assert set(decodable_formats()) == {"pcm", "wav", "mp3", "aac", "opus", "speex", "amr"}


# One byte at a time only where it tests a framer of its own (opus: Ogg, mp3: PyAV's parser,
# amr: its frame table); aac and speex share those, and a byte-wise run costs seconds.
SLICES = [(fmt, step) for fmt in FORMATS for step in (1, 97, 3200, 12800) if step > 1 or fmt not in ("aac", "speex")]


@pytest.mark.parametrize(("fmt", "step"), SLICES)
def test_compressed_stream_in_any_slices_becomes_the_same_16k_audio(streams, fmt, step):
    x = decode(fmt, streams[fmt], step)
    assert 1.95 <= len(x) / 16000 <= 2.12  # codec padding only (AAC: 64 ms of priming)
    assert abs(peak_hz(x[1600:-1600]) - 440) < 5
    assert 0.15 < np.abs(x[1600:-1600]).max() / 32767 < 0.5  # a 0.25 tone, give or take the codec


@pytest.mark.parametrize("fmt", FORMATS)
def test_audio_comes_out_as_the_stream_comes_in(streams, fmt):
    """Half the bytes give (nearly) half the audio: nothing waits for the end."""
    data = streams[fmt]
    dec = open_decoder(fmt, 16000)
    half = b"".join(dec.feed(data[i : i + 400]) for i in range(0, len(data) // 2, 400))
    assert len(half) / 2 / 16000 >= 0.8  # of the 1 s in the first half, minus a frame or two


def test_mp3_tag_and_encoder_delay_are_skipped_so_the_clock_matches_pcm():
    x = tone(2000, hz=300)
    x[8000:8800] = 0  # a gap to line up on
    mp3 = encode(x, "mp3")
    assert mp3.startswith(b"ID3")
    y = decode("mp3", mp3, 5)
    envelope = np.convolve(np.abs(y.astype(np.float32)), np.ones(80) / 80, mode="same")
    quiet = np.flatnonzero(envelope[6000:10000] < 300) + 6000
    assert abs(int(quiet[0]) - 8000) < 80 and abs(int(quiet[-1]) - 8800) < 80  # within 5 ms


@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_a_large_tag_before_the_audio_is_no_junk(fmt):
    """Cover art: 150 KB of ID3 tag or Opus comments before the first audio packet."""
    data = encode(tone(2000), fmt, tags={"comment": "x" * 150_000})
    assert len(data) > 150_000
    x = decode(fmt, data, 4000)
    assert 1.95 <= len(x) / 16000 <= 2.05


def test_any_pcm_rate_is_resampled_to_16k():
    for rate in (8000, 11025, 22050, 44100, 48000):
        dec = AudioDecoder("pcm", rate)
        pcm = tone(1000, rate).tobytes()
        out = b"".join(dec.feed(pcm[i : i + 999]) for i in range(0, len(pcm), 999)) + dec.flush()
        assert len(out) == 32000, rate


@pytest.mark.parametrize("fmt", FORMATS)
def test_garbage_is_refused_with_the_format_named(fmt):
    garbage = np.random.default_rng(7).bytes(40000)
    dec = open_decoder(fmt, 16000)
    with pytest.raises(AudioFormatError, match=f"format is {fmt}, but"):
        for i in range(0, len(garbage), 3200):
            dec.feed(garbage[i : i + 3200])
        dec.flush()
    # A short burst of garbage, then the end of the stream: refused at the end.
    dec = open_decoder(fmt, 16000)
    with pytest.raises(AudioFormatError, match=f"format is {fmt}, but"):
        dec.feed(garbage[:2000])
        dec.flush()


def test_a_clean_stream_turning_to_garbage_is_refused_saying_when(streams):
    dec = open_decoder("mp3", 16000)
    dec.feed(streams["mp3"])
    with pytest.raises(AudioFormatError, match=r"after 2\.\d s of audio, \d+ bytes in a row do not decode"):
        dec.feed(np.random.default_rng(3).bytes(40000))


def ogg_page(packet: bytes, serial: int = 1, seq: int = 0, flags: int = 0x02, ends: bool = True) -> bytes:
    """One Ogg page holding `packet` (or, `ends=False`, the first 255*k bytes of one)."""
    lacing = bytes([255] * (len(packet) // 255) + ([len(packet) % 255] if ends else []))
    head = b"OggS" + bytes([0, flags]) + struct.pack("<qII", 0, serial, seq) + b"\0\0\0\0" + bytes([len(lacing)])
    page = head + lacing + packet
    return page[:22] + struct.pack("<I", ogg_crc(page)) + page[26:]


@pytest.mark.parametrize(
    "fmt, data, words",
    [
        ("opus", ogg_page(b"\x01vorbis" + bytes(30)), "the Ogg stream holds Vorbis"),
        ("speex", ogg_page(b"OpusHead" + bytes(11)), "the Ogg stream holds Opus"),
        ("opus", b"RIFF" + bytes(100), "does not start with 'OggS'"),
        ("opus", ogg_page(b"OpusHead" + bytes(11), flags=0), "does not begin with its first page"),
        ("amr", b"#!AMR-WB\n" + bytes(100), "AMR-WB; format amr means AMR-NB"),
        ("amr", b"#!AMR\n\xff", "is not an AMR-NB frame header"),
        ("mp3", b"ID3\x04\0\0\x7f\x7f\x7f\x7f", "ID3 tag claims"),
    ],
)  # fmt: skip
def test_streams_that_are_not_what_they_claim(fmt, data, words):
    with pytest.raises(AudioFormatError, match=words):
        open_decoder(fmt, 16000).feed(data)


def test_a_damaged_ogg_page_is_skipped_and_decoding_goes_on(streams):
    data = bytearray(streams["opus"])
    pages = [i for i in range(len(data)) if data[i : i + 4] == b"OggS"]
    data[pages[8] + 40] ^= 0xFF  # a byte inside the ninth page's audio
    x = decode("opus", bytes(data), 500)
    assert 1.8 <= len(x) / 16000 <= 2.0  # one page (100 ms) lost, the rest decoded


def test_ogg_packets_split_across_pages_and_other_streams_ignored():
    big = bytes(range(256)) * 3  # 768 bytes: one packet over several lacing values
    ours = (
        ogg_page(b"head", serial=5)
        + ogg_page(big[:510], 5, 1, flags=0, ends=False)
        + ogg_page(big[510:], 5, 2, flags=0x01)
    )
    theirs = ogg_page(b"other", serial=9)
    reader = OggPackets()
    data = ours[: len(ogg_page(b"head", serial=5))] + theirs + ours[len(ogg_page(b"head", serial=5)) :]
    packets = [pk for i in range(0, len(data), 11) for pk in reader.push(data[i : i + 11])]
    assert [(pk.data, pk.first) for pk in packets] == [(b"head", True), (big, False)]


def test_a_format_this_build_cannot_decode_is_refused_at_run_task(monkeypatch):
    monkeypatch.setitem(stream.COMPRESSED_FORMATS, "speex", ("no-such-decoder",))
    stream._decoder_name.cache_clear()
    try:
        assert "speex" not in decodable_formats()
        with pytest.raises(ValueError, match="cannot decode speex"):
            CompressedDecoder("speex")

        async def scenario():
            async with serving() as server, connect(server.url) as ws:
                await ws.send(run_task("s1", format="speex"))
                failed, _ = await failure(ws)
                assert failed.error_code == ErrorCode.INVALID_PARAMETER
                assert failed.error_message == (
                    "format: 'speex' cannot be decoded by this server (its FFmpeg has no decoder for it); "
                    "this server decodes pcm, wav, mp3, aac, opus, amr"
                )

        asyncio.run(scenario())
    finally:
        monkeypatch.undo()
        stream._decoder_name.cache_clear()


# -- Through the server --------------------------------------------------------------------


async def stream_task(ws, fmt: str, data: bytes, step: int = 1000, task_id: str = "c1", **params):
    await ws.send(run_task(task_id, format=fmt, **params))
    assert isinstance(p.decode_event(await asyncio.wait_for(ws.recv(), 5)), p.TaskStarted)
    for i in range(0, len(data), step):
        await ws.send(data[i : i + step])
    await ws.send(p.encode(p.FinishTask(task_id)))
    return await events_until_end(ws)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_each_compressed_format_through_the_server(streams, fmt):
    async with serving() as server, connect(server.url) as ws:
        pcm_events = await stream_task(ws, "pcm", tone(2000).tobytes(), 3200, "base")
        events = await stream_task(ws, fmt, streams[fmt])
        assert isinstance(events[-1], p.TaskFinished), events[-1]
        ours, theirs = finals(events), finals(pcm_events)
        assert len(ours) == len(theirs)
        assert abs(ours[-1][2] - theirs[-1][2]) <= 100  # the same clock, give or take a frame


async def test_results_come_while_a_compressed_stream_is_still_arriving(streams):
    data = streams["opus"]
    async with serving() as server, connect(server.url) as ws:
        await ws.send(run_task("live", format="opus"))
        assert isinstance(p.decode_event(await asyncio.wait_for(ws.recv(), 5)), p.TaskStarted)
        for i in range(0, len(data) // 2, 400):
            await ws.send(data[i : i + 400])
        first = p.decode_event(await asyncio.wait_for(ws.recv(), 5))  # before the rest is sent
        assert isinstance(first, p.ResultGenerated) and first.sentence.text.startswith("loud3")
        for i in range(len(data) // 2 // 400 * 400, len(data), 400):
            await ws.send(data[i : i + 400])
        await ws.send(p.encode(p.FinishTask("live")))
        assert isinstance((await events_until_end(ws))[-1], p.TaskFinished)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_garbage_stream_fails_the_task_with_no_valid_audio(fmt):
    garbage = np.random.default_rng(11).bytes(40000)
    async with serving() as server, connect(server.url) as ws:
        await ws.send(run_task("junk", format=fmt))
        assert isinstance(p.decode_event(await asyncio.wait_for(ws.recv(), 5)), p.TaskStarted)
        for i in range(0, len(garbage), 3200):
            await ws.send(garbage[i : i + 3200])
        await ws.send(p.encode(p.FinishTask("junk")))
        failed, close_code = await failure(ws)
        assert failed.error_code == ErrorCode.NO_VALID_AUDIO == "NO_VALID_AUDIO_ERROR"
        assert failed.error_message.startswith(f"format is {fmt}, but")
        assert close_code == 1000
        assert server.stats.failures[ErrorCode.NO_VALID_AUDIO] == 1


async def test_short_garbage_then_finish_fails_too():
    async with serving() as server, connect(server.url) as ws:
        await ws.send(run_task("short", format="mp3"))
        await asyncio.wait_for(ws.recv(), 5)
        await ws.send(np.random.default_rng(5).bytes(3000))
        await ws.send(p.encode(p.FinishTask("short")))
        failed, _ = await failure(ws)
        assert failed.error_code == ErrorCode.NO_VALID_AUDIO
        assert "none of the 3000 bytes received decode as mp3" in failed.error_message


@pytest.mark.parametrize("rate", [11025, 22050, 44100, 48000])
async def test_paraformer_v2_takes_any_rate_on_the_clients_clock(rate):
    pcm = tone(1000, rate).tobytes()
    async with serving() as server, connect(server.url) as ws:
        events = await stream_task(ws, "pcm", pcm, rate // 5, model="paraformer-realtime-v2", sample_rate=rate)
        assert finals(events) == [("loud3 loud6 loud9.", 0, 900), ("loud10.", 900, 1000)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_streams_decode_or_fail_with_a_format_error_only(streams, fmt):
    """Bit flips, overwritten runs and truncation, fed in random slices: never another error."""
    rng = np.random.default_rng(sum(map(ord, fmt)))
    for trial in range(40):
        data = bytearray(streams[fmt])
        if trial % 3 == 0:
            for _ in range(int(rng.integers(1, 20))):
                data[int(rng.integers(0, len(data)))] ^= 1 << int(rng.integers(0, 8))
        elif trial % 3 == 1:
            i = int(rng.integers(0, len(data)))
            data[i : i + int(rng.integers(1, 500))] = rng.bytes(int(rng.integers(1, 500)))
        else:
            del data[int(rng.integers(0, len(data))) :]
        dec = open_decoder(fmt, 16000)
        step = int(rng.integers(1, 4000))
        with contextlib.suppress(AudioFormatError):
            for i in range(0, len(data), step):
                dec.feed(bytes(data[i : i + step]))
            dec.flush()
