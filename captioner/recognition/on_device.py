"""`--engine local`: for each task, the best on-device engine for the language it asks for.

English (or no hint) runs the English default; `--language zh`, the window's Chinese, or a
serve client sending paraformer-realtime-v2's default ["zh", "en"] runs whisper base,
instead of being refused by an English-only model. Which engine wins is `catalog.pick_on_device`.

Each engine is built and loaded once, when first needed, and then shared by every task that
picks it (so one `captioner serve` answers English and Chinese clients at once, with one
copy of each model in memory). `prepare()` loads only the default engine: Chinese weights
are loaded by the first task that needs them, not by every start-up.
"""

from __future__ import annotations

from typing import Any

from captioner.recognition import catalog
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings


class BestOnDeviceRecognizer(Recognizer):
    """Routes each task to the on-device engine `catalog.pick_on_device` chooses."""

    name = "local"

    def __init__(self, **options: Any) -> None:
        #: Passed to every engine's constructor (cpu_threads, ...).
        self._options = options
        self._engines: dict[str, Recognizer] = {}
        self._ready: set[str] = set()
        #: The engine the latest task runs on (what the status bar names).
        self.running: catalog.EngineSpec | None = None

    async def prepare(self) -> None:
        """Load the engine a task without language hints would get (the English default)."""
        await self._engine(catalog.pick_on_device(RecognitionSettings()))

    async def prepare_for(self, settings: RecognitionSettings) -> catalog.EngineSpec:
        """Load the engine these settings pick (a Chinese-only run need not load the English
        one); it is then what describe() names. Raises what pick_on_device and loading do."""
        chosen = catalog.pick_on_device(settings)
        await self._engine(chosen)
        self.running = chosen
        return chosen

    def loaded(self) -> tuple[str, ...]:
        """The engines loaded so far (a newly picked one will take a while to load)."""
        return tuple(sorted(self._ready))

    def pick(self, settings: RecognitionSettings) -> catalog.EngineSpec:
        """The engine a task with these settings would run on; raises what pick_on_device does."""
        return catalog.pick_on_device(settings)

    def check(self, settings: RecognitionSettings) -> None:
        chosen = catalog.pick_on_device(settings)
        engine = self._engines.get(chosen.name)
        if engine is not None:
            engine.check(settings)

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        chosen = catalog.pick_on_device(settings)
        engine = await self._engine(chosen)
        session = await engine.start(settings)
        self.running = chosen
        return session

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"engine": self.name, "choice": catalog.LOCAL}
        if self.running is not None:
            info.update(self._engines[self.running.name].describe())
            info["choice"] = catalog.LOCAL
        return info

    async def _engine(self, chosen: catalog.EngineSpec) -> Recognizer:
        """Built once; prepare() is cheap once loaded (two tasks loading at once share the
        process's one copy of the model: see local/models.py)."""
        chosen.require()
        engine = self._engines.get(chosen.name)
        if engine is None:
            engine = self._engines[chosen.name] = chosen.create(**self._options)
        await engine.prepare()
        self._ready.add(chosen.name)
        return engine
