"""The Fun-ASR-Flash synchronous call, client side (docs/protocol.md §11).

One media file of up to five minutes, sent inline (a base64 data URI: a local file has no
public URL, and the call takes the bytes directly) with optional context, answered with
its transcript in the same HTTP exchange. Used by `captioner transcribe FILE --model
fun-asr-flash-2026-06-15` and by the window's *Caption a file*; `captioner serve` answers
the same call with the on-device engine, which is how the tests run it.

The file is checked here first (readable audio, at most five minutes), so a file the
service would refuse costs no upload and gets the same message as any other bad input.
"""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from captioner.audio.frames import AudioSourceError
from captioner.events import Sentence
from captioner.protocol.flash import (
    FLASH_MODEL,
    FLASH_MODELS,
    GENERATION_PATH,
    MAX_DURATION_MS,
    SSE_HEADER,
    AudioInput,
    FlashRequest,
    FlashResult,
    Turn,
)
from captioner.protocol.rest import API_PREFIX
from captioner.recognition.cloud.rest import RestService

#: A synchronous call may take a while on a busy service (or a slow emulator).
CALL_TIMEOUT_S = 300.0


def is_flash_model(model: str | None) -> bool:
    """Models answered by the synchronous call rather than a realtime task."""
    return model in FLASH_MODELS


def http_base_url(url: str | None) -> str | None:
    """The REST base URL for a `--url`: an http(s) base is used as it is; a realtime
    WebSocket URL (ws://host:port/api-ws/v1/inference) names the host, whose REST API is at
    /api/v1 on the same port (the cloud's layout, and `captioner serve`'s one port)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme in ("ws", "wss"):
        scheme = "https" if parts.scheme == "wss" else "http"
        return urlunsplit((scheme, parts.netloc, API_PREFIX, "", ""))
    return url


@dataclass(frozen=True)
class FlashTranscript:
    """A call's answer as captions: timed sentences (one spanning the audio when the
    service gives only the text) and what the answer said."""

    sentences: tuple[Sentence, ...]
    result: FlashResult


class FlashClient(RestService):
    """Synchronous recognition against the cloud (or a `captioner serve`). See RestClient
    for the arguments."""

    TIMEOUT = CALL_TIMEOUT_S
    #: The longest file sent (the service's limit).
    max_duration_ms = MAX_DURATION_MS

    async def transcribe(
        self,
        path: str | Path,
        *,
        context: str = "",
        model: str = FLASH_MODEL,
        language_hints: tuple[str, ...] = (),
    ) -> FlashTranscript:
        """Recognise `path`. `context`: text that names what may be said (a word list,
        notes, an earlier transcript). Raises AudioSourceError for a file that cannot be
        sent, ServiceError for a refusal or a network failure."""
        path = Path(path)
        duration_ms = await asyncio.to_thread(self._check, path)
        data = await asyncio.to_thread(path.read_bytes)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        turns = (Turn("assistant", context),) if context.strip() else ()
        request = FlashRequest(AudioInput(data=data, mime=mime), model, turns, language_hints=language_hints)
        answer = await self.client.call(
            "POST", GENERATION_PATH, request.to_body(), headers={SSE_HEADER: "disable"}, idempotent=False
        )
        result = FlashResult.from_body(answer)
        sentences = result.sentences
        if not sentences and result.text.strip():
            sentences = (Sentence(result.text.strip(), 0, result.duration_ms or duration_ms, True, (), 1),)
        return FlashTranscript(sentences, result)

    def _check(self, path: Path) -> int:
        """Runs in a worker thread: the file's duration, or AudioSourceError."""
        from captioner.audio.media import MediaSource

        source = MediaSource(path)  # raises AudioSourceError naming the problem
        try:
            duration = source.duration_ms
        finally:
            source.close()
        if duration is not None and duration > self.max_duration_ms:
            raise AudioSourceError(
                f"{path}: {duration / 1000:.1f} s of audio; the synchronous call takes at most "
                f"{self.max_duration_ms // 60000} minutes (use --engine dashscope with a realtime model, "
                "or `captioner transcribe-url`, for longer files)"
            )
        return duration or 0
