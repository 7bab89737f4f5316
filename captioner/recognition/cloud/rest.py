"""HTTP for the DashScope REST services: where they are, the key, and one JSON round trip.

Shared by the file-transcription client (`files.py`), the vocabulary client
(`vocabulary.py`) and the Fun-ASR-Flash client (`flash.py`): each is a `RestService`, made
from the same choices, so all three find the host and the key alike. The standard
library's urllib does the HTTP, in a worker thread so the asyncio loop (and the GUI above
it) never blocks: these are a handful of small JSON requests a minute, not worth a heavier
HTTP stack as an app dependency.

Which host: a custom `base_url` (e.g. `captioner serve`, ending in /api/v1)
wins; otherwise the region's shared gateway, or a workspace's own domain (docs/protocol.md §1.1).
Which key: as for the realtime client (credentials.py); a key stored for Alibaba Cloud is
never sent to a custom URL unless a region is named too. The pre-signed result URLs get no
key at all: they point at object storage, which must never see it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from captioner import __version__
from captioner.protocol.endpoints import DEFAULT_REGION, REGIONS, Region, region_named
from captioner.protocol.realtime import ErrorCode
from captioner.protocol.rest import API_PREFIX, WORKSPACE_HEADER, RestErrorCode, ServiceError, bad_response, dumps
from captioner.recognition.cloud.credentials import ENV_VAR, ApiKey, no_key_message, resolve_api_key

log = logging.getLogger(__name__)

#: Largest answer read from the API or a result file (a 12-hour transcript is a few MB).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RestEndpoint:
    """The HTTP base URL (ending in /api/v1) and what it is, for messages."""

    base_url: str
    region: Region | None
    custom: bool

    @property
    def label(self) -> str:
        if not self.custom and self.region is not None:
            return f"Alibaba Cloud Model Studio ({self.region.name})"
        return f"the server at {self.base_url}"


def resolve_http(base_url: str | None = None, region: str | None = None, workspace: str | None = None) -> RestEndpoint:
    """The REST endpoint for these choices; ValueError naming what is wrong."""
    reg = region_named(region)
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the base URL must start with https:// (or http:// for a local server): {base_url!r}")
        if parts.username or parts.password:
            raise ValueError(f"do not put credentials in the base URL; set {ENV_VAR} instead")
        return RestEndpoint(base_url.rstrip("/"), reg, custom=True)
    reg = reg or REGIONS[DEFAULT_REGION]
    if workspace:
        from captioner.protocol.endpoints import resolve

        resolve(region=reg.code, workspace=workspace)  # validates the id as the WebSocket side does
        host = f"{workspace}.{reg.maas_region}.maas.aliyuncs.com"
    else:
        host = reg.gateway_host
    return RestEndpoint(f"https://{host}{API_PREFIX}", reg, custom=False)


@dataclass(frozen=True)
class Retry:
    """Connection failures are retried like the SDK does (3 more tries, 2 s apart), but a
    submit only when the connection was refused: a submit that may have arrived must not
    be sent twice, or the files are transcribed (and billed) twice."""

    attempts: int = 3
    delay: float = 2.0


class RestClient:
    """One base URL, one key: JSON requests to the API, and plain GETs of result files."""

    def __init__(
        self,
        base_url: str | None = None,
        region: str | None = None,
        api_key: str | None = None,
        workspace: str | None = None,
        *,
        timeout: float = 30.0,
        retry: Retry | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.endpoint = resolve_http(base_url, region, workspace)
        self.workspace = workspace
        self.timeout = timeout
        self.retry = retry or Retry()
        region_code = self.endpoint.region.code if self.endpoint.region else None
        self._key: ApiKey | None = resolve_api_key(
            region_code, api_key, use_keyring=not self.endpoint.custom or region is not None
        )
        if self._key is None and not self.endpoint.custom:
            assert self.endpoint.region is not None
            raise ServiceError(
                0, RestErrorCode.NO_API_KEY, no_key_message(self.endpoint.label, self.endpoint.region), retryable=False
            )
        self._ssl = ssl_context

    def __repr__(self) -> str:
        return f"RestClient({self.endpoint.base_url!r}, key={self._key!r})"

    @property
    def key_source(self) -> str | None:
        return self._key.source if self._key else None

    async def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Any:
        """One API request; the decoded JSON of a 200 answer. Raises ServiceError: the
        service's code for an HTTP error, NetworkError (status 0) when it cannot be reached."""
        h = {"Accept": "application/json; charset=utf-8", "User-Agent": f"captioner/{__version__}"}
        if self._key is not None:
            h["Authorization"] = self._key.authorization()
        if self.workspace:
            h[WORKSPACE_HEADER] = self.workspace
        data = None
        if body is not None:
            data = dumps(body)
            h["Content-Type"] = "application/json; charset=utf-8"
        h.update(headers or {})
        url = self.endpoint.base_url + path
        status, raw = await self._send(method, url, data, h, idempotent)
        if status != 200:
            raise ServiceError.from_response(status, raw)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise bad_response(f"{method} {path} answered with something that is not JSON") from None

    async def get_public(self, url: str) -> bytes:
        """GET a pre-signed URL (a result file): no key, no workspace header."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise bad_response(f"the result URL is not http(s): {url!r}")
        status, raw = await self._send("GET", url, None, {"User-Agent": f"captioner/{__version__}"}, True)
        if status != 200:
            # Object storage answers XML, the emulator JSON: keep a code when there is one.
            error = ServiceError.from_response(status, raw)
            raise ServiceError(status, error.code, f"HTTP {status}: {error.message}", error.request_id)
        return raw

    async def _send(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str], idempotent: bool
    ) -> tuple[int, bytes]:
        attempt = 0
        while True:
            try:
                return await asyncio.to_thread(self._blocking, method, url, data, headers)
            except ServiceError as exc:
                refused = isinstance(exc.__cause__, ConnectionRefusedError)
                if attempt >= self.retry.attempts or not (idempotent or refused):
                    raise
                attempt += 1
                log.info("%s %s failed (%s); retrying in %gs", method, _redact(url), exc.message, self.retry.delay)
                await asyncio.sleep(self.retry.delay)

    def _blocking(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        """Runs in a worker thread. HTTP errors are answers (status, body), not exceptions;
        only a failure to talk to the server raises (ServiceError NetworkError, status 0)."""
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        context = self._ssl if url.startswith("https:") else None
        if context is None and url.startswith("https:"):
            context = self._ssl = ssl.create_default_context()
        # No proxies for loopback (a local emulator); otherwise the environment's, as the SDK.
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPSHandler(context=context)]
        if _is_loopback(url):
            handlers.append(urllib.request.ProxyHandler({}))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return response.status, _read(response)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, _read(exc)
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            error = ServiceError(0, ErrorCode.NETWORK_ERROR, f"could not reach {_origin(url)}: {_describe(reason)}")
            if isinstance(reason, BaseException):
                raise error from reason
            raise error from exc


class RestService:
    """What each REST service's client (files, vocabularies, Fun-ASR-Flash) is built on: one
    RestClient made from the same choices (see RestClient for `base_url`, `region`, `api_key`,
    `workspace`, `retry`), or the one given as `client`."""

    #: Seconds a request may take when the caller names no `timeout`.
    TIMEOUT: ClassVar[float] = 30.0

    def __init__(
        self,
        base_url: str | None = None,
        region: str | None = None,
        api_key: str | None = None,
        workspace: str | None = None,
        *,
        timeout: float | None = None,
        retry: Retry | None = None,
        client: RestClient | None = None,
    ) -> None:
        if timeout is None:
            timeout = self.TIMEOUT
        self.client = client or RestClient(base_url, region, api_key, workspace, timeout=timeout, retry=retry)

    @property
    def endpoint(self) -> RestEndpoint:
        return self.client.endpoint


def _read(response: Any) -> bytes:
    raw = response.read(MAX_RESPONSE_BYTES + 1)
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ServiceError(
            0, RestErrorCode.BAD_RESPONSE, f"the answer is larger than {MAX_RESPONSE_BYTES} bytes", retryable=False
        )
    return raw


def _describe(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return "the host name could not be resolved (offline?)"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"the TLS certificate could not be verified ({reason.verify_message})"
    return str(reason) or type(reason).__name__


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _redact(url: str) -> str:
    """A URL for the log: pre-signed query strings carry signatures."""
    return url.split("?", 1)[0]


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")
