"""What the window shows of a captioning session: captions in the overlay and the
transcript, the level on the input's meter, the state on the controls bar, the Start
action and the tray, and the engine's figures in the status bar.

It only listens (to the CaptionController and its SessionAdapter) and paints; starting,
stopping and answering problems stay with the window.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction

from captioner.events import Sentence
from captioner.pipeline import SessionState
from captioner.ui.controller import CaptionController
from captioner.ui.controls_bar import ControlsBar, is_active
from captioner.ui.overlay import CaptionOverlay
from captioner.ui.source_picker import SourcePicker
from captioner.ui.status_bar import StatusBar
from captioner.ui.transcript_view import TranscriptView
from captioner.ui.tray import TrayIcon

translate = QCoreApplication.translate


class SessionDisplay(QObject):
    def __init__(
        self,
        controller: CaptionController,
        controls: ControlsBar,
        start_action: QAction,
        overlay: CaptionOverlay,
        transcript: TranscriptView,
        source_picker: SourcePicker,
        status: StatusBar,
        tray: TrayIcon | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller, self.controls, self.start_action = controller, controls, start_action
        self.overlay, self.transcript, self.source_picker = overlay, transcript, source_picker
        self.status, self.tray = status, tray
        controller.state_changed.connect(self.show_state)
        controller.session_ended.connect(lambda _journal: status.metrics_timer.stop())
        adapter = controller.adapter
        adapter.partial.connect(self._partial)
        adapter.final.connect(self._final)
        adapter.gap.connect(transcript.add_gap)
        adapter.level.connect(source_picker.show_level)
        adapter.engine_status.connect(status.show_engine_status)

    def show_state(self, state: SessionState, detail: str) -> None:
        running = self.controller.running
        text = self.controls.show_state(state, detail, running)
        stop = is_active(state, running)
        self.start_action.setText(
            translate("MainWindow", "Stop captions") if stop else translate("MainWindow", "Start captions")
        )
        self.start_action.setEnabled(state is not SessionState.STOPPING)
        if self.tray is not None:
            self.tray.set_live(
                state is SessionState.LISTENING, translate("MainWindow", "Captioner — %1").replace("%1", text)
            )
        if state is SessionState.LISTENING:
            self.overlay.set_placeholder(translate("MainWindow", "Listening…"))
            self.status.metrics_timer.start()
        elif state in (SessionState.STOPPED, SessionState.ERROR, SessionState.IDLE):
            self.overlay.set_placeholder(translate("MainWindow", "Captions will appear here"))
            if not running:
                self.status.metrics_timer.stop()
                self.source_picker.meter.reset()

    def _partial(self, sentence: Sentence) -> None:
        self.overlay.set_partial(sentence.text)
        self.transcript.set_partial(sentence.text)

    def _final(self, sentence: Sentence) -> None:
        translation = sentence.translation.text if sentence.translation is not None else ""
        if sentence.text.strip():
            self.overlay.add_final(sentence.text, translation)
        else:  # the translation alone was asked for: it is the caption, in the caption's style
            self.overlay.add_final(translation)
        self.transcript.add_final(sentence)
