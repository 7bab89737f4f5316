"""What can go wrong talking to DashScope, in words a user understands.

Every service code maps to one sentence (`EXPLANATIONS`), and every failure the client
meets (a refused handshake, a failed task, a dropped connection, an unreachable host)
becomes a `RecognitionError` whose message says what happened and what to do. A refused
handshake names the region, because keys are region-specific.
"""

from __future__ import annotations

from websockets.exceptions import ConnectionClosed, InvalidStatus

from captioner.errors import MissingKeyError, ParameterError
from captioner.events import RecognitionError
from captioner.protocol import realtime as p
from captioner.protocol.endpoints import REGIONS, Endpoint
from captioner.protocol.realtime import ErrorCode
from captioner.recognition.cloud.credentials import ENV_VAR, ApiKey

# Error codes of our own (never sent by the service).
NO_API_KEY = "NoApiKey"
TLS_ERROR = "TLSError"
BAD_SERVER = "BadServer"  # the peer does not speak the DashScope protocol

#: One short explanation per error code: the single place that turns codes into words.
EXPLANATIONS: dict[str, str] = {
    ErrorCode.CLIENT_ERROR: "the service rejected what this app sent",
    ErrorCode.NO_VALID_AUDIO: "the audio does not match the declared format or sample rate",
    ErrorCode.NO_INPUT_AUDIO: "no speech was found in the audio",
    ErrorCode.INVALID_PARAMETER: "a recognition setting was rejected",
    ErrorCode.CLIENT_DISCONNECT: "the connection closed before the task finished",
    ErrorCode.REQUEST_TIMEOUT: "the service stopped waiting during a long silence (turn on heartbeat for long pauses)",
    ErrorCode.INVALID_API_KEY: "the API key was rejected",
    ErrorCode.NOT_AUTHORIZED: "the workspace id is wrong, or the key does not belong to that workspace",
    ErrorCode.ACCESS_DENIED: "this API key may not use the service",
    ErrorCode.ACCESS_DENIED_UNPURCHASED: "speech recognition is not activated for this Alibaba Cloud account",
    ErrorCode.MODEL_ACCESS_DENIED: "this API key has no permission for the chosen model",
    ErrorCode.WORKSPACE_ACCESS_DENIED: "this API key has no permission in that workspace",
    ErrorCode.FREE_TIER_ONLY: "the free quota is used up and the account allows the free tier only",
    ErrorCode.ARREARAGE: "the Alibaba Cloud account has an overdue payment",
    ErrorCode.MODEL_NOT_FOUND: "the model name is not known in this region",
    ErrorCode.THROTTLING: "too many requests: the service's rate limit was reached",
    ErrorCode.THROTTLING_RATE_QUOTA: "too many requests: the account's rate quota was reached",
    ErrorCode.THROTTLING_BURST_RATE: "too many requests at once",
    ErrorCode.THROTTLING_ALLOCATION_QUOTA: "a quota of the account is used up",
    ErrorCode.INTERNAL_ERROR: "the service had an internal error",
    ErrorCode.INTERNAL_ERROR_ALGO: "the recognition engine had an internal error",
    ErrorCode.INTERNAL_ERROR_TIMEOUT: "the service timed out",
    ErrorCode.SYSTEM_ERROR: "the service had a system error",
    ErrorCode.MODEL_SERVICE_FAILED: "the model service failed",
    ErrorCode.SERVICE_UNAVAILABLE: "the service is overloaded or unavailable",
    ErrorCode.MODEL_UNAVAILABLE: "the model is temporarily unavailable",
    ErrorCode.MODEL_SERVING_ERROR: "the model could not serve the request",
    ErrorCode.NETWORK_ERROR: "the connection to the service failed",
    NO_API_KEY: "no API key was found",
    TLS_ERROR: "the server's TLS certificate could not be verified",
    BAD_SERVER: "the server does not speak the DashScope realtime protocol",
}


def explain(code: str) -> str:
    return EXPLANATIONS.get(code, "the service reported an error")


class ConfigurationError(ParameterError, RecognitionError):
    """The engine cannot be set up as asked (a malformed URL or workspace id, a bad key).
    A RecognitionError for the app, and a ParameterError (so a ValueError too): the CLI
    reports a usage error."""


class MissingApiKey(MissingKeyError, ConfigurationError):
    """No key for a cloud region (category MISSING_KEY: a usage error for the CLI, the
    "enter the key" dialog in the window)."""


def refused(exc: InvalidStatus, endpoint: Endpoint, key: ApiKey | None) -> RecognitionError:
    """A refused handshake, in words: 401/403 mean the key, 5xx/429 mean try later."""
    status = exc.response.status_code
    code, message = p.decode_http_error(exc.response.body or b"")
    where = endpoint.label
    if status in (401, 403) and code in ("", ErrorCode.INVALID_API_KEY, ErrorCode.NOT_AUTHORIZED):
        region = endpoint.region
        parts = [f"The API key was rejected by {where} (HTTP {status})."]
        if code == ErrorCode.NOT_AUTHORIZED:
            parts.append(explain(code).capitalize() + ".")
        if region is not None and not endpoint.custom:
            others = " / ".join(r.name for r in REGIONS.values() if r is not region)
            parts.append(
                f"Keys are region-specific: a key made for {others} does not work in {region.name}; "
                "check the key, or choose the region it was created in."
            )
        if key is None:
            parts.append("No key was sent: set the API key.")
        else:
            parts.append(f"The key came from {key_origin(key)}.")
        return RecognitionError(code or ErrorCode.INVALID_API_KEY, " ".join(parts))
    if status == 404:
        return RecognitionError(BAD_SERVER, f"There is no realtime recognition service at {endpoint.url} (HTTP 404).")
    retryable = p.is_retryable_http_status(status) or p.is_retryable(code, message)
    detail = f"{explain(code)}: {message}" if code else f"HTTP {status}"
    return RecognitionError(code or f"HTTP{status}", f"{where} refused the connection: {detail}", retryable=retryable)


def key_origin(key: ApiKey) -> str:
    origins = {"env": ENV_VAR, "keyring": "the system keyring", "explicit": "the app's settings"}
    return origins.get(key.source, key.source)


def describe_os_error(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    import socket

    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror})"
    return str(exc) or type(exc).__name__


def task_failure(event: p.TaskFailed, endpoint: Endpoint) -> RecognitionError:
    code, message = event.error_code, event.error_message
    text = f"{endpoint.label}: {explain(code)} — {message}" if message else f"{endpoint.label}: {explain(code)}"
    if code == ErrorCode.INVALID_API_KEY and endpoint.region is not None and not endpoint.custom:
        text += " (API keys are region-specific)"
    return RecognitionError(code, text, retryable=event.retryable)


def closed_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionClosed):
        rcvd = exc.rcvd
        if rcvd is None:
            return "the connection dropped"
        return f"the server closed the connection ({rcvd.code}{' ' + rcvd.reason if rcvd.reason else ''})"
    return describe_os_error(exc)
