"""The streaming VAD segmenter: endpoint rules on made-up probabilities, Silero on real audio."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from captioner.recognition.local.vad import (
    WINDOW_MS,
    WINDOW_SAMPLES,
    Endpointer,
    SileroStream,
    SpeechEnded,
    SpeechStarted,
    VadParams,
    VadSegmenter,
)
from captioner.settings import RecognitionSettings
from captioner.testing.speech import silence, utterances


def run(params: VadParams, probabilities: list[float]) -> list[tuple[int, object]]:
    """Feed probabilities; (window index at which each event came out, event)."""
    endpointer = Endpointer(params)
    out = []
    for i, p in enumerate(probabilities):
        out += [(i, e) for e in endpointer.push(p)]
    out += [(len(probabilities), e) for e in endpointer.flush()]
    return out


def windows(ms: int) -> int:
    return ms // WINDOW_MS


# Settings mapping ----------------------------------------------------------------------


def test_settings_map_onto_silero() -> None:
    default = VadParams.from_settings(RecognitionSettings())
    assert default.threshold == 0.5 and default.end_silence_ms == 1300
    assert VadParams.from_settings(RecognitionSettings(speech_noise_threshold=0.0)).threshold == 0.5
    assert VadParams.from_settings(RecognitionSettings(speech_noise_threshold=-1.0)).threshold == pytest.approx(0.05)
    assert VadParams.from_settings(RecognitionSettings(speech_noise_threshold=1.0)).threshold == pytest.approx(0.95)
    assert VadParams.from_settings(RecognitionSettings(max_sentence_silence=400)).end_silence_ms == 400
    multi = VadParams.from_settings(RecognitionSettings(multi_threshold_mode_enabled=True))
    assert multi.long_utterance_ms is not None and multi.max_utterance_ms < default.max_utterance_ms


def test_utterance_with_padding_must_fit_whispers_window() -> None:
    with pytest.raises(ValueError, match="30 s"):
        VadParams(max_utterance_ms=29_800)


# Endpointer rules ----------------------------------------------------------------------


def test_onset_is_where_speech_began() -> None:
    events = run(VadParams(), [0.0] * 10 + [0.9] * 20 + [0.0] * 60)
    assert events[0] == (11, SpeechStarted(10 * WINDOW_MS))  # confirmed after min_speech_ms
    assert events[1][1] == SpeechEnded(10 * WINDOW_MS, 30 * WINDOW_MS)


def test_a_click_shorter_than_min_speech_opens_nothing() -> None:
    assert run(VadParams(), [0.0] * 10 + [0.99] + [0.0] * 60) == []


@pytest.mark.parametrize(("noise_threshold", "is_speech"), [(None, False), (-0.5, True), (0.5, False), (-1.0, True)])
def test_speech_noise_threshold_moves_the_decision(noise_threshold: float | None, is_speech: bool) -> None:
    params = VadParams.from_settings(RecognitionSettings(speech_noise_threshold=noise_threshold))
    events = run(params, [0.4] * 50)
    assert bool(events) is is_speech


def test_toward_plus_one_rejects_weak_speech() -> None:
    strict = VadParams.from_settings(RecognitionSettings(speech_noise_threshold=0.8))
    assert run(strict, [0.85] * 50) == []
    assert run(strict, [0.99] * 50)


@pytest.mark.parametrize("silence_ms", [200, 800, 1300, 6000])
def test_utterance_ends_after_max_sentence_silence(silence_ms: int) -> None:
    params = VadParams.from_settings(RecognitionSettings(max_sentence_silence=silence_ms))
    speech = windows(1000)
    needed = -(-silence_ms // WINDOW_MS)  # whole windows of silence
    endpointer = Endpointer(params)
    for p in [0.9] * speech + [0.0] * (needed - 1):
        assert not [e for e in endpointer.push(p) if isinstance(e, SpeechEnded)]
    assert endpointer.push(0.0) == [SpeechEnded(0, speech * WINDOW_MS)]


def test_a_pause_shorter_than_max_sentence_silence_keeps_one_utterance() -> None:
    params = VadParams(end_silence_ms=1300)
    events = run(params, [0.9] * 30 + [0.0] * windows(1200) + [0.9] * 30 + [0.0] * 50)
    assert [type(e) for _, e in events] == [SpeechStarted, SpeechEnded]


def test_uncertain_windows_do_not_start_a_pause() -> None:
    """Between the release and speech thresholds the current state holds (hysteresis)."""
    params = VadParams(end_silence_ms=300)
    middle = (params.threshold + params.release_threshold) / 2
    events = run(params, [0.9] * 20 + [middle] * windows(1000) + [0.9] * 10)
    assert [type(e) for _, e in events] == [SpeechStarted, SpeechEnded]
    assert events[-1][1] == SpeechEnded(0, (30 + windows(1000)) * WINDOW_MS)  # flushed at the end


def test_run_on_speech_is_cut_at_its_quietest_stretch_not_at_the_cap() -> None:
    params = VadParams(max_utterance_ms=10_000)
    probs = [0.9] * windows(25_000)
    for dip in (windows(6000), windows(15_000)):  # a gap between words, too short to be a pause
        probs[dip : dip + 3] = [0.6, 0.55, 0.6]
    events = [e for _, e in run(params, probs)]
    cuts = [e for e in events if isinstance(e, SpeechEnded) and e.forced]
    assert [c.end_ms for c in cuts] == [(windows(6000) + 1) * WINDOW_MS, (windows(15_000) + 1) * WINDOW_MS]
    starts = [e for e in events if isinstance(e, SpeechStarted)][1:]
    for cut, start in zip(cuts, starts, strict=False):
        # the audio on either side of the cut goes to one utterance only
        assert cut.ceiling_ms == cut.end_ms == start.at_ms == start.floor_ms


def test_without_a_quieter_stretch_the_cut_falls_late_to_leave_few_cuts() -> None:
    params = VadParams(max_utterance_ms=10_000)
    events = run(params, [0.9] * windows(25_000))
    cuts = [e for _, e in events if isinstance(e, SpeechEnded) and e.forced]
    assert len(cuts) == 2
    assert all(params.max_utterance_ms - 200 <= c.end_ms - c.begin_ms <= params.max_utterance_ms for c in cuts)


def test_long_speech_is_cut_at_its_longest_recent_pause() -> None:
    params = VadParams(max_utterance_ms=10_000)
    probs = [0.9] * windows(4000) + [0.0] * 5 + [0.9] * windows(3000) + [0.0] * 4 + [0.9] * windows(8000)
    events = [e for _, e in run(params, probs)]
    first_pause = (windows(4000), windows(4000) + 5)
    second_pause = ((first_pause[1] + windows(3000)) * WINDOW_MS, (first_pause[1] + windows(3000) + 4) * WINDOW_MS)
    start, end = first_pause[0] * WINDOW_MS, first_pause[1] * WINDOW_MS
    assert events[1] == SpeechEnded(0, start, forced=True, pauses=(), ceiling_ms=end)
    assert events[2] == SpeechStarted(end, floor_ms=start)
    # the rest is cut again at the next cap, at the later pause that it kept
    assert events[3] == SpeechEnded(end, second_pause[0], forced=True, ceiling_ms=second_pause[1])


def test_multi_threshold_mode_ends_long_utterances_at_short_pauses() -> None:
    params = VadParams.from_settings(RecognitionSettings(multi_threshold_mode_enabled=True))
    pause = [0.0] * windows(352)
    short = run(params, [0.9] * windows(5000) + pause + [0.9] * 10)
    assert [type(e) for _, e in short] == [SpeechStarted, SpeechEnded]  # only the flush
    long = run(params, [0.9] * windows(11_000) + pause + [0.9] * 10)
    assert [type(e) for _, e in long] == [SpeechStarted, SpeechEnded, SpeechStarted, SpeechEnded]
    assert long[1][1] == SpeechEnded(0, windows(11_000) * WINDOW_MS)
    plain = VadParams.from_settings(RecognitionSettings())
    assert len(run(plain, [0.9] * windows(11_000) + pause + [0.9] * 10)) == 2


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.integers(1, 120)), max_size=40),
    st.sampled_from([200, 700, 1300]),
    st.booleans(),
)
def test_utterances_alternate_stay_in_order_and_never_outgrow_the_cap(
    runs: list[tuple[float, int]], silence_ms: int, multi: bool
) -> None:
    settings_ = RecognitionSettings(max_sentence_silence=silence_ms, multi_threshold_mode_enabled=multi)
    params = VadParams.from_settings(settings_)
    probabilities = [p for p, n in runs for _ in range(n)]
    events = [e for _, e in run(params, probabilities)]
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded] * (len(events) // 2)
    last_end = 0
    for started, ended in zip(events[::2], events[1::2], strict=True):
        assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded)
        assert last_end <= started.at_ms == ended.begin_ms < ended.end_ms
        assert ended.end_ms - ended.begin_ms <= params.max_utterance_ms + WINDOW_MS
        edges = [ended.begin_ms] + [t for pause in ended.pauses for t in pause] + [ended.end_ms]
        assert edges == sorted(edges) and all(b - a >= params.cut_pause_ms for a, b in ended.pauses)
        last_end = ended.end_ms


# Silero on real audio -------------------------------------------------------------------


def test_streaming_silero_equals_a_whole_file_run() -> None:
    """faster-whisper's whole-file run (onnxruntime, the reference; test_silero.py checks
    the numpy network itself against it)."""
    from faster_whisper.vad import get_vad_model

    samples, _ = utterances([300, "Streaming must not change the result.", 500])
    audio = samples[: len(samples) // WINDOW_SAMPLES * WINDOW_SAMPLES].astype(np.float32) / 32768
    whole = get_vad_model()(audio).reshape(-1)
    stream = SileroStream()
    chunks = np.split(audio, [700, 1600, 1601, 5000, 9999])
    streamed = np.concatenate([stream.probabilities(c) for c in chunks])
    np.testing.assert_allclose(streamed, whole, atol=1e-4)


def test_segmenter_finds_real_sentences_and_clips_them_with_padding() -> None:
    samples, spans = utterances([1000, "The first sentence is short.", 1500, "And here is another one.", 1500])
    segmenter = VadSegmenter(VadParams(end_silence_ms=700))
    ended: list[tuple[SpeechEnded, int, int]] = []
    for frame in np.array_split(samples, len(samples) // 1600):
        for event in segmenter.feed(frame):
            if isinstance(event, SpeechEnded):
                clip = segmenter.clip(event.begin_ms, event.end_ms)
                ended.append((event, clip.start_ms, clip.end_ms))
    assert len(ended) == 2
    for (event, clip_start, clip_end), span in zip(ended, spans, strict=True):
        assert abs(event.begin_ms - span.begin_ms) <= 100
        assert abs(event.end_ms - span.end_ms) <= 250
        assert clip_start == event.begin_ms - 300 and clip_end == event.end_ms + 300


def test_segmenter_keeps_only_the_audio_it_may_still_need() -> None:
    segmenter = VadSegmenter(VadParams())
    for _ in range(100):  # 10 s of silence
        segmenter.feed(silence(100))
    clip = segmenter.clip(0, segmenter.position_ms)
    assert len(clip.samples) <= 16 * (300 + 64 + 2 * WINDOW_MS + 100)


def test_finish_closes_speech_that_runs_to_the_end() -> None:
    samples, spans = utterances([500, "No silence after this."])
    segmenter = VadSegmenter(VadParams())
    events = segmenter.feed(samples) + segmenter.finish()
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]
    assert events[1].end_ms >= spans[0].end_ms - 100


def test_loud_telephone_band_speech_counts_but_steady_noise_and_wideband_do_not() -> None:
    """Telephone-band speech scores 0.3-0.5 in Silero; band-limited and louder than the
    room, it is speech. Wideband audio keeps Silero's own score."""
    from captioner.recognition.local.vad import LOUD_CEILING, NoiseFloor

    narrow = np.ones(30, dtype=bool)
    quiet, loud = np.full(20, 0.001, dtype=np.float32), np.full(10, 0.05, dtype=np.float32)
    probs = np.full(30, 0.3, dtype=np.float32)
    weighed = NoiseFloor().weigh(probs, np.concatenate([quiet, loud]), narrow)
    assert np.allclose(weighed[:20], 0.3)  # at the floor: as Silero said
    assert np.allclose(weighed[20:], LOUD_CEILING)  # 34 dB over it: doubled, to the ceiling
    wideband = NoiseFloor().weigh(probs, np.concatenate([quiet, loud]), ~narrow)
    assert np.allclose(wideband, 0.3)
    steady = NoiseFloor().weigh(np.full(200, 0.3, dtype=np.float32), np.full(200, 0.05, dtype=np.float32),
                                np.ones(200, dtype=bool))  # fmt: skip
    assert np.allclose(steady, 0.3)  # noise is its own floor: never "loud"
    strict = VadParams.from_settings(RecognitionSettings(speech_noise_threshold=0.8)).threshold
    assert strict > LOUD_CEILING  # a strict setting is not loosened


def test_band_limited_audio_is_told_from_wideband() -> None:
    import soxr

    rng = np.random.default_rng(1)
    wide = (rng.standard_normal(16000) * 0.1).astype(np.float32)
    phone = soxr.resample(soxr.resample(wide, 16000, 8000), 8000, 16000).astype(np.float32)
    for audio, expected in ((wide, False), (phone, True)):
        stream = SileroStream()
        stream.probabilities(audio)
        assert stream.last_narrowband[2:-2].tolist() == [expected] * (len(stream.last_narrowband) - 4)
