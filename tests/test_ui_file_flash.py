"""Caption a file with Fun-ASR-Flash from the window (#17 item 3): with the cloud engine the
window offers the synchronous call and an optional context file; the on-device engine asks
nothing. End to end, the window's file job sends the file and the context to `captioner
serve`'s REST server (the on-device engine, standing in for the cloud) and writes the
subtitles: the made-up name in the context file comes out right."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QMessageBox

from captioner.server.rest import RestServer
from captioner.settings import RecognitionSettings
from captioner.testing.speech import utterances, write_wav
from captioner.ui.choices import EngineChoice
from captioner.ui.file_job import FlashChoice
from test_ui_session import until, window_with
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.timeout(180, method="thread")

CLOUD = EngineChoice(engine="dashscope", region="cn")
Buttons = QMessageBox.StandardButton


def test_the_on_device_engine_is_not_asked_about_flash(qtbot, qloop, ui_store, monkeypatch) -> None:
    window = window_with(qtbot, ui_store)

    async def ask(*args, **kwargs):
        raise AssertionError("no question for the on-device engine")

    monkeypatch.setattr("captioner.ui.dialogs.ask", ask)
    assert qloop.run_until_complete(window.file_captioning.choose_flash(EngineChoice())) == (True, None)


@pytest.mark.parametrize(
    ("pressed", "context", "expected"),
    [
        (Buttons.Yes, "/notes/terms.txt", (True, FlashChoice("/notes/terms.txt"))),
        (Buttons.Yes, "", (True, FlashChoice(""))),  # no context file: the call without context
        (Buttons.No, "", (True, None)),  # the realtime model
        (Buttons.Cancel, "", (False, None)),  # nothing is captioned
    ],
)
def test_the_cloud_engine_offers_flash_and_a_context_file(
    qtbot, qloop, ui_store, monkeypatch, pressed, context, expected
) -> None:
    window = window_with(qtbot, ui_store)
    asked: list[str] = []

    async def ask(parent, title, text, buttons, **kwargs):
        asked.append(text)
        assert set(kwargs["labels"]) == {Buttons.Yes, Buttons.No}
        return pressed

    async def choose(parent, title, folder, filters):
        return context

    monkeypatch.setattr("captioner.ui.dialogs.ask", ask)
    monkeypatch.setattr("captioner.ui.dialogs.choose_open_path", choose)
    assert qloop.run_until_complete(window.file_captioning.choose_flash(CLOUD)) == expected
    assert asked == ["Caption this file with Fun-ASR-Flash?"]


@pytest.mark.slow
def test_a_file_with_a_context_file_through_our_server(qtbot, qloop, ui_store, tmp_path) -> None:
    from captioner.recognition.local.whisper import LocalRecognizer

    samples, _ = utterances([300, "Our new product is called Zorvexa and it ships next month.", 1500])
    media = write_wav(tmp_path / "launch.wav", samples)
    context = tmp_path / "terms.txt"
    context.write_text("Zorvexa, Quintarello, Belmondex Prime", encoding="utf-8")
    window = window_with(qtbot, ui_store)
    server = RestServer(LocalRecognizer(), token="sk-window")
    qloop.run_until_complete(server.start())
    try:
        engine = EngineChoice(engine="dashscope", region="cn", url=server.url)
        out = tmp_path / "launch.srt"

        async def scenario():
            dialog = window.file_captioning.start(
                media, out, engine, RecognitionSettings(), "sk-window", FlashChoice(str(context))
            )
            await until(lambda: not dialog.job.running, timeout=120, what="the call to finish")
            await asyncio.sleep(0.1)
            return dialog

        dialog = qloop.run_until_complete(scenario())
        assert "Saved" in dialog.status.text(), dialog.status.text() + dialog.details.toPlainText()
        text = out.read_text()
        assert "-->" in text and "Zorvexa" in text
        assert "Quintarello" not in text and "Belmondex" not in text
        dialog.close()
    finally:
        qloop.run_until_complete(server.stop())


@pytest.mark.parametrize(("pressed", "expected"), [(Buttons.Yes, [FlashChoice("/notes.txt")]), (Buttons.Cancel, [])])
def test_caption_a_file_asks_after_the_subtitle_path(qtbot, qloop, ui_store, monkeypatch, pressed, expected) -> None:
    """The window's "Caption a file…" (and a dropped file): where the subtitles go, then the
    flash question, then the job with the choice (none when cancelled)."""
    window = window_with(qtbot, ui_store)
    monkeypatch.setattr(window, "engine_choice", lambda: CLOUD)
    started: list = []
    monkeypatch.setattr(window, "caption_file_to", lambda media, srt, flash=None: started.append(flash))

    async def srt(media):
        return "/out/talk.srt"

    async def ask(*args, **kwargs):
        return pressed

    async def choose(*args):
        return "/notes.txt"

    monkeypatch.setattr(window.file_captioning, "choose_srt", srt)
    monkeypatch.setattr("captioner.ui.dialogs.ask", ask)
    monkeypatch.setattr("captioner.ui.dialogs.choose_open_path", choose)
    qloop.run_until_complete(window._caption("/media/talk.mp4"))
    assert started == expected
