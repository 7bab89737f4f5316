"""A media file sent to the cloud as its own compressed packets (issue #17 item 1).

Files are made here (espeak speech, encoded with PyAV: captioner/testing/encode.py); the
service is our own `captioner serve` with the on-device engine, in-process. What is checked:
the server was asked for the file's format (not PCM) and received far fewer bytes; the words
and their times are those of the same file sent as PCM and of what was said; a format the
model does not take goes as PCM; a connection cut mid-file still gives the whole transcript,
and the replay after it is compressed too. The packet layer's own pieces (probing, chunks,
each task's stream) are checked without an engine first.
"""

from __future__ import annotations

import asyncio
import itertools
import struct
from pathlib import Path

import pytest

from captioner.audio.media import MediaSource
from captioner.audio.packets import CHUNK_MS, Encoding, TaskMuxer, demux, probe_encoding
from captioner.audio.stream import open_decoder
from captioner.events import RecognitionError, Sentence
from captioner.pipeline import CaptionSession
from captioner.protocol.realtime import ErrorCode
from captioner.recognition.cloud.realtime import DashScopeRecognizer, ReconnectPolicy
from captioner.recognition.local.whisper import LocalRecognizer
from captioner.server.connection import TaskRefused
from captioner.server.realtime import DashScopeServer
from captioner.settings import RecognitionSettings
from captioner.testing.encode import encode, encode_m4a, encode_mp3
from captioner.testing.speech import check_sentences, wer, write_wav
from three_sentences import MAX_WER, SETTINGS, TEXTS, spoken

#: Against what was said, for the low-rate test files (a lost sentence is 5/19 more).
CODEC_MAX_WER = 0.35
EXTENSIONS = {"mp3": "mp3", "opus": "opus", "aac": "aac", "amr": "amr", "speex": "spx"}


@pytest.fixture(scope="module")
def speech():
    return spoken()


@pytest.fixture(scope="module")
def files(tmp_path_factory, speech) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("compressed")
    out = {}
    for fmt, ext in EXTENSIONS.items():
        out[fmt] = folder / f"speech.{ext}"
        out[fmt].write_bytes(encode(speech[0], fmt))
    return out


# -- The packet layer, without an engine ---------------------------------------------------


def test_files_in_the_services_formats_are_recognised_with_their_rates(files):
    want = {"mp3": 16000, "opus": 48000, "aac": 16000, "amr": 8000, "speex": 16000}
    for fmt, path in files.items():
        enc = probe_encoding(path)
        assert enc is not None and (enc.format, enc.rate) == (fmt, want[fmt]), (fmt, enc)
    opus = probe_encoding(files["opus"])
    assert opus is not None and opus.setup.startswith(b"OpusHead") and opus.comments.startswith(b"OpusTags")
    mp3 = probe_encoding(files["mp3"])
    assert mp3 is not None and mp3.setup[:2] == b"\xff\xf3"  # the Xing/LAME frame, kept for the delay


def test_an_mp3s_id3_tag_stays_home(tmp_path, speech):
    """Tags (cover art, often) are not audio: neither the task's header nor its chunks
    carry them; the Xing/LAME frame after the tag is still found."""
    path = tmp_path / "tagged.mp3"
    path.write_bytes(encode(speech[0], "mp3", tags={"title": "T" * 3000, "artist": "someone"}))
    enc = probe_encoding(path)
    assert enc is not None and enc.setup[:2] == b"\xff\xf3"
    assert path.read_bytes()[:3] == b"ID3"
    sent = TaskMuxer(enc).start() + b"".join(p for c in demux(path, enc) for p in c.packets)
    assert b"ID3" not in sent and b"TTTT" not in sent


def test_other_files_are_not_sent_as_they_are(tmp_path, speech):
    samples = speech[0]
    wav = write_wav(tmp_path / "a.wav", samples)
    stereo = tmp_path / "stereo.mp3"
    stereo.write_bytes(encode_mp3(samples, channels=2))
    assert probe_encoding(wav) is None  # PCM with a header: decoded and sent as PCM
    assert probe_encoding(stereo) is None  # the service wants mono
    assert MediaSource(wav).encoding is None
    assert MediaSource(stereo).encoding is None


