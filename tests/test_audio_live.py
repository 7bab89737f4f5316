"""Live capture through a real PortAudio device: PulseAudio null sinks played into with paplay.

Audio goes paplay -> PulseAudio sink -> monitor / remapped "mic" source -> ALSA pulse PCM ->
PortAudio's thread -> AudioBridge -> soxr -> 16 kHz frames, exactly as on a desktop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from captioner.audio.capture import CaptureSource, open_live_source
from captioner.audio.devices import DeviceNotFoundError, list_devices, resolve_device, resolve_loopback
from captioner.audio.frames import AudioSource, AudioSourceError
from captioner.audio.mixer import MixedSource
from pulse import pulse_server, start_server, tone, virtual_mic  # noqa: F401  (fixtures)

pytestmark = pytest.mark.timeout(60)


async def record(source: AudioSource, seconds: float, on_start: Callable[[], object] | None = None) -> np.ndarray:
    """Capture 16 kHz audio for `seconds` of wall time after the first frame, calling
    `on_start` at that first frame (the first stream of a process can take ~2 s to start:
    playing earlier would be lost). Wall time, because a mix that waited for its slower
    input releases the audio it held back in one burst."""
    chunks: list[np.ndarray] = []
    got, started = 0, 0.0
    async with contextlib.aclosing(source.frames()) as frames:
        async for frame in frames:
            if not chunks:
                started = time.monotonic()
                if on_start is not None:
                    on_start()
            chunks.append(frame.samples.copy())
            got += frame.sample_count
            if got >= seconds * 16000 and time.monotonic() - started >= seconds:
                break
    return np.concatenate(chunks).astype(np.float32) / 32768


def best_correlation(recorded: np.ndarray, reference: np.ndarray) -> tuple[float, int]:
    """Peak normalised cross-correlation and its lag in samples."""
    n = 1 << int(np.ceil(np.log2(len(recorded) + len(reference))))
    xc = np.fft.irfft(np.fft.rfft(recorded, n) * np.conj(np.fft.rfft(reference, n)), n)
    lag = int(np.argmax(xc))
    if lag > n // 2:
        lag -= n
    a, b = max(lag, 0), max(-lag, 0)
    m = min(len(recorded) - a, len(reference) - b)
    return float(np.corrcoef(recorded[a : a + m], reference[b : b + m])[0, 1]), lag


def peak_hz(x: np.ndarray, rate: int = 16000) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


async def test_speech_played_into_the_virtual_mic_is_captured(virtual_mic, goforward_wav):
    from captioner.testing.speech import read_wav

    reference = read_wav(goforward_wav).astype(np.float32) / 32768
    source = CaptureSource(resolve_device(virtual_mic.device))
    playback: list = []
    t0 = time.monotonic()
    recorded = await record(source, len(reference) / 16000 + 1.0,
                            lambda: playback.append(virtual_mic.play_background(goforward_wav)))  # fmt: skip
    playback[0].wait()
    corr, lag = best_correlation(recorded, reference)
    assert corr > 0.9, corr
    assert 0 <= lag < 16000  # the speech starts after capture started
    assert source.samplerate == 48000 and source.overflows == 0
    assert source.bridge_stats().dropped_samples == 0
    assert time.monotonic() - t0 < 15


@pytest.mark.parametrize("sink, rate", [("sys", 44100), ("cap", 48000)])
async def test_tone_arrives_at_16k_with_its_frequency(pulse_server, sink, rate):
    source = CaptureSource(resolve_loopback(f"{sink}.monitor"))
    assert source.samplerate == rate  # the device's native rate; we resample ourselves
    wav = pulse_server.write_wav(f"tone{rate}.wav", tone(440, 1.5, rate), rate)
    playback: list = []
    recorded = await record(source, 1.8, lambda: playback.append(pulse_server.play_background(wav, sink)))
    playback[0].wait()
    loud = recorded[np.abs(recorded) > 0.05]
    assert len(loud) > 0.8 * 16000
    start = int(np.flatnonzero(np.abs(recorded) > 0.05)[0])
    segment = recorded[start + 800 : start + 800 + 16000]
    assert abs(peak_hz(segment) - 440) <= 5
    rms = float(np.sqrt(np.mean(segment**2)))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.05)  # downmix of identical channels keeps the level


async def test_microphone_and_system_audio_mixed(pulse_server):
    """Loud tones into both at once: both come out, balanced, never clipped."""
    mixed = open_live_source(device="mic", loopback="sys.monitor")
    assert isinstance(mixed, MixedSource)
    voice = pulse_server.write_wav("voice.wav", tone(300, 2.0, 48000, 0.95), 48000)
    music = pulse_server.write_wav("music.wav", tone(1000, 2.0, 44100, 0.95), 44100)
    playback: list = []

    def play_both():
        playback.append(pulse_server.play_background(voice, "cap"))
        playback.append(pulse_server.play_background(music, "sys"))

    recorded = await record(mixed, 2.4, play_both)
    for p in playback:
        p.wait()
    active = recorded[np.abs(recorded) > 0.05]
    assert len(active) > 16000
    assert np.abs(recorded).max() < 32767 / 32768  # never at full scale
    start = int(np.flatnonzero(np.abs(recorded) > 0.05)[0])
    segment = recorded[start + 4000 : start + 4000 + 16000].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(segment))
    v, m = spectrum[295:306].max(), spectrum[995:1006].max()
    assert 0.5 < v / m < 2.0  # both there, at comparable levels
    assert {s.name for s in mixed.status()} == {"mic", "sys.monitor"}
    assert [h.name for h in mixed.health()] == ["mic", "sys.monitor"]
    assert all(h.overflows == 0 and h.dropped_ms == 0 for h in mixed.health())


async def test_mixed_sources_are_aligned_in_time(pulse_server):
    """One click train played into both sinks at once (a combine sink): the copies captured by
    the two devices land within 20 ms of each other in the mix, although the devices run at
    different rates and their streams start at different moments."""
    module = pulse_server.pactl("load-module", "module-combine-sink", "sink_name=both", "slaves=cap,sys").strip()
    try:
        clicks = np.zeros(48000 * 2, np.float32)
        clicks[12000::12000] = 0.8
        wav = pulse_server.write_wav("clicks.wav", clicks, 48000)
        mixed = open_live_source(device="mic", loopback="sys.monitor")
        playback: list = []
        recorded = await record(mixed, 2.3, lambda: playback.append(pulse_server.play_background(wav, "both")))
        playback[0].wait()
    finally:
        pulse_server.pactl("unload-module", module)
    hits = np.flatnonzero(np.abs(recorded) > 0.05)
    groups = np.split(hits, np.flatnonzero(np.diff(hits) > 2000) + 1)
    assert len(groups) >= 5
    spans = [int(g[-1] - g[0]) for g in groups]
    assert max(spans) < 320, spans  # each click's two copies within 20 ms


async def test_slow_consumer_keeps_memory_bounded_and_counts_drops(virtual_mic):
    source = CaptureSource(resolve_device(virtual_mic.device), capacity_ms=300)
    async with contextlib.aclosing(source.frames()) as frames:
        await anext(frames)
        await asyncio.sleep(1.2)  # the loop is busy elsewhere for 1.2 s
        stats = source.bridge_stats()
        assert stats.lag_ms <= 300 and stats.max_lag_ms <= 300
        await anext(frames)
    stats = source.bridge_stats()
    assert stats.dropped_ms > 700  # ~1.2 s of audio arrived, only 300 ms could wait
    assert source.status().dropped_ms == stats.dropped_ms


async def test_device_that_vanishes_raises_clear_error(tmp_path, monkeypatch):
    server = start_server(tmp_path / "vanishing")
    try:
        monkeypatch.setenv("PULSE_SERVER", server.address)
        source = CaptureSource(resolve_device("mic", list_devices()))
        got = 0
        t_kill = None
        with pytest.raises(AudioSourceError, match="'mic' stopped") as info:
            async for _ in source.frames():
                got += 1
                if got == 3:
                    server.kill()  # the sound server (or a USB mic) disappears
                    t_kill = time.monotonic()
        assert time.monotonic() - t_kill < 5
        assert "unplugged" in str(info.value)
        assert source.wait_closed(5)
    finally:
        server.stop()


async def test_source_removed_from_a_running_server_raises(pulse_server):
    """A USB microphone unplugged: the server lives on, the stream feeds zeros; caught."""
    module = pulse_server.pactl("load-module", "module-remap-source", "source_name=usbmic", "master=sys.monitor",
                                "source_properties=device.description=USB-Mic").strip()  # fmt: skip
    try:
        source = CaptureSource(resolve_device("USB-Mic"))
        got = 0
        t_gone = None
        with pytest.raises(AudioSourceError, match="'usbmic' disappeared"):
            async for _ in source.frames():
                got += 1
                if got == 3:
                    pulse_server.pactl("unload-module", module)
                    module, t_gone = None, time.monotonic()
        assert time.monotonic() - t_gone < 4.5  # 1 s of silence + a check every 2 s
    finally:
        if module:
            pulse_server.pactl("unload-module", module)


async def test_frozen_device_is_caught_by_the_watchdog(tmp_path, monkeypatch):
    server = start_server(tmp_path / "frozen")
    try:
        monkeypatch.setenv("PULSE_SERVER", server.address)
        source = CaptureSource(resolve_device("mic", list_devices()), stall_timeout_s=1.0, close_timeout_s=0.5)
        got = 0
        t_freeze = None
        with pytest.raises(AudioSourceError, match="stopped delivering audio"):
            async for _ in source.frames():
                got += 1
                if got == 3:
                    server.freeze()  # no more callbacks, and no error either
                    t_freeze = time.monotonic()
        assert time.monotonic() - t_freeze < 3.5
    finally:
        server.stop()  # thaws it first; the stuck PortAudio close then finishes too


async def test_capture_restarts_on_another_device(pulse_server, tmp_path, monkeypatch):
    """After a failure the app opens a new source on another device and carries on."""
    server = start_server(tmp_path / "first")
    try:
        monkeypatch.setenv("PULSE_SERVER", server.address)
        first = open_live_source(device="mic")
        with pytest.raises(AudioSourceError):
            async for _frame in first.frames():
                server.kill()
    finally:
        server.stop()
    monkeypatch.setenv("PULSE_SERVER", pulse_server.address)
    second = open_live_source(loopback="default")
    assert second.device.name == "cap.monitor"
    recorded = await record(second, 0.5)
    assert len(recorded) >= 8000


async def test_close_from_another_thread_ends_a_live_capture_promptly(virtual_mic):
    source = open_live_source(device=virtual_mic.device)
    frames = 0
    closed_at: list[float] = []

    def close():
        closed_at.append(time.monotonic())
        source.close()

    async for _ in source.frames():
        frames += 1
        if frames == 2:
            threading.Timer(0.3, close).start()
    assert time.monotonic() - closed_at[0] < 1.5
    assert source.wait_closed(2)


def test_unknown_devices_are_refused_with_the_list(pulse_server):
    with pytest.raises(DeviceNotFoundError) as info:
        open_live_source(device="Blue Yeti")
    message = str(info.value)
    assert "No input device named 'Blue Yeti'" in message
    assert "mic  (VirtualMic, PulseAudio)" in message and "pulse" in message
    with pytest.raises(DeviceNotFoundError, match=r"(?s)system-audio source named 'hdmi'.*sys\.monitor"):
        open_live_source(loopback="hdmi")
