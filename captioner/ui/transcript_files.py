"""Saving the transcript: Export (ask where, write the chosen format), the questions that
guard unsaved sentences before a new session, a Clear, or quitting, and bringing back an
unfinished session's sentences from its journal (`recovery`).

The file is written off the GUI thread, and every question is an awaitable window-modal
dialog (`dialogs`), so nothing here runs a nested event loop. The words keep the
"MainWindow" translation context they had when the window asked these questions itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from captioner.events import Sentence
from captioner.ui import dialogs, recovery
from captioner.ui.store import Store
from captioner.ui.transcript_view import TranscriptView, export_formats, format_for

translate = QCoreApplication.translate
Button = QMessageBox.StandardButton


class TranscriptFiles(QObject):
    """`say(message, ms)` shows a passing message (the window's status bar)."""

    def __init__(
        self, transcript: TranscriptView, store: Store, say: Callable[[str, int], None], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.transcript = transcript
        self.store = store
        self.say = say
        self.parent_widget = parent

    async def export(self) -> bool:
        """Ask where, then write the chosen format; True if written."""
        if not self.transcript.sentences():
            self.say(translate("MainWindow", "Nothing to export yet."), 5000)
            return False
        folder = self.store.last_folder("export") or str(Path.home())
        name = f"captions-{datetime.now():%Y%m%d-%H%M}.srt"
        formats = export_formats()
        path, chosen = await dialogs.choose_save_path(
            self.parent_widget,
            translate("MainWindow", "Export transcript"),
            str(Path(folder) / name),
            list(formats.values()),
        )
        if not path:
            return False
        text = await self._which_text()
        if text is None:
            return False
        return await self.export_to(path, format_for(path, chosen), text)

    async def _which_text(self) -> str | None:
        """For a translated transcript: both texts, the original or the translation (None:
        cancelled). "both" without asking when nothing was translated."""
        if not any(getattr(s, "translation", None) is not None for s in self.transcript.sentences()):
            return "both"
        answer = await dialogs.ask(
            self.parent_widget,
            translate("MainWindow", "Export transcript"),
            translate("MainWindow", "The transcript has translations. What should the file hold?"),
            Button.Yes | Button.No | Button.Apply | Button.Cancel,
            default=Button.Yes,
            labels={
                Button.Yes: translate("MainWindow", "Both"),
                Button.No: translate("MainWindow", "The original"),
                Button.Apply: translate("MainWindow", "The translation"),
            },
        )
        return {Button.Yes: "both", Button.No: "original", Button.Apply: "translation"}.get(answer)

    async def export_to(self, path: str, fmt: str, text: str = "both") -> bool:
        """Write the transcript to `path` as `fmt` (the suffix is added if missing); `text`:
        what translated sentences give (original, translation or both)."""
        from captioner.transcript.export import write_exports

        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        try:
            targets: dict[str, Any] = {fmt: target, "text": text}
            await asyncio.to_thread(write_exports, self.transcript.sentences(), **targets)
        except OSError as exc:
            await dialogs.ask(
                self.parent_widget,
                translate("MainWindow", "Export failed"),
                translate("MainWindow", "The file could not be written."),
                Button.Ok,
                informative=translate(
                    "MainWindow", "Choose another folder, or check that the disk has space and the file is not open."
                ),
                details=str(exc),
                icon=QMessageBox.Icon.Warning,
            )
            return False
        self.transcript.mark_saved()
        self.store.set_last_folder("export", str(target.parent))
        self.say(translate("MainWindow", "Saved %1").replace("%1", str(target)), 8000)
        return True

    async def make_room(self) -> bool:
        """A new session starts a new transcript: offer to save the old one first.
        False if the user cancelled (or the export failed)."""
        if not self.transcript.unsaved:
            return True
        answer = await dialogs.ask(
            self.parent_widget,
            translate("MainWindow", "Start a new transcript?"),
            translate("MainWindow", "The current transcript has not been exported."),
            Button.Save | Button.Discard | Button.Cancel,
            default=Button.Save,
            informative=translate("MainWindow", "It stays in the session journal either way."),
        )
        if answer == Button.Save:
            return await self.export()
        return answer == Button.Discard

    async def save_before_quitting(self) -> bool:
        """Offer to save unexported sentences; False if the user cancelled quitting."""
        if not self.transcript.unsaved:
            return True
        answer = await dialogs.ask(
            self.parent_widget,
            translate("MainWindow", "Save the transcript?"),
            self.tr("%n sentence(s) have not been exported.", "", self.transcript.unsaved),
            Button.Save | Button.Discard | Button.Cancel,
            default=Button.Save,
            informative=translate("MainWindow", "They are also kept in the session journal."),
        )
        if answer == Button.Cancel:
            return False
        return not (answer == Button.Save and not await self.export())

    async def confirm_stop(self) -> bool:
        """Captioning is running: quitting stops it, so ask first (False: keep going).
        Asked before anything stops, so Cancel leaves the session exactly as it was."""
        answer = await dialogs.ask(
            self.parent_widget,
            translate("MainWindow", "Stop captioning and quit?"),
            translate("MainWindow", "Captioner is still captioning. Quitting stops it."),
            Button.Yes | Button.Cancel,
            default=Button.Yes,
            labels={Button.Yes: translate("MainWindow", "Stop and quit")},
            informative=translate(
                "MainWindow",
                "The sentence being spoken is finished and kept; you can still save the transcript before Captioner "
                "closes. Choose Cancel to keep captioning.",
            ),
        )
        return answer == Button.Yes

    async def show_file_captions(self, entries: list, *, live: bool) -> bool:
        """A captioned file's sentences in the transcript view (already saved: nothing to
        ask about on quit). Not while live captioning fills the view (`live`); the file is
        written either way. True if shown."""
        if live:
            self.say(
                translate("MainWindow", "The file's subtitles are saved; stop live captioning to view them here."),
                10000,
            )
            return False
        if self.transcript.unsaved and not await self.make_room():
            return False
        self.transcript.load(entries, unsaved=False)
        return True

    async def recover(self, *, interactive: bool = False) -> None:
        """Offer unfinished sessions; load the one chosen into the transcript (unsaved), or
        dismiss it. `interactive`: the user asked, so say when there is nothing."""
        sessions = await asyncio.to_thread(recovery.unfinished_sessions)
        if not sessions:
            if interactive:
                self.say(translate("MainWindow", "No unfinished sessions."), 5000)
            return
        await self._offer(recovery.RecoveryDialog(sessions, self.parent_widget))

    async def recover_earlier(self) -> None:
        """Every session still on disk (dismissed ones too, until retention deletes them):
        open the one chosen into the transcript."""
        sessions = await asyncio.to_thread(recovery.all_sessions)
        if not sessions:
            self.say(translate("MainWindow", "No earlier sessions are kept."), 5000)
            return
        await self._offer(recovery.RecoveryDialog(sessions, self.parent_widget, earlier=True))

    async def _offer(self, dialog: recovery.RecoveryDialog) -> None:
        result = await dialogs.show(dialog)
        info = dialog.selected()
        dialog.deleteLater()
        if info is None:
            return
        if result == recovery.RECOVER:
            if not await self.make_room():
                return
            sentences = await asyncio.to_thread(recovery.load, info.path)
            self.transcript.load(sentences, unsaved=True)
            if not info.finished:
                await asyncio.to_thread(recovery.close_journal, info.path, "recovered")
            count = sum(1 for s in sentences if isinstance(s, Sentence))
            message = self.tr("Recovered %n sentence(s); export them with File → Export.", "", count)
            if info.unfinished_sentence:
                message += " " + translate("MainWindow", "The last one was cut off and is marked unfinished.")
            self.say(message, 10000)
        elif result == recovery.DISMISS:
            await asyncio.to_thread(recovery.close_journal, info.path, "dismissed")
            self.say(
                translate(
                    "MainWindow", "Dismissed. You can still open it with File → Recover earlier session… for a while."
                ),
                10000,
            )
