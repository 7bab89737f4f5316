"""The DashScope REST shapes for recorded files and hot words, without I/O.

Recorded-file transcription (spec §4) and the hot-word vocabulary service (spec §5) are
plain JSON over HTTP. Every body is built and parsed here, for both ends: the client
(`files.py`, `vocabulary.py`) and the emulator in `captioner serve` (`rest_server.py`).
Nothing here opens a socket; you hand it decoded JSON and get dataclasses back, and the
other way round, so the shapes are tested from bytes alone, like `protocol.py` for the
realtime WebSocket.

The file-transcription conversation::

    POST {base}/services/audio/asr/transcription   X-DashScope-Async: enable
         {"model", "parameters": {...}, "input": {"file_urls": [...]}}
      <- {"output": {"task_id", "task_status": "PENDING"}, "request_id"}
    GET  {base}/tasks/{task_id}            (again and again, backing off: PollPolicy)
      <- {"output": {"task_status": "RUNNING", "task_metrics": {...}}, ...}
      <- {"output": {"task_status": "SUCCEEDED", "results": [per file: subtask_status,
          transcription_url | code + message]}, "usage": {"duration": s}}
    GET  transcription_url                 (no Authorization: a pre-signed URL)
      <- {"file_url", "properties", "transcripts": [{"sentences": [...]}]}

A task SUCCEEDS when at least one file did, so every subtask has to be checked (§4.2).
Errors travel as `{"code", "message", "request_id"}` with a 4xx/5xx status (§6), decoded
into `ServiceError`, which is a `RecognitionError` so the app handles it like any other.
"""

from __future__ import annotations

import enum
import json
import math
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard
from urllib.parse import quote

from captioner.errors import Category, code_category
from captioner.recognition.dashscope.protocol import (
    ErrorCode,
    decode_http_error,
    encode_http_error,
    is_realtime_model,
    is_retryable_http_status,
)
from captioner.recognition.events import RecognitionError, Sentence, Word
from captioner.settings import LANGUAGES
from captioner.transcript.export import sentence_from_dict, sentence_to_dict

# -- Paths and headers (spec §1.2, §1.3) ---------------------------------------------------

API_PREFIX = "/api/v1"
TRANSCRIPTION_PATH = "/services/audio/asr/transcription"
CUSTOMIZATION_PATH = "/services/audio/asr/customization"
TASKS_PATH = "/tasks"
ASYNC_HEADER = "X-DashScope-Async"
WORKSPACE_HEADER = "X-DashScope-WorkSpace"


def task_path(task_id: str) -> str:
    return f"{TASKS_PATH}/{quote(task_id, safe='')}"


def cancel_path(task_id: str) -> str:
    return f"{task_path(task_id)}/cancel"


# -- Models ---------------------------------------------------------------------------------

#: Recorded-file models the service documents (spec §4.1). Singapore has Fun-ASR only.
FILE_MODELS = (
    "fun-asr",
    "fun-asr-2025-11-07",
    "fun-asr-2025-08-25",
    "fun-asr-mtl",
    "fun-asr-mtl-2025-08-25",
    "paraformer-v2",
    "paraformer-8k-v2",
    "paraformer-v1",
    "paraformer-8k-v1",
    "paraformer-mtl-v1",
    "sensevoice-v1",
)

#: paraformer-v2 takes only these language hints; fun-asr-2025-08-25 only zh and en (§4.1).
PARAFORMER_LANGUAGES = ("zh", "en", "ja", "yue", "ko", "de", "fr", "ru")
MODEL_LANGUAGES: dict[str, tuple[str, ...]] = {
    "paraformer-v2": PARAFORMER_LANGUAGES,
    "paraformer-8k-v2": PARAFORMER_LANGUAGES,
    "fun-asr-2025-08-25": ("zh", "en"),
}

MAX_FILES_PER_TASK = 100  # the user guide's figure; the API reference says one (§4.1)
SPEAKER_COUNT_RANGE = (2, 100)


def is_file_model(model: str) -> bool:
    return model in FILE_MODELS


# -- Task status -----------------------------------------------------------------------------


class TaskStatus(enum.StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUSPENDED = "SUSPENDED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    #: The gateway's answer (HTTP 200) for a task id it does not know or that has expired.
    UNKNOWN = "UNKNOWN"

    @property
    def terminal(self) -> bool:
        """The SDK's wait() stops on these (SUSPENDED is not one: it may resume)."""
        return self in _TERMINAL


_TERMINAL = frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELED, TaskStatus.UNKNOWN})


# -- Error codes (spec §6; the realtime ones are in protocol.ErrorCode) ----------------------


