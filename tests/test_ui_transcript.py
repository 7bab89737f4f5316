"""The transcript view: model/view for long sessions, search, copy with times, export."""

import srt
from PySide6.QtCore import QAbstractListModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QTableView

from captioner.events import Sentence
from captioner.ui.transcript_model import TimeTextRole, TranscriptModel, clock, line_with_times
from captioner.ui.transcript_view import TranscriptView, format_for
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)


def final(i: int, text: str | None = None) -> Sentence:
    return Sentence(text or f"sentence number {i}", i * 2000, i * 2000 + 1500, True, sentence_id=i + 1)


def test_ten_thousand_finals_are_ten_thousand_row_insertions(qtbot):
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    inserted = []
    view.model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    for i in range(10_000):
        view.add_final(final(i))
    assert view.model.rowCount() == 10_000 and view.proxy.rowCount() == 10_000
    assert len(inserted) == 10_000 and inserted[-1] == (9999, 9999)  # one row per final, no resets
    assert isinstance(view.model, QAbstractListModel) and isinstance(view.list, QTableView)
    assert view.list.model() is view.proxy and view.proxy.sourceModel() is view.model
    assert view.unsaved == 10_000
    assert view.count_label.text() == "10000 sentence(s)"
    # The list follows the newest final.
    qtbot.waitUntil(
        lambda: view.list.viewport().rect().contains(view.list.visualRect(view.proxy.index(9999, 0))), timeout=5000
    )


def test_display_and_roles(qtbot):
    model = TranscriptModel()
    model.append(Sentence("Hello there.", 3_723_400, 3_725_000, True))
    index = model.index(0, 0)
    assert index.data() == "Hello there."
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "[01:02:03.400 --> 01:02:05.000] Hello there."
    assert model.rowCount(index) == 0  # a list: no children
    assert model.data(model.index(5, 0)) is None
    assert clock(59_999) == "00:00:59"


def test_search_filters_rows_case_insensitively(qtbot):
    view = TranscriptView()
    qtbot.addWidget(view)
    for i, text in enumerate(["The quick brown fox", "jumps over", "the LAZY dog", "Fox again"]):
        view.add_final(final(i, text))
    qtbot.keyClicks(view.search, "fox")
    assert [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())] == ["The quick brown fox", "Fox again"]
    view.add_final(final(9, "a late fox"))  # new finals are filtered live too
    assert view.proxy.rowCount() == 3
    view.search.clear()
    assert view.proxy.rowCount() == 5


def test_ctrl_c_copies_the_selected_lines_with_times(qtbot):
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    for i in range(5):
        view.add_final(final(i))
    view.select_rows(1, 2)
    QGuiApplication.clipboard().clear()
    view.list.setFocus()
    qtbot.keySequence(view.list, QKeySequence(QKeySequence.StandardKey.Copy))
    expected = "\n".join(line_with_times(final(i)) for i in (1, 2))
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == expected, timeout=2000)
    assert expected.startswith("[00:00:02.000 --> 00:00:03.500] sentence number 1")


def test_copy_follows_the_filter(qtbot):
    view = TranscriptView()
    qtbot.addWidget(view)
    for i in range(6):
        view.add_final(final(i, "odd" if i % 2 else "even"))
    view.search.setText("odd")
    view.select_rows(0, 2)
    assert view.copy_selection().count("odd") == 3 and "even" not in view.copy_selection()


def test_partial_is_shown_under_the_list_and_cleared_by_a_final(qtbot):
    view = TranscriptView()
    qtbot.addWidget(view)
    view.set_partial("being spo")
    view.set_partial("being spoken")
    assert view.partial_label.text() == "being spoken" and view.model.rowCount() == 0
    view.add_final(final(0, "being spoken now"))
    assert view.partial_label.text() == "" and view.model.rowCount() == 1