def test_chunks_are_about_100_ms_and_keep_the_files_clock(files, speech):
    said_ms = len(speech[0]) * 1000 // 16000
    for fmt, path in files.items():
        enc = probe_encoding(path)
        assert enc is not None
        chunks = list(demux(path, enc))
        assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(chunks))
        assert all(CHUNK_MS <= c.duration_ms <= 2 * CHUNK_MS for c in chunks[:-1]), fmt
        # the packets' length: what was said, plus the codec's priming and last frame
        assert said_ms <= chunks[-1].end_ms <= said_ms + 130, (fmt, chunks[-1].end_ms)
        assert sum(c.size for c in chunks) <= path.stat().st_size  # (ADTS: every byte is a packet)


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_each_tasks_stream_decodes_from_any_chunk(files, fmt):
    """What a replay sends (the stream started again at a chunk mid-file) decodes, on the
    server's own decoder, to as much audio as those chunks hold."""
    enc = probe_encoding(files[fmt])
    assert enc is not None
    chunks = list(demux(files[fmt], enc))
    for start in (0, len(chunks) // 3, len(chunks) - 5):
        muxer = TaskMuxer(enc)
        data = muxer.start() + b"".join(muxer.chunk(c) for c in chunks[start:])
        decoder = open_decoder(fmt, enc.rate)
        decoded_ms = len(decoder.feed(data) + decoder.flush()) / 32
        sent_ms = chunks[-1].end_ms - chunks[start].start_ms
        assert sent_ms - 150 <= decoded_ms <= sent_ms + 30, (fmt, start, decoded_ms, sent_ms)


def test_an_m4a_goes_as_adts_aac(tmp_path, speech):
    """Raw AAC-LC from an MP4 gets an ADTS header per packet: the server decodes it from
    any chunk on, and what goes up is about the file's audio, never its MP4 boxes."""
    path = tmp_path / "memo.m4a"
    path.write_bytes(encode_m4a(speech[0]))
    enc = probe_encoding(path)
    assert enc is not None and (enc.format, enc.rate) == ("aac", 16000)
    chunks = list(demux(path, enc))
    for start in (0, len(chunks) // 2):
        muxer = TaskMuxer(enc)
        data = muxer.start() + b"".join(muxer.chunk(c) for c in chunks[start:])
        assert data[:2] == b"\xff\xf1" and len(data) < path.stat().st_size
        decoder = open_decoder("aac", enc.rate)
        decoded_ms = len(decoder.feed(data) + decoder.flush()) / 32
        sent_ms = chunks[-1].end_ms - chunks[start].start_ms
        # (+ up to 1024 samples: the MP4's edit list leaves the encoder's priming out of the
        # packets' durations; over ADTS it is decoded, as from any ADTS stream)
        assert sent_ms - 30 <= decoded_ms <= sent_ms + 70, (start, decoded_ms, sent_ms)
    stereo = tmp_path / "stereo.m4a"
    stereo.write_bytes(encode_m4a(speech[0], channels=2))
    assert probe_encoding(stereo) is None
    assert Encoding("aac", 44100).rate_for((16000,)) is None  # a 44.1-kHz memo: PCM for Fun-ASR


def test_ogg_pages_carry_granules_from_the_tasks_start(files):
    enc = probe_encoding(files["opus"])
    assert enc is not None
    chunks = list(demux(files["opus"], enc))
    muxer = TaskMuxer(enc)
    head = muxer.start()
    assert head[:4] == b"OggS" and head[5] == 2  # the first page opens the stream
    page = muxer.chunk(chunks[10])
    pre_skip = struct.unpack_from("<H", enc.setup, 10)[0]
    assert struct.unpack_from("<Q", page, 6)[0] == pre_skip + chunks[10].samples
    assert struct.unpack_from("<I", page, 18)[0] == 2  # page sequence: after the two headers


def test_the_rate_a_task_names_follows_the_models_rule():
    mp3_44k = Encoding("mp3", 44100)
    opus_48k = Encoding("opus", 48000)
    amr = Encoding("amr", 8000)
    cloud = DashScopeRecognizer(url="ws://127.0.0.1:9/")
    for model, enc, want in [
        ("fun-asr-realtime", Encoding("mp3", 16000), ("mp3", 16000)),
        ("fun-asr-realtime", mp3_44k, None),  # 16 kHz only: decoded here instead
        ("paraformer-realtime-v2", mp3_44k, ("mp3", 44100)),  # any rate
        ("fun-asr-realtime", opus_48k, ("opus", 16000)),  # Opus decodes at 16 kHz too
        ("paraformer-realtime-8k-v2", opus_48k, ("opus", 8000)),
        ("paraformer-realtime-v2", opus_48k, ("opus", 48000)),
        ("paraformer-realtime-v2", Encoding("opus", 44100), ("opus", 16000)),  # not an Opus rate
        ("fun-asr-realtime", amr, None),
        ("paraformer-realtime-8k-v2", amr, ("amr", 8000)),
    ]:
        got = cloud.encoded_settings(enc, RecognitionSettings(model=model))
        assert ((got.format, got.sample_rate) if got else None) == want, (model, enc)
    # a caller that chose a format keeps it; the on-device engine takes PCM only
    assert cloud.encoded_settings(amr, RecognitionSettings(format="amr", model="paraformer-realtime-8k-v2")) is None
    assert LocalRecognizer().encoded_settings(Encoding("mp3", 16000), SETTINGS) is None


# -- Through our own server, on real speech ---------------------------------------------------


@pytest.fixture(scope="module")
def recognizer():
    return LocalRecognizer()


async def caption(server: DashScopeServer, path: Path, upload: str, **kwargs) -> tuple[CaptionSession, list]:
    """Caption the file through the server; the session and every event it published."""
    session = CaptionSession(MediaSource(path, upload=upload), DashScopeRecognizer(url=server.url, **kwargs), SETTINGS)
    events: list = []
    session.subscribe(events.append)
    await session.run()
    return session, events


def finals(events) -> list[Sentence]:
    return [e for e in events if isinstance(e, Sentence) and e.final]


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_a_file_goes_as_its_own_packets_with_the_same_words_and_times(recognizer, files, speech, fmt):
    async def run():
        async with DashScopeServer(recognizer) as server:
            results = {}
            for upload in ("compressed", "pcm"):
                before = server.stats.audio_bytes
                session, events = await caption(server, files[fmt], upload)
                run_task = list(server.run_tasks.values())[-1]
                results[upload] = (session, events, run_task, server.stats.audio_bytes - before)
            return results

    results = asyncio.run(run())
    packed, plain = results["compressed"], results["pcm"]
    session, events, run_task, received = packed
    assert (run_task.parameters["format"], run_task.parameters["sample_rate"]) == (fmt, 16000)
    assert plain[2].parameters["format"] == "pcm"
    assert session.encoding is not None and session.encoding.format == fmt
    # what the server received is what the client counted, and a fraction of the PCM
    assert received == session.metrics["audio_sent_bytes"]
    assert received < plain[3] / 4, (received, plain[3])
    got, want = finals(events), finals(plain[1])
    assert not any(isinstance(e, RecognitionError) for e in events)
    # what was said, at the times it was said; the test's 32 kb/s MP3 costs whisper words
    # whichever way it goes (measured: "But when there is lovely today.", 5/19 both ways)
    assert len(got) == len(TEXTS)
    check_sentences(speech[1], got, max_wer=CODEC_MAX_WER)
    for sentence, span in zip(got, speech[1], strict=True):
        assert span.begin_ms - 300 <= sentence.begin_ms <= span.begin_ms + 300
        assert span.end_ms - 300 <= sentence.end_ms <= span.end_ms + 400
        assert sentence.words and all(
            sentence.begin_ms <= w.begin_ms <= w.end_ms <= sentence.end_ms for w in sentence.words
        )
    # and as the same file sent as PCM (the engine's run-to-run wobble aside)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert abs(g.begin_ms - w.begin_ms) <= 100 and abs(g.end_ms - w.end_ms) <= 100
    assert wer(" ".join(s.text for s in want), " ".join(s.text for s in got)) <= MAX_WER
    said = " ".join(TEXTS)
    assert wer(said, " ".join(s.text for s in got)) <= wer(said, " ".join(s.text for s in want)) + 1 / 19


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_format_the_model_does_not_take_goes_as_pcm(recognizer, files, speech):
    """AMR-NB is 8 kHz; fun-asr-realtime takes 16 kHz only, so the file is decoded here."""

    async def run():
        async with DashScopeServer(recognizer) as server:
            session, events = await caption(server, files["amr"], "compressed")
            return session, events, list(server.run_tasks.values())[-1]

    session, events, run_task = asyncio.run(run())
    assert (run_task.parameters["format"], run_task.parameters["sample_rate"]) == ("pcm", 16000)
    assert session.encoding is None
    got = finals(events)
    assert got and not any(isinstance(e, RecognitionError) for e in events)
    # telephone-band audio: the words are there, if not all of them
    check_sentences(speech[1], got, max_wer=0.5)


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_a_connection_cut_mid_file_still_gives_the_whole_transcript(recognizer, files, speech, fmt):
    async def run():
        async with DashScopeServer(recognizer) as server:
            _, clean = await caption(server, files[fmt], "compressed")
            cut_at = len(server.run_tasks)
            session = CaptionSession(
                MediaSource(files[fmt]),
                DashScopeRecognizer(url=server.url, reconnect=ReconnectPolicy(initial_delay=0.05, give_up_after=20)),
                SETTINGS,
            )
            events: list = []
            drops: list[int] = []

            def on_event(event) -> None:
                events.append(event)
                if isinstance(event, Sentence) and event.final and not drops:
                    drops.append(server.abort_connections())  # after the first final: the rest is replayed

            session.subscribe(on_event)
            await session.run()
            tasks = list(server.run_tasks.values())[cut_at:]
            return clean, session, events, tasks, drops

    clean, session, events, tasks, drops = asyncio.run(run())
    assert drops == [1] and session.metrics["reconnects"] == 1
    assert session.metrics["replayed_ms"] > 0
    # every task, the replay too, got the file's packets
    assert len(tasks) == 2 and all(t.parameters["format"] == fmt for t in tasks)
    got = finals(events)
    assert not any(isinstance(e, RecognitionError) for e in events)
    assert all(a.end_ms <= b.begin_ms for a, b in itertools.pairwise(got))  # nothing twice
    check_sentences(speech[1], got, max_wer=CODEC_MAX_WER)
    assert len(got) == len(finals(clean))
    for g, c in zip(got, finals(clean), strict=True):
        assert abs(g.begin_ms - c.begin_ms) <= 200 and abs(g.end_ms - c.end_ms) <= 200


def test_cli_upload_choice(files):
    import argparse

    from captioner.commands.transcribe import add_parser

    parser = argparse.ArgumentParser()
    add_parser(parser)
    assert parser.parse_args([str(files["mp3"])]).upload == "compressed"
    assert parser.parse_args([str(files["mp3"]), "--upload", "pcm"]).upload == "pcm"
    with pytest.raises(ValueError, match="upload must be one of"):
        MediaSource(files["mp3"], upload="flac")
    assert MediaSource(files["mp3"], upload="pcm").encoding is None


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_the_command_line_sends_the_files_packets_unless_told_pcm(files, speech, tmp_path):
    """`captioner transcribe FILE --engine dashscope` (a real process) against `serve`."""
    import os
    import subprocess
    import sys

    import srt

    from captioner.testing.server_thread import ServerThread

    env = {k: v for k, v in os.environ.items() if k != "DASHSCOPE_API_KEY"}
    env.update(CAPTIONER_DATA_DIR=str(tmp_path), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    subtitles = {}
    with ServerThread(DashScopeServer(LocalRecognizer())) as server:
        for upload in ("compressed", "pcm"):
            out = tmp_path / f"{upload}.srt"
            before = server.stats.audio_bytes
            args = ["transcribe", files["opus"], "--engine", "dashscope", "--url", server.url, "--language", "en"]
            args += ["--max-sentence-silence", "800", "--srt", out, "--upload", upload]
            r = subprocess.run(
                [sys.executable, "-m", "captioner", *map(str, args)],
                capture_output=True,
                text=True,
                env=env,
                timeout=300,
            )
            assert r.returncode == 0, r.stderr
            run_task = list(server.run_tasks.values())[-1]
            assert run_task.parameters["format"] == ("opus" if upload == "compressed" else "pcm")
            subtitles[upload] = (list(srt.parse(out.read_text())), server.stats.audio_bytes - before)
    (packed, packed_bytes), (plain, plain_bytes) = subtitles["compressed"], subtitles["pcm"]
    assert packed_bytes < plain_bytes / 4
    said = " ".join(TEXTS)
    assert wer(said, " ".join(c.content for c in packed)) <= MAX_WER
    assert len(packed) == len(plain)
    for a, b in zip(packed, plain, strict=True):
        assert abs((a.start - b.start).total_seconds()) <= 0.1 and abs((a.end - b.end).total_seconds()) <= 0.1
    first, last = speech[1][0], speech[1][-1]
    assert abs(packed[0].start.total_seconds() * 1000 - first.begin_ms) <= 300
    assert abs(packed[-1].end.total_seconds() * 1000 - last.end_ms) <= 400


class PcmOnlyServer(DashScopeServer):
    """`serve` built without compressed decoders: refuses any format but PCM at run-task,
    as DashScopeServer does for a format its FFmpeg cannot decode."""

    def _check_format(self, fmt: str) -> None:
        if fmt != "pcm":
            raise TaskRefused(ErrorCode.INVALID_PARAMETER, f"format: {fmt!r} cannot be decoded by this server")


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_service_that_refuses_the_format_gets_pcm_instead(recognizer, files, speech):
    async def run():
        async with PcmOnlyServer(recognizer) as server:
            session, events = await caption(server, files["opus"], "compressed")
            return session, events, [t.parameters["format"] for t in server.run_tasks.values()]

    session, events, formats = asyncio.run(run())
    assert formats == ["opus", "pcm"]  # asked once for the packets, refused, then PCM
    assert session.encoding is None
    assert not any(isinstance(e, RecognitionError) for e in events)
    check_sentences(speech[1], finals(events), max_wer=MAX_WER)
