"""Engine choice: on this device (which engine, shown with its languages, or a model folder),
or Alibaba Cloud Model Studio (region, model, API key, URL).

The API key field is masked and its value goes to the OS keyring the moment editing ends,
never to QSettings. Keys are per region (a Beijing key is refused in Singapore), and a
custom URL has a key of its own (a region's key must not go to whatever server a URL names,
but the key typed for that server must reach it), so switching the region or the URL swaps
the key shown. The key shown is the key sent. When there is no keyring the user is told the
key will only be kept until the app quits, instead of it silently being forgotten.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from captioner import logs
from captioner.events import RecognitionError
from captioner.recognition import catalog
from captioner.recognition.cloud.credentials import url_slot
from captioner.settings import RecognitionSettings
from captioner.ui import dialogs
from captioner.ui.choices import CLOUD_MODELS, ENGINE_CLOUD, ENGINE_LOCAL, REGIONS, EngineChoice, model_serves_region
from captioner.ui.store import SecretStoreError, Store

log = logging.getLogger(__name__)


def _picked(language: str) -> str | None:
    """The title of the engine `local` runs for `language`, or None if none can."""
    try:
        return catalog.pick_on_device(RecognitionSettings(language_hints=(language,))).title
    except RecognitionError:
        return None


class EnginePanel(QWidget):
    changed = Signal()
    #: The recognition model name changed (the language list depends on it).
    model_changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._slot = "cn"  # whose key the field shows: a region, or url_slot(custom URL)
        self._key_loaded = False

        self.local_radio = QRadioButton(self.tr("On this device (offline)"), self)
        self.cloud_radio = QRadioButton(self.tr("Alibaba Cloud Model Studio"), self)
        self.local_radio.setToolTip(self.tr("Speech is recognised on this computer; nothing leaves it."))
        self.cloud_radio.setToolTip(self.tr("Fun-ASR / Paraformer realtime recognition; needs an API key."))
        group = QButtonGroup(self)
        group.addButton(self.local_radio)
        group.addButton(self.cloud_radio)
        self.local_radio.setChecked(True)

        # On this device: which engine (the catalog's, with their languages), or a folder
        self.local_box = QWidget(self)
        self.on_device = QComboBox(self.local_box)
        self.on_device.setAccessibleName(self.tr("On-device engine"))
        self._fill_on_device()
        self.model_dir = QLineEdit(self.local_box)
        self.model_dir.setPlaceholderText(self.tr("optional: a whisper model folder instead"))
        self.model_dir.setToolTip(
            self.tr("A CTranslate2 whisper model folder; it replaces the engine chosen above. Leave empty to use it.")
        )
        browse = QPushButton(self.tr("Choose…"), self.local_box)
        browse.clicked.connect(self._browse_model)
        folder_row = QWidget(self.local_box)
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.model_dir, 1)
        row.addWidget(browse)
        local_form = QFormLayout(self.local_box)
        local_form.setContentsMargins(20, 0, 0, 0)
        local_form.addRow(self.tr("Engine:"), self.on_device)
        local_form.addRow(self.tr("Model folder:"), folder_row)

        # Alibaba Cloud
        self.cloud_box = QWidget(self)
        self.region = QComboBox(self.cloud_box)
        self.region.addItem(self.tr("China (Beijing)"), "cn")
        self.region.addItem(self.tr("International (Singapore)"), "intl")
        self.model = QComboBox(self.cloud_box)
        self.model.setEditable(True)
        self.model.addItems(CLOUD_MODELS)
        self.model.setToolTip(self.tr("Realtime recognition model; you can type another model's name."))
        self.api_key = QLineEdit(self.cloud_box)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(self.tr("sk-… (stored in the system keyring)"))
        self.api_key.setAccessibleName(self.tr("API key"))
        self.reveal = QAction(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView), self.tr("Show the key"), self
        )
        self.reveal.setCheckable(True)
        self.reveal.toggled.connect(
            lambda on: self.api_key.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        )
        self.api_key.addAction(self.reveal, QLineEdit.ActionPosition.TrailingPosition)
        self.key_status = QLabel(self.cloud_box)
        self.key_status.setWordWrap(True)
        self.workspace = QLineEdit(self.cloud_box)
        self.workspace.setPlaceholderText(self.tr("optional"))
        self.url = QLineEdit(self.cloud_box)
        self.url.setPlaceholderText(self.tr("optional: wss://… (e.g. another Captioner's “captioner serve”)"))
        self.url.setToolTip(
            self.tr("A custom URL has its own API key: the key saved for Alibaba Cloud is never sent to it.")
        )
        self.region_warning = QLabel(self.cloud_box)
        self.region_warning.setWordWrap(True)
        self.region_warning.setStyleSheet("color: #b35c00")
        form = QFormLayout(self.cloud_box)
        form.setContentsMargins(20, 0, 0, 0)
        form.addRow(self.tr("Region:"), self.region)
        form.addRow(self.tr("Model:"), self.model)
        form.addRow(self.tr("API key:"), self.api_key)
        form.addRow("", self.key_status)
        form.addRow(self.tr("Workspace:"), self.workspace)
        form.addRow(self.tr("Custom URL:"), self.url)
        form.addRow("", self.region_warning)

        layout = QVBoxLayout(self)
        layout.addWidget(self.local_radio)
        layout.addWidget(self.local_box)
        layout.addWidget(self.cloud_radio)
        layout.addWidget(self.cloud_box)
        layout.addStretch(1)

        self.set_choice(store.engine_choice())
        self.local_radio.toggled.connect(self._engine_toggled)
        self.region.currentIndexChanged.connect(self._region_changed)
        self.model.currentTextChanged.connect(self._model_changed)
        self.api_key.editingFinished.connect(self.save_api_key)
        self.on_device.currentIndexChanged.connect(self.changed)
        for edit in (self.model_dir, self.workspace):
            edit.editingFinished.connect(self.changed)
        self.url.editingFinished.connect(self._url_changed)

    # State ----------------------------------------------------------------------------

    def choice(self) -> EngineChoice:
        return EngineChoice(
            engine=ENGINE_LOCAL if self.local_radio.isChecked() else ENGINE_CLOUD,
            region=self.region.currentData() or "cn",
            url=self.url.text().strip(),
            workspace=self.workspace.text().strip(),
            model_dir=self.model_dir.text().strip(),
            on_device=self.on_device.currentData() or ENGINE_LOCAL,
        )

    def set_choice(self, choice: EngineChoice) -> None:
        (self.local_radio if choice.engine == ENGINE_LOCAL else self.cloud_radio).setChecked(True)
        self.region.setCurrentIndex(max(0, REGIONS.index(choice.region)))
        self.url.setText(choice.url)
        self._slot = self._key_slot()
        self.workspace.setText(choice.workspace)
        self.model_dir.setText(choice.model_dir)
        self.on_device.setCurrentIndex(max(0, self.on_device.findData(choice.on_device)))
        self._load_key()
        self._show_engine()

    def _fill_on_device(self) -> None:
        """`local` first (what it picks for English and for Chinese), then every on-device
        engine with its languages; one whose weights are missing says so and how to get them."""
        english = _picked("en")
        chinese = _picked("zh")
        best = self.tr("Best for the language")
        if english and chinese:
            best = (
                self.tr("Best for the language: %1 for English, %2 for Chinese and others")
                .replace("%1", english)
                .replace("%2", chinese)
            )
        self.on_device.addItem(best, ENGINE_LOCAL)
        for spec in catalog.on_device():
            if spec.available:
                self.on_device.addItem(spec.describe(), spec.name)
                tip = spec.note
            else:
                self.on_device.addItem(self.tr("%1 — not installed").replace("%1", spec.describe()), spec.name)
                tip = self.tr("Install it with: %1").replace("%1", spec.install)
            self.on_device.setItemData(self.on_device.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)

    def model_name(self) -> str:
        return self.model.currentText().strip()

    def set_model_name(self, name: str) -> None:
        if self.model.findText(name) < 0:
            self.model.addItem(name)
        self.model.setCurrentText(name)
        self._check_region()

    def api_key_text(self) -> str:
        key = self.api_key.text().strip()
        logs.register_secret(key)  # typed or pasted: never in the log or diagnostics
        return key

    # Reactions -----------------------------------------------------------------------

    def _engine_toggled(self) -> None:
        self._show_engine()
        self.changed.emit()
        self.model_changed.emit(self.model_name())

    def _show_engine(self) -> None:
        cloud = self.cloud_radio.isChecked()
        if cloud and not self._key_loaded:
            self._load_key()
        self.cloud_box.setVisible(cloud)
        self.local_box.setVisible(not cloud)
        self.cloud_box.setEnabled(cloud)
        self.local_box.setEnabled(not cloud)

    def _key_slot(self) -> str:
        url = self.url.text().strip()
        return url_slot(url) if url else self.region.currentData() or "cn"

    def _swap_key(self) -> None:
        """Show the key of the region or URL now chosen (saving the one typed for the last)."""
        if self._key_slot() != self._slot:
            self.save_api_key()  # the key typed belongs to where it was typed for
            self._slot = self._key_slot()
            self._load_key()

    def _region_changed(self) -> None:
        self._swap_key()
        self._check_region()
        self.changed.emit()

    def _url_changed(self) -> None:
        self._swap_key()
        self.changed.emit()

    def _model_changed(self, name: str) -> None:
        self._check_region()
        self.model_changed.emit(name.strip())
        self.changed.emit()

    def _check_region(self) -> None:
        model, region = self.model_name(), self.region.currentData() or "cn"
        if model and not model_serves_region(model, region):
            self.region_warning.setText(
                self.tr("%1 is only offered in the China (Beijing) region; choose Fun-ASR for Singapore.").replace(
                    "%1", model
                )
            )
        else:
            self.region_warning.clear()

    def _load_key(self) -> None:
        # The keyring is only asked when the cloud engine is chosen: a locked keyring can
        # prompt for a password, and users of the on-device engine never need the key.
        self._key_loaded = self.cloud_radio.isChecked()
        if not self._key_loaded:
            return
        self.api_key.blockSignals(True)
        self.api_key.setText(self.store.api_key(self._slot))
        self.api_key.blockSignals(False)
        self._show_key_status()

    def _show_key_status(self, error: str = "") -> None:
        if error:
            # The keyring's own words are for the log, not for the label a user reads.
            log.warning("the system keyring refused the API key: %s", error)
            self.key_status.setText(
                self.tr("The system keyring did not take the key: it is kept only until Captioner quits.")
            )
        elif not self.store.secrets.available():
            self.key_status.setText(
                self.tr("No system keyring is available: the key is kept only until Captioner quits.")
            )
        elif self.api_key.text() and self._slot.startswith("url:"):
            self.key_status.setText(self.tr("The key for this custom URL is stored in the system keyring."))
        elif self.api_key.text():
            self.key_status.setText(self.tr("The key is stored in the system keyring."))
        elif self._slot.startswith("url:"):
            self.key_status.setText(
                self.tr("The key this server needs (for `captioner serve --token X`: X); none if it needs none.")
            )
        else:
            self.key_status.setText(self.tr("Or set the DASHSCOPE_API_KEY environment variable."))

    def save_api_key(self) -> None:
        """Keyring only; tell the user if it can't be remembered."""
        if not self._key_loaded:
            return
        key = self.api_key_text()
        if key and any(c.isspace() or ord(c) < 0x20 for c in key):
            self.key_status.setText(self.tr("The key contains spaces or line breaks; paste it again."))
            return
        if key == self.store.api_key(self._slot):
            self._show_key_status()
            return
        try:
            self.store.set_api_key(self._slot, key)
        except SecretStoreError as exc:
            self._show_key_status(str(exc))
            return
        self._show_key_status()

    @asyncSlot()
    async def _browse_model(self) -> None:
        await self.choose_model_folder()

    async def choose_model_folder(self) -> None:
        """Ask for a whisper model folder (window-modal: no nested event loop)."""
        folder = await dialogs.choose_folder(self, self.tr("Choose a whisper model folder"), self.model_dir.text())
        if folder:
            self.model_dir.setText(folder)
            self.changed.emit()

    # What the window's problem dialogs lead to -------------------------------------------

    def use_cloud(self) -> None:
        self.cloud_radio.setChecked(True)
        self.api_key.setFocus()

    def use_this_device(self) -> None:
        self.local_radio.setChecked(True)

    def edit_api_key(self) -> None:
        self.api_key.setFocus()
        self.api_key.selectAll()

    def edit_model_name(self) -> None:
        self.model.setFocus()
        line_edit = self.model.lineEdit()
        assert line_edit is not None  # the model box is editable
        line_edit.selectAll()