class RestErrorCode:
    """Codes of the REST gateway, the file tasks and the vocabulary service."""

    EMPTY_INPUT = "BadRequest.EmptyInput"
    EMPTY_PARAMETERS = "BadRequest.EmptyParameters"
    EMPTY_MODEL = "BadRequest.EmptyModel"
    ILLEGAL_INPUT = "BadRequest.IllegalInput"
    RESOURCE_NOT_EXIST = "BadRequest.ResourceNotExist"
    NOT_FOUND = "NotFound"
    DOWNLOAD_FAILED = "InvalidFile.DownloadFailed"
    FILE_DOWNLOAD_FAILED = "FILE_DOWNLOAD_FAILED"
    FILE_404_NOT_FOUND = "FILE_404_NOT_FOUND"
    FILE_403_FORBIDDEN = "FILE_403_FORBIDDEN"
    FILE_SERVER_ERROR = "FILE_SERVER_ERROR"
    FILE_CHECK_FAILED = "FILE_CHECK_FAILED"
    FILE_PARSE_FAILED = "FILE_PARSE_FAILED"
    DECODE_ERROR = "DECODE_ERROR"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    AUDIO_DURATION_TOO_LONG = "AUDIO_DURATION_TOO_LONG"
    CONTENT_LENGTH_CHECK_FAILED = "CONTENT_LENGTH_CHECK_FAILED"
    INVALID_FILE_URL = "REQUEST_INVALID_FILE_URL_VALUE"
    TASK_EXPIRED = "FILE_TRANS_TASK_EXPIRED"
    NO_VALID_FRAGMENT = "SUCCESS_WITH_NO_VALID_FRAGMENT"
    NO_WORDS = "ASR_RESPONSE_HAVE_NO_WORDS"
    #: The SDK's own code when wait() runs out of time (HTTP 408, client side).
    WAIT_TASK_TIMEOUT = "WaitTaskTimeout"
    #: Ours, never sent by the service.
    NO_API_KEY = "NoApiKey"
    BAD_RESPONSE = "BadResponse"  # the server's JSON is not the documented shape
    METHOD_NOT_ALLOWED = "MethodNotAllowed"


_C = RestErrorCode
#: What a code means for the person waiting for a transcript, and what to do about it.
EXPLANATIONS: dict[str, str] = {
    _C.DOWNLOAD_FAILED: "the service could not download the file; the URL must be reachable from the "
    "internet without logging in (a public or pre-signed URL)",
    _C.FILE_DOWNLOAD_FAILED: "the service could not download the file; check that the URL is public",
    _C.FILE_404_NOT_FOUND: "the URL points at nothing (HTTP 404); check for typos and expired links",
    _C.FILE_403_FORBIDDEN: "the file's server refused the download (HTTP 403); make the file public or "
    "use a pre-signed URL",
    _C.FILE_SERVER_ERROR: "the file's server failed while the service downloaded it; try again later",
    _C.CONTENT_LENGTH_CHECK_FAILED: "the download was cut short (its length did not match Content-Length)",
    _C.INVALID_FILE_URL: "the file URL is malformed; encode spaces and non-ASCII characters",
    _C.FILE_CHECK_FAILED: "the file is not audio or video the service can read",
    _C.FILE_PARSE_FAILED: "the file could not be parsed as audio or video; convert it to WAV, MP3 or M4A",
    _C.DECODE_ERROR: "the file's audio could not be decoded (damaged or an unsupported codec)",
    "MKV_PARSE_FAILED": "the MKV container could not be parsed",
    "FILE_NORMALIZE_FAILED": "the audio could not be converted for recognition",
    _C.FILE_TOO_LARGE: "the file is larger than 2 GB; split or compress it",
    _C.AUDIO_DURATION_TOO_LONG: "the audio is longer than 12 hours; split it",
    _C.NO_VALID_FRAGMENT: "no speech was found in the file",
    _C.NO_WORDS: "nothing was left to transcribe (only filler words, removed by disfluency removal)",
    _C.TASK_EXPIRED: "the task is unknown or expired (tasks are kept for 24 hours)",
    _C.RESOURCE_NOT_EXIST: "no such vocabulary (it was deleted, or belongs to another account or region)",
    _C.NOT_FOUND: "not found",
    _C.WAIT_TASK_TIMEOUT: "gave up waiting for the task; it may still finish on the service",
    _C.NO_API_KEY: "no API key was found",
    _C.BAD_RESPONSE: "the server's answer is not in the DashScope format",
    ErrorCode.INVALID_API_KEY: "the API key was rejected (a Beijing key does not work in Singapore, or "
    "the other way round)",
    ErrorCode.ACCESS_DENIED: "access denied (the model is not enabled for this account, or the request "
    "was not asynchronous)",
    ErrorCode.MODEL_NOT_FOUND: "the service has no such model",
    ErrorCode.INVALID_PARAMETER: "a request parameter is invalid",
    ErrorCode.THROTTLING_ALLOCATION_QUOTA: "the account's quota is used up (at most 10 vocabularies)",
    ErrorCode.INTERNAL_ERROR_TIMEOUT: "the service did not finish the task within 3 hours",
    ErrorCode.NETWORK_ERROR: "the service could not be reached",
}


def explain(code: str | None) -> str:
    """A sentence for users; the code itself is shown beside it."""
    if code is None:
        return "the service gave no reason"
    if code in EXPLANATIONS:
        return EXPLANATIONS[code]
    if code.startswith(("Throttling", "ServiceUnavailable", "InternalError", "SystemError", "Model")):
        return "the service is busy or failed; try again later"
    return "the service reported an error"


