"""The "Caption a file…" progress dialog: a progress bar, the sentence being read, Cancel.

Non-modal, so live captioning and the rest of the window keep working while a long file
is processed; closing the dialog cancels the job. A failure is one translated sentence;
the error's own words wait behind "Details".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from captioner.settings import RecognitionSettings
from captioner.ui.choices import EngineChoice
from captioner.ui.engine_host import EngineHost
from captioner.ui.file_job import FileCaptionJob, FlashChoice


class FileCaptionDialog(QDialog):
    def __init__(self, engines: EngineHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Caption a file"))
        self.setMinimumWidth(460)
        self.job = FileCaptionJob(engines, self)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.line = QLabel(self)
        self.line.setWordWrap(True)
        self.line.setMinimumHeight(40)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton(self.tr("Details"), self)
        self.details_button.setCheckable(True)
        self.details_button.hide()
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(120)
        self.details.hide()
        self.details_button.toggled.connect(self.details.setVisible)
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_folder = QPushButton(self.tr("Open folder"), self)
        self.buttons.addButton(self.open_folder, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder.hide()
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.open_folder.clicked.connect(self._open_folder)
        layout = QVBoxLayout(self)
        for w in (self.title, self.bar, self.line, self.status, self.details):
            layout.addWidget(w)
        self.buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.HelpRole)
        layout.addWidget(self.buttons)

        self.job.progress.connect(lambda p: self.bar.setValue(round(p * 1000)))
        self.job.partial.connect(self.line.setText)
        self.job.final.connect(self.line.setText)
        self.job.status.connect(self.status.setText)
        self.job.succeeded.connect(self._succeeded)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._cancelled)
        self._srt: Path | None = None

    def start(
        self,
        media: str | Path,
        srt: str | Path,
        engine: EngineChoice,
        settings: RecognitionSettings,
        api_key: str = "",
        flash: FlashChoice | None = None,
    ):
        self._srt = Path(srt)
        # Names, not paths: a long path cannot wrap and would stretch the dialog off the screen.
        self.title.setText(
            self.tr("Captioning %1\nSubtitles will be saved to %2")
            .replace("%1", Path(media).name)
            .replace("%2", Path(srt).name)
        )
        self.title.setToolTip(f"{media}\n{srt}")
        self.cancel_button.setText(self.tr("Cancel"))
        self.open_folder.hide()
        return self.job.start(media, srt, engine, settings, api_key, flash)

    def _cancel_or_close(self) -> None:
        if self.job.running:
            self.job.cancel()
        else:
            self.accept()

    def reject(self) -> None:  # Esc or the window's close button
        if self.job.running:
            self.job.cancel()
        super().reject()

    def _succeeded(self, path: str, count: int) -> None:
        self.bar.setValue(1000)
        self.status.setText(self.tr("Saved %n sentence(s) to %1", "", count).replace("%1", Path(path).name))
        self.status.setToolTip(path)
        self.cancel_button.setText(self.tr("Close"))
        self.open_folder.show()

    def _failed(self, message: str, details: str = "") -> None:
        self.status.setText(self.tr("Captioning failed: %1").replace("%1", message))
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.cancel_button.setText(self.tr("Close"))

    def _cancelled(self) -> None:
        self.status.setText(self.tr("Cancelled; nothing was saved."))
        self.cancel_button.setText(self.tr("Close"))

    def _open_folder(self) -> None:
        if self._srt is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._srt.parent)))
