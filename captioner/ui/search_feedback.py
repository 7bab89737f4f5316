"""Says when a transcript search finds nothing: the filtered list is then empty, which
must not look like an empty transcript (or a broken search)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from captioner.ui.transcript_view import TranscriptView

translate = QCoreApplication.translate


def follow_search(transcript: TranscriptView, say: Callable[[str, int], None], clear: Callable[[], None]) -> None:
    """After each change of the search text (the view filters first: it connected first),
    `say` that nothing matched, or `clear` the message."""

    def feedback(text: str) -> None:
        if text.strip() and transcript.proxy.rowCount() == 0:
            say(translate("MainWindow", "No sentence contains “%1”.").replace("%1", text.strip()), 8000)
        else:
            clear()

    transcript.search.textChanged.connect(feedback)
