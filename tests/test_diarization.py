"""Telling speakers apart (file transcription's `diarization_enabled`, `speaker_count`) on a
real two-voice recording made here: espeak-ng's American English voice and its female
variant (`en-us+f3`, a different pitch and formants), taking turns A B B A with pauses
between. Moonshine's speaker models (recognition/local/diarization.py) label the turns;
the official DashScope SDK gets them back from `captioner serve` as `speaker_id`, and
`captioner transcribe --diarize` writes them into the SRT as "[Speaker N]".
"""

from __future__ import annotations

import sys

import pytest
import srt
from dashscope.audio.asr import Transcription

from captioner.cli import main as cli_main
from captioner.recognition.local import diarization
from captioner.recognition.local.diarization import SpeakerTurn, diarize, label_sentences, speaker_of
from captioner.testing.speech import Utterance, read_wav, silence, utterances, write_wav
from rest_support import FileServer, rest_emulator

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


TOKEN = "sk-diarization"
VOICES = ("en-us", "en-us+f3")
#: (voice, sentence): who says what, in order.
SCRIPT = (
    (0, "The meeting starts at nine in the morning."),
    (1, "I will bring the quarterly report with me."),
    (1, "She already accepted the invitation yesterday."),
    (0, "Then we only need a larger room."),
)
PAUSE_MS = 1500


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory) -> tuple[object, list[tuple[Utterance, int]]]:
    """The recording (a WAV path) and each sentence's span with who spoke it."""
    import numpy as np

    chunks, truth, pos = [], [], 0
    for voice, text in SCRIPT:
        samples, (u,) = utterances([text], VOICES[voice])
        truth.append((Utterance(text, pos + u.begin_ms, pos + u.end_ms), voice))
        chunks += [samples, silence(PAUSE_MS)]
        pos += len(samples) // 16 + PAUSE_MS
    path = write_wav(tmp_path_factory.mktemp("dialogue") / "dialogue.wav", np.concatenate(chunks))
    return path, truth


def voice_at(begin_ms: int, end_ms: int, truth) -> int:
    """Who spoke most of [begin_ms, end_ms)."""
    overlap = [(min(end_ms, u.end_ms) - max(begin_ms, u.begin_ms), voice) for u, voice in truth]
    return max(overlap)[1]


def assert_speakers_match(labelled: list[tuple[int, int, int | None]], truth) -> None:
    """Every (begin, end, speaker_id): one id per voice, different ids for the two voices."""
    ids: dict[int, set[int | None]] = {0: set(), 1: set()}
    for begin, end, speaker in labelled:
        ids[voice_at(begin, end, truth)].add(speaker)
    assert len(ids[0]) == 1 and len(ids[1]) == 1 and ids[0] != ids[1], (ids, labelled)
    assert None not in ids[0] | ids[1]


def test_moonshine_tells_the_two_voices_apart(dialogue) -> None:
    path, truth = dialogue
    turns = diarize(read_wav(path))
    assert turns and [t.begin_ms for t in turns] == sorted(t.begin_ms for t in turns)
    assert turns[0].speaker == 0  # numbered by first appearance
    assert {t.speaker for t in turns} == {0, 1}
    assert_speakers_match([(u.begin_ms, u.end_ms, speaker_of(u.begin_ms, u.end_ms, turns)) for u, _ in truth], truth)


def test_speaker_count_is_an_upper_bound(dialogue) -> None:
    """Fewer voices than found: the smaller voice folds into the other; more than found:
    nothing is split to make up the count."""
    path, _ = dialogue
    samples = read_wav(path)
    assert {t.speaker for t in diarize(samples, speaker_count=1)} == {0}
    assert {t.speaker for t in diarize(samples, speaker_count=5)} == {0, 1}


def test_a_sentence_takes_the_speaker_it_overlaps_most() -> None:
    from captioner.events import Sentence

    turns = [SpeakerTurn(0, 1000, 0), SpeakerTurn(1000, 3000, 1), SpeakerTurn(5000, 6000, 0)]
    assert speaker_of(500, 1800, turns) == 1  # 800 ms of 1, 500 of 0
    assert speaker_of(3200, 3500, turns) == 1  # no overlap: the nearest turn
    assert speaker_of(4900, 5500, turns) == 0
    assert speaker_of(0, 100, []) is None
    # with no turns at all (a tone, a whisper) there is one voice: speaker 0
    (s,) = label_sentences([Sentence("Hm.", 0, 500, True)], [])
    assert s.speaker_id == 0