class ServiceError(RecognitionError):
    """A REST call failed: an HTTP error body (`status` 4xx/5xx), a refused connection
    (`status` 0, code NetworkError), or an answer that is not the documented shape."""

    def __init__(
        self, status: int, code: str, message: str, request_id: str | None = None, *, retryable: bool | None = None
    ) -> None:
        if retryable is None:
            retryable = status == 0 or is_retryable_http_status(status)
        super().__init__(code, message, retryable=retryable)
        self.status = status
        self.request_id = request_id

    def to_body(self) -> str:
        """The gateway's error body for this error."""
        return encode_http_error(self.code, self.message, self.request_id)

    @classmethod
    def from_response(cls, status: int, body: bytes | str) -> ServiceError:
        code, message = decode_http_error(body)
        request_id = None
        try:
            obj = json.loads(body)
            request_id = obj.get("request_id") if isinstance(obj, dict) else None
        except (ValueError, TypeError, RecursionError):
            pass
        if not code:
            code = f"HTTP{status}"
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            message = message or (text.strip()[:200] or f"HTTP status {status}")
        return cls(status, code, message, request_id if isinstance(request_id, str) else None)

    @property
    def explanation(self) -> str:
        return explain(self.code)

    @property
    def category(self) -> Category:  # type: ignore[override]
        """By code, but an InvalidParameter only counts as the user's bad parameter when it
        was refused here, before sending (no request id): one the service answers is the
        service refusing the request (a word over its limits, a vocabulary quota)."""
        found = code_category(self.code)
        if found is Category.PARAMETER and (self.request_id is not None or self.status != 400):
            return Category.SERVICE
        return found


def invalid(message: str) -> ServiceError:
    return ServiceError(400, ErrorCode.INVALID_PARAMETER, message)


def bad_response(message: str) -> ServiceError:
    """The peer's JSON is not what the protocol says (a proxy, a wrong URL, a bug)."""
    return ServiceError(0, RestErrorCode.BAD_RESPONSE, f"unexpected answer from the server: {message}", retryable=False)


def new_request_id() -> str:
    return str(uuid.uuid4())


def service_time(epoch: float | None) -> str | None:
    """The service's timestamps: local time, milliseconds, e.g. '2024-09-12 15:11:40.041'."""
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}"


