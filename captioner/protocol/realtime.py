"""The DashScope realtime recognition protocol, without I/O.

Every JSON shape of the Fun-ASR / Paraformer realtime WebSocket protocol is built and parsed
here, for both ends: the cloud client and `captioner serve`. Nothing in this module touches a
socket or an event loop; you hand it frames (a `str` for a text frame, `bytes` for a binary
frame) and it hands you messages, and the other way round. That is the style of h11 and
wsproto, and it is why this module can be tested from recorded frames alone.

The conversation, one task at a time on one WebSocket (docs/protocol.md §2.8)::

    client                                   server
    run-task      {"header": {"action": ...}} ->
                                             <- task-started
    audio         (binary frames)            ->
                                             <- result-generated  (interim, then final ...)
    continue-task (optional context update)  ->
    finish-task                              ->
                                             <- result-generated  (the last finals)
                                             <- task-finished     (connection idle; reusable)
    any time after run-task:                 <- task-failed       (then the server closes)

Messages are small frozen dataclasses. `ServerConnection` and `ClientConnection` hold the
state of one WebSocket: `receive(frame)` turns a frame from the peer into a message and
`send(message)` turns a message into a frame, and both raise `ProtocolError` (carrying the
service's error code) when a message is malformed or out of order.

Parameters: `RunTask.parameters` keeps every parameter exactly as sent. `RunTask.settings()`
maps the ones `RecognitionSettings` knows (validating them; a bad one raises
`SettingsError` naming it) and ignores the rest, as the service ignores parameters a model
does not use (the SDK forwards `diarization_enabled` & co. unchanged). A `null` value counts
as "not given", as it does for the SDK, which drops `None` arguments.

One piece: the messages, their encoding and the state machine that orders them are one
protocol; h11 keeps them together for the same reason. Split apart, every change to a
message would touch three files, and the state machine could not be read beside the
frames it allows.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from captioner.events import Sentence, Usage, Word
from captioner.protocol.gummy import (
    GummyParameters,
    GummyShapeError,
    gummy_output,
    is_gummy_model,
    is_gummy_output,
    sentence_from_gummy_output,
)
from captioner.settings import RecognitionSettings, SettingsError

# -- Names on the wire -------------------------------------------------------------------

RUN_TASK = "run-task"
CONTINUE_TASK = "continue-task"
FINISH_TASK = "finish-task"

TASK_STARTED = "task-started"
RESULT_GENERATED = "result-generated"
TASK_FINISHED = "task-finished"
TASK_FAILED = "task-failed"

#: Realtime models whose results use the `payload.output.sentence` shape (docs/protocol.md §2.7).
#: Dated Fun-ASR snapshots ("fun-asr-realtime-2025-11-07") count too; see is_realtime_model.
REALTIME_MODELS = (
    "fun-asr-realtime",
    "fun-asr-flash-8k-realtime",
    "paraformer-realtime-v2",
    "paraformer-realtime-8k-v2",
    "paraformer-realtime-v1",
    "paraformer-realtime-8k-v1",
    # Same protocol; takes its hot words inline (`parameters.vocabulary`, protocol/vocabulary.py).
    "qwen-audio-3.0-asr-flash-streaming",
)


def is_realtime_model(model: str) -> bool:
    return model in REALTIME_MODELS or model.startswith("fun-asr-realtime-") or is_gummy_model(model)


def is_8k_model(model: str) -> bool:
    """8 kHz telephone models take only 8000 Hz audio."""
    return "-8k-" in model


def allowed_rates(model: str) -> tuple[int, ...] | None:
    """The sample rates a realtime model takes; None: any (resampled on the server).

    `-8k-` models: 8000 Hz. paraformer-realtime-v2: any rate. paraformer-realtime-v1 and
    Fun-ASR realtime (and its dated snapshots): 16000 Hz, as the service documents them.
    (The server refuses other rates with it; the client picks the rate a file is sent at.)
    """
    if is_8k_model(model):
        return (8000,)
    if model == "paraformer-realtime-v2":
        return None
    return (16000,)


def new_task_id() -> str:
    """A task id as the SDK makes them: 32 hex digits."""
    return uuid.uuid4().hex


# -- Error codes ---------------------------------------------------------------------------


class ErrorCode:
    """The service's error codes (docs/protocol.md §6), as sent in `task-failed` or an HTTP error body."""

    CLIENT_ERROR = "CLIENT_ERROR"  # protocol fault by the client; also the 23-s no-data timeout
    NO_VALID_AUDIO = "NO_VALID_AUDIO_ERROR"  # audio does not match format / sample rate
    NO_INPUT_AUDIO = "NO_INPUT_AUDIO_ERROR"  # no speech in the audio
    INVALID_PARAMETER = "InvalidParameter"
    CLIENT_DISCONNECT = "ClientDisconnect"
    REQUEST_TIMEOUT = "RequestTimeOut"  # "Response timeout!": long silence without heartbeat
    INVALID_API_KEY = "InvalidApiKey"
    NOT_AUTHORIZED = "NOT AUTHORIZED"
    ACCESS_DENIED = "AccessDenied"
    ACCESS_DENIED_UNPURCHASED = "AccessDenied.Unpurchased"
    MODEL_ACCESS_DENIED = "Model.AccessDenied"
    WORKSPACE_ACCESS_DENIED = "Workspace.AccessDenied"
    FREE_TIER_ONLY = "AllocationQuota.FreeTierOnly"
    ARREARAGE = "Arrearage"
    MODEL_NOT_FOUND = "ModelNotFound"
    THROTTLING = "Throttling"
    THROTTLING_RATE_QUOTA = "Throttling.RateQuota"
    THROTTLING_BURST_RATE = "Throttling.BurstRate"
    THROTTLING_ALLOCATION_QUOTA = "Throttling.AllocationQuota"
    INTERNAL_ERROR = "InternalError"
    INTERNAL_ERROR_ALGO = "InternalError.Algo"
    INTERNAL_ERROR_TIMEOUT = "InternalError.Timeout"
    SYSTEM_ERROR = "SystemError"
    MODEL_SERVICE_FAILED = "ModelServiceFailed"
    SERVICE_UNAVAILABLE = "ServiceUnavailableError"
    MODEL_UNAVAILABLE = "ModelUnavailable"
    MODEL_SERVING_ERROR = "ModelServingError"
    #: Ours, never sent by the service: the connection failed or dropped.
    NETWORK_ERROR = "NetworkError"


