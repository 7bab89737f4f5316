"""The live transcript: finals with their times, searchable, selectable, copyable, exportable.

Model/view all the way (TranscriptModel -> QSortFilterProxyModel -> a one-column,
headerless QTableView with a painting delegate), so a 12-hour session costs one row insertion
per final and the view only paints what it shows. Each row's height is measured once, when
it arrives, and kept by the table's vertical header, which takes an insertion without
touching the other rows. Not a QListView or a QTreeView: both lay out every row again after
each insertion (10 000 Python sizeHint, flags or rowCount calls per final at hour 12; the
list view spread them over the next event-loop turns, so every partial paid a share: 1.8x
the hour-0 cost). Heights are measured again only when the width changes (debounced) or
the filter changes. The partial being spoken sits in a label under the list and
is replaced in place; it joins the list only once it is final. Where audio was dropped
(the engine could not keep up) a dimmed "[not captioned: 3.2 s]" row says so. The list follows new
finals only while it is scrolled to the bottom, so reading back is never interrupted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QFontMetrics, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from captioner.events import Gap, Sentence
from captioner.ui.transcript_model import Row, SentenceRole, TimeTextRole, TranscriptModel, line_with_times

MARGIN = 4
GAP = 10
#: Repaint rate when the screen does not say its refresh rate.
DEFAULT_REFRESH_HZ = 60.0
#: Flags the delegate uses for every row painted, combined once (Python enum operators are slow).
_TOP_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
_WRAPPED_TOP = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop)
_SELECTED = QStyle.StateFlag.State_Selected
_ACTIVE = QStyle.StateFlag.State_Active


class RepaintThrottle(QObject):
    """At most one repaint of `widget` per screen refresh, the latest state always painted.

    Call `hold()` just before changing what the widget shows. The first change after a
    quiet spell is painted as usual; changes within one refresh interval after it are held
    (updates off) and painted together when the interval ends. Captions at speaking pace
    are shown as soon as before; a burst costs one repaint per display frame."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._release)

    def hold(self) -> None:
        if not self._timer.isActive():
            self._timer.start(self._interval_ms())
        elif self._widget.updatesEnabled():
            self._widget.setUpdatesEnabled(False)

    def _release(self) -> None:
        if not self._widget.updatesEnabled():
            self._widget.setUpdatesEnabled(True)  # repaints all of it, in its latest state
            self._timer.start(self._interval_ms())

    def _interval_ms(self) -> int:
        screen = self._widget.screen()
        hz = screen.refreshRate() if screen is not None else 0.0
        return max(1, round(1000 / (hz if hz > 1 else DEFAULT_REFRESH_HZ)))


