"""Caption a file from the window with the cloud engine (#17 item 1): the file job sends an
Ogg Opus file as its own packets, not decoded PCM, to `captioner serve` (the on-device
engine standing in for the cloud), and the subtitles hold what was said."""

from __future__ import annotations

import asyncio

import pytest
import srt

from captioner.server.realtime import DashScopeServer
from captioner.settings import RecognitionSettings
from captioner.testing.encode import encode
from captioner.testing.speech import utterances, wer
from captioner.ui.choices import EngineChoice
from test_ui_session import until, window_with
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180, method="thread")]

SAID = "Please turn off the lights in the kitchen."


def test_caption_a_file_sends_an_opus_file_as_it_is(qtbot, qloop, ui_store, tmp_path) -> None:
    from captioner.recognition.local.whisper import LocalRecognizer

    samples, _ = utterances([300, SAID, 1500])
    media = tmp_path / "note.opus"
    media.write_bytes(encode(samples, "opus"))
    window = window_with(qtbot, ui_store)
    server = DashScopeServer(LocalRecognizer())
    qloop.run_until_complete(server.start())
    try:
        engine = EngineChoice(engine="dashscope", region="cn", url=server.url)
        out = tmp_path / "note.srt"

        async def scenario():
            dialog = window.file_captioning.start(
                media, out, engine, RecognitionSettings(language_hints=("en",)), "", None
            )
            await until(lambda: not dialog.job.running, timeout=120, what="the file job to finish")
            await asyncio.sleep(0.1)
            return dialog

        dialog = qloop.run_until_complete(scenario())
        assert "Saved" in dialog.status.text(), dialog.status.text() + dialog.details.toPlainText()
        run_task = list(server.run_tasks.values())[-1]
        assert (run_task.parameters["format"], run_task.parameters["sample_rate"]) == ("opus", 16000)
        assert server.stats.audio_bytes < len(samples) * 2 / 4  # a fraction of the PCM
        cues = list(srt.parse(out.read_text()))
        assert wer(SAID, " ".join(c.content for c in cues)) <= 0.25
        assert abs(cues[0].start.total_seconds() - 0.3) <= 0.3
        dialog.close()
    finally:
        qloop.run_until_complete(server.stop())
