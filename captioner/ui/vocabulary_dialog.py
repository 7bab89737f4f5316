"""The hot-word vocabulary editor: list, show, create, update and delete the vocabularies of
the cloud endpoint the Engine panel names (a region, or a custom REST base URL).

Every call goes through VocabularyClient on the qasync loop (the client does its blocking
HTTP in a worker thread), so the window never freezes; while a call runs the buttons are
disabled, and a failure is shown in the dialog with the service's own code and message.
"Use" hands the selected id to the Recognition panel's Vocabulary field.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from captioner.events import RecognitionError
from captioner.protocol.vocabulary import HotWord
from captioner.recognition.cloud.rest import Retry
from captioner.recognition.cloud.vocabulary import VocabularyClient
from captioner.ui.choices import EngineChoice
from captioner.ui.dialogs import fit_width, place_on_screen, status_with_details
from captioner.ui.error_dialogs import error_sentence

log = logging.getLogger(__name__)

WEIGHT_RANGE = (1, 5)
DEFAULT_WEIGHT = 4
LANG_ROLE = Qt.ItemDataRole.UserRole
#: Someone is waiting in front of the dialog: one quick retry, then say what is wrong.
UI_RETRY = Retry(attempts=1, delay=0.5)


def http_base_for(ws_url: str) -> str:
    """A guess at the REST base URL of a custom realtime URL (ws://host:port/... →
    http://host:port/api/v1); the user can correct it in the dialog."""
    from urllib.parse import urlsplit

    parts = urlsplit(ws_url.strip())
    if not parts.netloc:
        return ""
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}/api/v1"


