"""Awaitable dialogs: ask the user from inside a coroutine without a nested event loop.

`QDialog.exec()` inside an asyncio task runs a nested Qt loop in the middle of the task's
step; if another task wakes meanwhile, asyncio refuses to enter it ("Cannot enter into
task ... while another task is being executed"). So coroutines open dialogs window-modally
with `open()` and await a future that the dialog's `finished` signal resolves; the qasync
loop keeps running every other task (the session, the meter) while the user decides.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)


def fit_width(edit: QLineEdit, extra: int = 24) -> int:
    """The width at which `edit` shows its whole placeholder (or text): a hint cut off
    mid-word ("vocabulary id (Alibaba Clo") tells the user less than no hint."""
    text = max(edit.placeholderText(), edit.text(), key=len)
    return edit.fontMetrics().horizontalAdvance(text) + extra


def status_with_details(
    parent: QWidget, details_label: str, details_height: int
) -> tuple[QLabel, QPushButton, QPlainTextEdit]:
    """A dialog's status line (wrapped, selectable to copy) and the technical detail behind
    a checkable `details_label` button: a failure reads as a sentence, and the service's code
    and words wait one click away. The button and the detail start hidden; the caller lays
    them out and shows the button when there is detail to show."""
    status = QLabel(parent)
    status.setWordWrap(True)
    status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    button = QPushButton(details_label, parent)
    button.setCheckable(True)
    button.hide()
    details = QPlainTextEdit(parent)
    details.setReadOnly(True)
    details.setMaximumHeight(details_height)
    details.hide()
    button.toggled.connect(details.setVisible)
    return status, button, details


def place_on_screen(dialog: QWidget, anchor: QWidget | None = None) -> None:
    """Centre a shown dialog over its window, and keep all of it on that window's screen
    (shrunk to fit if need be): a dialog half off the screen cannot be read or closed.
    Qt centres on the parent only when it can, and not after the dialog grows."""
    anchor = anchor or dialog.parentWidget()
    window = anchor.window() if anchor is not None else None
    screen = (window.screen() if window is not None else None) or dialog.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    frame = dialog.frameGeometry()
    extra_w, extra_h = frame.width() - dialog.width(), frame.height() - dialog.height()
    width, height = min(frame.width(), area.width()), min(frame.height(), area.height())
    if (width, height) != (frame.width(), frame.height()):
        dialog.resize(width - extra_w, height - extra_h)
    centre = window.frameGeometry().center() if window is not None and window.isVisible() else area.center()
    rect = QRect(QPoint(0, 0), frame.size().boundedTo(area.size()))
    rect.moveCenter(centre)
    x = max(area.left(), min(rect.left(), area.right() - rect.width() + 1))
    y = max(area.top(), min(rect.top(), area.bottom() - rect.height() + 1))
    dialog.move(x, y)


async def show(dialog: QDialog) -> int:
    """Open `dialog` window-modal and wait for it to close; returns its result code."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(done)
    dialog.open()
    place_on_screen(dialog)
    try:
        return await future
    finally:
        dialog.finished.disconnect(done)


async def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton,
    *,
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.NoButton,
    informative: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    labels: dict[QMessageBox.StandardButton, str] | None = None,
    details: str = "",
) -> QMessageBox.StandardButton:
    """A message box; returns the standard button the user pressed (Escape = the escape
    button Qt picks, usually Cancel/No). `labels` renames buttons so they say what they do
    ("Stop and quit", not "Yes"); `details` (technical text) goes behind "Show Details…"."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setObjectName("captioner-question")
    if informative:
        box.setInformativeText(informative)
    if details:
        box.setDetailedText(details)
    for button, label in (labels or {}).items():
        widget = box.button(button)
        if widget is not None:
            widget.setText(label)
    if default != QMessageBox.StandardButton.NoButton:
        box.setDefaultButton(default)
    await show(box)
    clicked = box.clickedButton()
    result = box.standardButton(clicked) if clicked is not None else QMessageBox.StandardButton.Cancel
    box.deleteLater()
    return result


async def choose_save_path(parent: QWidget | None, title: str, path: str, filters: list[str]) -> tuple[str, str]:
    """(path, chosen filter), or ("", "") if cancelled."""
    dialog = QFileDialog(parent, title, path, ";;".join(filters))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    if path:
        dialog.selectFile(path)
    result = await show(dialog)
    chosen = dialog.selectedFiles()[0] if result == QDialog.DialogCode.Accepted and dialog.selectedFiles() else ""
    selected_filter = dialog.selectedNameFilter()
    dialog.deleteLater()
    return chosen, selected_filter if chosen else ""


async def choose_open_path(parent: QWidget | None, title: str, folder: str, filters: list[str]) -> str:
    dialog = QFileDialog(parent, title, folder, ";;".join(filters))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    result = await show(dialog)
    chosen = dialog.selectedFiles()[0] if result == QDialog.DialogCode.Accepted and dialog.selectedFiles() else ""
    dialog.deleteLater()
    return chosen


async def choose_folder(parent: QWidget | None, title: str, folder: str) -> str:
    """An existing folder, or "" if cancelled."""
    dialog = QFileDialog(parent, title, folder)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    result = await show(dialog)
    chosen = dialog.selectedFiles()[0] if result == QDialog.DialogCode.Accepted and dialog.selectedFiles() else ""
    dialog.deleteLater()
    return chosen


async def choose_color(parent: QWidget | None, title: str, color: QColor) -> QColor:
    """The colour picked, or an invalid QColor if cancelled."""
    dialog = QColorDialog(color, parent)
    dialog.setWindowTitle(title)
    result = await show(dialog)
    chosen = dialog.selectedColor() if result == QDialog.DialogCode.Accepted else QColor()
    dialog.deleteLater()
    return chosen
