"""The window driving real CaptionSessions on the qasync loop: states, captions reaching the
overlay and the transcript, stopping without losing the last final, errors as dialogs.

Pure state tests use a tiny scripted recognizer defined here; the tests marked `slow` run
the real on-device engine on real recorded speech through the real MediaSource.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
import srt
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from captioner.audio.frames import AudioFrame, AudioSource, AudioSourceError
from captioner.events import Gap, RecognitionError, Sentence
from captioner.pipeline import CaptionSession, SessionState
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings
from captioner.testing.speech import GOFORWARD_TEXT, read_wav, silence, wer, write_wav
from captioner.testing.waiting import until
from captioner.ui import sources
from captioner.ui.choices import EngineChoice, SourceChoice
from captioner.ui.engine_host import EngineHost
from captioner.ui.main_window import MainWindow
from captioner.ui.session_adapter import SessionAdapter
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

# A hang under qasync never returns to Python, so the signal-based timeout cannot fire.
pytestmark = pytest.mark.timeout(120, method="thread")

TONE_100MS = (np.sin(np.arange(1600) / 5) * 8000).astype("<i2").tobytes()


class Live(AudioSource):
    """A microphone stand-in: 100 ms frames every `delay` s until closed (or `count`)."""

    def __init__(self, count: int | None = None, delay: float = 0.01, fail_after: int | None = None) -> None:
        self.count, self.delay, self.fail_after = count, delay, fail_after
        self.closed = False

    def close(self) -> None:
        self.closed = True

    async def frames(self):
        i = 0
        while not self.closed and (self.count is None or i < self.count):
            if self.fail_after is not None and i == self.fail_after:
                raise AudioSourceError("the microphone was unplugged")
            await asyncio.sleep(self.delay)
            yield AudioFrame(TONE_100MS, i * 100)
            i += 1


class Words(RecognitionSession):
    """A partial per frame (growing word list), a final every `final_every` frames; the last
    final arrives `finish_delay` s after finish(), like an engine finishing a decode."""

    def __init__(self, final_every: int, finish_delay: float) -> None:
        super().__init__()
        self.final_every, self.finish_delay = final_every, finish_delay
        self.words: list[str] = []
        self.begin = None
        self.sentences = 0

    async def push(self, frame):
        self.begin = frame.start_ms if self.begin is None else self.begin
        self.words.append(f"w{frame.start_ms // 100}")
        final = len(self.words) == self.final_every
        self._emit(Sentence(" ".join(self.words), self.begin, frame.end_ms, final))
        if final:
            self.words, self.begin = [], None
            self.sentences += 1
        self.end_ms = frame.end_ms

    async def finish(self):
        await asyncio.sleep(self.finish_delay)
        if self.words:
            self._emit(Sentence(" ".join(self.words) + " (last)", self.begin, self.end_ms, True))
        self._end()


class Scripted(Recognizer):
    name = "scripted"

    def __init__(self, final_every=5, finish_delay=0.0, fail: RecognitionError | None = None):
        self.final_every, self.finish_delay, self.fail = final_every, finish_delay, fail

    async def start(self, settings):
        if self.fail:
            raise self.fail
        return Words(self.final_every, self.finish_delay)


class FixedEngines(EngineHost):
    """Hands the window a given recognizer instead of building the configured one."""

    def __init__(self, recognizer: Recognizer) -> None:
        super().__init__()
        self.fixed = recognizer

    async def recognizer(self, choice, api_key="", settings=None):
        return self.fixed


def visible_box(title: str | None = None) -> QMessageBox | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible() and (title is None or title in w.windowTitle()):
            return w
    return None


async def stop_and_quit() -> None:
    """Answer "Stop captioning and quit?" (asked when closing while captioning) with Yes."""
    await until(lambda: visible_box("Stop captioning and quit?") is not None, what="the stop-and-quit question")
    visible_box("Stop captioning and quit?").button(QMessageBox.StandardButton.Yes).click()


def window_with(qtbot, store, recognizer: Recognizer | None = None) -> MainWindow:
    window = MainWindow(
        store, engines=FixedEngines(recognizer) if recognizer else None, use_tray=False, quit_on_close=False
    )
    qtbot.addWidget(window)
    qtbot.addWidget(window.overlay)
    window._listed = True
    window.source_picker.set_inputs(sources.InputList(microphones=[sources.DeviceEntry("mic", "Virtual mic", True)]))
    return window


@pytest.fixture
def live_source(monkeypatch):
    """Make the window's microphone a Live source (and remember the ones it opened)."""
    opened: list[Live] = []

    def open_source(choice, **kw):
        opened.append(Live(**kw) if kw else Live())
        return opened[-1]

    monkeypatch.setattr(sources, "open_source", open_source)
    return opened


