"""Owns the recognizers: creates them lazily, loads the on-device model in the background.

The window must appear within a second or so, so the speech engine (faster-whisper,
CTranslate2, PyAV: hundreds of milliseconds of imports and a model load) is never
imported before it is shown. Right after, `preload()` imports and loads it off the GUI
thread while the status bar says so; pressing Start meanwhile simply waits for the same
load (one shared task per engine configuration, never two loads).

The status always names the engine chosen now (`show_choice`), so switching from the
cloud to an on-device model that is already loaded does not leave "Alibaba Cloud" in the
status bar, and a custom URL is named as such, not as an Alibaba Cloud region.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from captioner.errors import ModelError
from captioner.events import RecognitionError
from captioner.protocol.endpoints import REGIONS
from captioner.recognition import catalog
from captioner.recognition.base import Recognizer
from captioner.recognition.engines import create_recognizer
from captioner.recognition.local.languages import languages_of
from captioner.recognition.on_device import BestOnDeviceRecognizer
from captioner.settings import RecognitionSettings
from captioner.ui.choices import EngineChoice

log = logging.getLogger(__name__)

#: The error code the on-device engine uses when it has no model (see local/models.py).
MODEL_NOT_FOUND = "ModelNotFound"
ENGINE_MISSING = "EngineMissing"


class EngineUnavailable(ModelError, RecognitionError):
    """An engine cannot run here: not installed (ENGINE_MISSING), or its model would not
    load (MODEL_NOT_FOUND). A ModelError by class, so the window offers another model or
    engine; importing local/models.py for its ModelNotFoundError would load the engine."""


def engine_title(recognizer: Recognizer) -> str | None:
    """What people call the on-device engine that runs ("whisper tiny.en", "whisper base",
    "whisper model in <folder>"); None for `local` before its first session."""
    if isinstance(recognizer, BestOnDeviceRecognizer):
        return recognizer.running.title if recognizer.running else None
    info = recognizer.describe()
    name = info.get("catalog")
    if isinstance(name, str) and name in catalog.ENGINES:
        return catalog.ENGINES[name].title
    if "model" in info:
        return languages_of(Path(info["model"]), bool(info.get("multilingual"))).name
    return None


class EngineHost(QObject):
    #: (state, message): state is "loading", "ready", "error" or "idle".
    status = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[tuple, asyncio.Task] = {}
        self.state = "idle"
        self.message = ""

    def _set(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        self.status.emit(state, message)

    async def recognizer(
        self, choice: EngineChoice, api_key: str = "", settings: RecognitionSettings | None = None
    ) -> Recognizer:
        """A prepared recognizer for `choice`; with `settings` (a session about to start),
        `local` also loads the engine their language picks, and the status names it.

        Raises RecognitionError (a ModelError, code ModelNotFound, when the on-device model
        or its weight package is missing; EngineUnavailable, code EngineMissing, when an
        engine is not installed; UnsupportedLanguageError for a language no engine knows)."""
        if choice.cloud:
            return await self._cloud(choice, api_key)
        key = choice.cache_key()
        task = self._tasks.get(key)
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            task = self._tasks[key] = asyncio.ensure_future(self._load_local(choice))
        elif self.loaded(choice):
            self._set("ready", self._local_ready(task.result()))
        # shield: a session that is cancelled while waiting must not abort the shared load
        recognizer = await asyncio.shield(task)
        if settings is not None and isinstance(recognizer, BestOnDeviceRecognizer):
            chosen = recognizer.pick(settings)
            if chosen.name not in recognizer.loaded():
                self._set("loading", self.tr("Loading %1…").replace("%1", chosen.title))
            try:
                await recognizer.prepare_for(settings)
            except RecognitionError as exc:
                self._set("error", exc.message)
                raise
            self._set("ready", self._local_ready(recognizer))
        return recognizer

    async def preload(self, choice: EngineChoice) -> None:
        """Start loading the on-device engine now; errors are reported through `status`."""
        if choice.cloud:
            return
        try:
            await self.recognizer(choice)
        except RecognitionError:
            pass  # already reported by _load_local; Start will show the dialog
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("preloading the speech engine failed")

    def show_choice(self, choice: EngineChoice) -> None:
        """Name the engine now chosen: the cloud endpoint, or the on-device model's state
        (an on-device model not loaded yet says so itself once `preload` starts)."""
        if choice.cloud:
            self._set("idle", self.cloud_label(choice))
            return
        task = self._tasks.get(choice.cache_key())
        if task is not None and self.loaded(choice):
            self._set("ready", self._local_ready(task.result()))
        elif task is not None and not task.done():
            self._set("loading", self.tr("Loading the speech model…"))

    def cloud_label(self, choice: EngineChoice) -> str:
        if choice.url:
            return self.tr("Custom server (%1)").replace("%1", choice.url)
        # The region's name in the UI's language (endpoints' names are English, for logs).
        names = {"cn": self.tr("Beijing"), "intl": self.tr("Singapore")}
        region = REGIONS.get(choice.region)
        name = names.get(choice.region) or (region.name if region else choice.region)
        return self.tr("Alibaba Cloud (%1)").replace("%1", name)

    def _local_ready(self, recognizer: Recognizer) -> str:
        """ "On this device: whisper base": the engine that runs (or, for `local` before its
        first session, that it picks per language)."""
        title = engine_title(recognizer)
        if title is None:
            title = self.tr("the best engine for the language")
        return self.tr("On this device: %1").replace("%1", title)

    def loaded(self, choice: EngineChoice) -> bool:
        task = self._tasks.get(choice.cache_key())
        return bool(task and task.done() and not task.cancelled() and task.exception() is None)

    def loaded_recognizer(self, choice: EngineChoice) -> Recognizer | None:
        """The on-device recognizer for `choice` if its model is loaded, without waiting."""
        return self._tasks[choice.cache_key()].result() if self.loaded(choice) else None

    async def _load_local(self, choice: EngineChoice) -> Recognizer:
        self._set("loading", self.tr("Loading the speech model…"))
        try:
            # The import alone pulls in faster-whisper, CTranslate2 and PyAV: do it
            # in a worker thread so the window keeps painting.
            recognizer = await asyncio.to_thread(
                create_recognizer, "local" if choice.model_dir else choice.on_device, model_dir=choice.model_dir or None
            )
            await recognizer.prepare()
        except ImportError as exc:
            message = self.tr(
                "The on-device speech engine is not installed (%1). Reinstall Captioner, or use Alibaba Cloud."
            ).replace("%1", str(exc))
            self._set("error", message)
            raise EngineUnavailable(ENGINE_MISSING, message) from exc
        except RecognitionError as exc:
            self._set("error", exc.message)
            raise
        except Exception as exc:  # a broken model file must become a message, not a traceback
            log.exception("loading the speech model failed")
            message = self.tr("The speech model could not be loaded: %1").replace("%1", str(exc))
            self._set("error", message)
            raise EngineUnavailable(MODEL_NOT_FOUND, message) from exc
        self._set("ready", self._local_ready(recognizer))
        return recognizer

    async def _cloud(self, choice: EngineChoice, api_key: str) -> Recognizer:
        try:
            recognizer = create_recognizer(
                "dashscope",
                url=choice.url or None,
                region=None if choice.url else choice.region,
                api_key=api_key or None,
                workspace=choice.workspace or None,
            )
        except ImportError as exc:
            message = self.tr("The Alibaba Cloud engine is not available in this version of Captioner.")
            self._set("error", message)
            raise EngineUnavailable(ENGINE_MISSING, message) from exc
        except RecognitionError as exc:  # no API key anywhere: the message says where to put one
            self._set("error", exc.message)
            raise
        except ValueError as exc:  # a malformed URL or key
            self._set("error", str(exc))
            raise RecognitionError("InvalidParameter", str(exc)) from exc  # category PARAMETER
        self._set("ready", self.cloud_label(choice))
        return recognizer
