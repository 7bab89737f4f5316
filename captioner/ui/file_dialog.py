"""The "Caption a file…" progress dialog: a progress bar, the sentence being read, Cancel.

Non-modal, so live captioning and the rest of the window keep working while a long file
is processed; closing the dialog cancels the job. A failure is one translated sentence;
the error's own words wait behind "Details".

"Label speakers" (with "Number of speakers": Auto, 2..8) tells the voices apart once the
words are recognized, on this computer, as `captioner transcribe --diarize` does. It sits
here, not in a question before the job, so captioning a file stays the few steps it was:
the choice is remembered (Store.file_speakers) and is read only when recognition ends, so
it can still be changed while the file is being recognized. It is offered with the cloud
engine too: the speaker models run on this device on the file already here, and send
nothing anywhere, which is what a user who ticks it expects; `captioner transcribe` does
the same. It is greyed out, with a tooltip saying why, where it cannot work: without the
moonshine-voice package (the speaker models), or with Fun-ASR-Flash, whose one answer is a
single sentence for the whole file (the CLI refuses --diarize with it too).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from captioner.settings import RecognitionSettings
from captioner.ui.choices import EngineChoice
from captioner.ui.dialogs import status_with_details
from captioner.ui.engine_host import EngineHost
from captioner.ui.file_job import FileCaptionJob, FlashChoice, SpeakerChoice
from captioner.ui.store import SPEAKER_COUNT_MAX, Store


def diarization_missing() -> str:
    """Why speakers cannot be told apart on this installation ("" when they can)."""
    from captioner.recognition.local import diarization

    try:
        diarization.check_available()
    except diarization.DiarizationUnavailable as exc:
        return exc.install
    return ""


class FileCaptionDialog(QDialog):
    """`store`: where the Label speakers choice is remembered (None: not remembered)."""

    def __init__(self, engines: EngineHost, parent: QWidget | None = None, store: Store | None = None) -> None:
        super().__init__(parent)
        self.store = store
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
        self.status, self.details_button, self.details = status_with_details(self, self.tr("Details"), 120)
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_folder = QPushButton(self.tr("Open folder"), self)
        self.buttons.addButton(self.open_folder, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder.hide()
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.open_folder.clicked.connect(self._open_folder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self._speaker_row())
        for w in (self.bar, self.line, self.status, self.details):
            layout.addWidget(w)
        self.buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.HelpRole)
        self.details_button.hide()  # addButton shows it; it is shown when there is detail
        layout.addWidget(self.buttons)

        self.job.progress.connect(lambda p: self.bar.setValue(round(p * 1000)))
        self.job.partial.connect(self.line.setText)
        self.job.final.connect(self.line.setText)
        self.job.status.connect(self.status.setText)
        self.job.succeeded.connect(self._succeeded)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._cancelled)
        self._srt: Path | None = None
        self._speakers_note = ("", "")  # (why the labels are missing, the detail)
        self._speaker_count = 0
        self.job.labelling.connect(self._labelling)
        self.job.speakers_failed.connect(lambda message, details: setattr(self, "_speakers_note", (message, details)))
        self.job.transcript.connect(self._count_speakers)

    def _speaker_row(self) -> QHBoxLayout:
        """The Label speakers checkbox and the Number of speakers menu, set from the store."""
        self.label_speakers = QCheckBox(self.tr("Label speakers"), self)
        self.speaker_count = QComboBox(self)
        self.speaker_count.addItem(self.tr("Auto"), 0)
        for n in range(2, SPEAKER_COUNT_MAX + 1):
            self.speaker_count.addItem(str(n), n)
        self.speaker_count_label = QLabel(self.tr("Number of speakers:"), self)
        self.speaker_count_label.setBuddy(self.speaker_count)
        on, count = self.store.file_speakers() if self.store is not None else (False, None)
        self.label_speakers.setChecked(on)
        self.speaker_count.setCurrentIndex(max(0, self.speaker_count.findData(count or 0)))
        self.label_speakers.toggled.connect(self._speakers_chosen)
        self.speaker_count.currentIndexChanged.connect(self._speakers_chosen)
        self._missing = diarization_missing()
        row = QHBoxLayout()
        row.addWidget(self.label_speakers)
        row.addStretch(1)
        row.addWidget(self.speaker_count_label)
        row.addWidget(self.speaker_count)
        return row

    def _speakers_chosen(self, *_args) -> None:
        """Remember the choice and hand it to the job (which reads it when recognition ends)."""
        on = self.label_speakers.isChecked() and self.label_speakers.isEnabled()
        count = int(self.speaker_count.currentData() or 0) or None
        self.speaker_count.setEnabled(on)
        self.speaker_count_label.setEnabled(on)
        self.job.speakers = SpeakerChoice(count) if on else None
        if self.store is not None and self.label_speakers.isEnabled():
            self.store.set_file_speakers(self.label_speakers.isChecked(), count)

    def _speaker_options_enabled(self, enabled: bool, why: str = "") -> None:
        """Offer (or grey out, saying `why` in the tooltip) the speaker options."""
        self.label_speakers.setEnabled(enabled)
        self.label_speakers.setToolTip(
            why
            or self.tr(
                "Tell the voices apart and put [Speaker N] before each sentence, here and in the subtitles. "
                "Runs on this computer once the words are recognized, with any engine."
            )
        )
        on = enabled and self.label_speakers.isChecked()
        self.speaker_count.setEnabled(on)
        self.speaker_count_label.setEnabled(on)

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
        self._speakers_note = ("", "")
        if self._missing:
            why = self.tr(
                "Telling speakers apart needs the moonshine-voice package (its speaker models). Install it with: %1"
            ).replace("%1", self._missing)
        elif flash is not None:
            why = self.tr(
                "Fun-ASR-Flash returns the whole file as one sentence, so there is nothing to label by speaker. "
                "Choose the realtime model to label speakers."
            )
        else:
            why = ""
        self._speaker_options_enabled(not why, why)
        self._speakers_chosen()
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

    def _count_speakers(self, entries: list) -> None:
        self._speaker_count = len({s.speaker_id for s in entries if getattr(s, "speaker_id", None) is not None})

    def _labelling(self) -> None:
        """The speaker models give no progress: the bar just shows that work goes on."""
        self._speaker_options_enabled(False)
        self.bar.setRange(0, 0)

    def _ended(self) -> None:
        """The job is over: the bar measures again, and the speaker choice is for the next file."""
        self.bar.setRange(0, 1000)
        self._speaker_options_enabled(False, self.tr("Applies to the next file you caption."))

    def _succeeded(self, path: str, count: int) -> None:
        self._ended()
        self.bar.setValue(1000)
        text = self.tr("Saved %n sentence(s) to %1", "", count).replace("%1", Path(path).name)
        message, details = self._speakers_note
        if message:
            text += "\n" + message
            self.details.setPlainText(details)
            self.details_button.setVisible(bool(details))
        elif self._speaker_count:
            text += "\n" + self.tr("%n speaker(s) told apart.", "", self._speaker_count)
        self.status.setText(text)
        self.status.setToolTip(path)
        self.cancel_button.setText(self.tr("Close"))
        self.open_folder.show()

    def _failed(self, message: str, details: str = "") -> None:
        self._ended()
        self.status.setText(self.tr("Captioning failed: %1").replace("%1", message))
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.cancel_button.setText(self.tr("Close"))

    def _cancelled(self) -> None:
        self._ended()
        self.status.setText(self.tr("Cancelled; nothing was saved."))
        self.cancel_button.setText(self.tr("Close"))

    def _open_folder(self) -> None:
        if self._srt is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._srt.parent)))