#: Trying again (after a pause) can help: the network, the server's load, the server itself.
#: Rate limits pass; allocation quotas, arrears and bad keys or parameters do not.
RETRYABLE_CODES = frozenset(
    {
        ErrorCode.NETWORK_ERROR,
        ErrorCode.CLIENT_DISCONNECT,
        ErrorCode.REQUEST_TIMEOUT,
        ErrorCode.INTERNAL_ERROR,
        ErrorCode.INTERNAL_ERROR_ALGO,
        ErrorCode.INTERNAL_ERROR_TIMEOUT,
        ErrorCode.SYSTEM_ERROR,
        ErrorCode.MODEL_SERVICE_FAILED,
        ErrorCode.SERVICE_UNAVAILABLE,
        ErrorCode.MODEL_UNAVAILABLE,
        ErrorCode.MODEL_SERVING_ERROR,
        ErrorCode.THROTTLING,
        ErrorCode.THROTTLING_RATE_QUOTA,
        ErrorCode.THROTTLING_BURST_RATE,
    }
)

NO_DATA_TIMEOUT_MESSAGE = "request timeout after {seconds:g} seconds."


def is_retryable(code: str, message: str = "") -> bool:
    """Whether reconnecting and starting a new task may succeed where this one failed.

    Unknown codes are not retried: repeating a request the service rejected for a reason we
    do not understand rarely helps. One CLIENT_ERROR is retryable: the no-data timeout
    ("request timeout after 23 seconds."), which a stalled network or a paused source causes.
    """
    if code in RETRYABLE_CODES:
        return True
    return code == ErrorCode.CLIENT_ERROR and message.startswith("request timeout after")