def test_export_formats(qtbot, qloop, ui_store, tmp_path):
    from captioner.ui.main_window import MainWindow

    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    for i in range(3):
        window.transcript.add_final(final(i, f"line {i}"))
    for fmt in ("srt", "vtt", "txt", "json"):
        assert qloop.run_until_complete(window.export_to(str(tmp_path / "out"), fmt))
    subs = list(srt.parse((tmp_path / "out.srt").read_text()))
    assert [s.content for s in subs] == ["line 0", "line 1", "line 2"]
    assert subs[1].start.total_seconds() == 2.0
    assert (tmp_path / "out.vtt").read_text().startswith("WEBVTT")
    assert (tmp_path / "out.txt").read_text() == "line 0\nline 1\nline 2\n"
    assert '"text": "line 2"' in (tmp_path / "out.json").read_text()
    assert window.transcript.unsaved == 0
    assert format_for("a.vtt") == "vtt" and format_for("noext", "Plain text (*.txt)") == "txt"


def test_a_gap_is_a_row_in_its_place_and_is_exported(qtbot):
    from captioner.events import Gap
    from captioner.transcript.export import to_txt

    view = TranscriptView()
    qtbot.addWidget(view)
    view.add_final(final(0))
    view.add_final(final(2))  # begins at 4000: the engine finished it before the gap came
    view.add_gap(Gap(3000, 1500))
    rows = [view.model.index(r, 0) for r in range(view.model.rowCount())]
    assert [i.data() for i in rows] == ["sentence number 0", "[not captioned: 1.5 s]", "sentence number 2"]
    assert rows[1].data(TimeTextRole) == "00:00:03"
    assert view.count_label.text() == "2 sentence(s)"
    view.select_rows(1, 1)
    assert view.copy_selection() == "[00:00:03.000] [not captioned: 1.5 s]"
    assert "[not captioned: 1.5 s]" in to_txt(view.sentences())
    view.load(view.sentences())  # a recovered session with gaps
    assert view.model.rowCount() == 3 and view.count_label.text() == "2 sentence(s)"


def _python_calls_per_update(qtbot, monkeypatch, rows: int) -> int:
    """Python calls the view makes (row measuring, model queries) for ten partials and a
    final, each followed by an event-loop turn, after `rows` finals."""
    from captioner.ui.transcript_view import SentenceDelegate

    calls = [0]
    counting = [False]
    for cls, name in ((SentenceDelegate, "sizeHint"), (TranscriptModel, "rowCount"), (TranscriptModel, "data")):
        original = getattr(cls, name)

        def counted(self, *args, _original=original):
            calls[0] += counting[0]
            return _original(self, *args)

        monkeypatch.setattr(cls, name, counted)  # before the view exists: Qt binds it then
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    view.model.extend([final(i) for i in range(rows)])
    qtbot.wait(300)  # the first layout, scrolling, a remeasure after showing: all done
    counting[0] = True
    for k in range(10):
        view.set_partial("word " * (k + 1))
        qtbot.wait(1)
    view.add_final(final(rows, "the newest final"))
    qtbot.wait(50)
    counting[0] = False
    monkeypatch.undo()
    return calls[0]


def test_a_partial_and_a_final_cost_the_same_at_hour_twelve_as_at_hour_zero(qtbot, monkeypatch):
    """Issue #19: a partial at hour 12 cost 1.8x hour 0, because each final made the view
    measure every row again (spread over the following partials' event-loop turns)."""
    early = _python_calls_per_update(qtbot, monkeypatch, 50)
    late = _python_calls_per_update(qtbot, monkeypatch, 10_000)
    assert late <= early * 1.2 + 20, (early, late)  # measured: 342 and 342 (before: 543 and 24 609)


def test_rows_wrap_and_are_measured_again_when_the_width_changes(qtbot):
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.add_final(final(0, "short"))
    view.add_final(final(1, "a much longer sentence that has to wrap onto more lines in a narrow view like this"))
    narrow = [view.list.rowHeight(r) for r in range(2)]
    assert narrow[1] > narrow[0]  # wrapped
    view.resize(1400, 300)
    qtbot.waitUntil(lambda: view.list.rowHeight(1) == view.list.rowHeight(0), timeout=2000)
