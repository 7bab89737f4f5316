"""Recovery in the window: the sentence being spoken at a crash comes back marked as
unfinished, the dialog shows its entries whole (sized to them, scrolling beyond), and
sessions already dismissed stay reachable from File → Recover earlier session…."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QApplication

from captioner.events import Sentence
from captioner.transcript.journal import Journal, list_sessions
from captioner.ui import recovery
from test_ui_session import Scripted, until, window_with
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.timeout(120, method="thread")

LONG = "and this sentence goes on for quite a while without the speaker ever pausing for breath at all"


def crashed(*finals: str, partial: str = "") -> Journal:
    journal = Journal.create({"engine": "local", "source": "microphone default"})
    for i, text in enumerate(finals):
        journal.append(Sentence(text, i * 2000, i * 2000 + 1500, True, sentence_id=i + 1))
    if partial:
        journal.append_partial(Sentence(partial, len(finals) * 2000, len(finals) * 2000 + 1200, False, sentence_id=99))
    journal.close(finished=False)  # as if the app had crashed
    return journal


def shown(title: str):
    for w in QApplication.topLevelWidgets():
        if w.isVisible() and w.windowTitle() == title:
            return w
    return None


def test_the_sentence_being_spoken_at_a_crash_is_recovered_marked_unfinished(qtbot, qloop, ui_store):
    crashed("First sentence.", partial="The second one was cut")
    window = window_with(qtbot, ui_store, Scripted())

    async def scenario():
        task = asyncio.ensure_future(window.recover_unfinished())
        await until(lambda: shown("Recover captions") is not None, what="the recovery dialog")
        dialog = shown("Recover captions")
        assert "unfinished" in dialog.list.item(0).text()
        dialog.recover_button.click()
        await task

    qloop.run_until_complete(scenario())
    texts = [s.text for s in window.transcript.sentences()]
    assert texts == ["First sentence.", "The second one was cut … [unfinished]"]
    assert "cut off" in window.status.currentMessage()


def test_the_recovery_dialog_shows_whole_entries_and_scrolls_beyond_the_screen(qtbot, qloop, ui_store):
    for n in range(3):
        crashed(f"Session {n}.", LONG)
    window = window_with(qtbot, ui_store, Scripted())
    window.show()
    dialog = recovery.RecoveryDialog(recovery.unfinished_sessions(), window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    viewport = dialog.list.viewport().rect()
    for row in range(dialog.list.count()):
        rect = dialog.list.visualItemRect(dialog.list.item(row))
        needed = dialog.list.fontMetrics().horizontalAdvance(dialog.list.item(row).text().split("\n")[-1])
        assert needed <= viewport.width(), "the last words are clipped"
        assert rect.height() >= 2 * dialog.list.fontMetrics().lineSpacing()  # both lines
    assert dialog.list.verticalScrollBar().maximum() == 0  # three fit without scrolling

    many = [info for info in recovery.unfinished_sessions()] * 40
    big = recovery.RecoveryDialog(many, window)
    qtbot.addWidget(big)
    big.show()
    area = window.screen().availableGeometry()
    assert big.height() <= area.height() and big.width() <= area.width()
    assert big.list.verticalScrollBar().maximum() > 0  # the rest scrolls


def test_a_dismissed_session_can_be_opened_from_the_file_menu(qtbot, qloop, ui_store):
    journal = crashed("Kept on disk.", "Even when dismissed.")
    window = window_with(qtbot, ui_store, Scripted())
    file_menu = window.menuBar().actions()[0].menu()
    assert window.commands.recover_earlier in file_menu.actions()

    async def scenario():
        task = asyncio.ensure_future(window.recover_unfinished())
        await until(lambda: shown("Recover captions") is not None)
        shown("Recover captions").dismiss_button.click()
        await task
        assert all(s.finished for s in list_sessions()) and recovery.unfinished_sessions() == []
        window.commands.recover_earlier.trigger()
        await until(lambda: shown("Recover earlier session") is not None, what="the earlier-sessions dialog")
        dialog = shown("Recover earlier session")
        assert dialog.list.count() == 1 and "Even when dismissed." in dialog.list.item(0).text()
        assert not dialog.dismiss_button.isVisible()
        dialog.recover_button.click()
        await until(lambda: window.transcript.model.rowCount() == 2, what="the session in the transcript")

    qloop.run_until_complete(scenario())
    assert [s.text for s in window.transcript.sentences()] == ["Kept on disk.", "Even when dismissed."]
    assert journal.path.exists()
