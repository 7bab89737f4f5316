"""The "No audio detected" warning: for a dead or long-silent input, never for the pauses of
ordinary speech. Levels come from real speech cut into the pipeline's 100-ms frames, the way
the session adapter hands them to the picker."""

import numpy as np
import pytest

from captioner.audio.frames import AudioFrame
from captioner.audio.health import Level
from captioner.testing.speech import GOFORWARD_RAW, silence
from captioner.ui.source_picker import QUIET_WARN_MS, SILENCE_WARN_MS, SourcePicker

FRAME = 1600  # samples in 100 ms


def room_noise(ms: int, dbfs: float = -68.0, seed: int = 0) -> np.ndarray:
    """A quiet room through a real microphone: not loud enough for the meter, never zero."""
    rng = np.random.default_rng(seed)
    rms = 32768 * 10 ** (dbfs / 20)
    return np.clip(rng.normal(0, rms, 16 * ms), -32768, 32767).astype("<i2")


def speech() -> np.ndarray:
    if not GOFORWARD_RAW.exists():
        pytest.fail("pocketsphinx test data not installed: run packaging/setup.sh --test")
    return np.frombuffer(GOFORWARD_RAW.read_bytes(), dtype="<i2")


def feed(picker: SourcePicker, samples: np.ndarray, start_ms: int = 0) -> tuple[int, bool]:
    """Play `samples` into the picker frame by frame; (end position, warned at any point)."""
    warned = False
    position = start_ms
    for i in range(0, len(samples) - FRAME + 1, FRAME):
        frame = AudioFrame(samples[i : i + FRAME].tobytes(), position)
        position += 100
        level = Level.of(frame)
        picker.show_level(level.rms, level.peak, position)
        warned = warned or picker.no_audio_detected()
    return position, warned


def test_pauses_between_sentences_do_not_warn(qtbot):
    """A talk: sentences with pauses of 2 to 12 s of room noise (someone thinking, a slide
    change). The old rule (5 s under -50 dBFS) warned in the first long pause."""
    picker = SourcePicker()
    qtbot.addWidget(picker)
    talk = []
    for seed, pause_ms in enumerate((2000, 6000, 3000, 9000, 12000, 1500)):
        talk += [speech(), room_noise(pause_ms, seed=seed)]
    _, warned = feed(picker, np.concatenate(talk))
    assert not warned


def test_a_dead_microphone_warns_soon(qtbot):
    picker = SourcePicker()
    qtbot.addWidget(picker)
    position, warned = feed(picker, np.concatenate([speech(), silence(SILENCE_WARN_MS - 1000)]))
    assert not warned
    position, warned = feed(picker, silence(2000), position)  # muted: exact zeros
    assert warned and "No audio detected" in picker.warning.text()
    feed(picker, speech(), position)  # someone speaks again
    assert not picker.no_audio_detected()


def test_an_input_that_hears_nothing_for_long_warns_too(qtbot):
    """The wrong device: it hisses, but nothing above the room is heard for most of a minute."""
    picker = SourcePicker()
    qtbot.addWidget(picker)
    position, warned = feed(picker, room_noise(QUIET_WARN_MS - 2000))
    assert not warned
    _, warned = feed(picker, room_noise(3000, seed=1), position)
    assert warned


def test_system_audio_is_given_the_long_wait_for_digital_silence(qtbot):
    """Nothing playing on the computer is digital silence; a video's quiet scene is not a fault."""
    picker = SourcePicker()
    qtbot.addWidget(picker)
    picker.set_kind("system")
    position, warned = feed(picker, silence(20_000))
    assert not warned
    _, warned = feed(picker, silence(QUIET_WARN_MS), position)
    assert warned and "Is something playing?" in picker.warning.text()
