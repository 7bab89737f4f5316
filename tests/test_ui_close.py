"""Closing the window while captioning asks first, and Cancel really cancels: the session,
the overlay and the journal carry on as if nothing had been asked."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QMessageBox

from test_ui_session import Scripted, live_source, until, visible_box, window_with  # noqa: F401  (fixture)
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.timeout(120, method="thread")

QUESTION = "Stop captioning and quit?"


def test_cancel_on_stop_and_quit_keeps_everything_running(qtbot, qloop, ui_store, live_source):
    window = window_with(qtbot, ui_store, Scripted(final_every=3))
    window.show()

    async def scenario():
        await window.start_captions()
        await until(lambda: window.transcript.model.rowCount() >= 1, what="a final")
        window.overlay_action.setChecked(True)
        journal = window.controller.journal
        window.close()
        await until(lambda: visible_box(QUESTION) is not None, what="the stop-and-quit question")
        box = visible_box(QUESTION)
        assert box.button(QMessageBox.StandardButton.Yes).text() == "Stop and quit"
        rows = window.transcript.model.rowCount()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await asyncio.sleep(0.3)
        assert window.isVisible() and window.overlay.isVisible()
        assert window.controller.running and not live_source[0].closed
        assert window.controller.journal is journal and not journal.closed
        await until(lambda: window.transcript.model.rowCount() > rows + 2, what="more finals after Cancel")
        assert window.start_button.text() == "Stop"

        window.close()  # and this time quit
        await until(lambda: visible_box(QUESTION) is not None)
        visible_box(QUESTION).button(QMessageBox.StandardButton.Yes).click()
        await until(lambda: visible_box("Save the transcript?") is not None, what="the save question")
        assert not window.controller.running
        visible_box("Save the transcript?").button(QMessageBox.StandardButton.Discard).click()
        await until(lambda: not window.isVisible(), what="the window to close")

    qloop.run_until_complete(scenario())


def test_closing_while_idle_asks_nothing_about_stopping(qtbot, qloop, ui_store):
    window = window_with(qtbot, ui_store)
    window.show()

    async def scenario():
        window.close()
        await until(lambda: not window.isVisible(), what="the window to close")
        assert visible_box(QUESTION) is None

    qloop.run_until_complete(scenario())
