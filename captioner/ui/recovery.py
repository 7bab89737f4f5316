"""Offer sessions that did not finish (a crash, a power cut) for recovery at start, and
every session still in the journals folder on request (File → Recover earlier session…).

The journal (captioner.transcript.journal) has every final on disk the moment it arrived,
and the sentence being spoken at a crash as its latest partial; that one comes back marked
as unfinished, so nobody mistakes a cut-off sentence for what was said. The start-up
dialog lists the unfinished sessions and lets the user bring one back into the transcript
view (then export it as usual) or dismiss it so it is not offered again; a dismissed (or
recovered, or finished) session stays on disk until the retention setting deletes it, and
the "earlier sessions" dialog reaches it until then.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

RECOVER, DISMISS = 1, 2
translate = QCoreApplication.translate


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


def all_sessions() -> list:
    """Every journal still on disk, finished, dismissed or not, newest first (one being
    recorded right now is left out: it is the live transcript)."""
    try:
        from captioner.transcript.journal import list_sessions
    except ImportError:
        return []
    try:
        sessions = list_sessions()
    except OSError as exc:
        log.warning("cannot list sessions: %s", exc)
        return []
    return list(reversed([s for s in sessions if not s.recording and s.sentence_count > 0]))


def unfinished_mark(text: str) -> str:
    """The sentence a crash cut off, marked so it reads as unfinished."""
    return translate("MainWindow", "%1 … [unfinished]").replace("%1", text)


def load(path) -> list:
    """The finals and gaps of a journal, and the sentence being spoken when the session
    stopped (its latest partial), marked as unfinished."""
    from captioner.transcript.journal import load_journal
    from captioner.transcript.model import in_time_order

    contents = load_journal(path)
    sentences = list(contents.finals)
    if contents.unfinished is not None:
        cut = contents.unfinished
        sentences.append(dataclasses.replace(cut, text=unfinished_mark(cut.text)))
    return in_time_order(sentences, contents.gaps)


def close_journal(path, reason: str) -> None:
    """Stop offering the session (it stays on disk, finished)."""
    from captioner.transcript.journal import JournalError, mark_finished

    try:
        mark_finished(path, reason)
    except (OSError, JournalError) as exc:
        log.warning("could not mark %s finished: %s", path, exc)


class RecoveryDialog(QDialog):
    """Lists sessions; done(RECOVER) or done(DISMISS) with `selected()` set.

    `earlier`: every session on disk (File → Recover earlier session…), which can be
    opened but not dismissed (most already are); otherwise the unfinished ones at start."""

    def __init__(self, sessions: list, parent: QWidget | None = None, *, earlier: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Recover earlier session") if earlier else self.tr("Recover captions"))
        self.sessions = sessions
        if earlier:
            intro = self.tr(
                "Every session's captions are kept in its journal until the retention setting (File → Keep "
                "finished sessions) deletes it, including sessions you dismissed. Open one to view and export it."
            )
        else:
            intro = self.tr(
                "Captioner did not finish these sessions (it may have been closed unexpectedly). "
                "Their captions were saved as they arrived. Recover one to view and export it."
            )
        text = QLabel(intro, self)
        text.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for info in sessions:
            item = QListWidgetItem(self.describe(info), self.list)
            item.setData(Qt.ItemDataRole.UserRole, info)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(self)
        self.recover_button = buttons.addButton(
            self.tr("Open") if earlier else self.tr("Recover"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.dismiss_button = buttons.addButton(self.tr("Dismiss"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.dismiss_button.setVisible(not earlier)
        self.later_button = buttons.addButton(
            self.tr("Close") if earlier else self.tr("Not now"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.recover_button.clicked.connect(lambda: self.done(RECOVER))
        self.dismiss_button.clicked.connect(lambda: self.done(DISMISS))
        self.later_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self._fit_content()

    def _fit_content(self) -> None:
        """As big as the entries need, up to most of the screen; beyond that the list
        scrolls. (Qt's default list is 256 x 192 pixels, which clipped every entry.)"""
        metrics = self.list.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(line) for info in self.sessions for line in self.describe(info).split("\n")),
            default=0,
        )
        tall = sum(metrics.lineSpacing() * (self.describe(info).count("\n") + 1) + 8 for info in self.sessions)
        parent = self.parentWidget()
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        width = widest + 48
        height = tall + 8
        if area is not None:
            width = min(width, int(area.width() * 0.8))
            height = min(height, int(area.height() * 0.5))
        self.list.setMinimumSize(QSize(max(width, 360), max(min(height, 420), 120)))
        self.adjustSize()

    def describe(self, info) -> str:
        """One list entry: when, how much, how it ended, and the last words."""
        when = info.started.strftime("%Y-%m-%d %H:%M") if info.started else "?"
        label = self.tr("%1 — %n sentence(s)", "", info.sentence_count).replace("%1", when)
        if info.unfinished_sentence:
            label += " " + self.tr("(the last one unfinished)")
        if info.finished:
            label += " · " + self.tr("closed")
        if info.last_text:
            label += f"\n   … {info.last_text[-80:]}"
        return label

    def selected(self):
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None
