"""Recorded-file transcription of real speech, end to end on loopback: our client and the
`captioner transcribe-url` command against `captioner serve`'s REST emulation running the
on-device engine, with the file served over http like a public URL."""

from __future__ import annotations

import pytest
import srt

from captioner.cli import main as cli_main
from captioner.protocol.files import PollPolicy, TaskStatus, TranscriptionRequest
from captioner.recognition.cloud.files import FileTranscriber
from captioner.testing.speech import GOFORWARD_TEXT, wer
from rest_support import rest_emulator

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]


@pytest.fixture(scope="module")
def emulator():
    from captioner.recognition.local.whisper import LocalRecognizer

    with rest_emulator(LocalRecognizer(), token="sk-speech") as srv:
        yield srv


def test_our_client_gets_the_words_with_times_and_speaker_labels(emulator, goforward_served) -> None:
    import asyncio

    client = FileTranscriber(emulator.url, api_key="sk-speech", poll=PollPolicy(initial=0.1, cap=0.5))
    request = TranscriptionRequest(
        "fun-asr", (goforward_served.url("goforward.wav"),), diarization_enabled=True, speaker_count=2
    )
    job = asyncio.run(client.transcribe(request))
    assert job.task.status is TaskStatus.SUCCEEDED and not job.failed
    (outcome,) = job.outcomes
    text = " ".join(s.text for s in outcome.sentences)
    assert wer(GOFORWARD_TEXT, text) <= 0.25, text
    assert {s.speaker_id for s in outcome.sentences} == {0}
    words = [w for s in outcome.sentences for w in s.words]
    assert [w.text.lower() for w in words][:2] == ["go", "forward"]
    assert all(0 <= w.begin_ms <= w.end_ms <= 2800 for w in words)
    assert outcome.result.properties.original_duration_ms == 2786


def test_cli_writes_an_srt_with_the_right_words(emulator, goforward_served, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-speech")
    out = tmp_path / "out.srt"
    code = cli_main(
        [
            "transcribe-url",
            goforward_served.url("goforward.wav"),
            "--base-url",
            emulator.url,
            "--srt",
            str(out),
            "--poll-interval",
            "0.1",
            "--language",
            "en",
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "SUCCEEDED: 1 of 1 file transcribed" in err and f"wrote {out}" in err
    cues = list(srt.parse(out.read_text()))
    assert cues and wer(GOFORWARD_TEXT, " ".join(c.content for c in cues)) <= 0.25
    assert 0.3 <= cues[0].start.total_seconds() < cues[-1].end.total_seconds() <= 3.0