@pytest.fixture(scope="module")
def served(dialogue):
    path, _ = dialogue
    from captioner.recognition.local.whisper import LocalRecognizer

    with FileServer(path.parent) as files, rest_emulator(LocalRecognizer(), sdk=True, token=TOKEN) as srv:
        yield srv, files.url(path.name)


def test_the_official_sdk_gets_who_spoke_each_sentence(served, dialogue) -> None:
    import json
    import urllib.request

    _, truth = dialogue
    _, url = served
    submitted = Transcription.async_call(
        model="fun-asr", file_urls=[url], diarization_enabled=True, speaker_count=2, api_key=TOKEN
    )
    assert submitted.status_code == 200, submitted
    done = Transcription.wait(task=submitted, api_key=TOKEN)
    assert done.output.task_status == "SUCCEEDED", done
    (result,) = done.output["results"]
    with urllib.request.urlopen(result["transcription_url"], timeout=10) as r:
        sentences = json.loads(r.read())["transcripts"][0]["sentences"]
    assert len(sentences) >= len(SCRIPT)
    assert_speakers_match([(s["begin_time"], s["end_time"], s["speaker_id"]) for s in sentences], truth)


@pytest.mark.parametrize("count", [1, 101, 2.5])
def test_a_speaker_count_out_of_range_is_refused(served, count) -> None:
    _, url = served
    refused = Transcription.async_call(
        model="fun-asr", file_urls=[url], diarization_enabled=True, speaker_count=count, api_key=TOKEN
    )
    assert refused.status_code == 400 and refused.code == "InvalidParameter", refused
    assert "speaker_count must be between 2 and 100" in refused.message


def test_without_the_speaker_models_diarization_is_refused_not_ignored(served, monkeypatch) -> None:
    srv, url = served
    monkeypatch.setitem(sys.modules, "moonshine_voice", None)  # as in the bundle: not importable
    before = len(srv.tasks)
    refused = Transcription.async_call(model="fun-asr", file_urls=[url], diarization_enabled=True, api_key=TOKEN)
    assert refused.status_code == 400 and refused.code == "InvalidParameter", refused
    assert "diarization_enabled" in refused.message and "pip install moonshine-voice==0.1.0" in refused.message
    assert len(srv.tasks) == before  # no task was made


def test_the_cli_writes_speakers_into_the_srt(dialogue, tmp_path, monkeypatch) -> None:
    path, truth = dialogue
    monkeypatch.setenv("CAPTIONER_DATA_DIR", str(tmp_path))
    out, txt = tmp_path / "out.srt", tmp_path / "out.txt"
    assert (
        cli_main(
            ["transcribe", str(path), "--diarize", "--speakers", "2", "--srt", str(out), "--txt", str(txt), "--quiet"]
        )
        == 0
    )
    cues = list(srt.parse(out.read_text()))
    labelled = []
    for cue in cues:
        if cue.content.startswith("[Speaker "):
            n = int(cue.content[len("[Speaker ") : cue.content.index("]")])
            ms = (int(cue.start.total_seconds() * 1000), int(cue.end.total_seconds() * 1000))
            labelled.append((*ms, n))
    assert len(labelled) >= len(SCRIPT)
    assert {n for *_, n in labelled} == {1, 2}  # counted from 1 for readers
    assert labelled[0][2] == 1
    assert_speakers_match(labelled, truth)
    assert all(line.startswith("[Speaker ") for line in txt.read_text().splitlines())


def test_the_cli_refuses_what_it_cannot_do(dialogue, tmp_path, monkeypatch, capsys) -> None:
    path, _ = dialogue
    monkeypatch.setenv("CAPTIONER_DATA_DIR", str(tmp_path))
    assert cli_main(["transcribe", str(path), "--speakers", "1"]) == 2
    assert "--speakers must be between 2 and 100 (got 1)" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "moonshine_voice", None)
    assert cli_main(["transcribe", str(path), "--diarize", "--srt", str(tmp_path / "x.srt")]) == 4
    err = capsys.readouterr().err
    assert "Run: pip install moonshine-voice==0.1.0" in err
    assert not (tmp_path / "x.srt").exists()


def test_no_speaker_models_means_a_typed_error_naming_the_fix(monkeypatch) -> None:
    from captioner.errors import Category

    monkeypatch.setitem(sys.modules, "moonshine_voice", None)
    with pytest.raises(diarization.DiarizationUnavailable) as caught:
        diarization.check_available()
    assert caught.value.category is Category.MODEL
    assert caught.value.install == "pip install moonshine-voice==0.1.0"