# -- the adapter ------------------------------------------------------------------------------


def test_adapter_turns_session_events_into_signals(qtbot, qloop):
    session = CaptionSession(Live(count=12, delay=0), Scripted(final_every=5), RecognitionSettings())
    adapter = SessionAdapter()
    adapter.attach(session)
    got = {"partial": [], "final": [], "state": [], "position": []}
    adapter.partial.connect(lambda s: got["partial"].append(s.text))
    adapter.final.connect(lambda s: got["final"].append(s.text))
    adapter.state_changed.connect(lambda st, d: got["state"].append(st))
    adapter.position.connect(got["position"].append)
    qloop.run_until_complete(session.run())
    assert got["state"] == [SessionState.STARTING, SessionState.LISTENING, SessionState.STOPPED]
    assert got["final"] == ["w0 w1 w2 w3 w4", "w5 w6 w7 w8 w9", "w10 w11 (last)"]
    assert got["partial"][:2] == ["w0", "w0 w1"]
    assert got["position"] == [100 * (i + 1) for i in range(12)]
    adapter.detach()  # a detached session's events are ignored
    session._publish(Sentence("late", 0, 1, True))
    assert got["final"][-1] == "w10 w11 (last)"


def test_a_gap_reaches_the_transcript_view_in_the_window(qtbot, ui_store):
    window = window_with(qtbot, ui_store, Scripted(final_every=5))
    window.controller.adapter.gap.emit(Gap(1200, 3200))
    assert window.transcript.model.rowCount() == 1
    model = window.transcript.model
    assert model.data(model.index(0, 0)) == "[not captioned: 3.2 s]"


# -- live sessions in the window -----------------------------------------------------------------


def test_start_listen_stop_states_captions_and_journal(qtbot, qloop, ui_store, live_source):
    window = window_with(qtbot, ui_store, Scripted(final_every=5, finish_delay=0.2))
    window.show()
    states = []
    window.controller.state_changed.connect(lambda s, d: states.append(s))

    async def scenario():
        assert window.overlay.visible_lines() == ["Captions will appear here"]
        await window.start_captions()
        await until(lambda: window.controller.state is SessionState.LISTENING, what="listening")
        assert window.start_button.text() == "Stop" and "Listening" in window.state_label.text()
        await until(lambda: window.transcript.model.rowCount() >= 2, what="two finals")
        assert window.overlay.final_lines()[-1].startswith("w")
        await until(lambda: window.overlay.partial_text() != "", what="a partial")
        journal = window.controller.journal.path
        window.start_button.click()  # Stop
        await until(lambda: not window.controller.running, what="stopped")
        return journal

    journal = qloop.run_until_complete(scenario())
    assert states[0] is SessionState.STARTING and SessionState.LISTENING in states
    ends = [s for i, s in enumerate(states) if i == 0 or s is not states[i - 1]][-2:]
    assert ends == [SessionState.STOPPING, SessionState.STOPPED]
    assert window.start_button.text() == "Start captions" and window.state_label.text() == "Stopped"
    last = window.transcript.sentences()[-1]
    assert last.text.endswith("(last)")  # the final delivered after Stop is kept
    assert window.overlay.final_lines()[-1].endswith("(last)")
    from captioner.transcript.journal import load_session

    _meta, finals, finished = load_session(journal)
    assert finished and [s.text for s in finals] == [s.text for s in window.transcript.sentences()]
    assert live_source[0].closed