def is_retryable_http_status(status: int) -> bool:
    """For a refused handshake or a REST call: 5xx, 408 and 429 pass; 4xx otherwise do not."""
    return status >= 500 or status in (408, 429)


class ProtocolError(Exception):
    """A frame is malformed or out of order. `code` is what the service answers with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        return is_retryable(self.code, self.message)


class LocalProtocolError(ProtocolError):
    """You tried to send something the protocol does not allow now (a bug in the caller)."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something malformed or out of order."""


# -- Messages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunTask:
    """Start a task. `parameters` and `input` are kept exactly as sent."""

    task_id: str
    model: str
    parameters: dict[str, Any]
    input: dict[str, Any] = field(default_factory=dict)
    #: Legacy v1 phrase hot words: [{"resource_id": ..., "resource_type": "asr_phrase"}].
    resources: list[Any] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: RecognitionSettings,
        task_id: str | None = None,
        *,
        input: dict[str, Any] | None = None,
        extra_parameters: Mapping[str, Any] | None = None,
    ) -> RunTask:
        """The run-task for these settings; `extra_parameters` go out verbatim after them.
        A Gummy model gets the Gummy parameters (protocol/gummy.py)."""
        parameters = parameters_from_settings(settings)
        if is_gummy_model(settings.model):
            parameters = {"sample_rate": settings.sample_rate, "format": settings.format}
            parameters.update(GummyParameters.from_settings(settings).to_wire())
            if settings.vocabulary_id is not None:
                parameters["vocabulary_id"] = settings.vocabulary_id
        parameters.update(extra_parameters or {})
        return cls(task_id or new_task_id(), settings.model, parameters, dict(input or {}))

    def settings(self) -> RecognitionSettings:
        """The parameters as RecognitionSettings; raises SettingsError naming a bad one."""
        settings = settings_from_parameters(self.model, self.parameters)
        gummy = self.gummy
        return gummy.apply(settings) if gummy is not None else settings

    @property
    def gummy(self) -> GummyParameters | None:
        """The Gummy parameters of a Gummy task (SettingsError if bad), else None."""
        return GummyParameters.from_wire(self.parameters) if is_gummy_model(self.model) else None

    @property
    def extra_parameters(self) -> dict[str, Any]:
        """Parameters RecognitionSettings has no field for (passed through, not used)."""
        return {k: v for k, v in self.parameters.items() if k not in _SETTINGS_PARAMETERS}


@dataclass(frozen=True)
class ContinueTask:
    """Mid-stream context update (Fun-ASR); the service sends no reply."""

    task_id: str
    input: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FinishTask:
    """No more audio: recognise what is buffered, then send task-finished."""

    task_id: str


@dataclass(frozen=True)
class Audio:
    """One binary frame of audio in the task's declared format. It carries no task id."""

    data: bytes

    def __repr__(self) -> str:
        return f"Audio(<{len(self.data)} bytes>)"


@dataclass(frozen=True)
class TaskStarted:
    task_id: str


@dataclass(frozen=True)
class ResultGenerated:
    """An interim or final sentence. Finals carry usage; when None, the encoder bills
    the sentence's end, rounded up to whole seconds. `gummy` set: the Gummy output shape
    (`transcription` + `translations`) instead of `sentence`; decoding sets it when the
    server sent that shape (its parameters then only say which parts were there)."""

    task_id: str
    sentence: Sentence
    usage: Usage | None = None
    gummy: GummyParameters | None = None


@dataclass(frozen=True)
class Heartbeat:
    """A keep-alive result-generated (sentence.heartbeat = true) during silence."""

    task_id: str


@dataclass(frozen=True)
class TaskFinished:
    task_id: str
    output: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskFailed:
    task_id: str
    error_code: str
    error_message: str

    @property
    def retryable(self) -> bool:
        return is_retryable(self.error_code, self.error_message)


