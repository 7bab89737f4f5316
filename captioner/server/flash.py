"""The Fun-ASR-Flash synchronous call over the on-device engine (docs/protocol.md §11).

`handle()` is the whole endpoint, independent of the HTTP server that carries it: the
request body and headers in, a `FlashReply` out — a JSON answer, or a status and an
async iterator of Server-Sent Events when the client asked for a stream. Everything that
can be refused (the JSON, the model, the messages, the download, undecodable or too long
audio) is refused before a stream starts, so it is an HTTP error with the service's body;
only a failure during recognition arrives as an `event:error` in the stream.

Context (the earlier turns of `input.messages`) becomes decoding bias: its names and terms
(`protocol.flash.context_terms`) are the engine's hot words, which the decoder puts in
whisper's prompt and takes back wherever the unbiased decode heard nothing there
(`recognition/local/decoding.py`): context changes how a spoken word comes out, and never
adds a word where nothing was heard; a heard word becomes a context term only if the two
sound alike and the unbiased model finds the term plausible (docs/protocol.md §11.4).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from captioner.audio.frames import AudioSourceError
from captioner.audio.media import MediaSource
from captioner.events import RecognitionError, Sentence
from captioner.pipeline import AudioLevel, CaptionSession, SourceFailed
from captioner.protocol import rest
from captioner.protocol.flash import (
    MAX_DURATION_MS,
    SSE_CONTENT_TYPE,
    FlashRequest,
    FlashResult,
    context_terms,
    join_texts,
    sse_error,
    sse_event,
)
from captioner.protocol.realtime import ErrorCode
from captioner.protocol.rest import ServiceError, invalid
from captioner.recognition.base import Recognizer
from captioner.server import file_jobs
from captioner.server.vocabularies import VocabularyStore
from captioner.settings import RecognitionSettings, SettingsError

log = logging.getLogger("captioner.serve.flash")


@dataclass
class FlashReply:
    """One answer: `body` (JSON) or `events` (SSE). `close()` must be awaited once the
    answer is sent or abandoned: it removes the audio's temporary copy."""

    status: int
    content_type: str
    body: bytes = b""
    events: AsyncIterator[bytes] | None = None
    _stack: contextlib.AsyncExitStack | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        assert self.events is not None, "a JSON reply has a body, not events"
        return self.events

    async def close(self) -> None:
        if self.events is not None and hasattr(self.events, "aclose"):
            await self.events.aclose()
        if self._stack is not None:
            await self._stack.aclose()


def error_reply(error: ServiceError) -> FlashReply:
    return FlashReply(error.status, "application/json", error.to_body().encode("utf-8"))


async def handle(
    body: bytes,
    headers: Mapping[str, str],
    recognizer: Recognizer,
    vocabularies: VocabularyStore,
    limits: file_jobs.FileLimits,
    *,
    max_duration_ms: int = MAX_DURATION_MS,
) -> FlashReply:
    """Answer one POST to the generation path. `headers` lower-case names. Never raises
    for bad input: every refusal is a reply with the service's error body."""
    stack = contextlib.AsyncExitStack()
    try:
        request = FlashRequest.from_body(rest.loads(body), sse=headers.get("x-dashscope-sse"))
        settings = _settings(request)
        recognizer.check(settings)
        path = await stack.enter_async_context(_audio_file(request, limits))
        source = await _opened(path, max_duration_ms)
    except ServiceError as exc:
        await stack.aclose()
        return error_reply(exc)
    except RecognitionError as exc:  # a language the engine cannot do
        await stack.aclose()
        return error_reply(ServiceError(400, exc.code or ErrorCode.INVALID_PARAMETER, exc.message))
    except BaseException:
        await stack.aclose()
        raise
    request_id = rest.new_request_id()
    log.info("synchronous call %s: %s, %d context turn(s)", request_id, request.model, len(request.context))
    run = _Run(source, recognizer, settings, max_duration_ms, path)
    if not request.stream:
        try:
            result = await run.result(request_id)
        except ServiceError as exc:
            return error_reply(exc)
        finally:
            await stack.aclose()
        return FlashReply(200, "application/json", rest.dumps(result.to_body()))
    return FlashReply(200, SSE_CONTENT_TYPE, events=run.events(request, request_id), _stack=stack)


def _settings(request: FlashRequest) -> RecognitionSettings:
    """The engine's settings for the call. The context's terms go to the decoder as one
    comma-separated list ending in a full stop: measured on whisper tiny.en, a bare list of
    words in the prompt makes the decoder go on listing them after the speech ("called
    Zorvexa Quintarello Belmondex" for "called Zorvexa and it ships next month"), while the
    punctuated list is read as a list that has ended (tests/test_flash_speech.py)."""
    terms = context_terms(request.context_text)
    try:
        return RecognitionSettings(
            model=request.model,
            language_hints=tuple(request.language_hints)[:1],
            hot_words=(", ".join(terms) + ".",) if terms else (),
        )
    except SettingsError as exc:
        raise invalid(f"parameters.{exc.field}: {exc}") from None


