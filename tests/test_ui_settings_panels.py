"""The settings widgets enforce the DashScope ranges and only ever yield valid settings."""

import pytest

from captioner.recognition.local.languages import ModelLanguages
from captioner.settings import (
    MAX_SENTENCE_SILENCE_RANGE,
    MODEL_LANGUAGES,
    SPEECH_NOISE_THRESHOLD_RANGE,
    RecognitionSettings,
)
from captioner.ui.recognition_panel import RecognitionPanel
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)


def test_ranges_come_from_the_settings_module(qtbot):
    panel = RecognitionPanel()
    qtbot.addWidget(panel)
    assert (panel.max_silence.minimum(), panel.max_silence.maximum()) == MAX_SENTENCE_SILENCE_RANGE
    assert (panel.noise.minimum(), panel.noise.maximum()) == SPEECH_NOISE_THRESHOLD_RANGE
    panel.max_silence.setValue(50)
    assert panel.max_silence.value() == 200
    panel.max_silence.setValue(10_000)
    assert panel.max_silence.value() == 6000
    panel.noise_custom.setChecked(True)
    panel.noise.setValue(-7)
    s = panel.settings()
    assert s.max_sentence_silence == 6000 and s.speech_noise_threshold == -1.0
    panel.noise_custom.setChecked(False)
    assert panel.settings().speech_noise_threshold is None


def test_typing_out_of_range_is_refused_by_the_spin_box(qtbot):
    panel = RecognitionPanel()
    qtbot.addWidget(panel)
    panel.max_silence.lineEdit().selectAll()
    qtbot.keyClicks(panel.max_silence, "99")
    panel.max_silence.interpretText()
    assert MAX_SENTENCE_SILENCE_RANGE[0] <= panel.settings().max_sentence_silence <= MAX_SENTENCE_SILENCE_RANGE[1]


def test_a_number_typed_out_of_range_is_brought_into_range_and_the_user_told(qtbot):
    """Typing 8000 used to leave 800 (the keystroke for the last 0 was refused), silently."""
    panel = RecognitionPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.max_silence.lineEdit().selectAll()
    qtbot.keyClicks(panel.max_silence.lineEdit(), "8000")
    panel.max_silence.interpretText()  # what leaving the field or Enter does
    assert panel.max_silence.value() == MAX_SENTENCE_SILENCE_RANGE[1] == 6000
    assert panel.settings().max_sentence_silence == 6000
    note = panel.adjusted_note.text()
    assert panel.adjusted_note.isVisible() and "8000" in note and "6000" in note and "200" in note
    qtbot.keyClicks(panel.max_silence.lineEdit(), "0")  # typing again: the note has said its piece
    assert not panel.adjusted_note.isVisible()
    panel.noise_custom.setChecked(True)
    panel.noise.lineEdit().selectAll()
    qtbot.keyClicks(panel.noise.lineEdit(), "-7")
    panel.noise.interpretText()
    assert panel.noise.value() == SPEECH_NOISE_THRESHOLD_RANGE[0]
    assert "-7" in panel.adjusted_note.text() and panel.adjusted_note.isVisible()
    panel.max_silence.lineEdit().selectAll()
    qtbot.keyClicks(panel.max_silence.lineEdit(), "1500")  # in range: used as typed, no note
    panel.max_silence.interpretText()
    assert panel.max_silence.value() == 1500 and not panel.adjusted_note.isVisible()


def test_languages_follow_the_model_and_ticks_become_hints(qtbot):
    panel = RecognitionPanel(RecognitionSettings(model="fun-asr-realtime", language_hints=("ja",)))
    qtbot.addWidget(panel)
    assert tuple(panel._language_boxes) == MODEL_LANGUAGES["fun-asr-realtime"]
    assert panel.settings().language_hints == ("ja",)
    panel.set_model("paraformer-realtime-v2")
    assert tuple(panel._language_boxes) == MODEL_LANGUAGES["paraformer-realtime-v2"]
    assert panel.settings().language_hints == ("ja",)  # still offered, still ticked
    panel._language_boxes["ko"].setChecked(True)
    s = panel.settings()
    assert s.model == "paraformer-realtime-v2" and set(s.language_hints) == {"ja", "ko"}
    panel.set_model("fun-asr-realtime")
    assert "ko" not in panel.settings().language_hints