ClientMessage = RunTask | ContinueTask | FinishTask | Audio
ServerEvent = TaskStarted | ResultGenerated | Heartbeat | TaskFinished | TaskFailed


# -- Settings <-> run-task parameters ------------------------------------------------------

_SETTINGS_PARAMETERS = (
    "sample_rate",
    "format",
    "language_hints",
    "semantic_punctuation_enabled",
    "max_sentence_silence",
    "multi_threshold_mode_enabled",
    "punctuation_prediction_enabled",
    "inverse_text_normalization_enabled",
    "heartbeat",
    "speech_noise_threshold",
    "vocabulary_id",
    "disfluency_removal_enabled",
)


def parameters_from_settings(settings: RecognitionSettings) -> dict[str, Any]:
    """`payload.parameters` for these settings, in the SDK's order (sample_rate, format first).

    Sentence-breaking switches go out always, so the model's own defaults (which differ
    between Fun-ASR and Paraformer) never override what the user chose. Optional values go
    out only when set; the two Paraformer switches only when turned off (Fun-ASR has them
    fixed on). `hot_words` is not a wire parameter: the cloud takes vocabulary_id instead.
    """
    p: dict[str, Any] = {"sample_rate": settings.sample_rate, "format": settings.format}
    if settings.language_hints:
        p["language_hints"] = list(settings.language_hints)
    p["semantic_punctuation_enabled"] = settings.semantic_punctuation_enabled
    p["max_sentence_silence"] = settings.max_sentence_silence
    p["multi_threshold_mode_enabled"] = settings.multi_threshold_mode_enabled
    p["heartbeat"] = settings.heartbeat
    if settings.vocabulary_id is not None:
        p["vocabulary_id"] = settings.vocabulary_id
    if settings.speech_noise_threshold is not None:
        p["speech_noise_threshold"] = settings.speech_noise_threshold
    p["disfluency_removal_enabled"] = settings.disfluency_removal_enabled
    if not settings.punctuation_prediction_enabled:
        p["punctuation_prediction_enabled"] = False
    if not settings.inverse_text_normalization_enabled:
        p["inverse_text_normalization_enabled"] = False
    return p


def settings_from_parameters(model: str, parameters: Mapping[str, Any]) -> RecognitionSettings:
    """RecognitionSettings from a run-task; unknown parameters are ignored (see module doc)."""
    for required in ("format", "sample_rate"):
        if parameters.get(required) is None:
            raise SettingsError(required, "is a required parameter")
    values = {k: parameters[k] for k in _SETTINGS_PARAMETERS if parameters.get(k) is not None}
    hints = values.get("language_hints")
    if isinstance(hints, str):
        values["language_hints"] = [hints]
    elif hints is not None and not (isinstance(hints, list) and all(isinstance(h, str) for h in hints)):
        raise SettingsError("language_hints", f"must be a list of language codes (got {hints!r})")
    return RecognitionSettings(model=model, **values)


# -- Sentences <-> payload.output.sentence -------------------------------------------------


def sentence_to_wire(sentence: Sentence) -> dict[str, Any]:
    """The `sentence` object. Interims have end_time null: the SDK tests only end_time."""
    d: dict[str, Any] = {
        "begin_time": sentence.begin_ms,
        "end_time": sentence.end_ms if sentence.final else None,
        "text": sentence.text,
        "heartbeat": False,
        "sentence_end": sentence.final,
        "sentence_id": sentence.sentence_id,
        "words": [
            {"begin_time": w.begin_ms, "end_time": w.end_ms, "text": w.text, "punctuation": w.punctuation}
            for w in sentence.words
        ],
    }
    if sentence.speaker_id is not None:
        d["speaker_id"] = sentence.speaker_id
    return d


