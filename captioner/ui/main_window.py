"""The main window: pick the input and engine, start/stop, read and export the transcript.

It composes the panels (one widget per module) and wires them to the CaptionController;
it holds no captioning logic of its own. Every action (start/stop, overlay, click-through,
export, quit) is a QAction shared by the menus, the tray and the shortcuts, so all of them
always agree. Anything that asks the user from a coroutine uses `dialogs` (no nested
event loops inside tasks).

Closing the window is a graceful shutdown: stop capture, wait (bounded) for the last
final, offer to save what was not exported, then quit. The journal already holds every
final, so nothing is lost even if the user walks away from the question.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from captioner import logs, preflight
from captioner.events import Sentence
from captioner.pipeline import SessionState
from captioner.recognition.local.languages import recognizer_languages
from captioner.ui import dialogs, recovery
from captioner.ui.choices import EngineChoice, SourceChoice
from captioner.ui.controller import (
    PROBLEM_DEVICE,
    PROBLEM_KEY,
    PROBLEM_MODEL,
    PROBLEM_UNKNOWN_MODEL,
    CaptionController,
)
from captioner.ui.engine_host import EngineHost
from captioner.ui.engine_panel import EnginePanel
from captioner.ui.file_dialog import FileCaptionDialog
from captioner.ui.file_job import default_srt_path
from captioner.ui.icons import app_icon
from captioner.ui.input_monitor import InputMonitor
from captioner.ui.overlay import CaptionOverlay
from captioner.ui.overlay_panel import OverlayPanel
from captioner.ui.overlay_placement import OverlayPlacement
from captioner.ui.recognition_panel import RecognitionPanel
from captioner.ui.source_picker import SourcePicker
from captioner.ui.status_text import metrics_text, state_text
from captioner.ui.store import Store
from captioner.ui.transcript_view import TranscriptView, export_formats, format_for
from captioner.ui.tray import TrayIcon
from captioner.ui.vocabulary_dialog import VocabularyDialog, http_base_for

log = logging.getLogger(__name__)

ACTIVE_STATES = (SessionState.STARTING, SessionState.LISTENING, SessionState.RECONNECTING)
MEDIA_FILTER_EXTS = "*.wav *.flac *.mp3 *.m4a *.aac *.ogg *.opus *.mp4 *.mkv *.webm *.mov *.avi"

#: Shortcuts. Qt cannot grab keys while another app has focus, so these work whenever a
#: Captioner window is active (ApplicationShortcut); the tray menu works at any time.
SHORTCUT_START_STOP = "Ctrl+Shift+S"
SHORTCUT_OVERLAY = "Ctrl+Shift+O"
SHORTCUT_CLICK_THROUGH = "Ctrl+Shift+T"


class MainWindow(QMainWindow):
    def __init__(
        self, store: Store, *, engines: EngineHost | None = None, use_tray: bool = True, quit_on_close: bool = True
    ) -> None:
        super().__init__()
        self.store = store
        self.quit_on_close = quit_on_close
        #: Whether the device lists have been read once (a missing microphone is known).
        self._listed = False
        self._starting = False
        self.engines = engines or EngineHost(self)
        self.controller = CaptionController(self.engines, self)
        self.monitor = InputMonitor(self)
        self._tasks: set[asyncio.Task] = set()
        self._closing_ok = False
        self._shutting_down = False
        self.file_dialogs: list[FileCaptionDialog] = []
        self.setWindowTitle(self.tr("Captioner"))
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)  # drop a media file to caption it

        # The overlay: a separate top-level window, placed per screen setup.
        self.overlay = CaptionOverlay(store.overlay_style())
        self.placement = OverlayPlacement(self.overlay, store, self)

        # Panels.
        self.source_picker = SourcePicker(store.source_choice())
        self.engine_panel = EnginePanel(store)
        settings = store.recognition_settings()
        self.engine_panel.set_model_name(settings.model)
        self.recognition_panel = RecognitionPanel(settings)
        self.overlay_panel = OverlayPanel(store.overlay_style())
        self.transcript = TranscriptView()

        self.tabs = QTabWidget()
        for widget, title in (
            (self.source_picker, self.tr("Input")),
            (self.engine_panel, self.tr("Engine")),
            (self.recognition_panel, self.tr("Recognition")),
            (self.overlay_panel, self.tr("Overlay")),
        ):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(widget)
            self.tabs.addTab(scroll, title)

        self.start_button = QPushButton(self.tr("Start captions"))
        self.start_button.setMinimumHeight(36)
        self.start_button.setMinimumWidth(150)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.settings_note = QLabel(self.tr("Engine and recognition changes apply when you next start."))
        self.settings_note.setStyleSheet("color: palette(placeholder-text)")
        self.settings_note.hide()
        controls = QHBoxLayout()
        controls.addWidget(self.start_button)
        controls.addWidget(self.state_label, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 4)
        left_layout.addLayout(controls)
        left_layout.addWidget(self.tabs, 1)
        left_layout.addWidget(self.settings_note)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 4)
        right_layout.addWidget(self.transcript)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([440, 540])
        self.setCentralWidget(splitter)

        self.metrics_label = QLabel()
        self.engine_label = QLabel()
        self.statusBar().addPermanentWidget(self.metrics_label)
        self.statusBar().addPermanentWidget(self.engine_label)
        self._metrics_timer = QTimer(self, interval=1000)
        self._metrics_timer.timeout.connect(self._show_metrics)

        self._make_actions()
        self._make_menus()
        self.tray = TrayIcon(
            start_stop=self.start_action,
            show_overlay=self.overlay_action,
            click_through=self.click_through_action,
            show_window=self.show_window_action,
            quit_action=self.quit_action,
            parent=self,
        ) if use_tray else None
        self.overlay.addActions([self.overlay_action, self.click_through_action, self.start_action])
        self.overlay.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._wire()

        geometry = store.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(980, 640)
        self._on_state(SessionState.IDLE, "")

    # Construction -----------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut: str | QKeySequence.StandardKey | None = None, *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setCheckable(checkable)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _make_actions(self) -> None:
        self.start_action = self._action(self.tr("Start captions"), self.toggle_start, SHORTCUT_START_STOP)
        self.overlay_action = self._action(self.tr("Show overlay"), self.set_overlay_visible, SHORTCUT_OVERLAY, checkable=True)
        self.click_through_action = self._action(
            self.tr("Click-through overlay"), self.set_click_through, SHORTCUT_CLICK_THROUGH, checkable=True
        )
        self.show_window_action = self._action(self.tr("Show Captioner window"), self.bring_to_front)
        self.quit_action = self._action(self.tr("Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.export_action = self._action(self.tr("Export transcript…"), self.export_transcript, "Ctrl+E")
        self.caption_file_action = self._action(self.tr("Caption a file…"), self.caption_file, QKeySequence.StandardKey.Open)
        self.recover_action = self._action(self.tr("Recover an unfinished session…"), self.offer_recovery)
        self.clear_action = self._action(self.tr("Clear transcript"), self.clear_transcript)
        self.search_action = self._action(self.tr("Search transcript"), self._focus_search, QKeySequence.StandardKey.Find)
        self.demo_action = self._action(self.tr("Play the demo recording"), self.start_demo)
        self.diagnostics_action = self._action(self.tr("Copy diagnostics"), self.copy_diagnostics)
        self.diagnostics_action.setToolTip(self.tr("Copy versions, devices and settings (never the API key) for a bug report."))
        self.log_folder_action = self._action(self.tr("Open log folder"), self.open_log_folder)

    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addActions([self.caption_file_action, self.export_action, self.recover_action])
        self._make_retention_menu(file_menu.addMenu(self.tr("Keep finished sessions")))
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        captions = self.menuBar().addMenu(self.tr("&Captions"))
        captions.addActions([self.start_action, self.demo_action])
        captions.addSeparator()
        captions.addActions([self.overlay_action, self.click_through_action])
        captions.addSeparator()
        captions.addActions([self.search_action, self.clear_action])
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addActions([self.diagnostics_action, self.log_folder_action])
        view = self.menuBar().addMenu(self.tr("&View"))
        language = view.addMenu(self.tr("Language"))
        group = QActionGroup(self)
        for name, label in (("", self.tr("System language")), ("en", "English"), ("zh_CN", "简体中文")):
            action = QAction(label, self, checkable=True)
            action.setChecked(self.store.ui_language() == name)
            action.triggered.connect(lambda _=False, n=name: self._set_language(n))
            group.addAction(action)
            language.addAction(action)

    def _make_retention_menu(self, menu) -> None:
        """Finished sessions' journals are deleted after this long; unfinished ones stay."""
        group = QActionGroup(self)
        current = self.store.keep_sessions_days()
        for days, label in ((0, self.tr("Forever")), (90, self.tr("90 days")), (30, self.tr("30 days")),
                            (7, self.tr("7 days")), (1, self.tr("1 day"))):
            action = QAction(label, self, checkable=True)
            action.setChecked(days == current)
            action.triggered.connect(lambda _=False, d=days: self.store.set_keep_sessions_days(d))
            group.addAction(action)
            menu.addAction(action)

    async def prune_sessions(self) -> int:
        """Apply the retention setting to the journals folder (off the GUI thread)."""
        days = self.store.keep_sessions_days()
        if not days:
            return 0
        from captioner.transcript.journal import prune

        try:
            return len(await asyncio.to_thread(prune, keep_days=days))
        except OSError:
            log.warning("could not prune old sessions", exc_info=True)
            return 0

    def _wire(self) -> None:
        c = self.controller
        c.state_changed.connect(self._on_state)
        c.problem.connect(self._on_problem)
        c.session_ended.connect(self._on_session_ended)
        a = c.adapter
        a.partial.connect(self._on_partial)
        a.final.connect(self._on_final)
        a.gap.connect(self.transcript.add_gap)
        a.level.connect(self.source_picker.show_level)
        a.source_failed.connect(self._on_source_failed)
        a.engine_status.connect(self._on_engine_status)
        self.engines.status.connect(self._on_engine_host_status)
        self.start_button.clicked.connect(self.toggle_start)

        self.source_picker.changed.connect(self._source_changed)
        self.source_picker.test_button.toggled.connect(self._test_input)
        self.monitor.level.connect(self.source_picker.show_level)
        self.monitor.failed.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self.monitor.running_changed.connect(self._monitor_running)
        self.source_picker.inputs_listed.connect(lambda _listed: self._source_changed(store_only=True))
        self.engine_panel.changed.connect(self._engine_changed)
        self.engine_panel.model_changed.connect(self._model_changed)
        self.recognition_panel.changed.connect(self._recognition_changed)
        self.recognition_panel.edit_vocabularies.connect(self.open_vocabulary_editor)
        self.overlay_panel.style_changed.connect(self._overlay_style_changed)
        self.overlay_panel.reset_position.connect(self._reset_overlay_position)
        self.overlay_panel.show_overlay.toggled.connect(self.overlay_action.setChecked)
        self.overlay_panel.click_through.toggled.connect(self.click_through_action.setChecked)
        self.overlay.geometry_committed.connect(self.placement.remember)
        self.overlay.click_through_changed.connect(self._click_through_changed)
        self.transcript.export_requested.connect(self.export_transcript)

    # Helpers ------------------------------------------------------------------------------

    def spawn(self, coro) -> asyncio.Task:
        """Run a coroutine on the loop, keeping a reference and logging its failure."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("background task failed", exc_info=t.exception())

        task.add_done_callback(done)
        return task

    def engine_choice(self) -> EngineChoice:
        return self.engine_panel.choice()

    def api_key(self, choice: EngineChoice) -> str:
        if not choice.cloud or choice.url:
            # A key saved for Alibaba Cloud is never sent to whatever server a custom URL
            # names (the client then uses DASHSCOPE_API_KEY if that server needs one).
            return ""
        return self.engine_panel.api_key_text() or self.store.api_key(choice.region)

    # Start / stop ----------------------------------------------------------------------------

    @asyncSlot()
    async def toggle_start(self) -> None:
        if self.controller.running:
            self.controller.stop()
        else:
            await self.start_captions()

    async def start_captions(self, source: SourceChoice | None = None) -> bool:
        """Start a live session with the panels' settings; returns False if it did not start."""
        if self.controller.running or self._starting:
            return False
        self._starting = True  # a second click while a question is open must not start twice
        try:
            return await self._start_captions(source)
        finally:
            self._starting = False

    async def _start_captions(self, source: SourceChoice | None) -> bool:
        settings = self.recognition_panel.settings()
        if settings is None:
            self.tabs.setCurrentIndex(2)
            self.statusBar().showMessage(self.tr("Fix the recognition settings first."), 8000)
            return False
        source = source or self.source_picker.choice()
        listed = self.source_picker.inputs
        if source.kind in ("microphone", "both") and self._listed and not listed.error and not listed.microphones:
            if not await self.ask_demo():
                return False
            source = SourceChoice(kind="demo")
            self.source_picker.set_kind("demo")
        if not await self._make_room_for_new_session():
            return False
        if self.monitor.running:  # the session opens the device itself
            self.source_picker.test_button.setChecked(False)
            await self.monitor.stop_and_wait()
        engine = self.engine_choice()
        if engine.cloud:
            self.engine_panel.save_api_key()  # typed but never confirmed with Enter
        self.transcript.clear()
        self.overlay.clear()
        self.source_picker.reset_level()
        if self.store.overlay_visible() and not self.overlay.isVisible():
            self.overlay_action.setChecked(True)
        self.controller.start(source, engine, settings, self.api_key(engine))
        return True

    async def _make_room_for_new_session(self) -> bool:
        """A new session starts a new transcript: offer to save the old one first."""
        if not self.transcript.unsaved:
            return True
        answer = await dialogs.ask(
            self,
            self.tr("Start a new transcript?"),
            self.tr("The current transcript has not been exported."),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            default=QMessageBox.StandardButton.Save,
            informative=self.tr("It stays in the session journal either way."),
        )
        if answer == QMessageBox.StandardButton.Save:
            return await self.export_transcript()
        return answer == QMessageBox.StandardButton.Discard

    @asyncSlot()
    async def start_demo(self) -> None:
        """Caption the bundled sample as if it were a microphone."""
        if self.controller.running:
            await self.controller.stop_and_wait()
        self.source_picker.set_kind("demo")
        await self.start_captions(SourceChoice(kind="demo"))

    def stop_captions(self) -> None:
        self.controller.stop()

    # Session events ------------------------------------------------------------------------

    def _on_state(self, state: SessionState, detail: str) -> None:
        running = self.controller.running
        active = state in ACTIVE_STATES or (running and state is SessionState.ERROR)
        stopping = state is SessionState.STOPPING
        label = self.tr("Stop") if active else (self.tr("Stopping…") if stopping else self.tr("Start captions"))
        self.start_button.setText(label)
        self.start_button.setEnabled(not stopping)
        self.start_action.setText(self.tr("Stop captions") if active else self.tr("Start captions"))
        self.start_action.setEnabled(not stopping)
        text = state_text(state, detail)
        if state is SessionState.ERROR and running:  # a live input failed: the session waits
            text = self.tr("The input stopped (%1). Choose another input to carry on, or Stop.").replace("%1", detail)
        colour = {SessionState.LISTENING: "#2e7d32", SessionState.ERROR: "#c62828", SessionState.RECONNECTING: "#b35c00"}.get(state)
        if state is SessionState.LISTENING:
            text = "● " + text
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {colour}" if colour else "")
        self.state_label.setAccessibleDescription(text)
        if self.tray is not None:
            self.tray.set_live(state is SessionState.LISTENING, self.tr("Captioner — %1").replace("%1", text))
        if state is SessionState.LISTENING:
            self.overlay.set_placeholder(self.tr("Listening…"))
            self._metrics_timer.start()
        elif state in (SessionState.STOPPED, SessionState.ERROR, SessionState.IDLE):
            self.overlay.set_placeholder(self.tr("Captions will appear here"))
            if not running:
                self._metrics_timer.stop()
                self.source_picker.meter.reset()
        self._update_settings_note()

    def _on_partial(self, sentence: Sentence) -> None:
        self.overlay.set_partial(sentence.text)
        self.transcript.set_partial(sentence.text)

    def _on_final(self, sentence: Sentence) -> None:
        self.overlay.add_final(sentence.text)
        self.transcript.add_final(sentence)

    def _on_source_failed(self, message: str) -> None:
        self.statusBar().showMessage(self.tr("Input stopped: %1").replace("%1", message), 15000)
        if self.source_picker.choice().live and self.controller.running:
            self.tabs.setCurrentIndex(0)

    def _on_engine_status(self, state: str, detail: str) -> None:
        if state == "lagging":
            self.statusBar().showMessage(self.tr("Captions are falling behind: %1").replace("%1", detail), 8000)
        elif state == "ready" and detail:
            self.statusBar().showMessage(detail, 4000)

    def _on_engine_host_status(self, state: str, message: str) -> None:
        self.engine_label.setText(message)
        self.engine_label.setStyleSheet("color: #c62828" if state == "error" else "")
        if state == "ready":  # said just before the load's task completes: look right after
            QTimer.singleShot(0, self, self._offer_engine_languages)

    def _offer_engine_languages(self) -> None:
        """Offer only the languages the chosen engine can do: the loaded on-device model's,
        or (cloud, or no model loaded yet) the cloud model's documented list."""
        choice = self.engine_choice()
        recognizer = None if choice.cloud else self.engines.loaded_recognizer(choice)
        self.recognition_panel.set_engine_languages(recognizer_languages(recognizer) if recognizer else None)

    def _show_metrics(self) -> None:
        session = self.controller.session
        self.metrics_label.setText(metrics_text(session.metrics) if session is not None else "")

    def _on_problem(self, kind: str, message: str) -> None:
        if kind == PROBLEM_MODEL:
            self.spawn(self._model_missing(message))
        elif kind == PROBLEM_DEVICE:
            self.spawn(self._device_problem(message))
        elif kind == PROBLEM_KEY:
            self.spawn(self._key_problem(message))
        elif kind == PROBLEM_UNKNOWN_MODEL:
            self.spawn(self._unknown_model(message))
        else:
            self.spawn(dialogs.ask(self, self.tr("Captioning stopped"), self.tr("Recognition failed."),
                                   QMessageBox.StandardButton.Ok, informative=message, icon=QMessageBox.Icon.Warning))

    def _on_session_ended(self, journal_path: str) -> None:
        self._metrics_timer.stop()

    async def _model_missing(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Speech model missing"),
                          self.tr("Captioner cannot recognise speech on this device yet."), QMessageBox.StandardButton.Close, self)
        box.setInformativeText(message)
        choose = box.addButton(self.tr("Choose a model folder…"), QMessageBox.ButtonRole.ActionRole)
        cloud = box.addButton(self.tr("Use Alibaba Cloud"), QMessageBox.ButtonRole.ActionRole)
        await dialogs.show(box)
        if box.clickedButton() is choose:
            self.tabs.setCurrentIndex(1)
            self.engine_panel._browse_model()
        elif box.clickedButton() is cloud:
            self.tabs.setCurrentIndex(1)
            self.engine_panel.cloud_radio.setChecked(True)
            self.engine_panel.api_key.setFocus()

    async def _unknown_model(self, message: str) -> None:
        """The service does not know the model name asked for (not a missing download)."""
        name = self.engine_panel.model_name()
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Unknown model"),
                          self.tr("The service does not know the model name “%1”.").replace("%1", name),
                          QMessageBox.StandardButton.Close, self)
        box.setInformativeText(message)
        choose = box.addButton(self.tr("Choose another model"), QMessageBox.ButtonRole.AcceptRole)
        await dialogs.show(box)
        if box.clickedButton() is choose:
            self.tabs.setCurrentIndex(1)
            self.engine_panel.model.setFocus()
            line_edit = self.engine_panel.model.lineEdit()
            assert line_edit is not None  # the model box is editable
            line_edit.selectAll()

    async def _key_problem(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("API key needed"),
                          self.tr("Alibaba Cloud did not accept the request: it needs a valid API key for this region."),
                          QMessageBox.StandardButton.Close, self)
        box.setInformativeText(message)
        enter = box.addButton(self.tr("Enter the key"), QMessageBox.ButtonRole.AcceptRole)
        local = box.addButton(self.tr("Use this device instead"), QMessageBox.ButtonRole.ActionRole)
        await dialogs.show(box)
        self.tabs.setCurrentIndex(1)
        if box.clickedButton() is enter:
            self.engine_panel.api_key.setFocus()
            self.engine_panel.api_key.selectAll()
        elif box.clickedButton() is local:
            self.engine_panel.local_radio.setChecked(True)

    async def _device_problem(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Cannot listen"),
                          self.tr("The input could not be opened."), QMessageBox.StandardButton.Close, self)
        box.setInformativeText(message)
        demo = box.addButton(self.tr("Play the demo instead"), QMessageBox.ButtonRole.ActionRole)
        await dialogs.show(box)
        self.tabs.setCurrentIndex(0)
        if box.clickedButton() is demo:
            await self.start_captions(SourceChoice(kind="demo"))

    async def offer_demo(self) -> None:
        """No microphone (found at start-up): explain, and play the demo if asked."""
        if await self.ask_demo():
            self.source_picker.set_kind("demo")
            await self.start_captions(SourceChoice(kind="demo"))

    async def ask_demo(self) -> bool:
        """No microphone: say so plainly and offer the demo recording instead (True: play it)."""
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("No microphone found"),
                          self.tr("Captioner found no microphone on this computer."), QMessageBox.StandardButton.Close, self)
        box.setInformativeText(self.tr(
            "You can still caption what this computer plays (Input → System audio), caption a media file "
            "(File → Caption a file…), or watch the demo recording being captioned now."))
        demo = box.addButton(self.tr("Play the demo"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(demo)
        await dialogs.show(box)
        return box.clickedButton() is demo

    # Settings changes ----------------------------------------------------------------------

    def _source_changed(self, store_only: bool = False) -> None:
        choice = self.source_picker.choice()
        self.store.set_source_choice(choice)
        if store_only:
            return
        if self.controller.running:
            self.spawn(self.controller.switch_source(choice))
        elif self.monitor.running:
            self.monitor.start(choice)

    def _test_input(self, on: bool) -> None:
        if on and not self.controller.running:
            self.monitor.start(self.source_picker.choice())
        elif not on:
            self.monitor.stop()
            self.source_picker.reset_level()
        else:  # captioning already shows the level
            self.source_picker.test_button.setChecked(False)

    def _monitor_running(self, running: bool) -> None:
        if not running:
            self.source_picker.test_button.blockSignals(True)
            self.source_picker.test_button.setChecked(False)
            self.source_picker.test_button.blockSignals(False)

    def _engine_changed(self) -> None:
        choice = self.engine_choice()
        self.store.set_engine_choice(choice)
        if not choice.cloud and not self.engines.loaded(choice):
            self.spawn(self.engines.preload(choice))
        self._offer_engine_languages()
        self._update_settings_note()

    def _model_changed(self, name: str) -> None:
        self.recognition_panel.set_model(name)

    def _recognition_changed(self) -> None:
        settings = self.recognition_panel.settings()
        if settings is not None:
            self.store.set_recognition_settings(settings)
        self._update_settings_note()

    def _update_settings_note(self) -> None:
        self.settings_note.setVisible(self.controller.running)

    def _overlay_style_changed(self, style) -> None:
        self.overlay.set_caption_style(style)
        self.store.set_overlay_style(style)

    def _reset_overlay_position(self) -> None:
        self.store.qsettings.remove(f"overlay/geometry/{self.placement.key()}")
        self.overlay.setProperty("placed", False)
        self.placement.apply()
        self.placement.remember()

    # Overlay --------------------------------------------------------------------------------

    def set_overlay_visible(self, visible: bool) -> None:
        if visible:
            if not self.overlay.property("placed"):
                self.placement.apply()
            self.overlay.show()
        else:
            self.overlay.hide()
        self.store.set_overlay_visible(visible)
        self.overlay_action.setText(self.tr("Show overlay"))
        self.overlay_panel.show_overlay.blockSignals(True)
        self.overlay_panel.show_overlay.setChecked(visible)
        self.overlay_panel.show_overlay.blockSignals(False)

    def set_click_through(self, on: bool) -> None:
        self.overlay.set_click_through(on)

    def _click_through_changed(self, on: bool) -> None:
        self.store.set_click_through_last(on)
        for widget in (self.click_through_action, self.overlay_panel.click_through):
            widget.blockSignals(True)
            widget.setChecked(on)
            widget.blockSignals(False)
        if on:
            hint = self.tr("The overlay now lets clicks through. Turn this off from the tray menu or with %1.").replace(
                "%1", QKeySequence(SHORTCUT_CLICK_THROUGH).toString(QKeySequence.SequenceFormat.NativeText))
            self.statusBar().showMessage(hint, 10000)
            if self.tray is not None:
                self.tray.notify(self.tr("Click-through is on"), hint)

    # Transcript -----------------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.transcript.search.setFocus()
        self.transcript.search.selectAll()

    @asyncSlot()
    async def clear_transcript(self) -> None:
        if self.transcript.unsaved and not await self._make_room_for_new_session():
            return
        self.transcript.clear()

    @asyncSlot()
    async def export_transcript(self) -> bool:
        """Ask where, then write the chosen format; True if written."""
        sentences = self.transcript.sentences()
        if not sentences:
            self.statusBar().showMessage(self.tr("Nothing to export yet."), 5000)
            return False
        folder = self.store.last_folder("export") or str(Path.home())
        name = f"captions-{datetime.now():%Y%m%d-%H%M}.srt"
        formats = export_formats()
        path, chosen = await dialogs.choose_save_path(self, self.tr("Export transcript"), str(Path(folder) / name), list(formats.values()))
        if not path:
            return False
        return await self.export_to(path, format_for(path, chosen))

    async def export_to(self, path: str, fmt: str) -> bool:
        from captioner.transcript.export import write_exports

        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        try:
            targets: dict[str, Any] = {fmt: target}
            await asyncio.to_thread(write_exports, self.transcript.sentences(), **targets)
        except OSError as exc:
            await dialogs.ask(self, self.tr("Export failed"), self.tr("The file could not be written."),
                              QMessageBox.StandardButton.Ok, informative=str(exc), icon=QMessageBox.Icon.Warning)
            return False
        self.transcript.mark_saved()
        self.store.set_last_folder("export", str(target.parent))
        self.statusBar().showMessage(self.tr("Saved %1").replace("%1", str(target)), 8000)
        return True

    # Files ----------------------------------------------------------------------------------

    @asyncSlot()
    async def caption_file(self) -> None:
        folder = self.store.last_folder("media") or str(Path.home())
        media = await dialogs.choose_open_path(
            self, self.tr("Caption a file"), folder,
            [self.tr("Audio and video (%1)").replace("%1", MEDIA_FILTER_EXTS), self.tr("All files (*)")],
        )
        if not media:
            return
        self.store.set_last_folder("media", str(Path(media).parent))
        srt, _ = await dialogs.choose_save_path(
            self, self.tr("Save subtitles as"), str(default_srt_path(media)), [export_formats()["srt"]]
        )
        if srt:
            self.caption_file_to(media, srt)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        media = self._dropped_file(event.mimeData())
        if media is not None:
            event.acceptProposedAction()
            self.spawn(self._caption_dropped(media))

    @staticmethod
    def _dropped_file(mime) -> str | None:
        """The first local file dropped (any format FFmpeg reads; MediaSource checks it)."""
        for url in mime.urls() if mime.hasUrls() else ():
            if url.isLocalFile() and Path(url.toLocalFile()).is_file():
                return url.toLocalFile()
        return None

    async def _caption_dropped(self, media: str) -> None:
        srt, _ = await dialogs.choose_save_path(
            self, self.tr("Save subtitles as"), str(default_srt_path(media)), [export_formats()["srt"]]
        )
        if srt:
            self.caption_file_to(media, srt)

    def caption_file_to(self, media: str | Path, srt: str | Path) -> FileCaptionDialog | None:
        """Run `media` through the pipeline (as fast as possible) into `srt`, with progress."""
        settings = self.recognition_panel.settings()
        if settings is None:
            return None
        engine = self.engine_choice()
        dialog = FileCaptionDialog(self.engines, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: self.file_dialogs.remove(dialog) if dialog in self.file_dialogs else None)
        self.file_dialogs.append(dialog)
        dialog.show()
        dialog.start(media, srt, engine, settings, self.api_key(engine))
        return dialog

    # Recovery -------------------------------------------------------------------------------

    @asyncSlot()
    async def offer_recovery(self) -> None:
        await self.recover_unfinished(interactive=True)

    async def recover_unfinished(self, *, interactive: bool = False) -> None:
        sessions = await asyncio.to_thread(recovery.unfinished_sessions)
        if not sessions:
            if interactive:
                self.statusBar().showMessage(self.tr("No unfinished sessions."), 5000)
            return
        dialog = recovery.RecoveryDialog(sessions, self)
        result = await dialogs.show(dialog)
        info = dialog.selected()
        dialog.deleteLater()
        if info is None:
            return
        if result == recovery.RECOVER:
            if not await self._make_room_for_new_session():
                return
            sentences = await asyncio.to_thread(recovery.load, info.path)
            self.transcript.load(sentences, unsaved=True)
            await asyncio.to_thread(recovery.close_journal, info.path, "recovered")
            self.statusBar().showMessage(self.tr("Recovered %n sentence(s); export them with File → Export.", "", len(sentences)), 10000)
        elif result == recovery.DISMISS:
            await asyncio.to_thread(recovery.close_journal, info.path, "dismissed")

    # Vocabularies, diagnostics, preflight ------------------------------------------------------

    def open_vocabulary_editor(self) -> VocabularyDialog:
        """The hot-word editor for the engine panel's cloud endpoint (region or custom URL)."""
        choice = self.engine_choice()
        key = "" if choice.url else (self.engine_panel.api_key_text() or self.store.api_key(choice.region))
        dialog = VocabularyDialog(
            region=choice.region,
            base_url=http_base_for(choice.url) if choice.url else "",
            api_key=key,
            workspace=choice.workspace,
            target_model=self.engine_panel.model_name() or "fun-asr-realtime",
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.vocabulary_chosen.connect(self.recognition_panel.use_vocabulary)
        self.vocabulary_dialog = dialog
        dialog.show()
        dialog.loading = dialog.refresh()
        return dialog

    @asyncSlot()
    async def copy_diagnostics(self) -> str:
        """The diagnostics report on the clipboard (gathered off the GUI thread)."""
        self.statusBar().showMessage(self.tr("Gathering diagnostics…"))
        model_dir = self.engine_choice().model_dir or None
        try:
            text = await asyncio.to_thread(logs.diagnostics, model_dir=model_dir)
        except Exception as exc:  # a report about problems must not become one
            log.exception("diagnostics failed")
            text = f"diagnostics failed: {type(exc).__name__}: {exc}"
        QApplication.clipboard().setText(text)
        self.statusBar().showMessage(self.tr("Diagnostics copied to the clipboard."), 8000)
        return text

    def open_log_folder(self) -> bool:
        folder = logs.log_dir()
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
        ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if not ok:
            self.statusBar().showMessage(self.tr("Could not open %1").replace("%1", str(folder)), 10000)
        return ok

    async def preflight(self) -> list[str]:
        """Check sound devices and (for the on-device engine) the model once the window is
        up; show any problem in a window-modal box that does not hold anything else up."""
        engine = self.engine_choice()

        def check() -> list[str]:
            found = [preflight.check_portaudio()]
            if not engine.cloud:
                found.append(preflight.check_model(engine.model_dir or None))
            return [p for p in found if p]

        problems = await asyncio.to_thread(check)
        if problems:
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Captioner needs attention"),
                              self.tr("Some features will not work until this is fixed:"), QMessageBox.StandardButton.Ok, self)
            box.setObjectName("captioner-preflight")
            box.setInformativeText("\n\n".join(problems) + "\n\n" + self.tr(
                "You can still caption media files and play the demo, or use Alibaba Cloud."))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # not awaited: the app goes on
            self.preflight_box = box
        return problems

    # Start-up ---------------------------------------------------------------------------------

    async def startup(self, *, demo: bool = False) -> None:
        """What happens once the window is up: load the engine in the background, list
        devices, offer recovery, explain a missing microphone, or start the demo."""
        engine = self.engine_choice()
        if not engine.cloud:
            self.spawn(self.engines.preload(engine))
        self.spawn(self.prune_sessions())
        if self.store.click_through_last():
            self.statusBar().showMessage(self.tr(
                "Click-through was on when Captioner closed; it starts off. Turn it on from the Captions menu or the tray."), 12000)
            self.store.set_click_through_last(False)
        if self.store.overlay_visible():
            self.overlay_action.setChecked(True)
        from captioner.ui import sources

        listed = await asyncio.to_thread(sources.list_inputs)
        self.source_picker.set_inputs(listed)
        self._listed = True
        if demo:
            self.source_picker.set_kind("demo")
            await self.start_captions(SourceChoice(kind="demo"))
        else:
            await self.recover_unfinished()
            if not listed.microphones and self.source_picker.choice().kind in ("microphone", "both"):
                if self.store.first_run():  # explain once; Start explains again if needed
                    await self.offer_demo()
                else:
                    self.statusBar().showMessage(self.tr("No microphone found: choose System audio, a file, or the demo."), 15000)
        self.store.set_welcomed()

    # Window --------------------------------------------------------------------------------

    def bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _set_language(self, name: str) -> None:
        self.store.set_ui_language(name)
        self.statusBar().showMessage(self.tr("The language changes the next time Captioner starts."), 8000)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing_ok:
            self._finish_close()
            event.accept()
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop to finish on (the app is being torn down): just close
            self.monitor.stop()
            self.controller.stop()
            self._finish_close()
            event.accept()
            return
        event.ignore()
        if not self._shutting_down:
            self.spawn(self.shutdown())

    async def shutdown(self) -> bool:
        """Stop capture (bounded wait for the last final), offer to save, then close.
        Returns False if the user cancelled."""
        if self._shutting_down:
            return False
        self._shutting_down = True
        try:
            self.monitor.stop()
            if self.controller.running:
                self.statusBar().showMessage(self.tr("Finishing the last sentence…"))
                await self.controller.stop_and_wait()
            for dialog in list(self.file_dialogs):
                dialog.job.cancel()
            if self.transcript.unsaved:
                answer = await dialogs.ask(
                    self,
                    self.tr("Save the transcript?"),
                    self.tr("%n sentence(s) have not been exported.", "", self.transcript.unsaved),
                    QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                    default=QMessageBox.StandardButton.Save,
                    informative=self.tr("They are also kept in the session journal."),
                )
                if answer == QMessageBox.StandardButton.Cancel:
                    return False
                if answer == QMessageBox.StandardButton.Save and not await self.export_transcript():
                    return False
            self._closing_ok = True
            self.close()
            return True
        finally:
            self._shutting_down = False

    async def quit_now(self) -> None:
        """Quit without asking (the session is ending: logout, SIGTERM). The last final is
        still awaited (bounded), and a session's journal is left for recovery."""
        self.monitor.stop()
        if self.controller.running:
            await self.controller.stop_and_wait(recoverable=True)
        for dialog in list(self.file_dialogs):
            dialog.job.cancel()
        self._closing_ok = True
        self.close()

    def _finish_close(self) -> None:
        self.store.set_window_geometry(self.saveGeometry())
        if self.overlay.isVisible():
            self.placement.remember()
        self.store.set_click_through_last(self.overlay.click_through())
        self.store.sync()
        self.overlay.hide()
        if self.tray is not None:
            self.tray.hide()
        app = QApplication.instance()
        if app is not None and self.quit_on_close:
            QTimer.singleShot(0, app.quit)
