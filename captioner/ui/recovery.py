"""Offer sessions that did not finish (a crash, a power cut) for recovery at start.

The journal (captioner.transcript.journal) has every final on disk the moment it arrived;
this dialog lists the unfinished ones and lets the user bring one back into the transcript
view (then export it as usual) or dismiss it so it is not offered again.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

RECOVER, DISMISS = 1, 2


def unfinished_sessions() -> list:
    """Journals of sessions that ended abnormally and hold at least one final, newest first.
    Empty when the journal module is unavailable or the folder cannot be read."""
    try:
        from captioner.transcript.journal import list_sessions
    except ImportError:
        return []
    try:
        sessions = list_sessions()
    except OSError as exc:
        log.warning("cannot list sessions: %s", exc)
        return []
    found = [s for s in sessions if not s.finished and not s.recording and s.sentence_count > 0]
    return list(reversed(found))


def load(path) -> list:
    """The finals of a journal."""
    from captioner.transcript.journal import load_session

    _meta, sentences, _finished = load_session(path)
    return sentences


def close_journal(path, reason: str) -> None:
    """Stop offering the session (it stays on disk, finished)."""
    from captioner.transcript.journal import JournalError, mark_finished

    try:
        mark_finished(path, reason)
    except (OSError, JournalError) as exc:
        log.warning("could not mark %s finished: %s", path, exc)


class RecoveryDialog(QDialog):
    """Lists unfinished sessions; done(RECOVER) or done(DISMISS) with `selected()` set."""

    def __init__(self, sessions: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Recover captions"))
        self.sessions = sessions
        text = QLabel(
            self.tr(
                "Captioner did not finish these sessions (it may have been closed unexpectedly). "
                "Their captions were saved as they arrived. Recover one to view and export it."
            ),
            self,
        )
        text.setWordWrap(True)
        self.list = QListWidget(self)
        for info in sessions:
            when = info.started.strftime("%Y-%m-%d %H:%M") if info.started else "?"
            label = self.tr("%1 — %n sentence(s)", "", info.sentence_count).replace("%1", when)
            if info.last_text:
                label += f"\n   … {info.last_text[:80]}"
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, info)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(self)
        self.recover_button = buttons.addButton(self.tr("Recover"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.dismiss_button = buttons.addButton(self.tr("Dismiss"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.later_button = buttons.addButton(self.tr("Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        self.recover_button.clicked.connect(lambda: self.done(RECOVER))
        self.dismiss_button.clicked.connect(lambda: self.done(DISMISS))
        self.later_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def selected(self):
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None
