"""Caption a file from the window with "Label speakers": a real two-voice recording (the
diarization tests' dialogue, espeak-ng's two voices taking turns A B B A) is recognized by
the on-device whisper engine, the speakers are told apart by Moonshine's speaker models,
and the transcript view and the subtitle file say "[Speaker N]" as `captioner transcribe
--diarize` writes it. Off, no labels; without the speaker models, the option is greyed out
saying how to install them; when telling speakers apart fails, the sentences are kept."""

from __future__ import annotations

import asyncio
import sys

import pytest
import srt
from PySide6.QtCore import Qt

from captioner.events import Sentence
from captioner.recognition.local import diarization
from captioner.ui.file_dialog import FileCaptionDialog
from test_diarization import dialogue, voice_at  # noqa: F401  (a pytest fixture)
from test_ui_session import Scripted, until, window_with
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300, method="thread")]


@pytest.fixture(scope="module")
def whisper():
    """One on-device engine for the module (loading it is the slow part)."""
    from captioner.recognition.local.whisper import LocalRecognizer

    return LocalRecognizer()


def caption(window, media, out, qloop, label: bool | None = None, count_index: int = 0) -> FileCaptionDialog:
    """The window's Caption a file job (as after the two file questions), the Label speakers
    box ticked (or not) the way a user does it while the file is being recognized."""

    async def scenario():
        dialog = window.caption_file_to(media, out)
        dialog.job.labelling.connect(lambda: dialog.setProperty("bar_while_labelling", dialog.bar.maximum()))
        if label is not None:
            dialog.label_speakers.setChecked(label)
            dialog.speaker_count.setCurrentIndex(count_index)
        await until(lambda: not dialog.job.running, timeout=240, what="the file to finish")
        await asyncio.sleep(0.1)
        return dialog

    return qloop.run_until_complete(scenario())


def shown(window) -> list[str]:
    """The transcript view's rows as they are painted."""
    model = window.transcript.model
    return [model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())]


def test_label_speakers_tells_the_two_voices_apart_in_the_view_and_the_srt(
    qtbot, qloop, ui_store, dialogue, whisper, tmp_path
):
    media, truth = dialogue
    window = window_with(qtbot, ui_store, whisper)
    out = tmp_path / "dialogue.srt"
    dialog = caption(window, media, out, qloop, label=True, count_index=1)  # at most 2 speakers
    status = dialog.status.text()
    assert "Saved" in status and "2 speaker" in status and "told apart" in status, status
    assert ui_store.file_speakers() == (True, 2)  # remembered for the next file
    assert dialog.property("bar_while_labelling") == 0  # busy: the speaker models report no progress
    assert dialog.bar.maximum() == 1000 and dialog.bar.value() == 1000

    sentences = [s for s in window.transcript.sentences() if isinstance(s, Sentence)]
    assert len(sentences) >= 4
    by_voice: dict[int, set[int | None]] = {0: set(), 1: set()}
    for s in sentences:
        by_voice[voice_at(s.begin_ms, s.end_ms, truth)].add(s.speaker_id)
    assert len(by_voice[0]) == 1 and len(by_voice[1]) == 1 and by_voice[0] != by_voice[1], by_voice
    rows = shown(window)
    assert {r.split("]")[0] for r in rows} == {"[Speaker 1", "[Speaker 2"}, rows
    assert rows[0].startswith("[Speaker 1] ")  # numbered by first appearance

    cues = list(srt.parse(out.read_text(encoding="utf-8")))
    labelled = [c.content for c in cues if c.content.startswith("[Speaker ")]
    assert {c.split("]")[0] for c in labelled} == {"[Speaker 1", "[Speaker 2"}, [c.content for c in cues]
    dialog.close()

    # File → Export of the transcript carries them too, as `transcribe --diarize` writes them.
    for fmt in ("vtt", "txt"):
        path = tmp_path / f"export.{fmt}"
        assert qloop.run_until_complete(window.export_to(str(path), fmt))
        text = path.read_text(encoding="utf-8")
        assert "[Speaker 1] " in text and "[Speaker 2] " in text, text

    # The next file's dialog opens with the choice remembered.
    again = window.caption_file_to(media, tmp_path / "again.srt")
    assert again.label_speakers.isChecked() and again.speaker_count.currentText() == "2"
    again.job.cancel()
    qloop.run_until_complete(until(lambda: not again.job.running, timeout=30))
    again.close()


def test_without_label_speakers_no_speaker_appears(qtbot, qloop, ui_store, dialogue, whisper, tmp_path):
    media, _ = dialogue
    window = window_with(qtbot, ui_store, whisper)
    out = tmp_path / "dialogue.srt"
    dialog = caption(window, media, out, qloop)  # the remembered choice: off on a first run
    assert not dialog.label_speakers.isChecked() and dialog.label_speakers.isEnabled() is False  # done: greyed
    assert "speaker" not in dialog.status.text() and dialog.property("bar_while_labelling") is None
    assert not dialog.details_button.isVisibleTo(dialog)  # nothing went wrong: no empty Details
    sentences = [s for s in window.transcript.sentences() if isinstance(s, Sentence)]
    assert len(sentences) >= 4 and all(s.speaker_id is None for s in sentences)
    assert not any("Speaker" in r for r in shown(window))
    text = out.read_text(encoding="utf-8")
    assert "-->" in text and "Speaker" not in text
    dialog.close()