def loads(body: bytes | str) -> Any:
    """JSON, or a ServiceError(400, BadRequest.IllegalInput): what a server says to a body it
    cannot read. (A client turns it into bad_response instead.)"""
    try:
        return json.loads(body)
    except (ValueError, RecursionError, TypeError):
        raise ServiceError(400, RestErrorCode.ILLEGAL_INPUT, "The request body is not valid JSON.") from None


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, as the gateway writes it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- Submit (spec §4.1) -----------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptionRequest:
    """One submit: files and the parameters that apply to all of them.

    None means "not sent" (the service's default applies), as the SDK drops None arguments.
    `extra_parameters` go out verbatim after the known ones (e.g. a parameter newer than
    this code); `resources` is the legacy v1 phrase list (`phrase_id`).
    """

    model: str
    file_urls: tuple[str, ...]
    language_hints: tuple[str, ...] | None = None
    channel_id: tuple[int, ...] | None = None
    diarization_enabled: bool | None = None
    speaker_count: int | None = None
    vocabulary_id: str | None = None
    special_word_filter: str | None = None
    disfluency_removal_enabled: bool | None = None
    timestamp_alignment_enabled: bool | None = None
    extra_parameters: Mapping[str, Any] = field(default_factory=dict)
    resources: tuple[Mapping[str, Any], ...] | None = None

    def __post_init__(self) -> None:
        for name in ("file_urls", "language_hints", "channel_id", "resources"):
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))

    def check(self, *, known_models_only: bool = False) -> None:
        """Raise ServiceError(400, InvalidParameter) naming the first bad value.

        The client checks before sending (so a typo fails at once, with the same words the
        service would use); the emulator checks with `known_models_only`, because only the
        service knows its models: a client must not refuse a model newer than itself.
        """
        if not isinstance(self.model, str) or not self.model.strip():
            raise ServiceError(400, RestErrorCode.EMPTY_MODEL, "Required parameter 'model' missing from request.")
        if known_models_only and not is_file_model(self.model):
            hint = " (it is a realtime model: use it over the WebSocket)" if is_realtime_model(self.model) else ""
            raise ServiceError(404, ErrorCode.MODEL_NOT_FOUND, f"Model not exist: {self.model!r}{hint}.")
        urls = self.file_urls
        if not urls or not all(isinstance(u, str) and u.strip() for u in urls):
            raise invalid("input.file_urls must be a non-empty list of URLs")
        if len(urls) > MAX_FILES_PER_TASK:
            raise invalid(f"input.file_urls: at most {MAX_FILES_PER_TASK} files per task (got {len(urls)})")
        if self.language_hints is not None:
            allowed = MODEL_LANGUAGES.get(self.model, LANGUAGES)
            if not all(isinstance(h, str) for h in self.language_hints):
                raise invalid("language_hints must be a list of language codes")
            for hint in self.language_hints:
                if hint not in allowed:
                    raise invalid(
                        f"language_hints: {hint!r} is not supported by {self.model}; use one of {', '.join(allowed)}"
                    )
        if self.channel_id is not None:
            if not self.channel_id or not all(_is_int(c) and 0 <= c < 64 for c in self.channel_id):
                raise invalid("channel_id must be a non-empty list of track numbers (0, 1, ...)")
            if len(set(self.channel_id)) != len(self.channel_id):
                raise invalid("channel_id lists a track twice")
        for name in ("diarization_enabled", "disfluency_removal_enabled", "timestamp_alignment_enabled"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise invalid(f"{name} must be true or false (got {value!r})")
        if self.speaker_count is not None:
            lo, hi = SPEAKER_COUNT_RANGE
            if not _is_int(self.speaker_count) or not lo <= self.speaker_count <= hi:
                raise invalid(f"speaker_count must be between {lo} and {hi} (got {self.speaker_count!r})")
        if self.vocabulary_id is not None and (not isinstance(self.vocabulary_id, str) or not self.vocabulary_id):
            raise invalid("vocabulary_id must be a vocabulary id (text)")
        if self.special_word_filter is not None:
            if not isinstance(self.special_word_filter, str):
                raise invalid("special_word_filter must be JSON text")
            try:
                ok = isinstance(json.loads(self.special_word_filter), dict)
            except ValueError:
                ok = False
            if not ok:
                raise invalid("special_word_filter must be a JSON object written as text")

    @property
    def parameters(self) -> dict[str, Any]:
        """`parameters` in the order the SDK writes them (capture §15)."""
        p: dict[str, Any] = {}
        if self.language_hints is not None:
            p["language_hints"] = list(self.language_hints)
        if self.channel_id is not None:
            p["channel_id"] = list(self.channel_id)
        for name in (
            "diarization_enabled",
            "speaker_count",
            "vocabulary_id",
            "special_word_filter",
            "disfluency_removal_enabled",
            "timestamp_alignment_enabled",
        ):
            value = getattr(self, name)
            if value is not None:
                p[name] = value
        p.update(self.extra_parameters)
        return p

    def to_body(self) -> dict[str, Any]:
        """The submit body. `parameters` is always present: on workspace domains a task
        submitted without it fails later (spec §4.1)."""
        body: dict[str, Any] = {"model": self.model, "parameters": self.parameters}
        if self.resources is not None:
            body["resources"] = [dict(r) for r in self.resources]
        body["input"] = {"file_urls": list(self.file_urls)}
        return body

    @classmethod
    def from_body(cls, body: Any) -> TranscriptionRequest:
        """Parse and check a submit body (server side); ServiceError with the documented code."""
        if not isinstance(body, dict):
            raise ServiceError(400, RestErrorCode.ILLEGAL_INPUT, "The request body must be a JSON object.")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise ServiceError(400, RestErrorCode.EMPTY_MODEL, "Required parameter 'model' missing from request.")
        inp = body.get("input")
        if not isinstance(inp, dict):
            raise ServiceError(400, RestErrorCode.EMPTY_INPUT, "Required parameter 'input' missing from request.")
        urls = inp.get("file_urls")
        if not isinstance(urls, list):
            raise invalid("input.file_urls must be a list of URLs")
        params = body.get("parameters")
        if params is None:
            params = {}  # the shared gateway accepts it; see to_body
        if not isinstance(params, dict):
            raise ServiceError(400, RestErrorCode.EMPTY_PARAMETERS, "parameters must be an object.")
        known = (
            "language_hints",
            "channel_id",
            "diarization_enabled",
            "speaker_count",
            "vocabulary_id",
            "special_word_filter",
            "disfluency_removal_enabled",
            "timestamp_alignment_enabled",
        )
        values = {k: params[k] for k in known if params.get(k) is not None}
        hints = values.get("language_hints")
        if isinstance(hints, str):
            values["language_hints"] = (hints,)
        for name in ("language_hints", "channel_id"):
            if name in values and not isinstance(values[name], (list, tuple)):
                raise invalid(f"{name} must be a list")
        resources = body.get("resources")
        request = cls(
            model=model,
            file_urls=tuple(urls),
            extra_parameters={k: v for k, v in params.items() if k not in known},
            resources=tuple(resources) if isinstance(resources, list) else None,
            **values,
        )
        request.check(known_models_only=True)
        return request


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def encode_submit_response(task_id: str, request_id: str | None = None) -> dict[str, Any]:
    return {
        "output": {"task_status": TaskStatus.PENDING.value, "task_id": task_id},
        "request_id": request_id or new_request_id(),
    }


def decode_submit_response(body: Any) -> tuple[str, TaskStatus]:
    """(task_id, task_status) from a submit answer."""
    output = body.get("output") if isinstance(body, dict) else None
    task_id = output.get("task_id") if isinstance(output, dict) else None
    if not isinstance(output, dict) or not isinstance(task_id, str) or not task_id:
        raise bad_response("the submit answer has no output.task_id")
    return task_id, _status(output.get("task_status", TaskStatus.PENDING.value))


def _status(value: Any) -> TaskStatus:
    try:
        return TaskStatus(value)
    except ValueError:
        raise bad_response(f"unknown task_status {value!r}") from None


# -- Query (spec §4.2) --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubtaskResult:
    """One file of a task: a transcription_url when it succeeded, code + message when not."""

    file_url: str
    status: TaskStatus
    transcription_url: str | None = None
    code: str | None = None
    message: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is TaskStatus.SUCCEEDED and bool(self.transcription_url)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"file_url": self.file_url}
        if self.transcription_url is not None:
            d["transcription_url"] = self.transcription_url
        if self.code is not None:
            d["code"] = self.code
        if self.message is not None:
            d["message"] = self.message
        d["subtask_status"] = self.status.value
        return d

    @classmethod
    def from_dict(cls, d: Any) -> SubtaskResult:
        if not isinstance(d, dict):
            raise bad_response("output.results[] holds a non-object")
        url, turl = d.get("file_url"), d.get("transcription_url")
        code, message = d.get("code"), d.get("message", d.get("msg"))
        return cls(
            url if isinstance(url, str) else "",
            _status(d.get("subtask_status", TaskStatus.FAILED.value if code else TaskStatus.SUCCEEDED.value)),
            turl if isinstance(turl, str) else None,
            code if isinstance(code, str) and code else None,
            message if isinstance(message, str) else None,
        )