def test_closing_the_window_waits_for_the_last_final_and_offers_to_save(qtbot, qloop, ui_store, live_source, tmp_path):
    window = window_with(qtbot, ui_store, Scripted(final_every=1000, finish_delay=0.5))
    window.show()

    async def scenario():
        await window.start_captions()
        await until(lambda: window.overlay.partial_text().count("w") >= 5, what="speech")
        journal = window.controller.journal.path
        window.close()  # the close button
        await stop_and_quit()
        await until(lambda: visible_box("Save the transcript?") is not None, what="the save question")
        # by the time the question is asked, the last sentence has been finalised
        assert [s.text.endswith("(last)") for s in window.transcript.sentences()] == [True]
        visible_box().button(QMessageBox.StandardButton.Discard).click()
        await until(lambda: not window.isVisible(), what="the window to close")
        return journal

    journal = qloop.run_until_complete(scenario())
    from captioner.transcript.journal import load_session

    _meta, finals, finished = load_session(journal)
    assert finished and finals[-1].text.endswith("(last)")
    assert not window.overlay.isVisible()


def test_close_can_be_cancelled_and_save_exports(qtbot, qloop, ui_store, live_source, tmp_path, monkeypatch):
    window = window_with(qtbot, ui_store, Scripted(final_every=3))
    window.show()
    target = tmp_path / "saved.srt"

    async def choose(*args, **kw):
        return str(target), ""

    monkeypatch.setattr("captioner.ui.dialogs.choose_save_path", choose)

    async def scenario():
        await window.start_captions()
        await until(lambda: window.transcript.model.rowCount() >= 2)
        window.close()
        await stop_and_quit()
        await until(lambda: visible_box("Save the transcript?") is not None)
        visible_box().button(QMessageBox.StandardButton.Cancel).click()
        await asyncio.sleep(0.1)
        assert window.isVisible()
        window.close()
        await until(lambda: visible_box("Save the transcript?") is not None)
        visible_box().button(QMessageBox.StandardButton.Save).click()
        await until(lambda: not window.isVisible())

    qloop.run_until_complete(scenario())
    subs = list(srt.parse(target.read_text()))
    assert [s.content for s in subs] == [s.text for s in window.transcript.sentences()]


def test_engine_failure_is_shown_with_its_reason(qtbot, qloop, ui_store, live_source):
    window = window_with(
        qtbot, ui_store, Scripted(fail=RecognitionError("InvalidParameter", "the model does not know the language xx"))
    )

    async def scenario():
        await window.start_captions()
        await until(lambda: visible_box("Captioning stopped") is not None)
        box = visible_box()
        assert "does not know the language xx" in box.detailedText()
        box.button(QMessageBox.StandardButton.Ok).click()
        await until(lambda: not window.controller.running)

    qloop.run_until_complete(scenario())
    assert window.controller.state is SessionState.ERROR
    assert window.state_label.text() == "Error — Recognition stopped because of an error."  # the reason: in Details
    assert window.start_button.text() == "Start captions" and window.start_button.isEnabled()


def test_a_failed_microphone_waits_for_another_input(qtbot, qloop, ui_store, monkeypatch):
    opened = []

    def open_source(choice):
        opened.append(Live(fail_after=8) if not opened else Live())
        return opened[-1]

    monkeypatch.setattr(sources, "open_source", open_source)
    window = window_with(qtbot, ui_store, Scripted(final_every=5))

    async def scenario():
        await window.start_captions()
        await until(lambda: window.controller.state is SessionState.ERROR, what="the source failure")
        assert window.controller.running and window.start_button.text() == "Stop"
        assert "unplugged" in window.state_label.text()
        window.source_picker.kind.setCurrentIndex(window.source_picker.kind.findData("system"))  # pick another input
        await until(lambda: window.controller.state is SessionState.LISTENING, what="listening again")
        before = window.controller.session.position_ms
        await until(lambda: window.controller.session.position_ms > before + 300)
        window.stop_captions()
        await until(lambda: not window.controller.running)

    qloop.run_until_complete(scenario())
    assert len(opened) == 2 and opened[0].closed


