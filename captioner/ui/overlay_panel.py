"""Overlay settings: lines, font size, colours, background opacity, show, click-through,
and the translation line of a translated session (shown or not, its size and colour).

Changes apply live (the overlay repaints as the user drags the slider), so the user sees
the result over whatever is behind the overlay instead of guessing.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFontComboBox,
    QFormLayout,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from captioner.ui.color_button import ColorButton
from captioner.ui.store import FONT_SIZE_RANGE, LINES_RANGE, OverlayStyle


class OverlayPanel(QWidget):
    style_changed = Signal(object)  # OverlayStyle
    reset_position = Signal()

    def __init__(self, style: OverlayStyle, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._style = style
        self.show_overlay = QCheckBox(self.tr("Show the caption overlay"), self)
        self.click_through = QCheckBox(self.tr("Click-through (clicks reach the window below)"), self)
        self.lines = QSpinBox(self)
        self.lines.setRange(*LINES_RANGE)
        self.font_size = QSpinBox(self)
        self.font_size.setRange(*FONT_SIZE_RANGE)
        self.font_size.setSuffix(self.tr(" pt"))
        self.font_family = QFontComboBox(self)
        self.text_color = ColorButton(style.text_color, self.tr("Caption colour"), self)
        self.partial_color = ColorButton(style.partial_color, self.tr("Colour while being spoken"), self)
        self.background_color = ColorButton(style.background_color, self.tr("Background colour"), self)
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setAccessibleName(self.tr("Background opacity"))
        self.show_translation = QCheckBox(self.tr("Show the translation under each caption"), self)
        self.translation_size = QSpinBox(self)
        self.translation_size.setRange(*FONT_SIZE_RANGE)
        self.translation_size.setSuffix(self.tr(" pt"))
        self.translation_color = ColorButton(style.translation_color, self.tr("Translation colour"), self)
        self.reset = QPushButton(self.tr("Move to the bottom of the screen"), self)
        self.reset.clicked.connect(self.reset_position)

        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.show_overlay)
        form.addRow(self.click_through)
        form.addRow(self.tr("Lines:"), self.lines)
        form.addRow(self.tr("Font size:"), self.font_size)
        form.addRow(self.tr("Font:"), self.font_family)
        form.addRow(self.tr("Caption colour:"), self.text_color)
        form.addRow(self.tr("While being spoken:"), self.partial_color)
        form.addRow(self.tr("Background:"), self.background_color)
        form.addRow(self.tr("Background opacity:"), self.opacity)
        form.addRow(self.show_translation)
        form.addRow(self.tr("Translation size:"), self.translation_size)
        form.addRow(self.tr("Translation colour:"), self.translation_color)
        form.addRow(self.reset)

        self.set_caption_style(style)
        self.lines.valueChanged.connect(lambda v: self._change(lines=v))
        self.font_size.valueChanged.connect(lambda v: self._change(font_size=v))
        self.font_family.currentFontChanged.connect(lambda f: self._change(font_family=f.family()))
        self.text_color.color_changed.connect(lambda c: self._change(text_color=c))
        self.partial_color.color_changed.connect(lambda c: self._change(partial_color=c))
        self.background_color.color_changed.connect(lambda c: self._change(background_color=c))
        self.opacity.valueChanged.connect(lambda v: self._change(opacity=v / 100))
        self.show_translation.toggled.connect(lambda on: self._change(show_translation=on))
        self.translation_size.valueChanged.connect(lambda v: self._change(translation_size=v))
        self.translation_color.color_changed.connect(lambda c: self._change(translation_color=c))

    def caption_style(self) -> OverlayStyle:
        return self._style

    def set_caption_style(self, style: OverlayStyle) -> None:
        widgets = (self.lines, self.font_size, self.font_family, self.opacity, self.show_translation,
                   self.translation_size)  # fmt: skip
        for w in widgets:
            w.blockSignals(True)
        self._style = style
        self.lines.setValue(style.lines)
        self.font_size.setValue(style.font_size)
        if style.font_family:
            self.font_family.setCurrentFont(QFont(style.font_family))
        self.text_color.set_color(style.text_color)
        self.partial_color.set_color(style.partial_color)
        self.background_color.set_color(style.background_color)
        self.opacity.setValue(round(style.opacity * 100))
        self.show_translation.setChecked(style.show_translation)
        self.translation_size.setValue(style.translation_size)
        self.translation_color.set_color(style.translation_color)
        for w in widgets:
            w.blockSignals(False)

    def _change(self, **changes) -> None:
        self._style = replace(self._style, **changes)
        self.style_changed.emit(self._style)
