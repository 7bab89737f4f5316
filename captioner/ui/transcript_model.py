"""The session's finals as a Qt list model: one row per final, appended as they arrive.

A 12-hour session holds many thousands of sentences. A growing rich-text document would
re-layout on every append and slow to a crawl; a list model inserts one row (one
beginInsertRows/endInsertRows pair per final) and the view lays out only what is visible.
The Sentence objects themselves are the storage, so nothing is copied or formatted until
a row is painted.

A gap (audio dropped because the engine could not keep up) is a row too, in its place in
time, reading "[not captioned: 3.2 s]": the reader sees that something is missing there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from captioner.events import Gap, Sentence
from captioner.transcript.export import gap_text
from captioner.transcript.export.entries import speaker_label

#: One row: a final, or a gap marker.
Row = Sentence | Gap

#: Custom roles: the Sentence (or Gap) itself, and its begin time in ms (for sorting and seeking).
SentenceRole = Qt.ItemDataRole.UserRole + 1
BeginRole = Qt.ItemDataRole.UserRole + 2
TimeTextRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex

#: The roles data() answers; the view asks for 11 per row it paints (font, colours, check
#: state...), and those it does not answer are turned away before anything else.
_ROLES = frozenset(
    int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SentenceRole, BeginRole, TimeTextRole)
)


def clock(ms: int, *, millis: bool = False) -> str:
    """HH:MM:SS (or HH:MM:SS.mmm) on the session clock."""
    s, rest = divmod(max(0, int(ms)), 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{rest:03d}" if millis else f"{h:02d}:{m:02d}:{s:02d}"


def line_with_times(sentence: Row) -> str:
    """How a line is copied to the clipboard: the times, then the text."""
    if isinstance(sentence, Gap):
        return f"[{clock(sentence.at_ms, millis=True)}] {gap_text(sentence)}"
    return f"[{clock(sentence.begin_ms, millis=True)} --> {clock(sentence.end_ms, millis=True)}] {shown_text(sentence)}"


def shown_text(sentence: Sentence) -> str:
    """A final's text, with its translation (if any) on the line under it; "[Speaker N] "
    first when its speaker is known, the label the exported files carry."""
    t = sentence.translation
    if t is None or not t.text.strip():
        text = sentence.text
    else:
        text = f"{sentence.text}\n{t.text}" if sentence.text.strip() else t.text
    return speaker_label(sentence) + text


class TranscriptModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._gaps = 0

    # Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  (Qt's own signature; never mutated)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:
            return None
        row = index.row()  # -1 for an invalid index
        if not 0 <= row < len(self._rows):
            return None
        s = self._rows[row]
        if isinstance(s, Gap):
            return self._gap_data(s, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return shown_text(s)
        if role == TimeTextRole:
            return clock(s.begin_ms)
        if role == Qt.ItemDataRole.ToolTipRole:
            return line_with_times(s)
        if role == SentenceRole:
            return s
        if role == BeginRole:
            return s.begin_ms
        return None

    def _gap_data(self, gap: Gap, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr("[not captioned: %1 s]").replace("%1", f"{gap.duration_ms / 1000:.1f}")
        if role == TimeTextRole:
            return clock(gap.at_ms)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Audio was dropped here because recognition could not keep up")
        if role == SentenceRole:
            return gap
        if role == BeginRole:
            return gap.at_ms
        return None

    # flags() is QAbstractListModel's own (enabled, selectable, never has children): the
    # transcript view lays out every row after each insertion, and an override in Python
    # would be called 10 000 times per final at hour 12.

    # Appending -------------------------------------------------------------------------

    def append(self, sentence: Row) -> None:
        """One final (or gap): one inserted row."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(sentence)
        self._gaps += isinstance(sentence, Gap)
        self.endInsertRows()

    def add_gap(self, gap: Gap) -> None:
        """A gap goes in its place in time: usually last, but the engine may still be
        finishing a sentence that began before it, whose final then lands after it."""
        row = len(self._rows)
        while row > 0 and _begin(self._rows[row - 1]) > gap.at_ms:
            row -= 1
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, gap)
        self._gaps += 1
        self.endInsertRows()

    def extend(self, sentences: Iterable[Row]) -> None:
        """Many rows at once (a recovered session): one insertion for all of them."""
        items = list(sentences)
        if not items:
            return
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row + len(items) - 1)
        self._rows.extend(items)
        self._gaps += sum(isinstance(r, Gap) for r in items)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._gaps = 0
        self.endResetModel()

    def sentences(self) -> list[Row]:
        """Every row in order, finals and gap markers: what an export takes (a copy:
        exporting must not race new finals)."""
        return list(self._rows)

    @property
    def sentence_count(self) -> int:
        """Rows that are finals (not gap markers)."""
        return len(self._rows) - self._gaps

    def sentence(self, row: int) -> Row:
        return self._rows[row]


def _begin(row: Row) -> int:
    return row.at_ms if isinstance(row, Gap) else row.begin_ms