def sentence_from_wire(d: Any) -> Sentence:
    """A Sentence from the wire. Final means end_time is set, the SDK's rule; an interim's
    end is taken as far as its words reach."""
    if not isinstance(d, dict):
        raise _bad_event("payload.output.sentence is not an object")
    begin = _int_or(d.get("begin_time"), 0, "sentence.begin_time")
    end_time = d.get("end_time")
    text = d.get("text", "")
    if not isinstance(text, str):
        raise _bad_event("sentence.text is not text")
    words_in = d.get("words") or []
    if not isinstance(words_in, list):
        raise _bad_event("sentence.words is not a list")
    words = []
    for w in words_in:
        if not isinstance(w, dict) or not isinstance(w.get("text", ""), str):
            raise _bad_event("a sentence word is malformed")
        wb = _int_or(w.get("begin_time"), begin, "word.begin_time")
        we = _int_or(w.get("end_time"), wb, "word.end_time")
        punct = w.get("punctuation") or ""
        words.append(Word(wb, we, w.get("text", ""), punct if isinstance(punct, str) else ""))
    final = end_time is not None
    end = _int_or(end_time, 0, "sentence.end_time") if final else max([begin] + [w.end_ms for w in words])
    sid = _int_or(d.get("sentence_id"), 0, "sentence.sentence_id")
    speaker = d.get("speaker_id")
    return Sentence(text, begin, end, final, tuple(words), sid, speaker if isinstance(speaker, int) else None)


# -- Encoding ------------------------------------------------------------------------------


def encode(message: ClientMessage | ServerEvent) -> str | bytes:
    """The frame for a message: bytes for Audio, JSON text for everything else.

    Commands come out byte for byte as the SDK 1.x writes them; events as the service does
    (compact JSON, `attributes: {}` in every header). Non-ASCII text stays readable UTF-8.
    """
    if isinstance(message, Audio):
        return bytes(message.data)
    if isinstance(message, RunTask):
        payload: dict[str, Any] = {
            "model": message.model,
            "parameters": message.parameters,
            "input": message.input,
            "task": "asr",
            "task_group": "audio",
            "function": "recognition",
        }
        if message.resources is not None:
            payload["resources"] = message.resources
        return _command(message.task_id, RUN_TASK, payload)
    if isinstance(message, ContinueTask):
        return _command(message.task_id, CONTINUE_TASK, {"input": message.input})
    if isinstance(message, FinishTask):
        return _command(message.task_id, FINISH_TASK, {"input": {}})
    if isinstance(message, TaskStarted):
        return _event(message.task_id, TASK_STARTED, {})
    if isinstance(message, ResultGenerated):
        s = message.sentence
        usage = None
        if s.final:
            seconds = message.usage.duration_s if message.usage else max(1, math.ceil(s.end_ms / 1000))
            usage = {"duration": seconds}
        if message.gummy is not None:
            output = gummy_output(s, message.gummy)
            if not output:  # the SDK would read an empty output as the end of the task
                raise LocalProtocolError(ErrorCode.INTERNAL_ERROR, "a Gummy result with nothing to send")
            return _event(message.task_id, RESULT_GENERATED, {"output": output, "usage": usage})
        return _event(message.task_id, RESULT_GENERATED, {"output": {"sentence": sentence_to_wire(s)}, "usage": usage})
    if isinstance(message, Heartbeat):
        beat: dict[str, Any] = {"begin_time": 0, "end_time": None, "text": "", "heartbeat": True, "sentence_end": False,
                "sentence_id": 0, "words": []}  # fmt: skip
        return _event(message.task_id, RESULT_GENERATED, {"output": {"sentence": beat}, "usage": None})
    if isinstance(message, TaskFinished):
        # Never an empty payload: the SDK then skips on_complete (docs/protocol.md §2.11).
        return _event(message.task_id, TASK_FINISHED, {"output": message.output})
    if isinstance(message, TaskFailed):
        header = {
            "task_id": message.task_id,
            "event": TASK_FAILED,
            "error_code": message.error_code,
            "error_message": message.error_message,
            "attributes": {},
        }
        return _dumps({"header": header, "payload": {}}, compact=True)
    raise TypeError(f"not a protocol message: {message!r}")


