"""Runs live captioning sessions as asyncio tasks on the qasync loop.

The controller is the GUI's counterpart of `captioner transcribe`: it opens the source,
gets a prepared recognizer from the EngineHost, opens the crash-safe journal, and drives a
CaptionSession, which the SessionAdapter turns into signals for the widgets. Slow steps
(opening a device, loading a model) happen in worker threads or the engine's executor; the
GUI thread only awaits.

Stopping is graceful and bounded: the source closes, the engine finalises the sentence
being spoken, and the task gets `STOP_TIMEOUT_S` to deliver it. Every final reaches the
journal the moment it arrives, so even a stop that times out loses nothing: the journal
is then left unfinished and recovery offers it next time.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from captioner.audio.frames import AudioSourceError
from captioner.errors import Category, category, user_message
from captioner.events import RecognitionError
from captioner.pipeline import CaptionSession, SessionState
from captioner.settings import RecognitionSettings
from captioner.ui import sources
from captioner.ui.choices import EngineChoice, SourceChoice
from captioner.ui.engine_host import EngineHost
from captioner.ui.session_adapter import SessionAdapter

log = logging.getLogger(__name__)

#: How long Stop (or closing the window) waits for the last final.
STOP_TIMEOUT_S = 10.0

#: Problem kinds the window turns into dialogs.
PROBLEM_MODEL = "model"  # no on-device model: say what to do
PROBLEM_DEVICE = "device"  # the input could not be opened / failed
PROBLEM_ENGINE = "engine"  # recognition failed (network, a refused parameter, ...)
PROBLEM_KEY = "key"  # the cloud needs an API key, or refused the one given
PROBLEM_UNKNOWN_MODEL = "unknown-model"  # the service does not know the model name

#: The dialog for each kind of error (captioner.errors.Category): the window's one mapping,
#: as errors.EXIT_CODES is the command line's.
PROBLEMS: dict[Category, str] = {
    Category.PARAMETER: PROBLEM_ENGINE,
    Category.MISSING_KEY: PROBLEM_KEY,
    Category.INPUT: PROBLEM_DEVICE,
    Category.MODEL: PROBLEM_MODEL,
    Category.SERVICE: PROBLEM_ENGINE,
    Category.AUTH: PROBLEM_KEY,
    Category.UNKNOWN_MODEL: PROBLEM_UNKNOWN_MODEL,
    Category.NETWORK: PROBLEM_ENGINE,
    Category.DEVICE: PROBLEM_DEVICE,
    Category.INTERRUPTED: PROBLEM_ENGINE,
}


def problem_kind(error: BaseException) -> str:
    """Which dialog tells the user about `error`."""
    return PROBLEMS[category(error)]


def problem_summary(kind: str) -> str:
    """One translated sentence saying what went wrong: the dialog's text and the state
    label's detail, so the user never reads an engine's or library's own (English) words
    there; those stay in the dialog's details."""
    translate = QCoreApplication.translate
    return {
        PROBLEM_MODEL: translate("MainWindow", "Captioner cannot recognise speech on this device yet."),
        PROBLEM_UNKNOWN_MODEL: translate("MainWindow", "The service does not know this model name."),
        PROBLEM_KEY: translate(
            "MainWindow", "Alibaba Cloud did not accept the request: it needs a valid API key for this region."
        ),
        PROBLEM_DEVICE: translate("MainWindow", "The input could not be opened."),
        PROBLEM_ENGINE: translate("MainWindow", "Recognition stopped because of an error."),
    }[kind]


def open_journal(meta: dict[str, Any]):
    """A crash-safe journal for the session, or None when journals are unavailable."""
    try:
        from captioner.transcript.journal import Journal
    except ImportError:
        return None
    try:
        return Journal.create(meta)
    except OSError as exc:
        log.warning("no journal for this session: %s", exc)
        return None


