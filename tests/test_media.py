import asyncio
import subprocess
import time

import numpy as np
import pytest

from captioner.audio.frames import AudioSourceError
from captioner.audio.media import MediaSource
from captioner.testing.speech import write_wav

TONE_HZ = 440


@pytest.fixture(scope="module")
def tone_44k_stereo(tmp_path_factory):
    """Two seconds of a 440 Hz tone, 44.1 kHz stereo (right channel silent)."""
    t = np.arange(2 * 44100) / 44100
    left = (0.5 * np.sin(2 * np.pi * TONE_HZ * t) * 32767).astype("<i2")
    stereo = np.stack([left, np.zeros_like(left)], axis=1).reshape(-1)
    return write_wav(tmp_path_factory.mktemp("media") / "tone.wav", stereo, rate=44100, channels=2)


def encode(src, dst, *args):
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), *args, str(dst)], check=True)
    return dst


async def collect(source):
    return [f async for f in source.frames()]


@pytest.mark.parametrize(
    "name, args",
    [
        ("tone.flac", []),
        ("tone.mp3", []),
        ("tone.m4a", ["-c:a", "aac"]),
        ("tone.ogg", ["-c:a", "libopus", "-ar", "48000"]),
        ("tone.webm", ["-c:a", "libopus"]),
        ("tone.mp4", ["-f", "lavfi", "-i", "color=c=black:s=64x64:d=2", "-shortest", "-c:a", "aac"]),
        ("tone_8k_mono.wav", ["-ar", "8000", "-ac", "1"]),
        ("tone_6ch.wav", ["-af", "pan=5.1|FL=c0|FR=c1|FC=c0|LFE=c1|BL=c0|BR=c1"]),
    ],
)
def test_any_format_rate_and_layout_becomes_16k_mono_frames(tone_44k_stereo, tmp_path, name, args):
    path = encode(tone_44k_stereo, tmp_path / name, *args)
    source = MediaSource(path)
    assert 1900 <= source.duration_ms <= 2200
    frames = asyncio.run(collect(source))
    assert all(f.sample_count == 1600 for f in frames[:-1])
    assert [f.start_ms for f in frames] == [i * 100 for i in range(len(frames))]
    samples = np.concatenate([f.samples for f in frames]).astype(np.float32)
    assert 1.9 <= len(samples) / 16000 <= 2.2
    spectrum = np.abs(np.fft.rfft(samples[1600:-1600]))
    peak_hz = np.argmax(spectrum) * 16000 / (len(samples) - 3200)
    assert abs(peak_hz - TONE_HZ) < 5
    assert np.abs(samples).max() < 32767  # downmixed, not clipped


def test_realtime_pacing_delivers_like_a_microphone(tone_44k_stereo):
    source = MediaSource(tone_44k_stereo, realtime=True)
    arrivals = []

    async def run():
        t0 = time.monotonic()
        async for frame in source.frames():
            arrivals.append((frame.end_ms, time.monotonic() - t0))

    asyncio.run(run())
    # Never ahead of the audio clock, and not lagging behind it either.
    assert all(wall >= end / 1000 - 0.01 for end, wall in arrivals)
    assert arrivals[-1][1] < arrivals[-1][0] / 1000 + 0.5


def test_close_ends_a_paced_source_promptly(tone_44k_stereo):
    source = MediaSource(tone_44k_stereo, realtime=True)

    async def run():
        n = 0
        async for _ in source.frames():
            n += 1
            if n == 3:
                source.close()
        return n

    t0 = time.monotonic()
    assert asyncio.run(run()) == 3
    assert time.monotonic() - t0 < 1.0


def test_bad_files_are_refused_up_front_with_a_reason(tmp_path, tone_44k_stereo):
    with pytest.raises(AudioSourceError, match="no such file"):
        MediaSource(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioSourceError, match="the file is empty"):
        MediaSource(empty)
    garbage = tmp_path / "garbage.mp3"
    garbage.write_bytes(np.random.default_rng(1).bytes(20000))
    with pytest.raises(AudioSourceError, match="cannot decode this file as audio"):
        MediaSource(garbage)
    with pytest.raises(AudioSourceError, match="is a folder"):
        MediaSource(tmp_path)
    video_only = tmp_path / "video.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", str(video_only)], check=True
    )
    with pytest.raises(AudioSourceError, match="no audio track"):
        MediaSource(video_only)


@pytest.mark.parametrize("suffix", ["flac", "wav"])
def test_truncated_file_is_reported_not_passed_off_as_complete(tmp_path, tone_44k_stereo, suffix):
    whole = encode(tone_44k_stereo, tmp_path / f"t.{suffix}")
    data = whole.read_bytes()
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AudioSourceError, match="damaged after|ends early"):
        asyncio.run(collect(MediaSource(cut)))  # WAV: refused up front; FLAC: when decoding reaches the cut


# -- Files whose length FFmpeg can only guess ----------------------------------------------

#: ffmpeg arguments: a VBR MP3 without a Xing header, and raw ADTS AAC. Twenty seconds of
#: silence come first, so the length guessed from the first frames' bit rate is far off.
GUESSED_LENGTH = {
    "vbr_no_xing.mp3": ["-c:a", "libmp3lame", "-q:a", "7", "-write_xing", "0"],
    "adts.aac": ["-c:a", "aac", "-f", "adts"],
}


@pytest.fixture(scope="module")
def late_speech(tmp_path_factory, goforward_wav):
    """'Go forward ten meters' after 20 s of silence, as each file in GUESSED_LENGTH."""
    folder = tmp_path_factory.mktemp("guessed")
    return {
        name: encode(goforward_wav, folder / name, "-af", "adelay=20s", *args) for name, args in GUESSED_LENGTH.items()
    }


@pytest.mark.parametrize("name", GUESSED_LENGTH)
def test_a_guessed_length_is_for_progress_only_the_file_is_decoded_to_its_end(late_speech, goforward_wav, name):
    source = MediaSource(late_speech[name])
    real_ms = 20000 + int(goforward_wav.stat().st_size - 44) // 32
    assert source.duration_ms is not None and abs(source.duration_ms - real_ms) > 2000  # the guess is off
    frames = asyncio.run(collect(source))
    assert abs(frames[-1].end_ms - real_ms) < 200  # yet every frame is read, speech included
    tail = np.concatenate([f.samples for f in frames[-30:]]).astype(np.float32)
    assert np.abs(tail).max() > 3000


@pytest.mark.slow
@pytest.mark.parametrize("name", GUESSED_LENGTH)
def test_files_with_a_guessed_length_transcribe_fully(late_speech, tmp_path, name):
    import os
    import sys

    from captioner.testing.speech import GOFORWARD_TEXT, wer

    env = {**os.environ, "CAPTIONER_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "captioner", "transcribe", late_speech[name], "--txt", tmp_path / "t.txt"],
                       capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert wer(GOFORWARD_TEXT, (tmp_path / "t.txt").read_text()) <= 0.25
