"""Caption a file from the window: the format follows the extension typed, the progress bar
reaches 100 % only when the last final is in, the result shows in the transcript view, and
the progress dialog stays on the window's screen."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from captioner.testing.speech import write_wav
from test_ui_session import Scripted, until, window_with
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.timeout(120, method="thread")


@pytest.fixture
def media(tmp_path):
    """Two seconds of tone: the scripted engine makes a sentence of every five frames."""
    tone = (np.sin(np.arange(32000) / 5) * 8000).astype("<i2")
    return write_wav(tmp_path / "talk.wav", tone)


@pytest.mark.parametrize(
    ("typed", "chosen", "written"),
    [
        ("out.vtt", "SubRip subtitles (*.srt)", "out.vtt"),  # the extension typed wins over the filter
        ("out", "WebVTT subtitles (*.vtt)", "out.vtt"),  # no extension: the filter's is added
        ("out.txt", "SubRip subtitles (*.srt)", "out.txt"),
        ("out.srt", "WebVTT subtitles (*.vtt)", "out.srt"),
    ],
)
def test_the_save_dialog_path_names_the_format(qtbot, qloop, ui_store, tmp_path, monkeypatch, typed, chosen, written):
    window = window_with(qtbot, ui_store)
    filters = []

    async def choose(parent, title, path, offered):
        filters.extend(offered)
        return str(tmp_path / typed), chosen

    monkeypatch.setattr("captioner.ui.dialogs.choose_save_path", choose)
    path = qloop.run_until_complete(window.file_captioning.choose_srt(str(tmp_path / "talk.mp4")))
    assert path == str(tmp_path / written)
    assert len(filters) == 4  # every format can be chosen


def run_file(window, media, out, qloop):
    events: list[tuple[str, object]] = []

    async def scenario():
        dialog = window.caption_file_to(media, out)
        dialog.job.progress.connect(lambda p: events.append(("progress", p)))
        dialog.job.final.connect(lambda text: events.append(("final", text)))
        await until(lambda: not dialog.job.running, timeout=30, what="the file to finish")
        await asyncio.sleep(0.1)
        return dialog

    return qloop.run_until_complete(scenario()), events


def test_a_vtt_path_is_written_as_webvtt_and_shown_in_the_transcript(qtbot, qloop, ui_store, media, tmp_path):
    window = window_with(qtbot, ui_store, Scripted(final_every=5, finish_delay=0.3))
    out = tmp_path / "talk.vtt"
    dialog, events = run_file(window, media, out, qloop)
    assert "Saved" in dialog.status.text(), dialog.status.text()
    text = out.read_text()
    assert text.startswith("WEBVTT") and "-->" in text
    finals = [e[1] for e in events if e[0] == "final"]
    assert finals and [s.text for s in window.transcript.sentences()] == finals
    assert window.transcript.unsaved == 0  # already in a file: quitting need not ask
    dialog.close()


def test_progress_reaches_100_only_after_the_last_final(qtbot, qloop, ui_store, media, tmp_path):
    window = window_with(qtbot, ui_store, Scripted(final_every=1000, finish_delay=0.5))
    dialog, events = run_file(window, media, tmp_path / "talk.srt", qloop)
    last_final = max(i for i, e in enumerate(events) if e[0] == "final")
    assert str(events[last_final][1]).endswith("(last)")
    early = [p for kind, p in events[:last_final] if kind == "progress"]
    assert early and max(early) < 1.0  # all audio read is not done
    assert events[-1] == ("progress", 1.0) and dialog.bar.value() == 1000
    dialog.close()


def test_the_progress_dialog_stays_on_the_windows_screen(qtbot, qloop, ui_store, tmp_path):
    window = window_with(qtbot, ui_store, Scripted(final_every=5))
    window.show()
    area = window.screen().availableGeometry()
    window.move(area.right() - 100, area.bottom() - 100)  # mostly off the bottom-right corner
    deep = tmp_path / ("a-rather-long-folder-name-without-spaces" * 4)
    deep.mkdir()
    media = deep / "a-recording-with-an-extremely-long-name-that-cannot-wrap-anywhere.wav"
    write_wav(media, np.zeros(1600, "<i2"))

    async def scenario():
        dialog = window.caption_file_to(media, deep / "subtitles.srt")
        await asyncio.sleep(0.2)
        return dialog

    dialog = qloop.run_until_complete(scenario())
    screen = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    assert screen.contains(dialog.frameGeometry()), (screen, dialog.frameGeometry())
    qloop.run_until_complete(until(lambda: not dialog.job.running, timeout=30))
    dialog.close()


def test_a_file_that_cannot_be_written_says_so_with_the_reason_in_details(qtbot, qloop, ui_store, media, tmp_path):
    window = window_with(qtbot, ui_store, Scripted(final_every=5))
    out = tmp_path / "missing-folder" / "talk.srt"  # its folder does not exist
    dialog, _events = run_file(window, media, out, qloop)
    assert "could not be written" in dialog.status.text() and "Errno" not in dialog.status.text()
    assert dialog.details_button.isVisibleTo(dialog)
    dialog.details_button.click()
    assert dialog.details.isVisibleTo(dialog) and "missing-folder" in dialog.details.toPlainText()
    dialog.close()