class VocabularyDialog(QDialog):
    #: The user chose this vocabulary for recognition ("Use").
    vocabulary_chosen = Signal(str)
    #: The list's first fetch, started by whoever opens the dialog (awaited by tests).
    loading: Coroutine[Any, Any, bool]

    def __init__(
        self,
        *,
        region: str = "cn",
        base_url: str = "",
        api_key: str = "",
        workspace: str = "",
        target_model: str = "fun-asr-realtime",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Hot-word vocabularies"))
        self.region = region
        self.api_key = api_key
        self.workspace = workspace
        self.target_model = target_model
        self._busy = False

        self.server = QLineEdit(base_url, self)
        self.server.setPlaceholderText(self.tr("Alibaba Cloud Model Studio (%1)").replace("%1", region))
        self.server.setToolTip(
            self.tr("A custom REST base URL, e.g. http://127.0.0.1:8765/api/v1; empty for Alibaba Cloud.")
        )
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        server_row = QHBoxLayout()
        server_row.addWidget(self.server, 1)
        server_row.addWidget(self.refresh_button)

        self.vocabularies = QListWidget(self)
        self.vocabularies.setAccessibleName(self.tr("Vocabularies"))
        self.words = QTableWidget(0, 2, self)
        self.words.setHorizontalHeaderLabels([self.tr("Word"), self.tr("Weight")])
        self.words.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.words.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_word_button = QPushButton(self.tr("Add word"), self)
        self.remove_word_button = QPushButton(self.tr("Remove word"), self)
        self.model_label = QLabel(self.tr("Target model: %1").replace("%1", target_model), self)
        self.prefix = QLineEdit(self)
        self.prefix.setPlaceholderText(self.tr("lowercase letters and digits, e.g. meeting"))
        self.prefix.setMaxLength(9)
        self.create_button = QPushButton(self.tr("Create new"), self)
        self.update_button = QPushButton(self.tr("Save words"), self)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.use_button = QPushButton(self.tr("Use"), self)
        self.use_button.setToolTip(self.tr("Put this vocabulary's id in the Recognition settings."))
        self.status, self.details_button, self.details = status_with_details(self, self.tr("Details"), 90)
        self.prefix.setMinimumWidth(fit_width(self.prefix))

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Vocabularies:"), self))
        left.addWidget(self.vocabularies, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.use_button)
        left_buttons.addWidget(self.delete_button)
        left.addLayout(left_buttons)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Words:"), self))
        right.addWidget(self.words, 1)
        word_buttons = QHBoxLayout()
        word_buttons.addWidget(self.add_word_button)
        word_buttons.addWidget(self.remove_word_button)
        word_buttons.addStretch(1)
        word_buttons.addWidget(self.update_button)
        right.addLayout(word_buttons)
        create = QFormLayout()
        create.addRow(self.tr("New vocabulary prefix:"), self.prefix)
        create.addRow("", self.model_label)
        create.addRow("", self.create_button)
        right.addLayout(create)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.tr("Service:"), server_row)
        layout.addLayout(form)
        layout.addLayout(columns, 1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(status_row)
        layout.addWidget(self.details)
        layout.addWidget(close)
        self.resize(720, 460)

        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.vocabularies.currentItemChanged.connect(lambda *_: self.load_selected())
        self.add_word_button.clicked.connect(lambda: self.add_word("", DEFAULT_WEIGHT))
        self.remove_word_button.clicked.connect(self._remove_word)
        self.create_button.clicked.connect(self.create_vocabulary)
        self.update_button.clicked.connect(self.update_vocabulary)
        self.delete_button.clicked.connect(self.delete_vocabulary)
        self.use_button.clicked.connect(self.use_selected)
        self._enable()

    # State -------------------------------------------------------------------------------

    def selected_id(self) -> str:
        item = self.vocabularies.currentItem()
        return item.text() if item is not None else ""

    def ids(self) -> list[str]:
        return [self.vocabularies.item(i).text() for i in range(self.vocabularies.count())]

    def add_word(self, text: str, weight: int = DEFAULT_WEIGHT, lang: str | None = None) -> None:
        row = self.words.rowCount()
        self.words.insertRow(row)
        item = QTableWidgetItem(text)
        item.setData(LANG_ROLE, lang)
        self.words.setItem(row, 0, item)
        spin = QSpinBox(self.words)
        spin.setRange(*WEIGHT_RANGE)
        spin.setValue(max(WEIGHT_RANGE[0], min(WEIGHT_RANGE[1], weight)))
        self.words.setCellWidget(row, 1, spin)
        if not text:
            self.words.setCurrentCell(row, 0)
            self.words.editItem(item)

    def hot_words(self) -> list[HotWord]:
        words = []
        for row in range(self.words.rowCount()):
            item = self.words.item(row, 0)
            text = item.text().strip() if item is not None else ""
            if item is None or not text:
                continue
            spin = self.words.cellWidget(row, 1)
            weight = spin.value() if isinstance(spin, QSpinBox) else DEFAULT_WEIGHT
            words.append(HotWord(text, weight, item.data(LANG_ROLE) or None))
        return words

    def _set_words(self, words) -> None:
        self.words.setRowCount(0)
        for w in words:
            self.add_word(w.text, w.weight, w.lang)

    def _remove_word(self) -> None:
        rows = sorted({i.row() for i in self.words.selectedIndexes()} | {self.words.currentRow()}, reverse=True)
        for row in rows:
            if row >= 0:
                self.words.removeRow(row)

    def _enable(self) -> None:
        chosen = bool(self.selected_id())
        idle = not self._busy
        self.refresh_button.setEnabled(idle)
        self.create_button.setEnabled(idle)
        for button in (self.update_button, self.delete_button, self.use_button):
            button.setEnabled(idle and chosen)

    def _show(self, text: str, error: bool = False, details: str = "") -> None:
        self.status.setStyleSheet("color: #c62828" if error else "")
        self.status.setText(text)
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        if not details:
            self.details_button.setChecked(False)

    def _client(self) -> VocabularyClient:
        base_url = self.server.text().strip()
        if base_url:  # a key saved for Alibaba Cloud is never sent to another server
            return VocabularyClient(base_url=base_url, api_key=None, timeout=20.0, retry=UI_RETRY)
        return VocabularyClient(
            region=self.region,
            api_key=self.api_key or None,
            workspace=self.workspace or None,
            timeout=20.0,
            retry=UI_RETRY,
        )

    async def _run(self, what: str, call):
        """Run `call(client)` with the buttons disabled; its result, or None after showing
        the error."""
        self._busy = True
        self._enable()
        self._show(what)
        try:
            return await call(self._client())
        except RecognitionError as exc:  # ServiceError: the service's code and explanation
            failed = self.tr("%1 failed: %2").replace("%1", what.rstrip("…"))
            self._show(failed.replace("%2", error_sentence(exc)), True, f"{exc.code}: {exc.message}")
        except ValueError as exc:  # a malformed base URL
            failed = self.tr("%1 failed: %2").replace("%1", what.rstrip("…"))
            sentence = self.tr("The service address is not a valid URL (for example http://127.0.0.1:8765/api/v1).")
            self._show(failed.replace("%2", sentence), True, str(exc))
        finally:
            self._busy = False
            self._enable()
        return None

    # Actions -------------------------------------------------------------------------------

    @asyncSlot()
    async def refresh(self, select: str = "") -> bool:
        select = select or self.selected_id()
        summaries = await self._run(self.tr("Listing vocabularies…"), lambda c: c.list(page_size=100))
        if summaries is None:
            return False
        self.vocabularies.blockSignals(True)
        self.vocabularies.clear()
        for s in summaries:
            item = QListWidgetItem(s.vocabulary_id)
            item.setToolTip(
                self.tr("Created %1, changed %2, status %3")
                .replace("%1", s.gmt_create)
                .replace("%2", s.gmt_modified)
                .replace("%3", s.status)
            )
            self.vocabularies.addItem(item)
            if s.vocabulary_id == select:
                self.vocabularies.setCurrentItem(item)
        self.vocabularies.blockSignals(False)
        self._show(self.tr("%n vocabulary(ies).", "", len(summaries)))
        self._enable()
        if self.selected_id():
            await self.load_selected()
        else:
            self.words.setRowCount(0)
        return True

    @asyncSlot()
    async def load_selected(self) -> bool:
        vid = self.selected_id()
        self._enable()
        if not vid:
            return False
        vocabulary = await self._run(self.tr("Loading %1…").replace("%1", vid), lambda c: c.query(vid))
        if vocabulary is None or vid != self.selected_id():
            return False
        self._set_words(vocabulary.words)
        self._show(
            self.tr("%1: %2 word(s) for %3, status %4")
            .replace("%1", vid)
            .replace("%2", str(len(vocabulary.words)))
            .replace("%3", vocabulary.target_model)
            .replace("%4", vocabulary.status)
        )
        return True

    @asyncSlot()
    async def create_vocabulary(self) -> str:
        words, prefix = self.hot_words(), self.prefix.text().strip()
        vid = await self._run(self.tr("Creating…"), lambda c: c.create(self.target_model, words, prefix))
        if not vid:
            return ""
        await self.refresh(select=vid)
        self._show(self.tr("Created %1.").replace("%1", vid))
        return vid

    @asyncSlot()
    async def update_vocabulary(self) -> bool:
        vid, words = self.selected_id(), self.hot_words()
        if not vid:
            return False
        done = await self._run(self.tr("Saving…"), lambda c: self._true(c.update(vid, words)))
        if done:
            self._show(self.tr("Saved %1.").replace("%1", vid))
        return bool(done)

    @asyncSlot()
    async def delete_vocabulary(self) -> bool:
        vid = self.selected_id()
        if not vid:
            return False
        done = await self._run(self.tr("Deleting…"), lambda c: self._true(c.delete(vid)))
        if not done:
            return False
        self.words.setRowCount(0)
        self.vocabularies.setCurrentItem(None)  # type: ignore[call-overload]  # Qt takes None (clears); the stubs miss it
        await self.refresh()
        self._show(self.tr("Deleted %1.").replace("%1", vid))
        return True

    def use_selected(self) -> None:
        vid = self.selected_id()
        if vid:
            self.vocabulary_chosen.emit(vid)
            self._show(self.tr("%1 is now used for recognition.").replace("%1", vid))

    @staticmethod
    async def _true(coro) -> bool:
        await coro
        return True


def open_editor(
    choice: EngineChoice, api_key: str, target_model: str, parent: QWidget | None = None
) -> VocabularyDialog:
    """The editor for the cloud endpoint `choice` names (its region, or a custom URL, which
    never gets the saved key), shown and fetching its list (`loading`)."""
    dialog = VocabularyDialog(
        region=choice.region,
        base_url=http_base_for(choice.url) if choice.url else "",
        api_key="" if choice.url else api_key,
        workspace=choice.workspace,
        target_model=target_model or "fun-asr-realtime",
        parent=parent,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    place_on_screen(dialog, parent)
    dialog.loading = dialog.refresh()
    return dialog
