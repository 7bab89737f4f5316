"""Bilingual captions in the window (issue #18): the translation line under each caption
in the overlay (own size and colour, toggleable, remembered), both texts in the transcript."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor

from captioner.events import Sentence, Translation
from captioner.ui.overlay import CaptionOverlay
from captioner.ui.overlay_panel import OverlayPanel
from captioner.ui.store import OverlayStyle, Store
from captioner.ui.transcript_model import TranscriptModel, line_with_times
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

GREEN = "#00ff00"


def make(qtbot, **style) -> CaptionOverlay:  # type: ignore[no-untyped-def]
    overlay = CaptionOverlay(OverlayStyle(**style))
    qtbot.addWidget(overlay)
    overlay.resize(900, 200)
    return overlay


def pixels_like(overlay: CaptionOverlay, colour: str) -> int:
    """How many pixels of the painted overlay are (nearly) `colour`."""
    image = overlay.grab().toImage()
    want = QColor(colour)
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 40:
                count += 1
    return count


def test_the_translation_goes_under_its_caption_in_its_own_size_and_colour(qtbot) -> None:  # type: ignore[no-untyped-def]
    overlay = make(qtbot, translation_color=GREEN, translation_size=16)
    overlay.show()
    single = overlay.fitted_height()
    assert pixels_like(overlay, GREEN) == 0
    overlay.add_final("我们去吃饭吧。", "Let's go to the restaurant.")
    overlay.set_partial("这是")
    assert overlay.visible_lines() == ["我们去吃饭吧。", "Let's go to the restaurant.", "这是"]
    assert overlay.translation_lines() == ["Let's go to the restaurant."]
    # Room for one translation line under each of the 3 caption lines, in the smaller font.
    assert single < overlay.fitted_height() < 2 * single
    qtbot.waitUntil(lambda: overlay.height() == overlay.fitted_height(), timeout=2000)
    qtbot.waitUntil(lambda: pixels_like(overlay, GREEN) > 50, timeout=2000)
    rect = overlay.newest_word_rect()
    assert rect.bottom() <= overlay.height()


def test_hiding_the_translation_takes_its_lines_and_room_away(qtbot) -> None:  # type: ignore[no-untyped-def]
    overlay = make(qtbot, translation_color=GREEN)
    overlay.show()
    single = overlay.fitted_height()
    for i in range(4):
        overlay.add_final(f"第{i}句。", f"Sentence {i}.")
    assert overlay.final_lines() == ["第1句。", "Sentence 1.", "第2句。", "Sentence 2.", "第3句。", "Sentence 3."]
    overlay.set_caption_style(OverlayStyle(translation_color=GREEN, show_translation=False))
    assert overlay.final_lines() == ["第1句。", "第2句。", "第3句。"]
    assert overlay.fitted_height() == single
    qtbot.waitUntil(lambda: overlay.height() == single, timeout=2000)
    assert pixels_like(overlay, GREEN) == 0
    overlay.clear()  # a new session starts without translations: the old height again
    overlay.set_caption_style(OverlayStyle(translation_color=GREEN))
    assert overlay.fitted_height() == single


def test_the_translation_style_is_set_in_the_panel_and_remembered(qtbot, ui_store) -> None:  # type: ignore[no-untyped-def]
    panel = OverlayPanel(ui_store.overlay_style())
    qtbot.addWidget(panel)
    styles: list[OverlayStyle] = []
    panel.style_changed.connect(styles.append)
    panel.show_translation.click()
    panel.translation_size.setValue(18)
    assert styles[-1].show_translation is False and styles[-1].translation_size == 18
    ui_store.set_overlay_style(styles[-1])
    again = Store(QSettings(str(ui_store.ini_path), QSettings.Format.IniFormat)).overlay_style()
    assert again.show_translation is False and again.translation_size == 18
    assert again.translation_color == OverlayStyle().translation_color


def test_the_transcript_shows_and_copies_both() -> None:
    model = TranscriptModel()
    both = Sentence("我们去吃饭吧。", 300, 2260, True, translation=Translation("en", "Let's go to the restaurant."))
    model.append(both)
    model.append(Sentence("", 3000, 4000, True, translation=Translation("en", "Translation alone.")))
    shown = [model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole) for r in range(2)]
    assert shown == ["我们去吃饭吧。\nLet's go to the restaurant.", "Translation alone."]
    assert line_with_times(both).endswith("] 我们去吃饭吧。\nLet's go to the restaurant.")


def test_export_asks_which_text_when_the_transcript_is_translated(qtbot, qloop, ui_store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from captioner.ui.transcript_files import TranscriptFiles
    from captioner.ui.transcript_view import TranscriptView

    parent = QWidget()
    qtbot.addWidget(parent)
    view = TranscriptView(parent)
    files = TranscriptFiles(view, ui_store, lambda _message, _ms: None, parent)
    view.add_final(Sentence("Plain.", 0, 900, True, sentence_id=1))
    assert qloop.run_until_complete(files._which_text()) == "both"  # nothing translated: no question
    view.add_final(
        Sentence("我们去吃饭吧。", 1000, 2900, True, sentence_id=2, translation=Translation("en", "Let's eat."))
    )

    def answer() -> None:
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible() and box.objectName() == "captioner-question":
                box.button(QMessageBox.StandardButton.Apply).click()  # "The translation"
                return
        QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    choice = qloop.run_until_complete(files._which_text())
    assert choice == "translation"
    assert qloop.run_until_complete(files.export_to(str(tmp_path / "out.srt"), "srt", choice))
    assert (tmp_path / "out.srt").read_text().split("\n")[-3:] == ["Let's eat.", "", ""]


@pytest.mark.slow
def test_a_translated_session_in_the_window(qtbot, qloop, ui_store, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The real on-device engine (whisper base picked for zh + translation), Mandarin played
    at speaking pace: each caption gets its English in the overlay and the transcript."""
    import asyncio
    import time

    from captioner.audio.media import MediaSource
    from captioner.settings import RecognitionSettings
    from captioner.testing.speech import write_wav
    from captioner.ui import sources
    from captioner.ui.main_window import MainWindow
    from test_translation import MANDARIN, assert_translated, mandarin_recording

    wav = write_wav(tmp_path / "mandarin.wav", mandarin_recording())
    monkeypatch.setattr(sources, "open_source", lambda choice, **kw: MediaSource(wav, realtime=True))
    ui_store.set_recognition_settings(RecognitionSettings(language_hints=("zh",), translation_target="en"))
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    qtbot.addWidget(window.overlay)
    window._listed = True
    window.source_picker.set_inputs(sources.InputList(microphones=[sources.DeviceEntry("mic", "Virtual mic", True)]))
    window.show()
    assert window.recognition_panel.translate_to.currentData() == "en"

    async def scenario() -> None:
        await window.start_captions()
        deadline = time.monotonic() + 120
        while window.controller.running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not window.controller.running

    qloop.run_until_complete(scenario())
    finals = [s for s in window.transcript.sentences() if isinstance(s, Sentence)]
    assert len(finals) == 2
    for final, expected in zip(finals, MANDARIN, strict=True):
        assert final.translation is not None
        assert_translated(final.text, final.translation.text, expected)
    assert len(window.overlay.translation_lines()) == 2
    shown = window.transcript.model.data(window.transcript.model.index(1, 0), Qt.ItemDataRole.DisplayRole)
    assert shown == f"{finals[1].text}\n{finals[1].translation.text}"  # type: ignore[union-attr]


def test_the_window_shows_both_or_the_translation_alone_as_the_caption(qtbot, ui_store) -> None:  # type: ignore[no-untyped-def]
    from captioner.ui.main_window import MainWindow

    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    qtbot.addWidget(window.overlay)
    window.controller.adapter.final.emit(Sentence("早上好。", 0, 900, True, translation=Translation("en", "Morning.")))
    assert window.overlay.final_lines() == ["早上好。", "Morning."]
    assert window.overlay.translation_lines() == ["Morning."]
    # The translation alone (original turned off): it is the caption, in the caption's style.
    window.controller.adapter.final.emit(Sentence("", 1000, 1900, True, translation=Translation("en", "Hello.")))
    assert window.overlay.final_lines()[-1] == "Hello." and window.overlay.translation_lines() == ["Morning."]
    assert window.transcript.model.rowCount() == 2