@contextlib.asynccontextmanager
async def _audio_file(request: FlashRequest, limits: file_jobs.FileLimits) -> AsyncIterator[Path]:
    """The call's audio as a file: inline data written to a temporary folder, a URL
    fetched as the file jobs fetch theirs (a download error is the file service's code)."""
    audio = request.audio
    if audio.data is not None:
        if len(audio.data) > limits.max_file_bytes:
            raise ServiceError(400, rest.RestErrorCode.FILE_TOO_LARGE, "The inline audio is too large.")
        folder = Path(tempfile.mkdtemp(prefix="captioner-flash-"))
        try:
            path = folder / f"input{audio.suffix}"
            await asyncio.to_thread(path.write_bytes, audio.data)
            yield path
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)
        return
    assert audio.url is not None
    try:
        async with file_jobs.fetched(audio.url, limits) as path:
            yield path
    except file_jobs.SubtaskFailed as failure:
        raise ServiceError(400, failure.code, failure.message) from None


async def _opened(path: Path, max_duration_ms: int) -> MediaSource:
    try:
        source = await asyncio.to_thread(MediaSource, path)
    except AudioSourceError as exc:
        raise invalid(f"The audio could not be decoded: {_without_path(str(exc), path)}") from None
    if source.duration_ms is not None and source.duration_ms > max_duration_ms:
        source.close()
        raise _too_long(max_duration_ms, source.duration_ms)
    return source


def _too_long(max_ms: int, duration_ms: int | None = None) -> ServiceError:
    length = f"{duration_ms / 1000:.1f} s" if duration_ms is not None else "longer than that"
    return invalid(
        f"The audio is too long for a synchronous call: at most {max_ms // 1000} s "
        f"({max_ms / 60000:g} minutes); this audio is {length}. Use file transcription for longer audio."
    )


def _without_path(message: str, path: Path) -> str:
    return message.replace(f"{path}: ", "").replace(str(path), "the audio")


class _Run:
    """One recognition of the call's audio through the one pipeline (CaptionSession)."""

    def __init__(
        self, source: MediaSource, recognizer: Recognizer, settings: RecognitionSettings, max_ms: int, path: Path
    ) -> None:
        self.session = CaptionSession(source, recognizer, settings)
        self.max_ms = max_ms
        self.path = path
        self.too_long = False
        self.failures: list[str] = []
        self.session.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, SourceFailed):
            self.failures.append(event.message)
        elif isinstance(event, AudioLevel) and event.position_ms > self.max_ms and not self.too_long:
            # The container did not say how long it is: stop as soon as it is too long.
            self.too_long = True
            self.session.stop()

    async def _finish(self) -> list[Sentence]:
        try:
            transcript = await self.session.run()
        except RecognitionError as exc:
            raise ServiceError(500, exc.code or ErrorCode.INTERNAL_ERROR, exc.message) from None
        if self.too_long:
            raise _too_long(self.max_ms)
        if self.failures:
            raise invalid(f"The audio could not be decoded: {_without_path(self.failures[-1], self.path)}")
        return [s for s in transcript.finals if s.text.strip()]

    async def result(self, request_id: str) -> FlashResult:
        sentences = _numbered(await self._finish())
        return FlashResult(
            join_texts(s.text for s in sentences),
            tuple(sentences),
            self.session.position_ms,
            self.session.settings.language,
            request_id,
        )

    async def events(self, request: FlashRequest, request_id: str) -> AsyncIterator[bytes]:
        """Each final as its own event as soon as it is decoded (all so far when the client
        asked for cumulative output), then a last event with finish_reason "stop"."""
        queue: asyncio.Queue[Sentence] = asyncio.Queue()
        self.session.subscribe(lambda e: queue.put_nowait(e) if isinstance(e, Sentence) and e.final else None)
        runner = asyncio.ensure_future(self._finish())
        sent: list[Sentence] = []
        event_id = 0
        language = self.session.settings.language
        try:
            while True:
                if not queue.empty():
                    sentence = queue.get_nowait()
                elif runner.done():
                    break
                else:
                    getter = asyncio.ensure_future(queue.get())
                    await asyncio.wait({getter, runner}, return_when=asyncio.FIRST_COMPLETED)
                    if not getter.done():
                        getter.cancel()  # the item, if any, stays queued
                        continue
                    sentence = getter.result()
                if not sentence.text.strip():
                    continue
                new = dataclasses.replace(sentence, sentence_id=len(sent) + 1)
                sent.append(new)
                shown = [new] if request.incremental_output else sent
                event_id += 1
                part = FlashResult(
                    join_texts(s.text for s in shown), tuple(shown), self.session.position_ms, language, request_id
                )
                yield sse_event(event_id, part.to_body(finish_reason="null"))  # [INF] "null" until the last
            try:
                await runner
            except ServiceError as exc:
                exc.request_id = request_id
                yield sse_error(event_id + 1, exc)
                return
            shown = [] if request.incremental_output else sent
            last = FlashResult(
                join_texts(s.text for s in shown), tuple(shown), self.session.position_ms, language, request_id
            )
            yield sse_event(event_id + 1, last.to_body())
        finally:
            if not runner.done():
                self.session.source.close()
                runner.cancel()
                await asyncio.gather(runner, return_exceptions=True)


def _numbered(sentences: list[Sentence]) -> list[Sentence]:
    return [dataclasses.replace(s, sentence_id=i) for i, s in enumerate(sentences, 1)]
