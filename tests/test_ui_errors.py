"""Typed errors become dialogs in one place: every category of captioner/errors.py (and so
every error class) has a dialog, and an unknown cloud model is told apart from the on-device
model missing."""

from __future__ import annotations

import inspect

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from captioner import errors
from captioner.errors import Category, category
from captioner.events import RecognitionError
from captioner.protocol.realtime import ErrorCode
from captioner.recognition.local.models import ModelNotFoundError
from captioner.testing.waiting import until
from captioner.ui import error_dialogs
from captioner.ui.controller import PROBLEM_UNKNOWN_MODEL, PROBLEMS, problem_kind
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

#: The title of the dialog each category gets.
TITLES = {
    Category.PARAMETER: "Captioning stopped",
    Category.MISSING_KEY: "API key needed",
    Category.INPUT: "Cannot listen",
    Category.MODEL: "Speech model missing",
    Category.SERVICE: "Captioning stopped",
    Category.AUTH: "API key needed",
    Category.UNKNOWN_MODEL: "Unknown model",
    Category.NETWORK: "Captioning stopped",
    Category.DEVICE: "Cannot listen",
    Category.INTERRUPTED: "Captioning stopped",
}

ERROR_CLASSES = sorted(
    (cls for cls in vars(errors).values() if inspect.isclass(cls) and issubclass(cls, errors.CaptionerError)),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("cat", list(Category), ids=lambda c: c.value)
def test_every_category_has_one_dialog(qtbot, cat):
    kind = PROBLEMS[cat]
    assert kind in error_dialogs.DIALOGS
    box = error_dialogs.problem_box(kind, "the reason", model_name="some-model", category=cat)
    qtbot.addWidget(box)
    assert box.windowTitle() == TITLES[cat]
    # what happened, what to do; the error's own words only behind "Show Details…"
    assert box.text() and box.informativeText() and "the reason" not in box.text() + box.informativeText()
    assert box.detailedText() == "the reason"


def test_the_dialogs_are_exactly_the_problem_kinds():
    assert set(error_dialogs.DIALOGS) == set(PROBLEMS.values())
    assert set(TITLES) == set(Category)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_maps_to_a_dialog(qtbot, cls):
    assert len(ERROR_CLASSES) >= 9  # the whole hierarchy, base included
    error = cls("what happened")
    box = error_dialogs.error_box(error, model_name="some-model")
    qtbot.addWidget(box)
    assert box.windowTitle() == TITLES[category(error)] == TITLES[cls.category]
    assert "what happened" in box.detailedText() and "what happened" not in box.informativeText()


def test_an_unknown_cloud_model_is_not_the_on_device_model_missing(qtbot):
    error = RecognitionError(ErrorCode.MODEL_NOT_FOUND, "Model not exist: 'fun-asr-nonexistent'")
    assert category(error) is Category.UNKNOWN_MODEL and problem_kind(error) == PROBLEM_UNKNOWN_MODEL
    box = error_dialogs.error_box(error, model_name="fun-asr-nonexistent")
    qtbot.addWidget(box)
    assert box.windowTitle() == "Unknown model"
    assert "does not know the model name" in box.text() and "fun-asr-nonexistent" in box.text()
    assert "Model not exist" in box.detailedText()
    assert [b.text() for b in box.choices] == ["Choose another model"]

    on_device = error_dialogs.error_box(ModelNotFoundError("No on-device speech model is installed."))
    qtbot.addWidget(on_device)
    assert on_device.windowTitle() == "Speech model missing" != box.windowTitle()
    assert {b.text() for b in on_device.choices} == {"Choose a model folder…", "Use Alibaba Cloud"}


# -- in the window ------------------------------------------------------------------------------


def visible_box(title: str) -> QMessageBox | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title:
            return w
    return None


@pytest.fixture
def window(qtbot, qloop, ui_store):
    from captioner.ui.main_window import MainWindow

    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    qtbot.addWidget(window.overlay)
    window.show()
    return window


def test_the_window_shows_an_unknown_cloud_model_by_name(qloop, window):
    window.engine_panel.cloud_radio.setChecked(True)
    window.engine_panel.set_model_name("fun-asr-nonexistent")
    error = RecognitionError(ErrorCode.MODEL_NOT_FOUND, "Model not exist: 'fun-asr-nonexistent'")

    async def scenario():
        window.controller.problem.emit(problem_kind(error), error.message)
        await until(lambda: visible_box("Unknown model") is not None, what="the unknown-model dialog")
        box = visible_box("Unknown model")
        assert visible_box("Speech model missing") is None
        assert "does not know the model name “fun-asr-nonexistent”" in box.text()
        next(b for b in box.buttons() if b.text() == "Choose another model").click()
        await until(lambda: window.tabs.currentIndex() == 1, what="the engine tab")

    qloop.run_until_complete(scenario())
    assert window.engine_panel.cloud_radio.isChecked()


def test_a_refused_key_can_switch_to_this_device(qloop, window):
    window.engine_panel.cloud_radio.setChecked(True)
    error = RecognitionError(ErrorCode.INVALID_API_KEY, "The API key was rejected")

    async def scenario():
        window.controller.problem.emit(problem_kind(error), error.message)
        await until(lambda: visible_box("API key needed") is not None, what="the key dialog")
        box = visible_box("API key needed")
        next(b for b in box.buttons() if b.text() == "Use this device instead").click()
        await until(lambda: window.engine_panel.local_radio.isChecked(), what="the on-device engine")

    qloop.run_until_complete(scenario())
    assert window.tabs.currentIndex() == 1


# -- the words: specific, translated, never a raw exception -----------------------------------


def test_categories_that_share_a_dialog_get_their_own_advice(qtbot):
    advice = {}
    for cat in (Category.NETWORK, Category.SERVICE, Category.PARAMETER, Category.INTERRUPTED):
        box = error_dialogs.problem_box(PROBLEMS[cat], "x", category=cat)
        qtbot.addWidget(box)
        advice[cat] = box.informativeText()
    assert len(set(advice.values())) == len(advice)
    assert "internet connection" in advice[Category.NETWORK]
    assert "Recognition" in advice[Category.PARAMETER]


def test_an_unexpected_exception_becomes_a_sentence_with_details(qtbot, qloop, window):
    """A bug inside a session: the dialog says what happened and what to do; the
    exception's repr is only in the details (and the state label never shows it)."""

    async def scenario():
        window.controller._report(RuntimeError("list index out of range"))
        await until(lambda: visible_box("Captioning stopped") is not None, what="the dialog")
        box = visible_box("Captioning stopped")
        assert "list index" not in box.text() + box.informativeText()
        assert "list index out of range" in box.detailedText()
        assert "list index" not in window.state_label.text()
        box.button(QMessageBox.StandardButton.Ok).click()

    qloop.run_until_complete(scenario())


def test_the_excepthook_box_says_what_to_do_with_the_traceback_in_details(qtbot, monkeypatch):
    from captioner.ui import app

    shown = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: shown.append(self))
    try:
        raise KeyError("internal")
    except KeyError as exc:
        app._excepthook([])(KeyError, exc, exc.__traceback__)
    box = shown[0]
    qtbot.addWidget(box)
    assert "KeyError" not in box.text() + box.informativeText()
    assert "Copy diagnostics" in box.informativeText()
    assert "KeyError: 'internal'" in box.detailedText()


def test_problem_dialogs_are_chinese_in_the_chinese_ui(qtbot, qapp):
    from PySide6.QtCore import QLocale

    from captioner.ui.app import install_translators

    added = install_translators(qapp, "zh_CN")
    try:
        for cat in Category:
            box = error_dialogs.problem_box(PROBLEMS[cat], "raw English detail", model_name="m", category=cat)
            qtbot.addWidget(box)
            for text in (box.windowTitle(), box.text(), box.informativeText()):
                assert any("\u4e00" <= ch <= "\u9fff" for ch in text), (cat, text)
                assert "raw English" not in text
    finally:
        for translator in added:
            qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale("en_US"))


def test_input_failures_in_the_status_bar_are_sentences_not_library_words(window):
    window.monitor.failed.emit("Error opening InputStream: Invalid number of channels [PaErrorCode -9998]")
    said = window.status.currentMessage()
    assert said and "PaErrorCode" not in said and "in use by another app" in said
    window.controller.adapter.source_failed.emit("PortAudio stream callback raised -9999")
    said = window.status.currentMessage()
    assert "PortAudio" not in said and "Input tab" in said