@dataclass(frozen=True)
class TaskMetrics:
    total: int
    succeeded: int
    failed: int

    def to_dict(self) -> dict[str, int]:
        return {"TOTAL": self.total, "SUCCEEDED": self.succeeded, "FAILED": self.failed}

    @classmethod
    def from_dict(cls, d: Any) -> TaskMetrics | None:
        if not isinstance(d, dict):
            return None
        def get(k: str) -> int:
            v = d.get(k)
            return v if _is_int(v) else 0

        return cls(get("TOTAL"), get("SUCCEEDED"), get("FAILED"))


@dataclass(frozen=True)
class TaskInfo:
    """A task query's answer. `results` is None while the task runs (the service leaves it
    out); `code`/`message` are the task's own when it FAILED as a whole."""

    task_id: str
    status: TaskStatus
    submit_time: str | None = None
    scheduled_time: str | None = None
    end_time: str | None = None
    results: tuple[SubtaskResult, ...] | None = None
    metrics: TaskMetrics | None = None
    usage_seconds: int | None = None
    code: str | None = None
    message: str | None = None
    request_id: str | None = None

    @property
    def terminal(self) -> bool:
        return self.status.terminal

    def to_body(self) -> dict[str, Any]:
        output: dict[str, Any] = {"task_id": self.task_id, "task_status": self.status.value}
        for key in ("submit_time", "scheduled_time", "end_time"):
            if getattr(self, key) is not None:
                output[key] = getattr(self, key)
        if self.code is not None:
            output["code"] = self.code
        if self.message is not None:
            output["message"] = self.message
        if self.results is not None:
            output["results"] = [r.to_dict() for r in self.results]
        if self.metrics is not None:
            output["task_metrics"] = self.metrics.to_dict()
        body: dict[str, Any] = {"request_id": self.request_id or new_request_id(), "output": output}
        if self.usage_seconds is not None:
            body["usage"] = {"duration": self.usage_seconds}
        return body

    @classmethod
    def from_body(cls, body: Any, task_id: str = "") -> TaskInfo:
        if not isinstance(body, dict) or not isinstance(body.get("output"), dict):
            raise bad_response("the task answer has no output object")
        out = body["output"]
        results = out.get("results")
        if results is not None and not isinstance(results, list):
            raise bad_response("output.results is not a list")
        usage = body.get("usage")
        seconds = usage.get("duration") if isinstance(usage, dict) else None
        text = lambda k: out.get(k) if isinstance(out.get(k), str) else None  # noqa: E731
        request_id = body.get("request_id")
        return cls(
            text("task_id") or task_id,
            _status(out.get("task_status")),
            text("submit_time"),
            text("scheduled_time"),
            text("end_time"),
            tuple(SubtaskResult.from_dict(r) for r in results) if results is not None else None,
            TaskMetrics.from_dict(out.get("task_metrics")),
            seconds if _is_int(seconds) else None,
            text("code"),
            text("message") or text("msg"),
            request_id if isinstance(request_id, str) else None,
        )


# -- Polling (spec §4.2: the SDK's schedule) ------------------------------------------------


@dataclass(frozen=True)
class PollPolicy:
    """Seconds between task queries: `initial`, multiplied by `factor` every `every`-th
    poll, up to `cap`. The defaults are the SDK's (1 s, doubling every third poll, 5 s
    cap): the service's query limit is 20 requests a second per account, shared with
    every other client of the key, so a tight loop would hurt everyone."""

    initial: float = 1.0
    cap: float = 5.0
    every: int = 3
    factor: float = 2.0

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.cap < self.initial or self.every < 1 or self.factor < 1:
            raise ValueError("PollPolicy needs 0 < initial <= cap, every >= 1 and factor >= 1")

    def delays(self) -> Iterator[float]:
        """The pause after each unfinished poll: 1, 1, 2, 2, 2, 4, 4, 4, 5, 5, ..."""
        wait, step = self.initial, 0
        while True:
            step += 1
            if wait < self.cap and step % self.every == 0:
                wait = min(wait * self.factor, self.cap)
            yield wait


# -- Result file (spec §4.3) ----------------------------------------------------------------