def test_no_microphone_explains_and_offers_the_demo(qtbot, qloop, ui_store, monkeypatch):
    window = window_with(qtbot, ui_store, Scripted())
    window.source_picker.set_inputs(sources.InputList())  # nothing found
    started = []
    monkeypatch.setattr(window.controller, "start", lambda *a, **k: started.append(a[0]))

    async def scenario():
        task = asyncio.ensure_future(window.start_captions())
        await until(lambda: visible_box("No microphone found") is not None)
        box = visible_box()
        demo = next(b for b in box.buttons() if b.text() == "Play the demo")
        demo.click()
        await task
        await until(lambda: started)

    qloop.run_until_complete(scenario())
    assert started[0] == SourceChoice(kind="demo")
    assert window.source_picker.choice().kind == "demo"


def test_missing_model_says_what_to_do(qtbot, qloop, ui_store, tmp_path, live_source):
    empty = tmp_path / "no-model"
    empty.mkdir()
    ui_store.set_engine_choice(EngineChoice(model_dir=str(empty)))
    window = window_with(qtbot, ui_store)

    async def scenario():
        await window.start_captions()
        await until(lambda: visible_box("Speech model missing") is not None, timeout=30)
        box = visible_box()
        assert str(empty) in box.detailedText() and "model.bin" in box.detailedText()
        assert {b.text() for b in box.buttons()} >= {"Choose a model folder…", "Use Alibaba Cloud"}
        assert "model" in window.engine_label.text().lower()
        next(b for b in box.buttons() if b.text() == "Use Alibaba Cloud").click()
        await until(lambda: window.engine_panel.cloud_radio.isChecked())

    qloop.run_until_complete(scenario())
    assert window.controller.state is SessionState.ERROR
    assert window.engine_label.text() == "Alibaba Cloud (Beijing)"  # the engine chosen now, not the old error


def test_unfinished_session_is_offered_for_recovery(qtbot, qloop, ui_store):
    from captioner.transcript.journal import Journal, list_sessions

    journal = Journal.create({"engine": "local", "source": "microphone default"})
    journal.append(Sentence("Recovered one.", 0, 1000, True))
    journal.append(Sentence("Recovered two.", 1500, 2500, True))
    journal.close(finished=False)  # as if the app had crashed
    window = window_with(qtbot, ui_store, Scripted())

    async def scenario():
        task = asyncio.ensure_future(window.recover_unfinished())
        await until(
            lambda: any(w.isVisible() and w.windowTitle() == "Recover captions" for w in QApplication.topLevelWidgets())
        )
        dialog = next(
            w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == "Recover captions"
        )
        assert "2 sentence(s)" in dialog.list.item(0).text()
        dialog.recover_button.click()
        await task

    qloop.run_until_complete(scenario())
    assert [s.text for s in window.transcript.sentences()] == ["Recovered one.", "Recovered two."]
    assert window.transcript.unsaved == 2
    assert all(s.finished for s in list_sessions())  # not offered again


# -- the real engine ------------------------------------------------------------------------------


@pytest.mark.slow
def test_real_engine_captions_speech_live_and_the_ui_keeps_ticking(qtbot, qloop, ui_store, goforward_wav, monkeypatch):
    from captioner.audio.media import MediaSource

    monkeypatch.setattr(sources, "open_source", lambda choice: MediaSource(goforward_wav, realtime=True))
    window = window_with(qtbot, ui_store)  # the real EngineHost: loads the packaged model
    window.show()
    ticks: list[float] = []
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))

    async def scenario():
        await window.engines.preload(window.engine_choice())
        timer.start()
        await window.start_captions()
        await until(lambda: not window.controller.running, timeout=30, what="the clip to end")
        timer.stop()

    qloop.run_until_complete(scenario())
    text = " ".join(s.text for s in window.transcript.sentences())
    assert wer(GOFORWARD_TEXT, text) <= 0.25, text
    assert "forward" in window.overlay.text().lower()
    gaps = np.diff(ticks)
    assert len(ticks) > 50 and gaps.max() < 0.5, f"GUI stalled for {gaps.max():.2f} s"  # decoding is off the GUI thread


