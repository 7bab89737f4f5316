"""The session's finals as a Qt list model: one row per final, appended as they arrive.

A 12-hour session holds many thousands of sentences. A growing rich-text document would
re-layout on every append and slow to a crawl; a list model inserts one row (one
beginInsertRows/endInsertRows pair per final) and the view lays out only what is visible.
The Sentence objects themselves are the storage, so nothing is copied or formatted until
a row is painted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from captioner.recognition.events import Sentence

#: Custom roles: the Sentence itself, and its begin time in ms (for sorting and seeking).
SentenceRole = Qt.ItemDataRole.UserRole + 1
BeginRole = Qt.ItemDataRole.UserRole + 2
TimeTextRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


def clock(ms: int, *, millis: bool = False) -> str:
    """HH:MM:SS (or HH:MM:SS.mmm) on the session clock."""
    s, rest = divmod(max(0, int(ms)), 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{rest:03d}" if millis else f"{h:02d}:{m:02d}:{s:02d}"


def line_with_times(sentence: Sentence) -> str:
    """How a line is copied to the clipboard: the times, then the text."""
    return f"[{clock(sentence.begin_ms, millis=True)} --> {clock(sentence.end_ms, millis=True)}] {sentence.text}"


class TranscriptModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Sentence] = []

    # Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return s.text
        if role == TimeTextRole:
            return clock(s.begin_ms)
        if role == Qt.ItemDataRole.ToolTipRole:
            return line_with_times(s)
        if role == SentenceRole:
            return s
        if role == BeginRole:
            return s.begin_ms
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # Appending -------------------------------------------------------------------------

    def append(self, sentence: Sentence) -> None:
        """One final: one inserted row."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(sentence)
        self.endInsertRows()

    def extend(self, sentences: Iterable[Sentence]) -> None:
        """Many finals at once (a recovered session): one insertion for all of them."""
        items = list(sentences)
        if not items:
            return
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row + len(items) - 1)
        self._rows.extend(items)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def sentences(self) -> list[Sentence]:
        """The finals, in arrival order (a copy: exporting must not race new finals)."""
        return list(self._rows)

    def sentence(self, row: int) -> Sentence:
        return self._rows[row]