@dataclass(frozen=True)
class FileProperties:
    audio_format: str | None = None
    channels: tuple[int, ...] = (0,)
    original_sampling_rate: int | None = None
    original_duration_ms: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.audio_format is not None:
            d["audio_format"] = self.audio_format
        d["channels"] = list(self.channels)
        if self.original_sampling_rate is not None:
            d["original_sampling_rate"] = self.original_sampling_rate
        if self.original_duration_ms is not None:
            d["original_duration_in_milliseconds"] = self.original_duration_ms
        return d

    @classmethod
    def from_dict(cls, d: Any) -> FileProperties:
        if not isinstance(d, dict):
            return cls()
        channels = d.get("channels")
        rate, duration, fmt = (
            d.get("original_sampling_rate"),
            d.get("original_duration_in_milliseconds"),
            d.get("audio_format"),
        )
        return cls(
            fmt if isinstance(fmt, str) else None,
            tuple(c for c in channels if _is_int(c)) if isinstance(channels, list) else (0,),
            rate if _is_int(rate) else None,
            duration if _is_int(duration) else None,
        )


@dataclass(frozen=True)
class ChannelTranscript:
    channel_id: int
    sentences: tuple[Sentence, ...]
    #: Speech heard (the billing basis); None: the sum of the sentences' durations.
    content_duration_ms: int | None = None

    @property
    def text(self) -> str:
        return _join(s.text for s in self.sentences)

    @property
    def speech_ms(self) -> int:
        if self.content_duration_ms is not None:
            return self.content_duration_ms
        return sum(max(0, s.end_ms - s.begin_ms) for s in self.sentences)


@dataclass(frozen=True)
class FileResult:
    """The JSON file behind a transcription_url: one transcript per requested channel."""

    file_url: str
    transcripts: tuple[ChannelTranscript, ...]
    properties: FileProperties = FileProperties()

    def sentences(self) -> list[Sentence]:
        """Every channel's sentences in time order, numbered 1, 2, ... (what exports want).
        Speaker labels stay as the service gave them."""
        merged = sorted((s for t in self.transcripts for s in t.sentences), key=lambda s: (s.begin_ms, s.end_ms))
        return [_renumber(s, i) for i, s in enumerate(merged, 1)]

    def to_body(self) -> dict[str, Any]:
        return {
            "file_url": self.file_url,
            "properties": self.properties.to_dict(),
            "transcripts": [
                {
                    "channel_id": t.channel_id,
                    "content_duration_in_milliseconds": t.speech_ms,
                    "text": t.text,
                    "sentences": [sentence_to_dict(s) for s in t.sentences],
                }
                for t in self.transcripts
            ],
        }

    @classmethod
    def from_body(cls, body: Any) -> FileResult:
        """Parse a result file (the service's or the emulator's). Word texts lose the
        spaces the service pads Latin words with; the mark after a word stays in
        `punctuation`."""
        if not isinstance(body, dict) or not isinstance(body.get("transcripts"), list):
            raise bad_response("the result file has no transcripts[] list")
        transcripts = []
        for i, t in enumerate(body["transcripts"]):
            if not isinstance(t, dict):
                raise bad_response(f"transcripts[{i}] is not an object")
            sentences = []
            for j, d in enumerate(t.get("sentences") or ()):
                try:
                    s = sentence_from_dict(d, f"transcripts[{i}].sentences[{j}]")
                except ValueError as exc:
                    raise bad_response(str(exc)) from None
                words = tuple(Word(w.begin_ms, w.end_ms, w.text.strip(), w.punctuation.strip()) for w in s.words)
                sentences.append(
                    Sentence(s.text.strip(), s.begin_ms, s.end_ms, True, words, s.sentence_id, s.speaker_id)
                )
            channel, speech = t.get("channel_id", i), t.get("content_duration_in_milliseconds")
            transcripts.append(
                ChannelTranscript(
                    channel if _is_int(channel) else i, tuple(sentences), speech if _is_int(speech) else None
                )
            )
        url = body.get("file_url")
        return cls(
            url if isinstance(url, str) else "", tuple(transcripts), FileProperties.from_dict(body.get("properties"))
        )


def _renumber(s: Sentence, sentence_id: int) -> Sentence:
    if s.sentence_id == sentence_id:
        return s
    return Sentence(s.text, s.begin_ms, s.end_ms, True, s.words, sentence_id, s.speaker_id)


def _join(texts: Any) -> str:
    out = ""
    for t in texts:
        t = t.strip()
        if t:
            out += ("" if not out or (ord(out[-1]) > 0x2E7F and ord(t[0]) > 0x2E7F) else " ") + t
    return out


def billed_seconds(speech_ms: int) -> int:
    """usage.duration: whole seconds of speech, rounded up."""
    return math.ceil(speech_ms / 1000) if speech_ms > 0 else 0


# -- Hot-word vocabularies (spec §5) --------------------------------------------------------

VOCABULARY_MODEL = "speech-biasing"
MAX_VOCABULARIES = 10  # per account, shared by Paraformer and Gummy
#: Hot words in one vocabulary. [INF] the documentation read gives no figure here; the
#: console's limit is 500, so the emulator uses that.
MAX_HOT_WORDS = 500
WEIGHT_RANGE = (1, 5)
DEFAULT_WEIGHT = 4
MAX_NON_ASCII_CHARS = 15
MAX_ASCII_WORDS = 7
FUN_ASR_HOT_WORD_LANGUAGES = ("zh", "en", "ja")
_PREFIX = re.compile(r"^[a-z0-9]{1,9}$")

CREATE, LIST, QUERY, UPDATE, DELETE = (
    "create_vocabulary",
    "list_vocabulary",
    "query_vocabulary",
    "update_vocabulary",
    "delete_vocabulary",
)
ACTIONS = (CREATE, LIST, QUERY, UPDATE, DELETE)


