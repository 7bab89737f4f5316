"""What every DashScope REST call shares, without I/O: paths, headers, error codes, JSON.

Recorded-file transcription (`files.py`) and the hot-word vocabulary service
(`vocabulary.py`) are plain JSON over HTTP. Errors travel as `{"code", "message",
"request_id"}` with a 4xx/5xx status (docs/protocol.md §6), decoded into `ServiceError`,
which is a `RecognitionError` so the app handles it like any other. Nothing here opens a
socket, so every shape is tested from bytes alone, like `realtime.py` for the WebSocket.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import quote

from captioner.errors import Category, code_category
from captioner.events import RecognitionError
from captioner.protocol.realtime import (
    ErrorCode,
    decode_http_error,
    encode_http_error,
    is_retryable_http_status,
)

# -- Paths and headers (docs/protocol.md §1.2, §1.3) ---------------------------------------------------

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


# -- Error codes (docs/protocol.md §6; the realtime ones are in protocol.ErrorCode) ----------------------


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