def test_without_the_speaker_models_the_option_is_greyed_out_saying_how_to_install(
    qtbot, qloop, ui_store, tmp_path, monkeypatch
):
    from captioner.testing.speech import utterances, write_wav

    monkeypatch.setitem(sys.modules, "moonshine_voice", None)  # `import moonshine_voice` fails, as uninstalled
    ui_store.set_file_speakers(True, None)
    samples, _ = utterances(["Good morning."])
    media = write_wav(tmp_path / "note.wav", samples)
    window = window_with(qtbot, ui_store, Scripted(final_every=5))

    async def scenario():
        dialog = window.caption_file_to(media, tmp_path / "note.srt")
        assert not dialog.label_speakers.isEnabled() and not dialog.speaker_count.isEnabled()
        assert diarization.INSTALL in dialog.label_speakers.toolTip()
        await until(lambda: not dialog.job.running, timeout=30)
        return dialog

    dialog = qloop.run_until_complete(scenario())
    assert "Saved" in dialog.status.text()
    assert all(getattr(s, "speaker_id", None) is None for s in window.transcript.sentences())
    assert ui_store.file_speakers() == (True, None)  # the user's choice stays for when it is installed
    dialog.close()


def test_when_telling_speakers_apart_fails_the_sentences_are_kept(qtbot, qloop, ui_store, tmp_path, monkeypatch):
    from captioner.testing.speech import utterances, write_wav

    # The wheel installed without its model folder: diarize() refuses with DiarizationUnavailable.
    monkeypatch.setattr(diarization, "_MODEL_NAME", "missing-model")
    samples, _ = utterances(["Good morning.", 800, "See you at noon."])
    media = write_wav(tmp_path / "note.wav", samples)
    out = tmp_path / "note.srt"
    window = window_with(qtbot, ui_store, Scripted(final_every=5))
    dialog = caption(window, media, out, qloop, label=True)
    status = dialog.status.text()
    assert "Saved" in status and "could not be told apart" in status, status
    assert dialog.details_button.isVisibleTo(dialog) and "missing-model" in dialog.details.toPlainText()
    finals = [s for s in window.transcript.sentences() if isinstance(s, Sentence)]
    assert finals and all(s.speaker_id is None for s in finals)
    text = out.read_text(encoding="utf-8")
    assert "-->" in text and "Speaker" not in text
    dialog.close()


def test_with_fun_asr_flash_the_option_is_greyed_out_saying_why(qtbot, qloop, ui_store, tmp_path):
    """Flash answers with one sentence for the whole file: nothing to label by speaker."""
    from captioner.settings import RecognitionSettings
    from captioner.testing.speech import utterances, write_wav
    from captioner.ui.choices import EngineChoice
    from captioner.ui.file_job import FlashChoice

    ui_store.set_file_speakers(True, None)
    samples, _ = utterances(["Good morning."])
    media = write_wav(tmp_path / "note.wav", samples)
    window = window_with(qtbot, ui_store)
    engine = EngineChoice(engine="dashscope", region="cn", url="ws://127.0.0.1:9")  # nothing listens there

    async def scenario():
        dialog = window.file_captioning.start(
            media, tmp_path / "note.srt", engine, RecognitionSettings(), "sk-test", FlashChoice()
        )
        assert not dialog.label_speakers.isEnabled() and "Fun-ASR-Flash" in dialog.label_speakers.toolTip()
        assert dialog.job.speakers is None
        await until(lambda: not dialog.job.running, timeout=30)
        return dialog

    dialog = qloop.run_until_complete(scenario())
    assert ui_store.file_speakers() == (True, None)  # kept for the realtime model
    dialog.close()


def test_cancelling_while_speakers_are_told_apart_saves_nothing(qtbot, qloop, ui_store, tmp_path):
    from captioner.testing.speech import utterances, write_wav

    samples, _ = utterances(["Good morning.", 800, "See you at noon."])
    media = write_wav(tmp_path / "note.wav", samples)
    out = tmp_path / "note.srt"
    window = window_with(qtbot, ui_store, Scripted(final_every=5))

    async def scenario():
        dialog = window.caption_file_to(media, out)
        dialog.label_speakers.setChecked(True)
        dialog.job.labelling.connect(dialog.job.cancel)  # the user presses Cancel as it starts
        await until(lambda: not dialog.job.running, timeout=60)
        return dialog

    dialog = qloop.run_until_complete(scenario())
    assert "Cancelled" in dialog.status.text() and not out.exists()
    assert dialog.bar.maximum() == 1000  # no longer busy
    dialog.close()


def test_a_damaged_speaker_choice_in_the_settings_file_reads_as_auto(ui_store):
    ui_store.qsettings.setValue("file/label_speakers", "yes")
    for stored in ("9", "1", "many"):  # beyond the menu, one speaker, not a number
        ui_store.qsettings.setValue("file/speaker_count", stored)
        assert ui_store.file_speakers() == (True, None)
    ui_store.set_file_speakers(False, 3)
    assert ui_store.file_speakers() == (False, 3)