def hot_word_languages(target_model: str | None) -> tuple[str, ...]:
    """Languages a hot word may name; None (model not known here): any either family takes."""
    if target_model is None:
        return PARAFORMER_LANGUAGES
    return PARAFORMER_LANGUAGES if target_model.startswith(("paraformer", "gummy")) else FUN_ASR_HOT_WORD_LANGUAGES


def supports_vocabulary(target_model: str) -> bool:
    """v2-family models take vocabulary ids; v1 models use the older phrase lists."""
    if target_model.endswith("-v1") and not target_model.startswith("gummy"):
        return False
    return is_file_model(target_model) or is_realtime_model(target_model) or target_model.startswith("gummy-")


@dataclass(frozen=True)
class HotWord:
    text: str
    weight: int = DEFAULT_WEIGHT
    lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "weight": self.weight}
        if self.lang is not None:
            d["lang"] = self.lang
        return d

    @classmethod
    def from_dict(cls, d: Any, where: str = "vocabulary[]") -> HotWord:
        if not isinstance(d, dict) or not isinstance(d.get("text"), str):
            raise invalid(f"{where} must be an object with a text")
        weight, lang = d.get("weight", DEFAULT_WEIGHT), d.get("lang")
        if not _is_int(weight):
            raise invalid(f"{where}.weight must be a whole number (got {weight!r})")
        if lang is not None and not isinstance(lang, str):
            raise invalid(f"{where}.lang must be a language code")
        return cls(d["text"], weight, lang)


def check_hot_words(words: tuple[HotWord, ...], target_model: str | None) -> None:
    """The documented limits (spec §5), as ServiceError(400, InvalidParameter).
    `target_model` None (an update, whose vocabulary's model only the server knows)
    checks the languages loosely."""
    if not words:
        raise invalid("vocabulary must hold at least one hot word")
    if len(words) > MAX_HOT_WORDS:
        raise invalid(f"vocabulary holds {len(words)} hot words; at most {MAX_HOT_WORDS}")
    langs = hot_word_languages(target_model)
    lo, hi = WEIGHT_RANGE
    for w in words:
        text = w.text.strip()
        if not text:
            raise invalid("a hot word's text must not be empty")
        if text.isascii():
            if len(text.split()) > MAX_ASCII_WORDS:
                raise invalid(f"hot word {text!r}: at most {MAX_ASCII_WORDS} words")
        elif len(text) > MAX_NON_ASCII_CHARS:
            raise invalid(f"hot word {text!r}: at most {MAX_NON_ASCII_CHARS} characters")
        if not lo <= w.weight <= hi:
            raise invalid(f"hot word {text!r}: weight must be between {lo} and {hi} (got {w.weight})")
        if w.lang is not None and w.lang not in langs:
            raise invalid(
                f"hot word {text!r}: lang {w.lang!r} is not supported for {target_model or 'hot words'}; "
                f"use one of {', '.join(langs)}"
            )


@dataclass(frozen=True)
class VocabularySummary:
    vocabulary_id: str
    gmt_create: str
    gmt_modified: str
    status: str = "OK"

    def to_dict(self) -> dict[str, Any]:
        return {
            "vocabulary_id": self.vocabulary_id,
            "gmt_create": self.gmt_create,
            "gmt_modified": self.gmt_modified,
            "status": self.status,
        }


@dataclass(frozen=True)
class Vocabulary:
    """query_vocabulary's output. status OK = usable, UNDEPLOYED = not (yet) usable."""

    target_model: str
    words: tuple[HotWord, ...]
    gmt_create: str = ""
    gmt_modified: str = ""
    status: str = "OK"

    def to_dict(self) -> dict[str, Any]:
        return {
            "gmt_create": self.gmt_create,
            "gmt_modified": self.gmt_modified,
            "status": self.status,
            "target_model": self.target_model,
            "vocabulary": [w.to_dict() for w in self.words],
        }


