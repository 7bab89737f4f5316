"""Who spoke when: audio in, speaker turns out (for file transcription's `diarization_enabled`).

The only speaker model that installs offline from the registries this project reaches is
the one inside the `moonshine-voice==0.1.0` wheel (the Moonshine engine's, moonshine.py):
its C library embeds a pyannote-style segmentation model, a WeSpeaker ResNet embedding
model and VBx clustering. Other PyPI candidates (redimnet2-onnx, speakeronnx) download
their weights at run time and so cannot be used. Moonshine exposes speaker identification
only through its own transcriber (`identify_speakers`), which labels spans of each line it
transcribes; we keep the spans and throw its text away (the session's own engine writes
the text), so diarizing costs a second, English-only transcription pass (BENCHMARKS.md
§ Diarization). The spans' speakers do not depend on the words, so any language's speech
is told apart by voice.

`speaker_count` is a hint, as on the service. Moonshine's clustering takes no count (its
`max_speakers` is fixed inside the library), so the hint is an upper bound applied here:
when more voices are found than `speaker_count`, the voices with least speech are folded
into the kept voice whose turn is nearest in time. Fewer voices than the hint is left as
found: we never split a voice to make up a count.

Where `moonshine-voice` is not installed (the PyInstaller bundle leaves it out),
`DiarizationUnavailable` says so and names the install command: the parameter is refused,
never silently ignored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from captioner.errors import ModelError
from captioner.events import Sentence
from captioner.recognition.local.weights import installed

#: The wheel that carries the speaker models (the same pin as the Moonshine engine's).
PACKAGE = "moonshine-voice"
VERSION = "0.1.0"
INSTALL = f"pip install {PACKAGE}=={VERSION}"
#: The transcriber Moonshine's diarizer runs inside (the wheel's own model folder).
_MODEL_NAME = "tiny-en"


class DiarizationUnavailable(ModelError):
    """Speakers cannot be told apart here: the speaker models are not installed."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Telling speakers apart needs the {PACKAGE} package (its speaker models), which {reason}. Run: {INSTALL}"
        )
        self.install = INSTALL


@dataclass(frozen=True)
class SpeakerTurn:
    """One stretch of speech by one speaker. Speakers are numbered 0, 1, ... in order of
    first appearance, like the service's `speaker_id`."""

    begin_ms: int
    end_ms: int
    speaker: int


_load_lock = threading.Lock()


def check_available() -> None:
    """Raise DiarizationUnavailable unless the speaker models' package is installed (found,
    not imported: the window asks each time Caption a file opens)."""
    if not installed("moonshine_voice"):
        raise DiarizationUnavailable("is not installed")


def diarize(samples: np.ndarray, speaker_count: int | None = None) -> list[SpeakerTurn]:
    """Speaker turns of 16 kHz mono int16 `samples`, in time order. Blocking (seconds of
    CPU per minute of audio): call it from a worker thread."""
    check_available()
    from moonshine_voice import ModelArch, Transcriber, get_model_path

    from captioner.recognition.local.moonshine import transcript_lines

    if len(samples) == 0:
        return []
    path = Path(get_model_path(_MODEL_NAME))
    if not (path / "encoder_model.ort").is_file():
        raise DiarizationUnavailable(f"is installed without its model ({path})")
    with _load_lock:  # one load at a time: loading is the memory peak
        try:
            transcriber = Transcriber(str(path), ModelArch.TINY, options={"identify_speakers": "true"})
        except Exception as e:  # MoonshineError and whatever the C library reports
            raise ModelError(f"Could not load Moonshine's speaker models in {path}: {e}") from e
    try:
        lines = transcript_lines(transcriber, samples)
    finally:
        transcriber.close()
    raw = [
        (round(span.start_time * 1000), round((span.start_time + span.duration) * 1000), int(span.speaker_index))
        for line in lines
        for span in line.speaker_spans or ()
        if span.duration > 0
    ]
    return _numbered(_at_most(sorted(raw), speaker_count))


def _at_most(turns: list[tuple[int, int, int]], speaker_count: int | None) -> list[tuple[int, int, int]]:
    """Fold the voices with least speech into the nearest kept voice until at most
    `speaker_count` remain (see the module docstring)."""
    totals: dict[int, int] = {}
    for begin, end, who in turns:
        totals[who] = totals.get(who, 0) + end - begin
    if speaker_count is None or len(totals) <= speaker_count:
        return turns
    kept = set(sorted(totals, key=lambda s: -totals[s])[:speaker_count])
    anchors = [t for t in turns if t[2] in kept]
    out = []
    for begin, end, who in turns:
        if who not in kept:
            who = min(anchors, key=lambda a: _distance((begin, end), (a[0], a[1])))[2]
        out.append((begin, end, who))
    return out


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Ms between two stretches (0 when they overlap)."""
    return max(0, a[0] - b[1], b[0] - a[1])


def _numbered(turns: Iterable[tuple[int, int, int]]) -> list[SpeakerTurn]:
    """Speakers renumbered 0, 1, ... by first appearance (Moonshine's indexes need not be)."""
    numbers: dict[int, int] = {}
    out = []
    for begin, end, who in turns:
        out.append(SpeakerTurn(begin, end, numbers.setdefault(who, len(numbers))))
    return out


def speaker_of(begin_ms: int, end_ms: int, turns: Sequence[SpeakerTurn]) -> int | None:
    """The speaker whose turns overlap [begin_ms, end_ms) most; with no overlap, the speaker
    of the nearest turn (a sentence's times and a turn's may miss each other by a few
    hundred ms at a pause). None when there are no turns at all."""
    if not turns:
        return None
    overlap: dict[int, int] = {}
    for t in turns:
        shared = min(end_ms, t.end_ms) - max(begin_ms, t.begin_ms)
        if shared > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0) + shared
    if overlap:
        return max(overlap, key=lambda s: (overlap[s], -s))
    return min(turns, key=lambda t: _distance((begin_ms, end_ms), (t.begin_ms, t.end_ms))).speaker


def label_sentences(sentences: Iterable[Sentence], turns: Sequence[SpeakerTurn]) -> list[Sentence]:
    """Each sentence with `speaker_id` set to the speaker that overlaps it most. With no
    turns at all (speech too short or too faint for the speaker models) there is one voice
    to tell apart, speaker 0: a diarized result always carries `speaker_id`, as the
    service's does."""
    return [replace(s, speaker_id=speaker_of(s.begin_ms, s.end_ms, turns) or 0) for s in sentences]


async def diarize_file(path: str | Path, speaker_count: int | None = None) -> list[SpeakerTurn]:
    """Speaker turns of a media file: decoded to 16 kHz mono (as the pipeline decodes it),
    then diarized in a worker thread."""
    import asyncio

    from captioner.audio.media import MediaSource

    check_available()
    source = MediaSource(path, upload="pcm")
    pcm = bytearray()
    async for frame in source.frames():
        pcm += frame.pcm
    samples = np.frombuffer(bytes(pcm), dtype="<i2")
    return await asyncio.to_thread(diarize, samples, speaker_count)
