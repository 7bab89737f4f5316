"""The main window: pick the input and engine, start/stop, read and export the transcript.

It composes widgets and helpers, one per module, and wires them to the CaptionController,
which runs the sessions; it holds no captioning logic of its own. What is where:

- Widgets: `controls_bar` (Start/Stop, the state), `settings_tabs` holding the panels
  (`source_picker`, `engine_panel`, `recognition_panel`, `overlay_panel`),
  `transcript_view`, `status_bar`, laid out by `main_splitter`; the overlay (`overlay`).
- `window_actions`: every command as one QAction, shared by the menus, the tray (`tray`),
  the overlay's context menu and the shortcuts, so all of them always agree.
- `session_display`: a session's captions, level and state on those widgets;
  `settings_sync`: panel changes to the store, the engine host, the input test, a running
  session; `overlay_control`: the overlay shown, click-through, styled and placed.
- `error_dialogs`: the one dialog for each kind of problem (`controller.PROBLEMS` says
  which kind each error is); `problem_answers`: what the user's answer leads to.
- `transcript_files`: Export, recovery, and the questions that guard unsaved sentences (and
  a running session, on close); `file_captioning`: captioning media files; `support`:
  start-up checks, diagnostics, logs; `about`: Help → About; `cloud_only`: options only
  the cloud reads, greyed out on device; `search_feedback`: a search that finds nothing.

What stays here: starting and stopping, start-up, and shutdown.
Anything that asks the user from a coroutine uses `dialogs` (no nested event loops).

Closing the window is a graceful shutdown: stop capture, wait (bounded) for the last
final, offer to save what was not exported, then quit. The journal already holds every
final, so nothing is lost even if the user walks away from the question.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMainWindow
from qasync import asyncSlot

from captioner.pipeline import SessionState
from captioner.ui import dialogs, error_dialogs, support, vocabulary_dialog
from captioner.ui.choices import EngineChoice, SourceChoice
from captioner.ui.cloud_only import CloudOnlyOptions
from captioner.ui.controller import CaptionController
from captioner.ui.controls_bar import ControlsBar
from captioner.ui.engine_host import EngineHost
from captioner.ui.engine_panel import EnginePanel
from captioner.ui.file_captioning import FileCaptioning, FlashChoice, dropped_file
from captioner.ui.icons import app_icon
from captioner.ui.input_monitor import InputMonitor
from captioner.ui.main_splitter import MainSplitter
from captioner.ui.overlay_control import OverlayControl
from captioner.ui.overlay_panel import OverlayPanel
from captioner.ui.problem_answers import ProblemAnswers
from captioner.ui.recognition_panel import RecognitionPanel
from captioner.ui.search_feedback import follow_search
from captioner.ui.session_display import SessionDisplay
from captioner.ui.settings_sync import SettingsSync
from captioner.ui.settings_tabs import INPUT_TAB, RECOGNITION_TAB, SettingsTabs
from captioner.ui.source_picker import SourcePicker
from captioner.ui.status_bar import StatusBar
from captioner.ui.store import Store
from captioner.ui.tasks import BackgroundTasks
from captioner.ui.transcript_files import TranscriptFiles
from captioner.ui.transcript_view import TranscriptView
from captioner.ui.tray import TrayIcon
from captioner.ui.window_actions import WindowActions

if TYPE_CHECKING:
    from captioner.ui.file_dialog import FileCaptionDialog
    from captioner.ui.vocabulary_dialog import VocabularyDialog

log = logging.getLogger(__name__)


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
        self._closing_ok = False
        self._shutting_down = False
        self.tasks = BackgroundTasks()
        self.engines = engines or EngineHost(self)
        self.controller = CaptionController(self.engines, self)
        self.monitor = InputMonitor(self)
        self.setWindowTitle(self.tr("Captioner"))
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)  # drop a media file to caption it

        # Widgets: the panels in tabs, Start/Stop, the transcript, the status bar.
        self.source_picker = SourcePicker(store.source_choice())
        self.engine_panel = EnginePanel(store)
        settings = store.recognition_settings()
        self.engine_panel.set_model_name(settings.model)
        self.recognition_panel = RecognitionPanel(settings)
        self.overlay_panel = OverlayPanel(store.overlay_style())
        self.tabs = SettingsTabs(self.source_picker, self.engine_panel, self.recognition_panel, self.overlay_panel)
        self.controls = ControlsBar()
        self.start_button, self.state_label = self.controls.start_button, self.controls.state_label
        self.transcript = TranscriptView()
        self.settings_sync = SettingsSync(
            store, self.controller, self.engines, self.monitor,
            (self.source_picker, self.engine_panel, self.recognition_panel), self.spawn, self,
        )  # fmt: skip
        self.setCentralWidget(MainSplitter(self.controls, self.tabs, self.settings_sync.note, self.transcript))
        self.status = StatusBar(
            lambda: self.controller.session.metrics if self.controller.session is not None else None
        )
        self.setStatusBar(self.status)
        self.engine_label = self.status.engine_label

        # Commands (menus, tray, shortcuts), the overlay, and the helpers the commands use.
        c = self.commands = WindowActions(self)
        c.make_menus(store)
        self.start_action, self.overlay_action, self.click_through_action = c.start, c.overlay, c.click_through
        self.log_folder_action = c.log_folder
        self.overlay_control = OverlayControl(store, self.overlay_panel, c.overlay, c.click_through, self)
        self.overlay, self.placement = self.overlay_control.overlay, self.overlay_control.placement
        self.overlay.addActions([c.overlay, c.click_through, c.start])
        self.overlay.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tray = TrayIcon(
            start_stop=c.start, show_overlay=c.overlay, click_through=c.click_through,
            show_window=c.show_window, quit_action=c.quit, parent=self,
        ) if use_tray else None  # fmt: skip
        self.files = TranscriptFiles(self.transcript, store, self.status.say, self)
        self.file_captioning = FileCaptioning(self.engines, store, self)
        self.display = SessionDisplay(
            self.controller,
            self.controls,
            c.start,
            self.overlay,
            self.transcript,
            self.source_picker,
            self.status,
            self.tray,
            self,
        )
        self.cloud_only = CloudOnlyOptions(self.recognition_panel, self)
        self.answers = ProblemAnswers(
            self.tabs, self.engine_panel, lambda: self.start_captions(SourceChoice(kind="demo")), self
        )
        self._wire()

        geometry = store.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(980, 640)
        self.display.show_state(SessionState.IDLE, "")

    def _wire(self) -> None:
        c = self.commands
        for action, slot in (
            (c.start, self.toggle_start), (c.show_window, self.bring_to_front), (c.quit, self.close),
            (c.export, self.export_transcript), (c.caption_file, self.caption_file), (c.recover, self.offer_recovery),
            (c.recover_earlier, self.recover_earlier),
            (c.clear, self.clear_transcript), (c.search, self._focus_search), (c.demo, self.start_demo),
            (c.diagnostics, self.copy_diagnostics), (c.log_folder, self.open_log_folder), (c.about, self.show_about),
        ):  # fmt: skip
            action.triggered.connect(slot)
        c.language_chosen.connect(self._set_language)
        self.file_captioning.captioned.connect(
            lambda entries: self.spawn(self.files.show_file_captions(entries, live=self.controller.running))
        )
        self.overlay_control.click_through_on.connect(self._click_through_on)
        self.start_button.clicked.connect(self.toggle_start)
        self.controller.state_changed.connect(lambda _state, _detail: self.settings_sync.show_note())
        self.controller.problem.connect(
            lambda kind, message: self.spawn(self.answers.ask(kind, message, self.controller.last_category))
        )
        self.controller.adapter.source_failed.connect(self._on_source_failed)
        self.engines.status.connect(self._on_engine_host_status)
        self.monitor.failed.connect(self._on_input_test_failed)
        self.recognition_panel.edit_vocabularies.connect(self.open_vocabulary_editor)
        self.engine_panel.changed.connect(lambda: self.cloud_only.follow(self.engine_choice().cloud))
        self.cloud_only.follow(self.engine_choice().cloud)
        self.transcript.export_requested.connect(self.export_transcript)
        follow_search(self.transcript, self.status.say, self.status.clearMessage)

    def spawn(self, coro) -> asyncio.Task:
        """Run a coroutine on the loop, keeping a reference and logging its failure."""
        return self.tasks.spawn(coro)

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
            self.tabs.setCurrentIndex(RECOGNITION_TAB)
            self.status.say(self.tr("Fix the recognition settings first."), 8000)
            return False
        source = source or self.source_picker.choice()
        listed = self.source_picker.inputs
        if source.kind in ("microphone", "both") and self._listed and not listed.error and not listed.microphones:
            if not await self.ask_demo():
                return False
            source = SourceChoice(kind="demo")
            self.source_picker.set_kind("demo")
        if not await self.files.make_room():
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

    @asyncSlot()
    async def start_demo(self) -> None:
        """Caption the bundled sample as if it were a microphone."""
        if self.controller.running:
            await self.controller.stop_and_wait()
        self.source_picker.set_kind("demo")
        await self.start_captions(SourceChoice(kind="demo"))

    def stop_captions(self) -> None:
        self.controller.stop()

    async def offer_demo(self) -> None:
        """No microphone (found at start-up): explain, and play the demo if asked."""
        if await self.ask_demo():
            self.source_picker.set_kind("demo")
            await self.start_captions(SourceChoice(kind="demo"))

    async def ask_demo(self) -> bool:
        """No microphone: say so plainly and offer the demo recording instead (True: play it)."""
        return await error_dialogs.ask(error_dialogs.no_microphone(self)) == error_dialogs.ANSWER_PLAY_DEMO

    # Session events ------------------------------------------------------------------------

    def _on_source_failed(self, message: str) -> None:
        log.info("input stopped: %s", message)
        self.status.say(self.tr("The input stopped. Choose another input on the Input tab to carry on."), 15000)
        if self.source_picker.choice().live and self.controller.running:
            self.tabs.setCurrentIndex(INPUT_TAB)

    def _on_input_test_failed(self, message: str) -> None:
        """The device's own words (PortAudio's, in English) go to the log; the user reads
        what to do."""
        log.info("input test failed: %s", message)
        self.status.say(
            self.tr("The input could not be tested. Check that it is connected and not in use by another app."), 10000
        )

    def _on_engine_host_status(self, state: str, message: str) -> None:
        self.status.show_engine_host_status(state, message)
        if state == "ready":  # said just before the load's task completes: look right after
            QTimer.singleShot(0, self, self.settings_sync.offer_engine_languages)

    # Settings ------------------------------------------------------------------------------

    def _set_language(self, name: str) -> None:
        self.store.set_ui_language(name)
        self.status.say(self.tr("The language changes the next time Captioner starts."), 8000)

    def _click_through_on(self, hint: str) -> None:
        self.status.say(hint, 10000)
        if self.tray is not None:
            self.tray.notify(self.tr("Click-through is on"), hint)

    # Transcript and files ---------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.transcript.search.setFocus()
        self.transcript.search.selectAll()

    @asyncSlot()
    async def clear_transcript(self) -> None:
        if self.transcript.unsaved and not await self.files.make_room():
            return
        self.transcript.clear()

    @asyncSlot()
    async def export_transcript(self) -> bool:
        """Ask where, then write the chosen format; True if written."""
        return await self.files.export()

    async def export_to(self, path: str, fmt: str) -> bool:
        return await self.files.export_to(path, fmt)

    @asyncSlot()
    async def caption_file(self) -> None:
        await self._caption(await self.file_captioning.choose_media())

    async def _caption(self, media: str) -> None:
        """Ask where the subtitles of `media` go, then caption it there."""
        srt = await self.file_captioning.choose_srt(media) if media else ""
        go, flash = await self.file_captioning.choose_flash(self.engine_choice()) if srt else (False, None)
        if go:
            self.caption_file_to(media, srt, flash)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        media = dropped_file(event.mimeData())
        if media is not None:
            event.acceptProposedAction()
            self.spawn(self._caption(media))

    def caption_file_to(
        self, media: str | Path, srt: str | Path, flash: FlashChoice | None = None
    ) -> FileCaptionDialog | None:
        """Caption `media` into `srt` with progress (with `flash`, by the cloud's synchronous call)."""
        settings = self.recognition_panel.settings()
        if settings is None:
            return None
        engine = self.engine_choice()
        return self.file_captioning.start(media, srt, engine, settings, self.api_key(engine), flash)

    @asyncSlot()
    async def offer_recovery(self) -> None:
        await self.recover_unfinished(interactive=True)

    async def recover_unfinished(self, *, interactive: bool = False) -> None:
        await self.files.recover(interactive=interactive)

    @asyncSlot()
    async def recover_earlier(self) -> None:
        """File → Recover earlier session…: any journal still kept, dismissed ones too."""
        await self.files.recover_earlier()

    # Vocabularies, diagnostics, start-up ------------------------------------------------------

    def open_vocabulary_editor(self) -> VocabularyDialog:
        """The hot-word editor for the engine panel's cloud endpoint (region or custom URL)."""
        choice = self.engine_choice()
        key = self.engine_panel.api_key_text() or self.store.api_key(choice.region)
        self.vocabulary_dialog = vocabulary_dialog.open_editor(choice, key, self.engine_panel.model_name(), self)
        self.vocabulary_dialog.vocabulary_chosen.connect(self.recognition_panel.use_vocabulary)
        return self.vocabulary_dialog

    @asyncSlot()
    async def copy_diagnostics(self) -> str:
        """The diagnostics report on the clipboard (gathered off the GUI thread)."""
        self.status.say(self.tr("Gathering diagnostics…"))
        text = await support.copy_diagnostics(self.engine_choice().model_dir or None)
        self.status.say(self.tr("Diagnostics copied to the clipboard."), 8000)
        return text

    @asyncSlot()
    async def show_about(self) -> None:
        """Help → About: the version and the licences of what is bundled."""
        from captioner.ui.about import about_box

        self.about_box = about_box(self)
        await dialogs.show(self.about_box)

    def open_log_folder(self) -> bool:
        ok, folder = support.open_log_folder()
        if not ok:
            self.status.say(self.tr("Could not open %1").replace("%1", folder), 10000)
        return ok

    async def preflight(self) -> list[str]:
        """Check sound devices and (for the on-device engine) the model once the window is
        up; show any problem in a window-modal box that does not hold anything else up."""
        problems = await support.startup_problems(self.engine_choice())
        if problems:
            self.preflight_box = support.open_problems_box(problems, self)
        return [text for _kind, text in problems]

    async def prune_sessions(self) -> int:
        """Apply the retention setting to the journals folder (off the GUI thread)."""
        return await support.prune_sessions(self.store.keep_sessions_days())

    async def startup(self, *, demo: bool = False) -> None:
        """What happens once the window is up: load the engine in the background, list
        devices, offer recovery, explain a missing microphone, or start the demo."""
        engine = self.engine_choice()
        if not engine.cloud:
            self.spawn(self.engines.preload(engine))
        self.spawn(self.prune_sessions())
        notice = self.overlay_control.restore()
        if notice:
            self.status.say(notice, 12000)
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
                    self.status.say(self.tr("No microphone found: choose System audio, a file, or the demo."), 15000)
        self.store.set_welcomed()

    # Window --------------------------------------------------------------------------------

    def bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

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
            if self.controller.running and not await self.files.confirm_stop():
                return False  # Cancel: captioning, the overlay and the journal carry on
            self.monitor.stop()
            if self.controller.running:
                self.status.say(self.tr("Finishing the last sentence…"))
                await self.controller.stop_and_wait()
            self.file_captioning.cancel_all()
            if not await self.files.save_before_quitting():
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
        self.file_captioning.cancel_all()
        self._closing_ok = True
        self.close()

    def _finish_close(self) -> None:
        self.store.set_window_geometry(self.saveGeometry())
        self.overlay_control.close()
        self.store.sync()
        if self.tray is not None:
            self.tray.hide()
        app = QApplication.instance()
        if app is not None and self.quit_on_close:
            QTimer.singleShot(0, app.quit)
