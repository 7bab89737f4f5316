"""What a change in the settings panels sets off: the store remembers it, the on-device
engine starts loading, the input test follows the chosen input, a running session switches
to it, the Recognition tab offers the engine's languages, and a note says that engine and
recognition changes apply at the next start.

When the running session's input fails (the sound server restarted, a headset was pulled
out), it watches for that same input to come back and resumes on it by itself, on the
same clock and transcript: nobody should have to press anything because PulseAudio restarted.

It connects the panels to the services the window owns (store, engine host, input
monitor, controller); its only widget is the note. The note keeps the "MainWindow"
translation context it had when the window made it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QLabel

from captioner.pipeline import SessionState
from captioner.recognition import catalog
from captioner.recognition.local.languages import (
    PACKAGED_MODEL_NAME,
    ModelLanguages,
    languages_of,
    recognizer_languages,
)
from captioner.ui import sources
from captioner.ui.choices import SourceChoice
from captioner.ui.controller import CaptionController
from captioner.ui.engine_host import EngineHost
from captioner.ui.engine_panel import EnginePanel
from captioner.ui.input_monitor import InputMonitor
from captioner.ui.recognition_panel import RecognitionPanel
from captioner.ui.source_picker import SourcePicker
from captioner.ui.store import Store

translate = QCoreApplication.translate
Spawn = Callable[[Coroutine[Any, Any, Any]], asyncio.Task]

#: How often, and for how long, a failed input is looked for again.
RESUME_POLL_S = 1.0
RESUME_GIVE_UP_S = 600.0


class SettingsSync(QObject):
    def __init__(
        self,
        store: Store,
        controller: CaptionController,
        engines: EngineHost,
        monitor: InputMonitor,
        panels: tuple[SourcePicker, EnginePanel, RecognitionPanel],
        spawn: Spawn,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.controller, self.engines, self.monitor = store, controller, engines, monitor
        self.source_picker, self.engine_panel, self.recognition_panel = panels
        self.note = QLabel(translate("MainWindow", "Engine and recognition changes apply when you next start."))
        self.note.setStyleSheet("color: palette(placeholder-text)")
        self.note.hide()
        self.spawn = spawn
        self.source_picker.changed.connect(self.source_changed)
        self.source_picker.inputs_listed.connect(lambda _listed: self.source_changed(store_only=True))
        self.source_picker.test_button.toggled.connect(self.test_input)
        self.monitor.level.connect(self.source_picker.show_level)
        self.monitor.running_changed.connect(self._monitor_running)
        self.engine_panel.changed.connect(self.engine_changed)
        self.engine_panel.model_changed.connect(self.recognition_panel.set_model)
        self.recognition_panel.changed.connect(self.recognition_changed)
        self.offer_engine_languages()  # before the model has loaded, too
        self._resuming: asyncio.Task | None = None
        self.controller.adapter.source_failed.connect(self._source_failed)

    def show_note(self) -> None:
        """Changes to the engine and recognition apply when a session next starts."""
        self.note.setVisible(self.controller.running)

    # The input ------------------------------------------------------------------------

    def source_changed(self, store_only: bool = False) -> None:
        choice = self.source_picker.choice()
        self.store.set_source_choice(choice)
        if store_only:
            return
        if self.controller.running:
            self.spawn(self.controller.switch_source(choice))
        elif self.monitor.running:
            self.monitor.start(choice)

    def test_input(self, on: bool) -> None:
        if on and not self.controller.running:
            self.monitor.start(self.source_picker.choice())
        elif not on:
            self.monitor.stop()
            self.source_picker.reset_level()
        else:  # captioning already shows the level
            self.source_picker.test_button.setChecked(False)

    def _source_failed(self, _message: str) -> None:
        choice = self.source_picker.choice()
        if choice.live and (self._resuming is None or self._resuming.done()):
            self._resuming = self.spawn(self.resume_when_back(choice))

    async def resume_when_back(self, choice: SourceChoice) -> bool:
        """Wait for the failed input to reappear and carry on with it; False if the session
        ended, another input was chosen, or it stayed away for RESUME_GIVE_UP_S."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RESUME_GIVE_UP_S
        while loop.time() < deadline:
            await asyncio.sleep(RESUME_POLL_S)
            if not self.controller.running or self.source_picker.choice() != choice:
                return False
            if self.controller.state is not SessionState.ERROR:
                return False  # already going again (the user chose an input, or it recovered)
            if await asyncio.to_thread(sources.input_available, choice):
                await self.controller.switch_source(choice)
                return True
        return False

    def _monitor_running(self, running: bool) -> None:
        if not running:
            self.source_picker.test_button.blockSignals(True)
            self.source_picker.test_button.setChecked(False)
            self.source_picker.test_button.blockSignals(False)

    # The engine and recognition --------------------------------------------------------

    def engine_changed(self) -> None:
        choice = self.engine_panel.choice()
        self.store.set_engine_choice(choice)
        self.engines.show_choice(choice)  # the status bar never names an engine no longer chosen
        if not choice.cloud and not self.engines.loaded(choice):
            self.spawn(self.engines.preload(choice))
        self.offer_engine_languages()
        self.show_note()

    def offer_engine_languages(self) -> None:
        """Offer only the languages the chosen engine can do: the cloud model's documented
        list, the loaded on-device model's, or, while it loads, what its folder says it
        will do (the built-in model is English only), so Chinese is never offered to it."""
        choice = self.engine_panel.choice()
        if choice.cloud:
            self.recognition_panel.set_engine_languages(None)
            return
        if not choice.model_dir:  # an engine of the catalog, or `local`: all of theirs
            self.recognition_panel.set_engine_languages(catalog_languages(choice.on_device))
            return
        recognizer = self.engines.loaded_recognizer(choice)
        loaded = recognizer_languages(recognizer) if recognizer else None
        self.recognition_panel.set_engine_languages(loaded or expected_languages(choice.model_dir))

    def recognition_changed(self) -> None:
        settings = self.recognition_panel.settings()
        if settings is not None:
            self.store.set_recognition_settings(settings)
        self.show_note()


def catalog_languages(name: str) -> ModelLanguages:
    """What the on-device engine `name` declares; for `local`, every language an installed
    on-device engine knows (Chinese too, when whisper base is there: it is picked for it)."""
    if name in catalog.ENGINES:
        return catalog.ENGINES[name].model_languages()
    languages = catalog.on_device_languages()
    return ModelLanguages(translate("MainWindow", "on-device engines"), languages != ("en",), languages)


def expected_languages(model_dir: str) -> ModelLanguages | None:
    """What an on-device model not loaded yet will do, going by its folder: the built-in
    one is English only; a folder named *.en is too; another folder offers the language
    tokens its tokenizer has (None when it has none to read: the cloud list stays)."""
    if not model_dir:
        return ModelLanguages(f"whisper {PACKAGED_MODEL_NAME}", False, ("en",))
    path = Path(model_dir).expanduser()
    english_only = path.name.lower().endswith(".en") or ".en-" in path.name.lower()
    model = languages_of(path, not english_only)
    return model if model.languages else None