class SentenceDelegate(QStyledItemDelegate):
    """Paints "HH:MM:SS  text", the time dimmed, the text wrapped to the view's width."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self._view = view
        #: Row sizes by text, for one width and font: the list lays out every row again
        #: whenever a row is added, so each text is measured once, not once per final.
        self._sizes: dict[str, QSize] = {}
        self._sizes_for: tuple[int, QFont] | None = None

    def _time_width(self, metrics: QFontMetrics) -> int:
        return metrics.horizontalAdvance("00:00:00") + GAP

    def _text_rect(self, rect: QRect, metrics: QFontMetrics) -> QRect:
        return rect.adjusted(MARGIN + self._time_width(metrics), MARGIN, -MARGIN, -MARGIN)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        width = max(100, self._view.viewport().width())
        text = index.data() or ""
        sizes_for = self._sizes_for
        if sizes_for is None or sizes_for[0] != width or sizes_for[1] != option.font:
            self._sizes.clear()
            self._sizes_for = (width, QFont(option.font))
        else:
            size = self._sizes.get(text)
            if size is not None:
                return size
        metrics = QFontMetrics(option.font)
        text_rect = self._text_rect(QRect(0, 0, width, 1_000_000), metrics)
        bounds = metrics.boundingRect(text_rect, int(Qt.TextFlag.TextWordWrap), text)
        size = QSize(width, max(metrics.height(), bounds.height()) + 2 * MARGIN)
        self._sizes[text] = size
        return size

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        metrics = QFontMetrics(opt.font)
        state, palette, rect = opt.state, opt.palette, opt.rect
        selected = bool(state & _SELECTED)
        group = QPalette.ColorGroup.Active if state & _ACTIVE else QPalette.ColorGroup.Inactive
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        time_colour = palette.color(group, text_role)
        if not selected:
            time_colour = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        painter.setPen(time_colour)
        time_rect = rect.adjusted(MARGIN, MARGIN, 0, -MARGIN)
        painter.drawText(time_rect, _TOP_LEFT, index.data(TimeTextRole) or "")
        is_gap = isinstance(index.data(SentenceRole), Gap)
        painter.setPen(time_colour if is_gap else palette.color(group, text_role))
        painter.drawText(self._text_rect(rect, metrics), _WRAPPED_TOP, index.data() or "")
        painter.restore()


class TranscriptList(QTableView):
    """A list of wrapped rows whose cost per insertion does not grow with the session.

    Rows keep the height measured when they arrived (in the vertical header); a new width
    or a new filter measures them all again, once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A scroll bar that comes and goes would change the width, and so every row's height.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setCornerButtonEnabled(False)
        self._measured_width = -1
        self._remeasure = QTimer(self, singleShot=True, interval=120)
        self._remeasure.timeout.connect(self.measure_all)

    def setModel(self, model) -> None:
        super().setModel(model)
        model.rowsInserted.connect(lambda _parent, first, last: self._measure(first, last))
        model.modelReset.connect(self.measure_all)
        model.layoutChanged.connect(self.measure_all)

    def _measure(self, first: int, last: int) -> None:
        model, delegate, header = self.model(), self.itemDelegate(), self.verticalHeader()
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        for row in range(first, last + 1):
            header.resizeSection(row, delegate.sizeHint(option, model.index(row, 0)).height())

    def _rows(self) -> int:
        model = self.model()
        return model.rowCount() if model is not None else 0

    def measure_all(self) -> None:
        self._measured_width = self.viewport().width()
        rows = self._rows()
        if rows:
            self._measure(0, rows - 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.viewport().width() == self._measured_width:
            return
        if self._rows():
            self._remeasure.start()  # once the user has stopped dragging
        else:
            self._measured_width = self.viewport().width()  # nothing to measure again


class TranscriptFilter(QSortFilterProxyModel):
    """Case-insensitive substring filter on the sentence text (no sorting: arrival order)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(Qt.ItemDataRole.DisplayRole)


class TranscriptView(QWidget):
    """Finals list + search box + the partial line. `model` is the single source of truth."""

    #: The user asked to export (the window owns the dialog and the file writing).
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TranscriptModel(self)
        self.proxy = TranscriptFilter(self)
        self.proxy.setSourceModel(self.model)
        #: Finals not yet in any exported file (the window asks before they are lost).
        self.unsaved = 0

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search the transcript"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.count_label = QLabel(self)
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setToolTip(self.tr("Save the transcript as SRT, WebVTT, text or JSON"))
        self.export_button.clicked.connect(self.export_requested)

        self.list = TranscriptList(self)
        self.list.setModel(self.proxy)
        self.list.setItemDelegate(SentenceDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAlternatingRowColors(True)
        self.list.setAccessibleName(self.tr("Transcript"))

        self.copy_action = QAction(self.tr("Copy with times"), self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        self.select_all_action = QAction(self.tr("Select all"), self)
        self.select_all_action.setShortcut(QKeySequence.StandardKey.SelectAll)
        self.select_all_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.select_all_action.triggered.connect(self.list.selectAll)
        self.list.addActions([self.copy_action, self.select_all_action])
        # QAbstractItemView claims Ctrl+C for itself (copying the current item's text
        # only), so the shortcut never reaches the action: take the key press here.
        self.list.installEventFilter(self)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.partial_label = QLabel(self)
        self.partial_label.setWordWrap(True)
        self.partial_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.partial_label.font()
        font.setItalic(True)
        self.partial_label.setFont(font)
        self.partial_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # A fixed two-line height: a label that grows and shrinks with the partial would
        # re-lay out the whole list beside it (5.7 ms per partial at 10 000 rows). Bottom
        # alignment keeps the newest words in view when a long partial overflows.
        self.partial_label.setFixedHeight(2 * QFontMetrics(font).lineSpacing() + 4)
        self.partial_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.partial_label.setAccessibleName(self.tr("Being spoken"))

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.partial_label)
        # A final, a partial: one repaint per screen refresh at most (the model and the
        # label's text change at once; only their painting waits).
        self._list_paint = RepaintThrottle(self.list.viewport())
        self._partial_paint = RepaintThrottle(self.partial_label)
        self._follow = True
        bar = self.list.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
        bar.rangeChanged.connect(self._range_changed)
        self.model.rowsInserted.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        self._update_count()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.list and event.type() == QEvent.Type.KeyPress and event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return True
        return super().eventFilter(obj, event)

    # Content -------------------------------------------------------------------------

    def add_final(self, sentence: Sentence) -> None:
        self._list_paint.hold()
        self._partial_paint.hold()
        self.model.append(sentence)
        self.unsaved += 1
        self.partial_label.clear()

    def add_gap(self, gap: Gap) -> None:
        """Mark dropped audio where it happened."""
        self.model.add_gap(gap)
        self.unsaved += 1

    def _scrolled(self, value: int) -> None:
        # Follow new finals only while the user is at the bottom (reading back stays put).
        bar = self.list.verticalScrollBar()
        self._follow = value >= bar.maximum() - 4

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.list.verticalScrollBar().setValue(maximum)

    def set_partial(self, text: str) -> None:
        self._partial_paint.hold()
        self.partial_label.setText(text)

    def load(self, sentences: list[Row], *, unsaved: bool = True) -> None:
        """Replace the content (a recovered session: finals and gaps in order)."""
        self.model.clear()
        self.model.extend(sentences)
        self.unsaved = len(sentences) if unsaved else 0
        self.partial_label.clear()
        self._follow = True
        self.list.scrollToBottom()

    def clear(self) -> None:
        self.model.clear()
        self.unsaved = 0
        self.partial_label.clear()

    def sentences(self) -> list[Row]:
        """The finals and gap markers in order: what an export takes."""
        return self.model.sentences()

    def mark_saved(self) -> None:
        self.unsaved = 0

    def _update_count(self, *_args) -> None:
        n = self.model.sentence_count
        self.count_label.setText(self.tr("%n sentence(s)", "", n))
        self.export_button.setEnabled(n > 0)

    # Copying -------------------------------------------------------------------------

    def selected_sentences(self) -> list[Row]:
        rows = sorted(index.row() for index in self.list.selectionModel().selectedRows())
        return [self.proxy.index(row, 0).data(SentenceRole) for row in rows]

    def copy_selection(self) -> str:
        """Copy the selected lines, each with its times, to the clipboard."""
        text = "\n".join(line_with_times(s) for s in self.selected_sentences())
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def select_rows(self, first: int, last: int) -> None:
        """Select visible rows first..last (tests and keyboard users)."""
        selection = self.list.selectionModel()
        selection.clearSelection()
        for row in range(first, last + 1):
            selection.select(
                self.proxy.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )


def export_formats() -> dict[str, str]:
    """File-dialog filter per export format (the key is write_exports' argument name)."""
    from PySide6.QtCore import QCoreApplication

    translate = QCoreApplication.translate
    return {
        "srt": translate("TranscriptView", "SubRip subtitles (*.srt)"),
        "vtt": translate("TranscriptView", "WebVTT subtitles (*.vtt)"),
        "txt": translate("TranscriptView", "Plain text (*.txt)"),
        "json": translate("TranscriptView", "JSON transcript (*.json)"),
    }


def format_for(path: str, chosen_filter: str = "") -> str:
    """Which format to write: the file's extension, else the filter the user picked."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext in ("srt", "vtt", "txt", "json"):
        return ext
    for fmt, filt in export_formats().items():
        if filt == chosen_filter:
            return fmt
    return "srt"