class CaptionController(QObject):
    state_changed = Signal(object, str)  # SessionState, detail
    #: (kind, message): something the user must act on (see PROBLEM_*).
    problem = Signal(str, str)
    #: A session ended; the argument is its journal path ("" if none).
    session_ended = Signal(str)

    def __init__(self, engines: EngineHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engines = engines
        self.adapter = SessionAdapter(self)
        self.adapter.state_changed.connect(self._on_session_state)
        self.session: CaptionSession | None = None
        self.journal = None
        self.state = SessionState.IDLE
        self.detail = ""
        self._task: asyncio.Task | None = None
        self._active = False
        self._journal_path = ""
        self._stop_requested = False
        self._keep_recoverable = False
        #: The category of the last problem reported (its dialog picks advice by it).
        self.last_category: Category | None = None

    # State ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """From start() until the session has ended (journal closed, session_ended sent)."""
        return self._active

    def _set_state(self, state: SessionState, detail: str = "") -> None:
        self.state, self.detail = state, detail
        self.state_changed.emit(state, detail)

    def _on_session_state(self, state: SessionState, detail: str) -> None:
        self._set_state(state, detail)

    # Control ----------------------------------------------------------------------------

    def start(
        self, source: SourceChoice, engine: EngineChoice, settings: RecognitionSettings, api_key: str = ""
    ) -> asyncio.Task | None:
        """Begin captioning; returns the task (None if a session is already running)."""
        if self.running:
            return None
        self._stop_requested = False
        self._keep_recoverable = False
        self._active = True
        self._journal_path = ""
        self._task = asyncio.ensure_future(self._run(source, engine, settings, api_key))
        return self._task

    def stop(self) -> None:
        """Ask the session to finish (the last sentence still arrives). Idempotent."""
        self._stop_requested = True
        if self.session is not None:
            self.session.stop()
        elif self.running:
            self._set_state(SessionState.STOPPING, "")

    async def stop_and_wait(self, timeout: float = STOP_TIMEOUT_S, *, recoverable: bool = False) -> bool:
        """Stop and wait (bounded) for the session to deliver its last final.
        Returns False if it had to be abandoned (its journal stays recoverable).
        `recoverable` leaves the journal unfinished even after a clean stop, so the next
        start offers it (used when the app is told to quit without asking the user)."""
        task = self._task
        if task is None or task.done():
            return True
        self._keep_recoverable = recoverable
        self.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
            return True
        except TimeoutError:
            log.warning("the session did not finish within %.0f s; abandoning it", timeout)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            return False
        except Exception:  # the task reports its own failures through signals
            return True

    async def switch_source(self, choice: SourceChoice) -> None:
        """Carry on listening to another input, on the same clock and transcript."""
        if self.session is None or not self.running:
            return
        try:
            source = await asyncio.to_thread(sources.open_source, choice)
        except AudioSourceError as exc:
            self._report(exc, set_state=False)
            return
        if self.session is None:
            source.close()
            return
        self.session.switch_source(source)

    def _report(self, exc: BaseException, *, set_state: bool = True) -> None:
        """Tell the window (problem signal, with the error's own words as the details)."""
        kind = problem_kind(exc) if isinstance(exc, (RecognitionError, AudioSourceError)) else PROBLEM_ENGINE
        self.last_category = category(exc)
        if set_state:
            self._set_state(SessionState.ERROR, problem_summary(kind))
        self.problem.emit(kind, user_message(exc))

    # The session ------------------------------------------------------------------------

    async def _run(
        self, choice: SourceChoice, engine: EngineChoice, settings: RecognitionSettings, api_key: str
    ) -> None:
        try:
            await self._session(choice, engine, settings, api_key)
        finally:
            self.session = None
            self._active = False
            self.session_ended.emit(self._journal_path)
            if self.state in (SessionState.STARTING, SessionState.STOPPING):  # ended before listening
                self._set_state(SessionState.STOPPED)
            else:  # refresh the widgets now that nothing runs
                self.state_changed.emit(self.state, self.detail)

    async def _session(
        self, choice: SourceChoice, engine: EngineChoice, settings: RecognitionSettings, api_key: str
    ) -> None:
        self._set_state(
            SessionState.STARTING, self.tr("Loading the speech engine…") if not engine.cloud else self.tr("Connecting…")
        )
        try:
            recognizer = await self.engines.recognizer(engine, api_key, settings)
        except RecognitionError as exc:
            self._report(exc)
            return
        if self._stop_requested:
            return
        self._set_state(SessionState.STARTING, self.tr("Opening the input…"))
        try:
            source = await asyncio.to_thread(sources.open_source, choice)
        except AudioSourceError as exc:
            self._report(exc)
            return
        if self._stop_requested:
            source.close()
            return
        self.journal = open_journal(
            {
                "source": choice.describe(),
                **recognizer.describe(),
                "settings": settings.to_dict(),
                "app": "captioner-gui",
            }
        )
        self._journal_path = str(getattr(self.journal, "path", "") or "")
        session = CaptionSession(
            source, recognizer, settings, sinks=[self.journal] if self.journal else [], wait_on_source_error=choice.live
        )
        self.session = session
        self.adapter.attach(session)
        finished = False
        try:
            await session.run()
            finished = True
        except RecognitionError as exc:
            self._report(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never a silent death: tell the user, keep the journal
            log.exception("captioning session failed")
            self._report(exc)
        finally:
            session.source.close()
            if self.journal is not None:
                try:
                    self.journal.close(finished=finished and not self._keep_recoverable)
                except OSError:
                    log.exception("could not close the journal")
            self.journal = None