def test_vad_and_semantic_modes(qtbot):
    panel = RecognitionPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.changed):
        panel.semantic_radio.setChecked(True)
    assert panel.settings().semantic_punctuation_enabled
    assert not panel.max_silence.isEnabled()  # silence only matters for VAD breaking
    panel.vad_radio.setChecked(True)
    panel.multi_threshold.setChecked(True)
    s = panel.settings()
    assert not s.semantic_punctuation_enabled and s.multi_threshold_mode_enabled


def test_invalid_settings_are_reported_not_passed_on(qtbot):
    panel = RecognitionPanel()
    qtbot.addWidget(panel)
    panel.vocabulary.setText("vocab-1")
    # a hot word that is not text cannot come from the line edit; an unknown model name can
    # (the combo is editable), and it is still a valid setting
    panel.set_model("some-future-model")
    assert panel.settings() is not None
    object.__setattr__(panel._base, "format", "flac")  # what a corrupted base would hold
    assert panel.settings() is None
    assert "format" in panel.error.text() and not panel.error.isHidden()


# -- Languages the engine can really do ------------------------------------------------------

ENGLISH_ONLY = ModelLanguages("whisper tiny.en", False, ("en",))


def test_a_new_language_list_never_paints_over_the_old_one(qtbot):
    """Seen in the screenshot set: switching to the English-only model left the cloud
    list's boxes painted under 'English (en)' until the event loop deleted them."""
    from PySide6.QtWidgets import QCheckBox

    panel = RecognitionPanel(RecognitionSettings(model="fun-asr-realtime"))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    old = list(panel._language_boxes.values())
    assert len(old) > 1 and all(box.isVisible() for box in old)
    panel.set_engine_languages(ModelLanguages("whisper tiny.en", False, ("en",)))
    assert not any(box.isVisible() for box in old)  # at once, not when deleteLater runs
    qtbot.waitUntil(lambda: panel._language_boxes["en"].isVisible())
    shown = [b.text() for b in panel.languages.findChildren(QCheckBox) if b.isVisible()]
    assert shown == [panel._language_boxes["en"].text()]


def test_the_on_device_model_decides_which_languages_are_offered(qtbot):
    panel = RecognitionPanel(RecognitionSettings(model="fun-asr-realtime", language_hints=("ja",)))
    qtbot.addWidget(panel)
    panel.set_engine_languages(ENGLISH_ONLY)
    assert panel.offered_languages() == ("en",) and tuple(panel._language_boxes) == ("en",)
    assert panel.settings().language_hints == ()  # "ja" cannot be asked of tiny.en
    note = panel.languages_hint.text()
    assert "whisper tiny.en" in note and "English only" in note and "Best for the language" in note
    panel.set_model("paraformer-realtime-v2")  # the cloud model no longer decides
    assert tuple(panel._language_boxes) == ("en",)
    base = ModelLanguages("whisper base", True, ("zh", "en", "ja", "ko", "de"))
    panel.set_engine_languages(base)
    assert tuple(panel._language_boxes) == base.languages
    assert "English only" not in panel.languages_hint.text()
    panel.set_engine_languages(None)  # back to the cloud: the service model's list
    assert tuple(panel._language_boxes) == MODEL_LANGUAGES["paraformer-realtime-v2"]


def test_ticking_chinese_and_english_on_the_device_says_mixed_speech_is_the_clouds(qtbot):
    """whisper base keeps almost no English word inside Chinese speech (BENCHMARKS §15): a
    reader who ticks both is told before English words go missing, not after."""
    panel = RecognitionPanel(RecognitionSettings(model="paraformer-realtime-v2"))
    qtbot.addWidget(panel)
    panel.set_engine_languages(ModelLanguages("whisper base", True, ("zh", "en", "ja")))
    panel._language_boxes["zh"].setChecked(True)
    assert "often missed" not in panel.languages_hint.text()  # Chinese alone: nothing to warn of
    panel._language_boxes["en"].setChecked(True)
    assert "often missed" in panel.languages_hint.text() and "Alibaba Cloud" in panel.languages_hint.text()
    panel._language_boxes["en"].setChecked(False)
    assert "often missed" not in panel.languages_hint.text()
    panel._language_boxes["en"].setChecked(True)
    panel.set_engine_languages(None)  # the cloud's Paraformer does mixed speech: no warning
    assert panel.language_hints() == ("zh", "en") and "often missed" not in panel.languages_hint.text()


