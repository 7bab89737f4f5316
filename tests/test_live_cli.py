"""Live captioning from the CLI on a real PortAudio device: speech played into a PulseAudio
virtual microphone (and into the "speakers", for system audio) comes out as words; Ctrl-C
saves the subtitles."""

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import srt

from captioner.testing.speech import librivox, read_wav, silence, wer, write_wav
from pulse import pulse_server, virtual_mic  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


def start_live(args, env, data_dir):
    return subprocess.Popen(
        [sys.executable, "-m", "captioner", "transcribe", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env, "CAPTIONER_DATA_DIR": str(data_dir)},
    )


def wait_for_line(stream, predicate, timeout):
    """Read lines until one matches (in a thread, so a silent process cannot hang the test)."""
    found, lines = threading.Event(), []

    def reader():
        for line in stream:
            lines.append(line)
            if predicate(line):
                found.set()
                return

    threading.Thread(target=reader, daemon=True).start()
    found.wait(timeout)
    return found.is_set(), lines


@pytest.fixture(scope="module")
def two_sentences(tmp_path_factory):
    recordings = librivox()[1:3]
    samples = [read_wav(r.path) for r in recordings]
    path = tmp_path_factory.mktemp("live") / "two.wav"
    write_wav(path, np.concatenate([samples[0], silence(2000), samples[1], silence(1500)]))
    return path, " ".join(r.text for r in recordings)


@pytest.mark.parametrize("how", ["microphone", "system audio mixed with the microphone"])
def test_speech_played_into_a_device_is_captioned_live_and_saved_on_ctrl_c(virtual_mic, two_sentences, tmp_path, how):
    wav, reference = two_sentences
    out = tmp_path / "live.srt"
    args = ["--device", virtual_mic.device, "--srt", out]
    sink = virtual_mic.sink
    if how != "microphone":
        args += ["--loopback", "sys.monitor"]
        sink = "sys"
    proc = start_live(args, virtual_mic.env, tmp_path)
    try:
        ok, _ = wait_for_line(proc.stderr, lambda line: "listening" in line, 30)
        assert ok, "the live session never started listening"
        time.sleep(2.0)  # the first stream a process opens takes up to ~1.5 s to deliver audio
        virtual_mic.server.play(wav, sink)
        # The second sentence's final: it mentions "selfish". Stop as a user would, with Ctrl-C.
        wait_for_line(proc.stdout, lambda line: "selfish" in line.lower(), 40)
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    hypothesis = " ".join(c.content for c in srt.parse(out.read_text()))
    assert wer(reference, hypothesis) <= 0.2, hypothesis