@pytest.fixture
def long_speech(tmp_path, goforward_wav) -> Path:
    x = read_wav(goforward_wav)
    return write_wav(tmp_path / "long.wav", np.concatenate([x, silence(800)] * 12))


@pytest.mark.slow
def test_caption_a_file_with_progress_then_cancel_another(qtbot, qloop, ui_store, goforward_wav, long_speech, tmp_path):
    window = window_with(qtbot, ui_store)
    out = tmp_path / "go.srt"
    progress: list[float] = []

    async def scenario():
        dialog = window.caption_file_to(goforward_wav, out)
        dialog.job.progress.connect(progress.append)
        await until(lambda: not dialog.job.running, timeout=60)
        assert "Saved 1 sentence(s)" in dialog.status.text() and dialog.bar.value() == 1000
        dialog.close()
        second = window.caption_file_to(long_speech, tmp_path / "long.srt")
        await until(lambda: second.bar.value() > 0, timeout=30)
        second.cancel_button.click()
        await until(lambda: not second.job.running)
        assert "Cancelled" in second.status.text()

    qloop.run_until_complete(scenario())
    subs = list(srt.parse(out.read_text()))
    assert wer(GOFORWARD_TEXT, " ".join(s.content for s in subs)) <= 0.25
    assert progress[-1] == 1.0 and progress == sorted(progress)
    assert not (tmp_path / "long.srt").exists()  # cancelled: nothing written


# -- the cloud engine path ---------------------------------------------------------------------


def test_cloud_engine_without_a_key_asks_for_one(qtbot, qloop, ui_store, live_source):
    ui_store.set_engine_choice(EngineChoice(engine="dashscope", region="intl"))
    window = window_with(qtbot, ui_store)

    async def scenario():
        await window.start_captions()
        await until(lambda: visible_box("API key needed") is not None, what="the key question")
        box = visible_box()
        assert "DASHSCOPE_API_KEY" in box.detailedText()
        next(b for b in box.buttons() if b.text() == "Enter the key").click()
        await until(lambda: not window.controller.running)

    qloop.run_until_complete(scenario())
    assert window.tabs.currentIndex() == 1 and window.engine_panel.cloud_radio.isChecked()
    assert window.controller.state is SessionState.ERROR


def test_cloud_path_against_a_dashscope_compatible_server(qtbot, qloop, ui_store, live_source):
    """The window's Alibaba Cloud engine with a custom URL: here Captioner's own server."""
    from captioner.server.realtime import DashScopeServer
    from captioner.testing.trivial import TrivialRecognizer

    async def scenario():
        async with DashScopeServer(TrivialRecognizer(partial_every=2, final_every=6)) as server:
            ui_store.set_engine_choice(EngineChoice(engine="dashscope", url=server.url))
            window = window_with(qtbot, ui_store)
            assert window.api_key(window.engine_choice()) == ""  # a saved key never goes to a custom URL
            await window.start_captions()
            await until(lambda: window.controller.state is SessionState.LISTENING, what="connected")
            await until(lambda: window.transcript.model.rowCount() >= 2, what="finals from the server")
            window.stop_captions()
            await until(lambda: not window.controller.running, what="stopped")
            return window

    window = qloop.run_until_complete(scenario())
    texts = [s.text for s in window.transcript.sentences()]
    assert texts and all(t for t in texts)
    assert window.controller.state is SessionState.STOPPED
    assert window.engine_label.text() == f"Custom server ({window.engine_choice().url})"  # not "Alibaba Cloud (cn)"