@pytest.mark.slow
def test_the_window_offers_the_loaded_models_languages(qtbot, qloop, ui_store):
    from captioner.ui.choices import EngineChoice
    from captioner.ui.main_window import MainWindow

    ui_store.set_engine_choice(EngineChoice(engine="local", on_device="whisper-tiny.en"))
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    qtbot.addWidget(window.overlay)
    qloop.run_until_complete(window.engines.preload(window.engine_choice()))  # the packaged tiny.en
    panel = window.recognition_panel
    qtbot.waitUntil(lambda: tuple(panel._language_boxes) == ("en",))
    assert "whisper tiny.en" in panel.languages_hint.text()
    window.engine_panel.cloud_radio.setChecked(True)
    assert tuple(panel._language_boxes) == MODEL_LANGUAGES[window.engine_panel.model_name()]
    window.engine_panel.local_radio.setChecked(True)
    assert tuple(panel._language_boxes) == ("en",)


def test_before_the_model_loads_only_its_languages_are_offered(qtbot, ui_store, tmp_path):
    """Chinese was offered (from the cloud model's list) until the English-only on-device
    model had loaded; ticking it ended in an error at Start."""
    from captioner.ui.choices import EngineChoice
    from captioner.ui.main_window import MainWindow
    from captioner.ui.settings_sync import expected_languages

    ui_store.set_engine_choice(EngineChoice(engine="local", on_device="whisper-tiny.en"))
    ui_store.set_recognition_settings(RecognitionSettings(model="fun-asr-realtime", language_hints=("zh",)))
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    qtbot.addWidget(window.overlay)
    panel = window.recognition_panel
    assert not window.engines.loaded(window.engine_choice())  # nothing loaded yet
    assert panel.offered_languages() == ("en",)
    assert panel.settings().language_hints == ()
    assert "English only" in panel.languages_hint.text()
    window.engine_panel.cloud_radio.setChecked(True)  # the cloud model's list again
    assert panel.offered_languages() == MODEL_LANGUAGES["fun-asr-realtime"]
    assert expected_languages(str(tmp_path / "faster-whisper-base.en")).languages == ("en",)
    assert expected_languages(str(tmp_path / "no-such-model")) is None  # nothing to go by


def test_colour_and_model_folder_are_asked_without_a_nested_event_loop(qtbot, qloop, ui_store, tmp_path):
    """The pickers open window-modal and are awaited: the loop (sessions, meters) keeps running."""
    import asyncio

    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication, QColorDialog, QFileDialog

    from captioner.ui.color_button import ColorButton
    from captioner.ui.engine_panel import EnginePanel

    button = ColorButton("#ff0000", "Caption colour")
    panel = EnginePanel(ui_store)
    qtbot.addWidget(button)
    qtbot.addWidget(panel)
    ticks = []

    async def visible(kind):
        for _ in range(250):
            await asyncio.sleep(0.02)
            ticks.append(1)
            found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
            if found:
                return found[0]
        raise TimeoutError(kind.__name__)

    async def scenario():
        button.click()  # returns at once: the dialog is open, nothing waits inside the slot
        colours = await visible(QColorDialog)
        colours.setCurrentColor(QColor("#00ff00"))
        colours.accept()
        task = asyncio.ensure_future(panel.choose_model_folder())
        folders = await visible(QFileDialog)
        folders.setDirectory(str(tmp_path))
        folders.accept()
        await task

    qloop.run_until_complete(scenario())
    assert ticks and button.color() == "#00ff00"
    assert panel.model_dir.text() == str(tmp_path)


def test_the_vocabulary_field_shows_its_whole_hint(qtbot):
    """It read "vocabulary id (Alibaba Clo" in a panel of the window's usual width."""
    from captioner.ui.dialogs import fit_width

    panel = RecognitionPanel(RecognitionSettings())
    qtbot.addWidget(panel)
    panel.resize(430, 600)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.vocabulary.width() >= fit_width(panel.vocabulary, extra=8)