def _command(task_id: str, action: str, payload: dict[str, Any]) -> str:
    header = {"streaming": "duplex", "task_id": task_id, "action": action}
    return _dumps({"header": header, "payload": payload}, compact=False)


def _event(task_id: str, event: str, payload: dict[str, Any]) -> str:
    header = {"task_id": task_id, "event": event, "attributes": {}}
    return _dumps({"header": header, "payload": payload}, compact=True)


def _dumps(obj: Any, compact: bool) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":") if compact else None)


# -- Decoding ------------------------------------------------------------------------------


def decode_command(frame: str | bytes) -> ClientMessage:
    """A client frame as a message. Raises RemoteProtocolError with the service's code."""
    if isinstance(frame, (bytes, bytearray, memoryview)):
        return Audio(bytes(frame))
    header, payload = _envelope(frame, _bad_command)
    action = header.get("action")
    if not isinstance(action, str):
        raise _bad_command("header.action is missing")
    task_id = header.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise _bad_command("header.task_id is missing")
    if action not in (RUN_TASK, CONTINUE_TASK, FINISH_TASK):
        raise RemoteProtocolError(ErrorCode.CLIENT_ERROR, f"unknown action {action!r}")
    inp = payload.get("input")
    if not isinstance(inp, dict):
        raise _bad_command("payload.input must be an object")
    if action == FINISH_TASK:
        return FinishTask(task_id)
    if action == CONTINUE_TASK:
        return ContinueTask(task_id, inp)
    for key, wanted in (("task_group", "audio"), ("task", "asr"), ("function", "recognition")):
        if key in payload and payload[key] != wanted:
            raise RemoteProtocolError(
                ErrorCode.INVALID_PARAMETER, f"payload.{key} must be {wanted!r} for speech recognition"
            )
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        raise RemoteProtocolError(
            ErrorCode.INVALID_PARAMETER, "Missing required parameter 'payload.model'! Please follow the protocol!"
        )
    parameters = payload.get("parameters")
    if not isinstance(parameters, dict):
        raise RemoteProtocolError(
            ErrorCode.INVALID_PARAMETER, "Missing required parameter 'payload.parameters'! Please follow the protocol!"
        )
    resources = payload.get("resources")
    return RunTask(task_id, model, parameters, inp, resources if isinstance(resources, list) else None)


def decode_event(frame: str | bytes) -> ServerEvent:
    """A server frame as an event. A malformed one is the server's fault: InternalError."""
    if not isinstance(frame, str):
        raise _bad_event("the server sent a binary frame")
    header, payload = _envelope(frame, _bad_event)
    event = header.get("event")
    task_id = header.get("task_id", "")
    if not isinstance(task_id, str):
        raise _bad_event("header.task_id is not text")
    if event == TASK_STARTED:
        return TaskStarted(task_id)
    if event == RESULT_GENERATED:
        output = payload.get("output")
        gummy: GummyParameters | None = None
        if isinstance(output, dict) and "sentence" not in output and is_gummy_output(output):
            try:
                sentence = sentence_from_gummy_output(output)
            except GummyShapeError as exc:
                raise _bad_event(str(exc)) from None
            targets = (sentence.translation.language,) if sentence.translation else ()
            gummy = GummyParameters(None, "transcription" in output, bool(targets), targets)
        else:
            if not isinstance(output, dict) or "sentence" not in output:
                raise _bad_event("result-generated without payload.output.sentence")
            raw = output["sentence"]
            if isinstance(raw, dict) and raw.get("heartbeat") is True:
                return Heartbeat(task_id)
            sentence = sentence_from_wire(raw)
        usage = payload.get("usage")
        duration = usage.get("duration") if isinstance(usage, dict) else None
        valid = isinstance(duration, int) and not isinstance(duration, bool)
        return ResultGenerated(
            task_id, sentence, Usage(duration) if valid and isinstance(duration, int) else None, gummy
        )
    if event == TASK_FINISHED:
        output = payload.get("output")
        return TaskFinished(task_id, output if isinstance(output, dict) else {})
    if event == TASK_FAILED:
        code = header.get("error_code")
        message = header.get("error_message")
        return TaskFailed(
            task_id,
            code if isinstance(code, str) and code else ErrorCode.INTERNAL_ERROR,
            message if isinstance(message, str) else "the task failed without a message",
        )
    raise _bad_event(f"unknown event {event!r}")


