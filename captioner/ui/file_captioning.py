"""Captioning media files from the window: "Caption a file…", a file dropped on the window,
and the progress dialogs of the files being captioned.

Choosing the files is an awaitable window-modal dialog (`dialogs`); the captioning itself
runs in a non-modal FileCaptionDialog, so live captioning goes on meanwhile. The words
keep the "MainWindow" translation context they had when the window did this itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeData, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from captioner.settings import RecognitionSettings
from captioner.ui import dialogs
from captioner.ui.choices import EngineChoice
from captioner.ui.engine_host import EngineHost
from captioner.ui.file_dialog import FileCaptionDialog
from captioner.ui.file_job import FlashChoice, default_srt_path
from captioner.ui.store import Store
from captioner.ui.transcript_view import export_formats, format_for

translate = QCoreApplication.translate

MEDIA_FILTER_EXTS = "*.wav *.flac *.mp3 *.m4a *.aac *.ogg *.opus *.mp4 *.mkv *.webm *.mov *.avi"
CONTEXT_FILTER_EXTS = "*.txt *.md"


def dropped_file(mime: QMimeData) -> str | None:
    """The first local file dropped (any format FFmpeg reads; MediaSource checks it)."""
    for url in mime.urls() if mime.hasUrls() else ():
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return None


class FileCaptioning(QObject):
    """The files being captioned (`dialogs`, one progress dialog each) and the questions
    that start one. `captioned` carries a finished file's sentences (and gaps) so the
    window can show them in the transcript view."""

    captioned = Signal(list)

    def __init__(self, engines: EngineHost, store: Store, parent: QWidget) -> None:
        super().__init__(parent)
        self.engines = engines
        self.store = store
        self.parent_widget = parent
        self.dialogs: list[FileCaptionDialog] = []

    async def choose_media(self) -> str:
        """Ask for a media file to caption ("" if cancelled)."""
        folder = self.store.last_folder("media") or str(Path.home())
        media = await dialogs.choose_open_path(
            self.parent_widget, translate("MainWindow", "Caption a file"), folder,
            [translate("MainWindow", "Audio and video (%1)").replace("%1", MEDIA_FILTER_EXTS), translate("MainWindow", "All files (*)")],
        )  # fmt: skip
        if media:
            self.store.set_last_folder("media", str(Path(media).parent))
        return media

    async def choose_srt(self, media: str) -> str:
        """Ask where the subtitles go (next to the media unless the user moves them; "" if
        cancelled). The format is the extension typed (talk.vtt is WebVTT), else the filter
        chosen, whose extension is then added: the returned path always names its format."""
        formats = export_formats()
        path, chosen = await dialogs.choose_save_path(
            self.parent_widget,
            translate("MainWindow", "Save subtitles as"),
            str(default_srt_path(media)),
            list(formats.values()),
        )
        if not path:
            return ""
        fmt = format_for(path, chosen)
        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        return str(target)

    async def choose_flash(self, engine: EngineChoice) -> tuple[bool, FlashChoice | None]:
        """With the cloud engine, offer Fun-ASR-Flash's synchronous call (files up to five
        minutes, one request, with an optional context file) instead of the realtime model.
        (go on?, the flash choice or None for the realtime model); the on-device engine asks nothing."""
        if not engine.cloud:
            return True, None
        buttons = QMessageBox.StandardButton
        answer = await dialogs.ask(
            self.parent_widget,
            translate("MainWindow", "Caption a file"),
            translate("MainWindow", "Caption this file with Fun-ASR-Flash?"),
            buttons.Yes | buttons.No | buttons.Cancel,
            default=buttons.No,
            informative=translate(
                "MainWindow",
                "Fun-ASR-Flash transcribes a file of up to 5 minutes in one request, and can read a context file "
                "first: names and terms to expect. Otherwise the file is streamed to the realtime model.",
            ),
            labels={
                buttons.Yes: translate("MainWindow", "Use Fun-ASR-Flash…"),
                buttons.No: translate("MainWindow", "Realtime model"),
            },
        )
        if answer == buttons.Cancel:
            return False, None
        if answer != buttons.Yes:
            return True, None
        folder = self.store.last_folder("context") or self.store.last_folder("media") or str(Path.home())
        context = await dialogs.choose_open_path(
            self.parent_widget, translate("MainWindow", "Context file (optional: cancel for none)"), folder,
            [translate("MainWindow", "Text files (%1)").replace("%1", CONTEXT_FILTER_EXTS), translate("MainWindow", "All files (*)")],
        )  # fmt: skip
        if context:
            self.store.set_last_folder("context", str(Path(context).parent))
        return True, FlashChoice(context)

    def start(
        self,
        media: str | Path,
        srt: str | Path,
        engine: EngineChoice,
        settings: RecognitionSettings,
        api_key: str,
        flash: FlashChoice | None = None,
    ) -> FileCaptionDialog:
        """Run `media` through the pipeline (as fast as possible) into `srt`, with progress."""
        dialog = FileCaptionDialog(self.engines, self.parent_widget, self.store)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: self.dialogs.remove(dialog) if dialog in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.job.transcript.connect(self.captioned)
        dialog.start(media, srt, engine, settings, api_key, flash)
        dialog.show()
        dialogs.place_on_screen(dialog, self.parent_widget)
        return dialog

    def cancel_all(self) -> None:
        for dialog in list(self.dialogs):
            dialog.job.cancel()
