"""Help for when something is wrong: the start-up checks' box, the diagnostics report for
a bug report, and the log folder.

Everything slow (reading devices, loading libraries) runs off the GUI thread; the
start-up box opens without blocking anything. The words keep the "MainWindow" translation
context they had when the window did this itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from captioner import logs, preflight
from captioner.ui import dialogs
from captioner.ui.choices import EngineChoice

log = logging.getLogger(__name__)
translate = QCoreApplication.translate


#: What a start-up problem is about: the sound library, or the on-device model.
SOUND, MODEL = "sound", "model"


async def startup_problems(engine: EngineChoice) -> list[tuple[str, str]]:
    """What will not work, as (SOUND or MODEL, the check's own words): sound devices, and
    (for the on-device engine) the model."""

    def check() -> list[tuple[str, str]]:
        found = [(SOUND, preflight.check_portaudio())]
        if not engine.cloud:
            found.append((MODEL, preflight.check_model(engine.model_dir or None)))
        return [(kind, text) for kind, text in found if text]

    return await asyncio.to_thread(check)


def problem_sentence(kind: str) -> str:
    """A start-up problem in the user's language, saying what to do; the check's own words
    (English, with the install command to run) are the box's details."""
    if kind == SOUND:
        return translate(
            "MainWindow",
            "Sound devices cannot be used: the audio library (PortAudio) is missing or not working. Install it "
            "with the command under Show Details, then start Captioner again.",
        )
    return translate(
        "MainWindow",
        "The on-device speech model is missing or cannot be read. Choose a model folder on the Engine tab, or use "
        "Alibaba Cloud.",
    )


def open_problems_box(problems: list[tuple[str, str]], parent: QWidget | None) -> QMessageBox:
    """Show the start-up problems window-modally, without waiting for an answer."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        translate("MainWindow", "Captioner needs attention"),
        translate("MainWindow", "Some features will not work until this is fixed:"),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("captioner-preflight")
    box.setInformativeText(
        "\n\n".join(problem_sentence(kind) for kind, _text in problems)
        + "\n\n"
        + translate("MainWindow", "You can still caption media files and play the demo, or use Alibaba Cloud.")
    )
    box.setDetailedText("\n\n".join(text for _kind, text in problems))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # not awaited: the app goes on
    dialogs.place_on_screen(box, parent)
    return box


async def copy_diagnostics(model_dir: str | None) -> str:
    """The diagnostics report (gathered off the GUI thread), put on the clipboard."""
    try:
        text = await asyncio.to_thread(logs.diagnostics, model_dir=model_dir)
    except Exception as exc:  # a report about problems must not become one
        log.exception("diagnostics failed")
        text = f"diagnostics failed: {type(exc).__name__}: {exc}"
    QApplication.clipboard().setText(text)
    return text


def open_log_folder() -> tuple[bool, str]:
    """Open the log folder in the file manager: (whether it opened, the folder)."""
    folder = logs.log_dir()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))), str(folder)


async def prune_sessions(days: int) -> int:
    """Delete finished sessions' journals older than `days` (0: keep them all), off the GUI
    thread; how many went."""
    if not days:
        return 0
    from captioner.transcript.journal import prune

    try:
        return len(await asyncio.to_thread(prune, keep_days=days))
    except OSError:
        log.warning("could not prune old sessions", exc_info=True)
        return 0
