"""The cloud engine: DashScope realtime recognition (Fun-ASR / Paraformer) over `websockets`.

A thin asyncio layer over the sans-I/O `protocol` module, the way `websockets` sits over its
own protocol layer: the client owns sockets, timers and the audio; `protocol` owns every
JSON shape and the task state machine. It reads in four files:

- this one: `DashScopeRecognizer`, which finds the endpoint and the key and opens one
  verified WebSocket per task;
- `session.py`: `DashScopeSession`, one recognition session over as many tasks as drops
  require: it sends, receives, keeps the task alive through pauses, and reconnects, tuned
  by `ReconnectPolicy` and `Timeouts`; it asks its recognizer only for what `Connector` names;
- `replay.py`: the audio kept for a replay and the clock that maps each task's times back
  onto the session's, so no final is lost or duplicated when the connection drops;
- `failures.py`: errors a user understands. Every service code maps to one sentence
  (`EXPLANATIONS`); a refused handshake names the region, because keys are region-specific.

**The key stays secret.** It lives in a `credentials.ApiKey` that does not print itself, and
`websockets`' DEBUG handshake log (which includes request headers) goes through
`RedactingLogger`. TLS verification is always on; an unverified context is refused.

Timeouts, backoff and keep-alive cadence are constructor arguments so tests (and unusual
networks) can tune them; the defaults follow the service's documented limits.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import ssl
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection as WebSocket
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, InvalidURI, WebSocketException

from captioner import __version__
from captioner.audio.packets import Encoding
from captioner.events import RecognitionError
from captioner.protocol.endpoints import Endpoint, resolve
from captioner.protocol.gummy import GUMMY_MODELS, is_gummy_model
from captioner.protocol.realtime import ErrorCode, allowed_rates
from captioner.recognition.base import Recognizer
from captioner.recognition.cloud.credentials import ApiKey, RedactingLogger, no_key_message, resolve_api_key
from captioner.recognition.cloud.failures import (
    BAD_SERVER,
    EXPLANATIONS,
    NO_API_KEY,
    TLS_ERROR,
    ConfigurationError,
    MissingApiKey,
    describe_os_error,
    explain,
    refused,
)
from captioner.recognition.cloud.replay import MAX_RETAINED_MS, REPLAY_WINDOW_MS
from captioner.recognition.cloud.session import MAX_UNSENT_MS, DashScopeSession, ReconnectPolicy, Timeouts
from captioner.settings import RecognitionSettings

#: The websockets connection logs here (handshake headers at DEBUG, redacted).
wire_log = logging.getLogger("captioner.dashscope.wire")

#: What a task may carry: PCM (anything decoded here), or a file's own packets in one of the
#: service's compressed formats (WAV is PCM with a header: it is decoded and sent as PCM).
SENT_FORMATS = ("pcm", "mp3", "opus", "speex", "aac", "amr")

#: Largest message the client accepts (the SDK's aiohttp default).
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


# -- The recognizer ------------------------------------------------------------------------


class DashScopeRecognizer(Recognizer):
    """Alibaba Cloud Model Studio realtime recognition, or any server speaking its protocol.

    `url` overrides the endpoint (e.g. `captioner serve`); otherwise `region` ("cn" Beijing,
    default, or "intl" Singapore) and `workspace` pick it. The key comes from `api_key`, else
    DASHSCOPE_API_KEY, else the OS keyring (see credentials.py: a custom URL has its own
    entry there, never a region's); a custom URL needs none.
    `data_inspection` sends X-DashScope-DataInspection: enable. `ssl_context` may add a CA
    (a corporate proxy) but must verify certificates and host names.
    """

    name = "dashscope"

    def __init__(
        self,
        url: str | None = None,
        region: str | None = None,
        api_key: str | None = None,
        workspace: str | None = None,
        *,
        data_inspection: bool = False,
        workspace_domain: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
        timeouts: Timeouts | None = None,
        replay_window_ms: int = REPLAY_WINDOW_MS,
        max_retained_ms: int = MAX_RETAINED_MS,
        max_unsent_ms: int = MAX_UNSENT_MS,
    ) -> None:
        try:
            self.endpoint: Endpoint = resolve(url, region, workspace, workspace_domain=workspace_domain)
            region_code = self.endpoint.region.code if self.endpoint.region else None
            # A custom URL gets the key given, the one saved for that URL, or the
            # environment's: a key saved for an Alibaba Cloud region is never sent to it.
            self._key: ApiKey | None = resolve_api_key(
                region_code, api_key, url=url if self.endpoint.custom and region is None else None
            )
        except ValueError as exc:
            raise ConfigurationError(ErrorCode.INVALID_PARAMETER, str(exc)) from None
        self.workspace = workspace
        self.data_inspection = data_inspection
        if self._key is None and not self.endpoint.custom:
            assert self.endpoint.region is not None
            raise MissingApiKey(NO_API_KEY, no_key_message(self.endpoint.label, self.endpoint.region))
        if ssl_context is not None and (ssl_context.verify_mode != ssl.CERT_REQUIRED or not ssl_context.check_hostname):
            raise ValueError("ssl_context must verify certificates and host names (CERT_REQUIRED, check_hostname)")
        self._ssl = ssl_context
        self.reconnect = reconnect or ReconnectPolicy()
        self.timeouts = timeouts or Timeouts()
        self.replay_window_ms = replay_window_ms
        self.max_retained_ms = max_retained_ms
        self.max_unsent_ms = max_unsent_ms

    def __repr__(self) -> str:
        return f"DashScopeRecognizer(url={self.endpoint.url!r}, key={self._key!r})"

    def describe(self) -> dict[str, Any]:
        """For journals: where and how, never the key (only where it came from)."""
        region = self.endpoint.region
        return {
            "engine": self.name,
            "url": self.endpoint.url,
            "region": region.code if region else None,
            "workspace": self.workspace,
            "data_inspection": self.data_inspection,
            "key_source": self._key.source if self._key else None,
        }

    async def prepare(self) -> None:
        """Load the system's CA certificates now, not while the first session connects."""
        if self.endpoint.secure:
            await asyncio.get_running_loop().run_in_executor(None, self._ssl_context)

    async def start(self, settings: RecognitionSettings) -> DashScopeSession:
        """Connect and start a task; raises RecognitionError if the first attempt fails."""
        if settings.format not in SENT_FORMATS:
            raise RecognitionError(
                ErrorCode.INVALID_PARAMETER,
                f"format: the cloud engine streams raw PCM, or a file's own {', '.join(SENT_FORMATS[1:])} "
                f"packets (see encoded_settings), so format must be one of those (got {settings.format!r})",
            )
        if settings.translation_target is not None and not is_gummy_model(settings.model):
            raise RecognitionError(
                ErrorCode.INVALID_PARAMETER,
                f"translation: {settings.model} does not translate; choose the model {GUMMY_MODELS[0]}",
            )
        allowed = allowed_rates(settings.model)
        if settings.format == "pcm" and allowed is not None and settings.sample_rate not in allowed:
            # PCM is resampled here to whatever rate the task says, and the service refuses a
            # rate the model does not take (an -8k- model: 8000 only): send at the model's rate
            # rather than have a telephone model the user picked fail at run-task.
            settings = settings.replace(sample_rate=allowed[0])
        session = DashScopeSession(self, settings)
        await session._open()
        return session

    def encoded_settings(self, encoding: Encoding, settings: RecognitionSettings) -> RecognitionSettings | None:
        """A file in a format the service takes goes as its own packets (less upload), at a
        rate the model takes (docs/protocol.md §2.3): `settings` with that format and rate.
        None (decode to PCM, as for any other file) when the model cannot take the stream
        as it is: an MP3 at 44.1 kHz for a 16-kHz-only model, an AMR (8 kHz) for Fun-ASR.
        Opus decodes at any of its rates, so it goes to every model. Only settings that
        ask for PCM are changed (a caller that chose a format keeps it)."""
        if settings.format != "pcm" or encoding.format not in SENT_FORMATS:
            return None
        rate = encoding.rate_for(allowed_rates(settings.model))
        if rate is None:
            return None
        return settings.replace(format=encoding.format, sample_rate=rate)

    # -- Connecting (used by sessions) -------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    async def _connect(self) -> WebSocket:
        """One WebSocket to the endpoint; every failure becomes a RecognitionError."""
        headers: list[tuple[str, str]] = []
        secrets: tuple[str, ...] = ()
        if self._key is not None:
            headers.append(("Authorization", self._key.authorization()))
            secrets = (self._key.reveal(),)
        if self.workspace:
            headers.append(("X-DashScope-WorkSpace", self.workspace))
        if self.data_inspection:
            headers.append(("X-DashScope-DataInspection", "enable"))
        t = self.timeouts
        kwargs: dict[str, Any] = {}
        if self.endpoint.secure:
            kwargs["ssl"] = self._ssl_context()
        try:
            return await connect(
                self.endpoint.url,
                additional_headers=headers,
                user_agent_header=f"captioner/{__version__} websockets/{websockets.__version__} "
                f"python/{platform.python_version()}",
                compression=None,  # audio does not compress; the SDK does not negotiate it either
                open_timeout=t.open,
                ping_interval=t.ping_interval,
                ping_timeout=t.ping_timeout,
                close_timeout=t.close,
                max_size=MAX_MESSAGE_BYTES,
                logger=RedactingLogger(wire_log, secrets),
                **kwargs,
            )
        except InvalidStatus as exc:
            raise refused(exc, self.endpoint, self._key) from None
        except ssl.SSLCertVerificationError as exc:
            raise RecognitionError(
                TLS_ERROR,
                f"The TLS certificate of {self.endpoint.url} could not be verified ({exc.verify_message}). "
                "Check the computer's date and time, or whether a proxy intercepts encrypted traffic.",
            ) from None
        except InvalidURI as exc:
            raise RecognitionError(BAD_SERVER, f"The service URL is not valid: {exc}") from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise RecognitionError(
                ErrorCode.NETWORK_ERROR,
                f"Could not connect to {self.endpoint.label}: {describe_os_error(exc)}",
                retryable=True,
            ) from None


__all__ = [
    "EXPLANATIONS",
    "ConfigurationError",
    "DashScopeRecognizer",
    "DashScopeSession",
    "MissingApiKey",
    "ReconnectPolicy",
    "Timeouts",
    "explain",
]
