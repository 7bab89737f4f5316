"""Input picker: microphone, system audio, both, or the demo recording; a live level meter;
a warning when nothing is heard.

The device lists are read in a worker thread (PortAudio can be slow to enumerate), so the
window shows at once and fills the lists a moment later. "No audio detected" is judged
on the session clock (seconds of audio heard), not wall-clock, so a stalled source is not
mistaken for silence and vice versa.

It must not cry wolf in an ordinary pause: a quiet room between two sentences is well below
-50 dBFS, and a speaker who stops to think or change slides pauses for longer than five
seconds. So it warns about a dead input (digital silence: samples at or next to zero, what
a muted or disconnected device delivers and no real room does) after SILENCE_WARN_MS, and
about a merely quiet one only after QUIET_WARN_MS, far longer than anyone pauses. System
audio is digitally silent whenever nothing plays, so it gets the long wait for both.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget
from qasync import asyncSlot

from captioner.audio.health import DIGITAL_SILENCE_PEAK
from captioner.ui import sources
from captioner.ui.choices import SourceChoice
from captioner.ui.level_meter import LevelMeter

#: Peak below this (about -50 dBFS) counts as "nothing heard".
SILENCE_PEAK = 0.003
#: Audio of a dead microphone (digital silence) before the warning shows.
SILENCE_WARN_MS = 8000
#: Audio with nothing heard, but not dead (room noise), before the warning shows; also the
#: wait for system audio, which is digitally silent whenever nothing plays.
QUIET_WARN_MS = 45_000


class SourcePicker(QWidget):
    changed = Signal()
    #: The device lists were (re)read; the argument is the InputList.
    inputs_listed = Signal(object)

    def __init__(self, choice: SourceChoice | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._wanted = choice or SourceChoice()
        self.inputs = sources.InputList()
        self._silent_since_ms: int | None = None  # quiet since (peak under SILENCE_PEAK)
        self._dead_since_ms: int | None = None  # digitally silent since

        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("Microphone"), "microphone")
        self.kind.addItem(self.tr("System audio (what this computer plays)"), "system")
        self.kind.addItem(self.tr("Microphone and system audio"), "both")
        self.kind.addItem(self.tr("Demo recording"), "demo")
        self.device = QComboBox(self)
        self.device.setAccessibleName(self.tr("Microphone"))
        self.loopback = QComboBox(self)
        self.loopback.setAccessibleName(self.tr("System audio source"))
        self.refresh_button = QPushButton(self)
        self.refresh_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.refresh_button.setToolTip(self.tr("Look for devices again"))
        self.refresh_button.clicked.connect(self.refresh)
        self.meter = LevelMeter(self)
        self.test_button = QPushButton(self.tr("Test input"), self)
        self.test_button.setCheckable(True)
        self.test_button.setToolTip(self.tr("Listen to the chosen input to check its level, without captioning"))
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b35c00")
        self.warning.hide()
        self.device_error = QLabel(self)
        self.device_error.setWordWrap(True)
        self.device_error.hide()

        top = QHBoxLayout()
        top.addWidget(self.kind, 1)
        top.addWidget(self.refresh_button)
        form = QFormLayout(self)
        form.addRow(self.tr("Listen to:"), top)
        self._device_label = QLabel(self.tr("Microphone:"), self)
        self._loopback_label = QLabel(self.tr("System audio:"), self)
        form.addRow(self._device_label, self.device)
        form.addRow(self._loopback_label, self.loopback)
        level_row = QHBoxLayout()
        level_row.addWidget(self.meter, 1)
        level_row.addWidget(self.test_button)
        form.addRow(self.tr("Level:"), level_row)
        form.addRow("", self.warning)
        form.addRow("", self.device_error)

        self._fill(sources.InputList())
        self._select_kind(self._wanted.kind)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.device.currentIndexChanged.connect(self._device_changed)
        self.loopback.currentIndexChanged.connect(self._device_changed)
        self._show_rows()

    # Choice -----------------------------------------------------------------------------

    def choice(self) -> SourceChoice:
        return SourceChoice(
            kind=self.kind.currentData(),
            device=self.device.currentData() or None,
            loopback=self.loopback.currentData() or None,
        )

    def set_kind(self, kind: str) -> None:
        self._select_kind(kind)

    def _select_kind(self, kind: str) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def has_microphone(self) -> bool:
        return bool(self.inputs.microphones)

    # Device lists -------------------------------------------------------------------------

    @asyncSlot()
    async def refresh(self) -> None:
        """Re-read the device lists without blocking the window."""
        self.refresh_button.setEnabled(False)
        try:
            listed = await asyncio.to_thread(sources.list_inputs, True)
        finally:
            self.refresh_button.setEnabled(True)
        self.set_inputs(listed)

    def set_inputs(self, listed: sources.InputList) -> None:
        current = self.choice()
        self._wanted = SourceChoice(
            current.kind, current.device or self._wanted.device, current.loopback or self._wanted.loopback
        )
        self.inputs = listed
        self._fill(listed)
        if listed.error:
            self.device_error.setText(self.tr("Audio devices could not be listed: %1").replace("%1", listed.error))
            self.device_error.show()
        elif listed.notes:
            self.device_error.setText("\n".join(listed.notes))
            self.device_error.show()
        else:
            self.device_error.hide()
        self.inputs_listed.emit(listed)

    def _fill(self, listed: sources.InputList) -> None:
        for combo, entries, wanted in (
            (self.device, listed.microphones, self._wanted.device),
            (self.loopback, listed.loopbacks, self._wanted.loopback),
        ):
            combo.blockSignals(True)
            combo.clear()
            default = next((entry for entry in entries if entry.default), None)
            # Name what "System default" is now, so it is not one more "default" to puzzle over.
            combo.addItem(
                self.tr("System default: %1").replace("%1", default.label) if default else self.tr("System default"),
                "",
            )
            for entry in entries:
                label = entry.label + (self.tr(" (default)") if entry.default else "")
                combo.addItem(label, entry.name)
            index = combo.findData(wanted or "")
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def _kind_changed(self) -> None:
        self._show_rows()
        self.reset_level()
        self.changed.emit()

    def _device_changed(self) -> None:
        self.reset_level()
        self.changed.emit()

    def _show_rows(self) -> None:
        kind = self.kind.currentData()
        mic = kind in ("microphone", "both")
        loop = kind in ("system", "both")
        for widget, visible in (
            (self.device, mic),
            (self._device_label, mic),
            (self.loopback, loop),
            (self._loopback_label, loop),
        ):
            widget.setVisible(visible)

    # Level and silence ------------------------------------------------------------------

    def show_level(self, rms: float, peak: float, position_ms: int) -> None:
        self.meter.set_level(rms, peak)
        if peak >= SILENCE_PEAK:
            self._silent_since_ms = self._dead_since_ms = None
            self.warning.hide()
            return
        if self._silent_since_ms is None or position_ms < self._silent_since_ms:
            self._silent_since_ms = position_ms
        if peak > DIGITAL_SILENCE_PEAK:
            self._dead_since_ms = None
        elif self._dead_since_ms is None or position_ms < self._dead_since_ms:
            self._dead_since_ms = position_ms
        dead_warn_ms = QUIET_WARN_MS if self.kind.currentData() == "system" else SILENCE_WARN_MS
        dead = self._dead_since_ms is not None and position_ms - self._dead_since_ms >= dead_warn_ms
        quiet = position_ms - self._silent_since_ms >= QUIET_WARN_MS
        if (dead or quiet) and self.warning.isHidden():
            self.warning.setText(self._silence_message())
            self.warning.show()

    def _silence_message(self) -> str:
        kind = self.kind.currentData()
        if kind == "system":
            return self.tr("No audio detected. Is something playing? Check that the right output's monitor is chosen.")
        return self.tr("No audio detected. Check that the microphone is connected, not muted, and chosen here.")

    def no_audio_detected(self) -> bool:
        return not self.warning.isHidden()

    def reset_level(self) -> None:
        self._silent_since_ms = self._dead_since_ms = None
        self.warning.hide()
        self.meter.reset()