def test_the_key_typed_in_the_window_reaches_a_custom_url_that_needs_one(
    qtbot, qloop, ui_store, memory_keyring, live_source
):
    """`captioner serve --token X` as the custom URL: the key typed in the window is sent
    there (it used to loop on 401), and the key saved for Alibaba Cloud never is."""
    from captioner.server.realtime import DashScopeServer
    from captioner.testing.trivial import TrivialRecognizer

    ui_store.set_api_key("cn", "sk-alibaba-cloud-key")  # must never reach the custom server

    async def scenario():
        async with DashScopeServer(TrivialRecognizer(partial_every=2, final_every=6), token="serve-token-X") as server:
            ui_store.set_engine_choice(EngineChoice(engine="dashscope", url=server.url))
            window = window_with(qtbot, ui_store)
            panel = window.engine_panel
            assert panel.api_key_text() == ""  # the region's key is not shown for the URL
            assert "captioner serve --token" in panel.key_status.text()  # what to type there
            panel.api_key.setText("serve-token-X")
            panel.api_key.editingFinished.emit()
            await window.start_captions()
            await until(lambda: window.controller.state is SessionState.LISTENING, what="connected with the key")
            await until(lambda: window.transcript.model.rowCount() >= 1, what="finals from the server")
            window.stop_captions()
            await until(lambda: not window.controller.running, what="stopped")
            return window, server

    window, server = qloop.run_until_complete(scenario())
    assert server.stats.tasks_started >= 1
    assert memory_keyring.store[("captioner", "dashscope-api-key-cn")] == "sk-alibaba-cloud-key"
    saved = {user: key for (_service, user), key in memory_keyring.store.items()}
    assert [user for user, key in saved.items() if key == "serve-token-X"] == [
        f"dashscope-api-key-url:{window.engine_choice().url}"
    ]
    # Clearing the URL shows (and would send) the region's key again.
    window.engine_panel.url.setText("")
    window.engine_panel.url.editingFinished.emit()
    assert window.engine_panel.api_key_text() == "sk-alibaba-cloud-key"


def test_the_engine_label_names_the_engine_chosen_not_the_last_one_used(qtbot, qloop, ui_store):
    """Switching from the cloud to an on-device model that is already loaded used to leave
    "Alibaba Cloud (cn)" in the status bar while the local engine ran."""
    ui_store.set_engine_choice(EngineChoice(engine="dashscope", region="cn"))
    window = window_with(qtbot, ui_store)
    local = EngineChoice(engine="local")
    loaded = asyncio.get_event_loop().create_future()
    loaded.set_result(Scripted())
    window.engines._tasks[local.cache_key()] = loaded  # the on-device model, loaded earlier

    async def scenario():
        await window.engines.recognizer(window.engine_choice(), "sk-some-key")
        assert window.engine_label.text() == "Alibaba Cloud (Beijing)"
        window.engine_panel.local_radio.setChecked(True)
        assert window.engine_label.text() == "On this device: the best engine for the language"
        window.engine_panel.cloud_radio.setChecked(True)
        assert "Alibaba Cloud" in window.engine_label.text()
        window.engine_panel.local_radio.setChecked(True)
        await window.engines.recognizer(local)  # Start with the loaded model: still says so
        assert window.engine_label.text() == "On this device: the best engine for the language"

    qloop.run_until_complete(scenario())


def test_an_unknown_cloud_model_names_the_model_not_a_missing_download(qtbot, qloop, ui_store, live_source):
    """The service does not know the model name: the window says so and offers another
    model, instead of the "Speech model missing" dialog meant for the on-device engine."""
    from captioner.server.realtime import DashScopeServer
    from captioner.testing.trivial import TrivialRecognizer

    async def scenario():
        async with DashScopeServer(TrivialRecognizer()) as server:
            ui_store.set_engine_choice(EngineChoice(engine="dashscope", url=server.url))
            window = window_with(qtbot, ui_store)
            window.engine_panel.set_model_name("fun-asr-nonexistent")
            assert window.recognition_panel.settings().model == "fun-asr-nonexistent"
            await window.start_captions()
            await until(lambda: visible_box("Unknown model") is not None, what="the unknown-model dialog")
            box = visible_box()
            assert visible_box("Speech model missing") is None
            assert "fun-asr-nonexistent" in box.text() and "does not know the model name" in box.text()
            assert "Model not exist" in box.detailedText()
            next(b for b in box.buttons() if b.text() == "Choose another model").click()
            await until(lambda: not window.controller.running, what="stopped")
            return window

    window = qloop.run_until_complete(scenario())
    assert window.tabs.currentIndex() == 1 and window.engine_panel.cloud_radio.isChecked()
