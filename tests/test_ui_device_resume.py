"""A live input that comes back resumes by itself: the sound server restarts (as PulseAudio
does after a crash, an update or `pulseaudio -k`) while the window is captioning, and
capture carries on, on the same clock and transcript, with nobody pressing anything."""

from __future__ import annotations

import pytest

from captioner.pipeline import SessionState
from captioner.ui import settings_sync, sources
from captioner.ui.choices import SourceChoice
from pulse import PulseServer, start_server
from test_ui_session import Scripted, until, window_with
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.timeout(120)


def test_capture_resumes_when_the_sound_server_comes_back(qtbot, qloop, ui_store, tmp_path, monkeypatch):
    from captioner.audio import devices

    root = tmp_path / "pulse"
    server = start_server(root)
    monkeypatch.setenv("PULSE_SERVER", server.address)
    monkeypatch.setattr(settings_sync, "RESUME_POLL_S", 0.3)
    devices.rescan()  # PortAudio lists the ALSA `pulse` device only if a server answered at init
    ui_store.set_source_choice(SourceChoice(kind="microphone", device="mic"))
    window = window_with(qtbot, ui_store, Scripted(final_every=1000))
    window.source_picker.set_inputs(sources.list_inputs(refresh=True))
    assert window.source_picker.choice() == SourceChoice(kind="microphone", device="mic")
    restarted: list[PulseServer] = []

    async def scenario():
        await window.start_captions()
        await until(lambda: window.controller.state is SessionState.LISTENING, timeout=20, what="listening")
        session = window.controller.session
        await until(lambda: session.position_ms >= 500, timeout=20, what="audio from the mic")
        server.kill()  # the sound server goes away...
        await until(lambda: window.controller.state is SessionState.ERROR, timeout=20, what="the input failing")
        failed_at = session.position_ms
        restarted.append(PulseServer(root).start())  # ...and comes back, at the same address
        await until(lambda: window.controller.state is SessionState.LISTENING, timeout=30, what="capture resuming")
        await until(lambda: session.position_ms >= failed_at + 500, timeout=20, what="audio after the restart")
        assert window.controller.session is session  # the same session, clock and transcript
        window.stop_captions()
        await until(lambda: not window.controller.running, timeout=20, what="stopped")

    try:
        qloop.run_until_complete(scenario())
    finally:
        for s in (server, *restarted):
            s.stop()
