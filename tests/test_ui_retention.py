"""Finished sessions' journals are kept or pruned by the user's setting; unfinished ones stay
for recovery."""

from __future__ import annotations

import asyncio
import json
import os
import time

from captioner.events import Sentence
from captioner.transcript.journal import Journal, list_sessions
from captioner.ui.main_window import MainWindow
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)


def make_journal(text: str, *, finished: bool, age_days: float) -> None:
    journal = Journal.create({"engine": "local"})
    journal.append(Sentence(text, 0, 1000, final=True))
    journal.close(finished=finished)
    old = time.time() - age_days * 86400
    os.utime(journal.path, (old, old))
    # The start time recorded in the journal's head line is what counts; rewrite it.
    lines = journal.path.read_text().splitlines()
    head = json.loads(lines[0])
    head["started"] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(old))
    journal.path.write_text("\n".join([json.dumps(head), *lines[1:]]) + "\n")


def test_old_finished_sessions_are_pruned_by_the_setting_and_unfinished_kept(qtbot, qloop, ui_store):
    assert ui_store.keep_sessions_days() == 30  # the default
    make_journal("old and finished", finished=True, age_days=40)
    make_journal("old but never finished", finished=False, age_days=40)
    make_journal("recent and finished", finished=True, age_days=2)
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)

    removed = qloop.run_until_complete(asyncio.wait_for(window.prune_sessions(), 10))
    assert removed == 1
    assert sorted(s.last_text for s in list_sessions()) == ["old but never finished", "recent and finished"]

    ui_store.set_keep_sessions_days(0)  # "Forever"
    make_journal("another old one", finished=True, age_days=400)
    assert qloop.run_until_complete(window.prune_sessions()) == 0
    assert len(list_sessions()) == 3