def _envelope(frame: str, bad: Callable[[str], RemoteProtocolError]) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        obj = json.loads(frame)
    except (ValueError, RecursionError):
        raise bad("the frame is not JSON") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("header"), dict):
        raise bad("the frame has no header object")
    payload = obj.get("payload")
    if not isinstance(payload, dict):
        raise bad("the frame has no payload object")
    return obj["header"], payload


def _bad_command(detail: str) -> RemoteProtocolError:
    return RemoteProtocolError(ErrorCode.CLIENT_ERROR, f"Invalid payload data: {detail}")


def _bad_event(detail: str) -> RemoteProtocolError:
    return RemoteProtocolError(ErrorCode.INTERNAL_ERROR, f"invalid server event: {detail}")


def _int_or(value: Any, default: int, name: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _bad_event(f"{name} is not a number")
    return int(value)


# -- The state of one connection -----------------------------------------------------------


class State(enum.Enum):
    IDLE = "idle"  # no task: run-task may come (a fresh or a reused connection)
    STARTING = "starting"  # run-task went out; task-started (or task-failed) is due
    RUNNING = "running"  # audio flows in, results flow out
    FINISHING = "finishing"  # finish-task went out; the last results, then task-finished
    FAILED = "failed"  # task-failed went out; the server closes the connection


_ACTIVE = (State.STARTING, State.RUNNING, State.FINISHING)

#: (state, message type) -> next state. task-failed is legal from any state but FAILED.
_TRANSITIONS: dict[tuple[State, type], State] = {
    (State.IDLE, RunTask): State.STARTING,
    (State.STARTING, TaskStarted): State.RUNNING,
    (State.RUNNING, Audio): State.RUNNING,
    (State.RUNNING, ContinueTask): State.RUNNING,
    (State.RUNNING, ResultGenerated): State.RUNNING,
    (State.RUNNING, Heartbeat): State.RUNNING,
    (State.RUNNING, FinishTask): State.FINISHING,
    (State.FINISHING, ResultGenerated): State.FINISHING,
    (State.FINISHING, Heartbeat): State.FINISHING,
    (State.FINISHING, TaskFinished): State.IDLE,
}

_NAMES = {
    RunTask: RUN_TASK, ContinueTask: CONTINUE_TASK, FinishTask: FINISH_TASK, Audio: "audio",
    TaskStarted: TASK_STARTED, ResultGenerated: RESULT_GENERATED, Heartbeat: "heartbeat",
    TaskFinished: TASK_FINISHED, TaskFailed: TASK_FAILED,
}  # fmt: skip

_WHEN = {
    State.IDLE: "before run-task",
    State.STARTING: "before task-started",
    State.RUNNING: "while the task is running",
    State.FINISHING: "after finish-task",
    State.FAILED: "after task-failed",
}


class _Connection:
    """The state shared by both ends: which task, and where in its life it is."""

    def __init__(self) -> None:
        self.state = State.IDLE
        #: The current task's id (kept after it ends, for the record); None before any task.
        self.task_id: str | None = None
        #: The current (or last) task's run-task.
        self.run_task: RunTask | None = None

    def _advance(self, message: ClientMessage | ServerEvent, local: bool) -> None:
        error = LocalProtocolError if local else RemoteProtocolError
        # Blame whoever wrote the offending message: a client fault is CLIENT_ERROR, a
        # server fault an InternalError (the client may retry a misbehaving server).
        code = ErrorCode.CLIENT_ERROR if isinstance(message, ClientMessage) else ErrorCode.INTERNAL_ERROR
        name = _NAMES[type(message)]
        next_state: State | None
        if isinstance(message, TaskFailed) and self.state is not State.FAILED:
            next_state = State.FAILED
        else:
            next_state = _TRANSITIONS.get((self.state, type(message)))
        if next_state is None:
            if self.state in _ACTIVE and isinstance(message, RunTask):
                raise error(code, f"run-task received while task {self.task_id} is still active")
            raise error(code, f"{name} is not allowed {_WHEN[self.state]}")
        task_id = getattr(message, "task_id", None)
        if (
            task_id is not None
            and self.state in _ACTIVE
            and task_id != self.task_id
            and not (isinstance(message, TaskFailed) and task_id == "")
        ):
            raise error(code, f"{name} is for task {task_id!r}, but the running task is {self.task_id!r}")
        if isinstance(message, RunTask):
            self.task_id, self.run_task = message.task_id, message
        self.state = next_state


class ServerConnection(_Connection):
    """The server end of one WebSocket.

    `receive(frame)` -> RunTask | ContinueTask | FinishTask | Audio, or RemoteProtocolError
    whose code and message belong in a task-failed (see `fail`). `send(event)` -> the text
    frame to write. The server must close the socket after sending task-failed.
    """

    def receive(self, frame: str | bytes) -> ClientMessage:
        message = decode_command(frame)
        self._advance(message, local=False)
        return message

    def send(self, event: ServerEvent) -> str:
        """A Gummy task's results go out in the Gummy shape, whatever the caller built."""
        if isinstance(event, (RunTask, ContinueTask, FinishTask, Audio)):
            raise LocalProtocolError(ErrorCode.INTERNAL_ERROR, f"a server cannot send {_NAMES[type(event)]}")
        run = self.run_task
        if isinstance(event, ResultGenerated) and event.gummy is None and run is not None and is_gummy_model(run.model):
            event = dataclasses.replace(event, gummy=GummyParameters.from_wire(run.parameters))
        self._advance(event, local=True)
        frame = encode(event)
        assert isinstance(frame, str)
        return frame

    def fail(self, code: str, message: str) -> str:
        """The task-failed frame for the current task (task id "" if none was started)."""
        task_id = self.task_id if self.state in _ACTIVE and self.task_id else ""
        return self.send(TaskFailed(task_id, code, message))


class ClientConnection(_Connection):
    """The client end of one WebSocket.

    `send(command)` -> the frame to write (text, or bytes for Audio). `receive(frame)` ->
    TaskStarted | ResultGenerated | Heartbeat | TaskFinished | TaskFailed, or
    RemoteProtocolError (code InternalError) if the server breaks the protocol. After
    TaskFinished the connection is IDLE and can start another task; after TaskFailed it is
    FAILED and done.
    """

    def send(self, command: ClientMessage) -> str | bytes:
        if not isinstance(command, (RunTask, ContinueTask, FinishTask, Audio)):
            raise LocalProtocolError(ErrorCode.CLIENT_ERROR, f"a client cannot send {_NAMES.get(type(command))}")
        self._advance(command, local=True)
        return encode(command)

    def receive(self, frame: str | bytes) -> ServerEvent:
        event = decode_event(frame)
        self._advance(event, local=False)
        return event


# -- HTTP error bodies ---------------------------------------------------------------------


def encode_http_error(code: str, message: str, request_id: str | None = None) -> str:
    """A gateway error body, compact as the gateway writes it (a 401 with a uuid request
    id is 114 bytes, matching what the real service sends)."""
    body = {"code": code, "message": message, "request_id": request_id or str(uuid.uuid4())}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def decode_http_error(body: bytes | bytearray | str) -> tuple[str, str]:
    """(code, message) from a gateway error body (`{"code", "message"|"msg", "request_id"}`,
    docs/protocol.md §6), e.g. a 401 refusing the WebSocket handshake; ("", "") when it is not one."""
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError, TypeError):
        return "", ""
    if not isinstance(obj, dict):
        return "", ""
    code = obj.get("code")
    message = obj.get("message", obj.get("msg"))
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")