@dataclass(frozen=True)
class VocabularyAction:
    """One call of the vocabulary service. Which fields matter depends on `action`:
    create: target_model, prefix, words; list: prefix, page_index, page_size;
    query / delete: vocabulary_id; update: vocabulary_id, words."""

    action: str
    vocabulary_id: str | None = None
    target_model: str | None = None
    prefix: str | None = None
    words: tuple[HotWord, ...] = ()
    page_index: int = 0
    page_size: int = 10

    def check(self) -> None:
        if self.action not in ACTIONS:
            raise invalid(f"unknown action {self.action!r}; use one of {', '.join(ACTIONS)}")
        if self.action == CREATE:
            if not isinstance(self.target_model, str) or not self.target_model:
                raise invalid("target_model is required (the model the vocabulary will be used with)")
            if not supports_vocabulary(self.target_model):
                raise invalid(f"target_model {self.target_model!r} does not take hot-word vocabularies")
            if not isinstance(self.prefix, str) or not _PREFIX.match(self.prefix):
                raise invalid("prefix must be 1-9 lowercase letters or digits")
            check_hot_words(self.words, self.target_model)
        elif self.action == LIST:
            if self.prefix is not None and not (isinstance(self.prefix, str) and _PREFIX.match(self.prefix)):
                raise invalid("prefix must be 1-9 lowercase letters or digits")
            if not _is_int(self.page_index) or self.page_index < 0:
                raise invalid("page_index must be 0 or more")
            if not _is_int(self.page_size) or not 1 <= self.page_size <= 100:
                raise invalid("page_size must be between 1 and 100")
        else:
            if not isinstance(self.vocabulary_id, str) or not self.vocabulary_id:
                raise invalid("vocabulary_id is required")
            if self.action == UPDATE:
                check_hot_words(self.words, None)

    def to_body(self) -> dict[str, Any]:
        """The request body, field for field as the SDK writes it (capture §16)."""
        inp: dict[str, Any] = {"action": self.action}
        if self.action == CREATE:
            inp.update(target_model=self.target_model, prefix=self.prefix, vocabulary=[w.to_dict() for w in self.words])
        elif self.action == LIST:
            if self.prefix is not None:
                inp["prefix"] = self.prefix
            inp.update(page_index=self.page_index, page_size=self.page_size)
        else:
            inp["vocabulary_id"] = self.vocabulary_id
            if self.action == UPDATE:
                inp["vocabulary"] = [w.to_dict() for w in self.words]
        return {"model": VOCABULARY_MODEL, "parameters": {}, "input": inp}

    @classmethod
    def from_body(cls, body: Any) -> VocabularyAction:
        if not isinstance(body, dict):
            raise ServiceError(400, RestErrorCode.ILLEGAL_INPUT, "The request body must be a JSON object.")
        if not body.get("model"):
            raise ServiceError(400, RestErrorCode.EMPTY_MODEL, "Required parameter 'model' missing from request.")
        if body["model"] != VOCABULARY_MODEL:
            raise ServiceError(
                404,
                ErrorCode.MODEL_NOT_FOUND,
                f"Model not exist: {body['model']!r} (the vocabulary service is {VOCABULARY_MODEL!r}).",
            )
        inp = body.get("input")
        if not isinstance(inp, dict):
            raise ServiceError(400, RestErrorCode.EMPTY_INPUT, "Required parameter 'input' missing from request.")
        raw = inp.get("vocabulary")
        if raw is not None and not isinstance(raw, list):
            raise invalid("vocabulary must be a list of hot words")
        words = tuple(HotWord.from_dict(d, f"vocabulary[{i}]") for i, d in enumerate(raw or ()))
        def pick(k: str, default: Any = None) -> Any:
            return inp.get(k) if inp.get(k) is not None else default

        name = inp.get("action")
        action = cls(
            action=name if isinstance(name, str) else "",
            vocabulary_id=pick("vocabulary_id"),
            target_model=pick("target_model"),
            prefix=pick("prefix"),
            words=words,
            page_index=pick("page_index", 0),
            page_size=pick("page_size", 10),
        )
        action.check()
        return action


def encode_vocabulary_response(output: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
    """Every vocabulary answer: output, usage {count: 1}, request_id (spec §5)."""
    return {"output": output, "usage": {"count": 1}, "request_id": request_id or new_request_id()}


def vocabulary_output(body: Any) -> dict[str, Any]:
    output = body.get("output") if isinstance(body, dict) else None
    if output is None:
        return {}
    if not isinstance(output, dict):
        raise bad_response("the vocabulary answer's output is not an object")
    return output


def decode_vocabulary_id(body: Any) -> str:
    vid = vocabulary_output(body).get("vocabulary_id")
    if not isinstance(vid, str) or not vid:
        raise bad_response("create_vocabulary answered without output.vocabulary_id")
    return vid


def decode_vocabulary_list(body: Any) -> list[VocabularySummary]:
    items = vocabulary_output(body).get("vocabulary_list")
    if not isinstance(items, list):
        raise bad_response("list_vocabulary answered without output.vocabulary_list")
    out = []
    for d in items:
        if not isinstance(d, dict) or not isinstance(d.get("vocabulary_id"), str):
            raise bad_response("a vocabulary_list entry has no vocabulary_id")
        out.append(
            VocabularySummary(
                d["vocabulary_id"],
                str(d.get("gmt_create", "")),
                str(d.get("gmt_modified", "")),
                str(d.get("status", "OK")),
            )
        )
    return out


def decode_vocabulary(body: Any) -> Vocabulary:
    out = vocabulary_output(body)
    raw = out.get("vocabulary")
    if not isinstance(raw, list):
        raise bad_response("query_vocabulary answered without output.vocabulary")
    try:
        words = tuple(HotWord.from_dict(d) for d in raw)
    except ServiceError as exc:
        raise bad_response(exc.message) from None
    return Vocabulary(
        str(out.get("target_model", "")),
        words,
        str(out.get("gmt_create", "")),
        str(out.get("gmt_modified", "")),
        str(out.get("status", "OK")),
    )


def parse_hot_word(spec: str) -> HotWord:
    """'Quillbyte', 'Quillbyte:5' or 'Quillbyte:5:en' (the CLI's way to write one)."""
    text, weight, lang = spec, DEFAULT_WEIGHT, None
    m = re.match(r"^(.*?):(\d+)(?::([a-z]{2,3}))?$", spec)
    if m:
        text, weight, lang = m.group(1), int(m.group(2)), m.group(3)
    return HotWord(text.strip(), weight, lang)
