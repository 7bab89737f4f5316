"""Typed errors: every error class (and, for RecognitionError, every meaningful service code)
has one category, the category one exit code for every command and one dialog in the window."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from captioner import errors
from captioner.audio.devices import DeviceNotFoundError
from captioner.audio.frames import AudioDeviceError, AudioSourceError
from captioner.errors import Category, category, exit_code, user_message
from captioner.events import RecognitionError
from captioner.protocol.rest import ServiceError as RestServiceError
from captioner.recognition.cloud.files import TaskError
from captioner.recognition.cloud.realtime import ConfigurationError, MissingApiKey
from captioner.recognition.local.languages import (
    ModelLanguages,
    UnsupportedLanguageError,
)
from captioner.recognition.local.models import ComputeTypeError, ModelNotFoundError
from captioner.settings import SettingsError
from captioner.ui.controller import (
    PROBLEM_DEVICE,
    PROBLEM_ENGINE,
    PROBLEM_KEY,
    PROBLEM_MODEL,
    PROBLEM_UNKNOWN_MODEL,
    PROBLEMS,
    problem_kind,
)
from captioner.ui.engine_host import ENGINE_MISSING, MODEL_NOT_FOUND, EngineUnavailable

ENGLISH_ONLY = ModelLanguages("whisper tiny.en", False, ("en",))

CASES = [
    # a bad parameter: exit 2, "Captioning stopped" with the reason
    (
        lambda: SettingsError("max_sentence_silence", "must be between 200 and 6000 ms"),
        Category.PARAMETER,
        2,
        PROBLEM_ENGINE,
    ),
    (lambda: ComputeTypeError("int4"), Category.PARAMETER, 2, PROBLEM_ENGINE),
    (lambda: UnsupportedLanguageError(ENGLISH_ONLY, ("ja",)), Category.PARAMETER, 2, PROBLEM_ENGINE),
    (
        lambda: ConfigurationError("InvalidParameter", "the workspace id is malformed"),
        Category.PARAMETER,
        2,
        PROBLEM_ENGINE,
    ),
    (
        lambda: RecognitionError("InvalidParameter", "vocabulary_id: no such vocabulary"),
        Category.PARAMETER,
        2,
        PROBLEM_ENGINE,
    ),
    (lambda: RestServiceError(400, "InvalidParameter", "speaker_count: 2-100"), Category.PARAMETER, 2, PROBLEM_ENGINE),
    (lambda: errors.ParameterError("x"), Category.PARAMETER, 2, PROBLEM_ENGINE),
    # no API key: a usage error for the CLI, the key dialog in the window
    (lambda: MissingApiKey("NoApiKey", "set DASHSCOPE_API_KEY"), Category.MISSING_KEY, 2, PROBLEM_KEY),
    (lambda: RecognitionError("NoApiKey", "no key"), Category.MISSING_KEY, 2, PROBLEM_KEY),
    (lambda: RestServiceError(0, "NoApiKey", "no key", retryable=False), Category.MISSING_KEY, 2, PROBLEM_KEY),
    (lambda: errors.MissingKeyError("x"), Category.MISSING_KEY, 2, PROBLEM_KEY),
    # the input file
    (lambda: AudioSourceError("talk.mp3: the file is empty"), Category.INPUT, 3, PROBLEM_DEVICE),
    (lambda: errors.InputError("x"), Category.INPUT, 3, PROBLEM_DEVICE),
    # no on-device model (or engine)
    (lambda: ModelNotFoundError("No on-device speech model is installed."), Category.MODEL, 4, PROBLEM_MODEL),
    (lambda: EngineUnavailable(MODEL_NOT_FOUND, "could not be loaded"), Category.MODEL, 4, PROBLEM_MODEL),
    (lambda: EngineUnavailable(ENGINE_MISSING, "not installed"), Category.MODEL, 4, PROBLEM_MODEL),
    (lambda: errors.ModelError("x"), Category.MODEL, 4, PROBLEM_MODEL),
    # the service refused or failed
    (
        lambda: RecognitionError("InternalError", "the service had an internal error", retryable=True),
        Category.SERVICE,
        5,
        PROBLEM_ENGINE,
    ),
    (lambda: RecognitionError("Arrearage", "overdue payment"), Category.SERVICE, 5, PROBLEM_ENGINE),
    (lambda: RecognitionError("", "no code at all"), Category.SERVICE, 5, PROBLEM_ENGINE),
    (
        lambda: RestServiceError(400, "InvalidParameter", "a word is too long", "req-1"),
        Category.SERVICE,
        5,
        PROBLEM_ENGINE,
    ),
    (lambda: TaskError("task-1", "UNKNOWN", "no such task"), Category.SERVICE, 5, PROBLEM_ENGINE),
    (lambda: errors.ServiceError("x"), Category.SERVICE, 5, PROBLEM_ENGINE),
    # the service refused the key
    (lambda: RecognitionError("InvalidApiKey", "The API key was rejected"), Category.AUTH, 5, PROBLEM_KEY),
    (lambda: RecognitionError("NOT AUTHORIZED", "wrong workspace"), Category.AUTH, 5, PROBLEM_KEY),
    (
        lambda: RestServiceError(401, "InvalidApiKey", "Invalid API-key provided.", "req-2"),
        Category.AUTH,
        5,
        PROBLEM_KEY,
    ),
    (lambda: errors.AuthError("x"), Category.AUTH, 5, PROBLEM_KEY),
    # the service does not know the model name: not "model missing"
    (
        lambda: RecognitionError("ModelNotFound", "Model not exist: 'fun-asr-nonexistent'"),
        Category.UNKNOWN_MODEL,
        5,
        PROBLEM_UNKNOWN_MODEL,
    ),
    (
        lambda: RestServiceError(404, "ModelNotFound", "Model not exist: 'nope'.", "req-3"),
        Category.UNKNOWN_MODEL,
        5,
        PROBLEM_UNKNOWN_MODEL,
    ),
    (lambda: errors.UnknownModelError("x"), Category.UNKNOWN_MODEL, 5, PROBLEM_UNKNOWN_MODEL),
    # the service could not be reached
    (
        lambda: RecognitionError("NetworkError", "Could not connect", retryable=True),
        Category.NETWORK,
        6,
        PROBLEM_ENGINE,
    ),
    (lambda: RestServiceError(0, "NetworkError", "connection refused"), Category.NETWORK, 6, PROBLEM_ENGINE),
    (lambda: errors.NetworkError("x"), Category.NETWORK, 6, PROBLEM_ENGINE),
    # an audio device
    (lambda: AudioDeviceError("Audio device 'mic' stopped"), Category.DEVICE, 6, PROBLEM_DEVICE),
    (lambda: DeviceNotFoundError("No input named 'x'."), Category.DEVICE, 6, PROBLEM_DEVICE),
    (lambda: errors.DeviceError("x"), Category.DEVICE, 6, PROBLEM_DEVICE),
    # interrupted
    (KeyboardInterrupt, Category.INTERRUPTED, 130, PROBLEM_ENGINE),
    (asyncio.CancelledError, Category.INTERRUPTED, 130, PROBLEM_ENGINE),
    # Python's own
    (lambda: ValueError("bad"), Category.PARAMETER, 2, PROBLEM_ENGINE),
    (lambda: FileNotFoundError(2, "No such file"), Category.INPUT, 3, PROBLEM_DEVICE),
    (lambda: RuntimeError("bug"), Category.SERVICE, 5, PROBLEM_ENGINE),
]


@pytest.mark.parametrize(
    ("make", "expected", "code", "dialog"),
    CASES,
    ids=[f"{i}-{c[1].value}" for i, c in enumerate(CASES)],
)
def test_each_error_has_one_category_exit_code_and_dialog(make, expected, code, dialog) -> None:
    exc = make()
    assert category(exc) is expected
    assert exit_code(exc) == code == exit_code(expected) == errors.EXIT_CODES[expected]
    assert problem_kind(exc) == dialog == PROBLEMS[expected]


def test_every_category_has_an_exit_code_and_a_dialog() -> None:
    assert set(errors.EXIT_CODES) == set(Category) == set(PROBLEMS)
    assert errors.EXIT_OK == 0 and errors.EXIT_OK not in errors.EXIT_CODES.values()


def test_the_existing_classes_are_still_caught_where_they_were() -> None:
    """Joining the hierarchy keeps every `except` clause catching what it caught."""
    assert issubclass(SettingsError, ValueError) and issubclass(ComputeTypeError, ValueError)
    assert issubclass(ConfigurationError, ValueError) and issubclass(MissingApiKey, ConfigurationError)
    for cls in (
        ModelNotFoundError,
        ComputeTypeError,
        UnsupportedLanguageError,
        ConfigurationError,
        TaskError,
        RestServiceError,
    ):
        assert issubclass(cls, RecognitionError) and issubclass(cls, errors.CaptionerError)
    assert issubclass(DeviceNotFoundError, AudioDeviceError) and issubclass(AudioDeviceError, AudioSourceError)
    assert issubclass(ModelNotFoundError, errors.ModelError) and issubclass(SettingsError, errors.ParameterError)
    assert issubclass(AudioDeviceError, errors.DeviceError) and issubclass(AudioSourceError, errors.InputError)
    # constructors and attributes as before
    e = RecognitionError("InvalidParameter", "bad", retryable=True)
    assert (e.code, e.message, e.retryable, str(e)) == ("InvalidParameter", "bad", True, "bad (InvalidParameter)")
    m = ModelNotFoundError("no model")
    assert (m.code, m.message, str(m)) == ("ModelNotFound", "no model", "no model")
    s = SettingsError("model", "unknown")
    assert (s.field, str(s)) == ("model", "model: unknown")


def test_user_message_shows_the_code_only_where_the_service_spoke() -> None:
    assert user_message(RecognitionError("ModelNotFound", "Model not exist")) == "Model not exist (ModelNotFound)"
    assert user_message(RecognitionError("InvalidParameter", "bad hint")) == "bad hint"
    assert user_message(ModelNotFoundError("no model")) == "no model"
    assert user_message(AudioSourceError("x.wav: no such file")) == "x.wav: no such file"
    assert user_message(RuntimeError()) == "RuntimeError"


def test_errors_module_imports_nothing_from_captioner() -> None:
    """It is the bottom of the import graph: everything may import it."""
    tree = ast.parse(Path(errors.__file__).read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.split(".")[0] == "captioner"]
