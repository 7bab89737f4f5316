"""One file of a file-transcription task: fetched, checked, run through the pipeline.

`captioner serve`'s REST server (`rest.py`) schedules tasks; this is what happens to each
of their files. A file is an http(s) URL (downloaded into a temporary folder, within the
size limit) or, since this is a local tool, a local path or file:// URL. It is decoded by
`MediaSource` as fast as the engine goes and transcribed by a `CaptionSession`, the one
pipeline. Whatever goes wrong becomes `SubtaskFailed` with the code the service would give.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import http.client
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from captioner.audio.frames import AudioSourceError
from captioner.audio.media import MediaSource
from captioner.errors import ModelError
from captioner.events import RecognitionError, Sentence
from captioner.pipeline import CaptionSession, SourceFailed
from captioner.protocol.files import ChannelTranscript, FileProperties, FileResult, TranscriptionRequest
from captioner.protocol.realtime import ErrorCode
from captioner.protocol.rest import RestErrorCode, ServiceError
from captioner.recognition.base import Recognizer
from captioner.recognition.local import diarization
from captioner.server.vocabularies import VocabularyStore, with_hot_words
from captioner.settings import RecognitionSettings, SettingsError

log = logging.getLogger("captioner.serve.rest")

_DOWNLOAD_FAILED_MESSAGE = "The audio file cannot be downloaded."


@dataclass(frozen=True)
class FileLimits:
    """What one file may be, and where it may come from."""

    max_file_bytes: int
    max_duration_ms: int
    download_timeout: float
    allow_local_files: bool


class SubtaskFailed(Exception):
    """This file failed: a FAILED subtask with the service's code (the task goes on)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@contextlib.asynccontextmanager
async def fetched(url: str, limits: FileLimits) -> AsyncIterator[Path]:
    """The file behind `url` on disk (downloaded into a temporary folder, or in place)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        folder = Path(tempfile.mkdtemp(prefix="captioner-rest-"))
        try:
            suffix = Path(unquote(parts.path)).suffix[:10]
            path = folder / f"input{suffix}"
            await asyncio.to_thread(download, url, path, limits)
            yield path
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)
        return
    if scheme == "oss":
        raise SubtaskFailed(
            RestErrorCode.DOWNLOAD_FAILED, "oss:// URLs need Alibaba Cloud storage; this server cannot fetch them."
        )
    if scheme == "file" and parts.netloc in ("", "localhost"):
        local = unquote(parts.path)
    elif scheme == "" and os.path.isabs(url):
        local = url
    else:
        raise SubtaskFailed(RestErrorCode.INVALID_FILE_URL, f"The file URL is not valid: {url!r}.")
    if not limits.allow_local_files:
        raise SubtaskFailed(RestErrorCode.INVALID_FILE_URL, "This server only fetches http(s) URLs.")
    path = Path(local)
    if not path.exists():
        raise SubtaskFailed(RestErrorCode.FILE_404_NOT_FOUND, f"No such file: {local}.")
    if not os.access(path, os.R_OK) or path.is_dir():
        raise SubtaskFailed(RestErrorCode.FILE_403_FORBIDDEN, f"The file cannot be read: {local}.")
    if path.stat().st_size > limits.max_file_bytes:
        raise SubtaskFailed(RestErrorCode.FILE_TOO_LARGE, f"The file is larger than {limits.max_file_bytes} bytes.")
    yield path


def download(url: str, path: Path, limits: FileLimits) -> None:
    """Runs in a worker thread: url -> path, within the size limit, or SubtaskFailed."""
    request = urllib.request.Request(url, headers={"User-Agent": "captioner-serve"})
    handlers: list[urllib.request.BaseHandler] = []
    if (urlsplit(url).hostname or "").startswith("127.") or urlsplit(url).hostname in ("localhost", "::1"):
        handlers.append(urllib.request.ProxyHandler({}))
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=limits.download_timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limits.max_file_bytes:
                raise SubtaskFailed(
                    RestErrorCode.FILE_TOO_LARGE, f"The file is larger than {limits.max_file_bytes} bytes."
                )
            written = 0
            with path.open("wb") as out:
                while chunk := response.read(1 << 20):
                    written += len(chunk)
                    if written > limits.max_file_bytes:
                        raise SubtaskFailed(
                            RestErrorCode.FILE_TOO_LARGE, f"The file is larger than {limits.max_file_bytes} bytes."
                        )
                    out.write(chunk)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 404:
            raise SubtaskFailed(RestErrorCode.FILE_404_NOT_FOUND, "The audio file was not found (HTTP 404).") from None
        if exc.code in (401, 403):
            raise SubtaskFailed(
                RestErrorCode.FILE_403_FORBIDDEN, f"Access to the audio file was denied (HTTP {exc.code})."
            ) from None
        if exc.code >= 500:
            raise SubtaskFailed(RestErrorCode.FILE_SERVER_ERROR, f"The file server failed (HTTP {exc.code}).") from None
        raise SubtaskFailed(RestErrorCode.FILE_DOWNLOAD_FAILED, f"The download failed (HTTP {exc.code}).") from None
    except http.client.IncompleteRead:
        raise SubtaskFailed(
            RestErrorCode.CONTENT_LENGTH_CHECK_FAILED, "The download ended before Content-Length bytes arrived."
        ) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        log.info("download of %s failed: %s", url.split("?", 1)[0], exc)
        raise SubtaskFailed(RestErrorCode.DOWNLOAD_FAILED, _DOWNLOAD_FAILED_MESSAGE) from None


async def transcribe(
    recognizer: Recognizer,
    vocabularies: VocabularyStore,
    request: TranscriptionRequest,
    url: str,
    path: Path,
    limits: FileLimits,
) -> tuple[FileResult, int]:
    """One file through the pipeline: (its result, the speech heard in ms)."""
    channels = request.channel_id or (0,)
    if channels != (0,):
        raise SubtaskFailed(
            ErrorCode.INVALID_PARAMETER,
            "This server transcribes channel 0 only (the mix of all channels); "
            f"channel_id {list(channels)} cannot be served.",
        )
    try:
        source = await asyncio.to_thread(MediaSource, path)  # probing decodes a little
    except AudioSourceError as exc:
        raise SubtaskFailed(RestErrorCode.FILE_PARSE_FAILED, _without_path(str(exc), path)) from None
    if source.duration_ms is not None and source.duration_ms > limits.max_duration_ms:
        raise SubtaskFailed(
            RestErrorCode.AUDIO_DURATION_TOO_LONG,
            f"The audio is longer than {limits.max_duration_ms // 3_600_000} hours.",
        )
    properties = await asyncio.to_thread(_properties, path, source.duration_ms)
    try:
        settings = RecognitionSettings(
            model=request.model,
            language_hints=tuple(request.language_hints or ())[:1],  # Fun-ASR uses the first only
            vocabulary_id=request.vocabulary_id,
            disfluency_removal_enabled=bool(request.disfluency_removal_enabled),
        )
    except SettingsError as exc:
        raise SubtaskFailed(ErrorCode.INVALID_PARAMETER, str(exc)) from None
    try:
        settings = with_hot_words(settings, vocabularies)
    except ServiceError as exc:  # a vocabulary made for another model
        raise SubtaskFailed(exc.code, exc.message) from None
    session = CaptionSession(source, recognizer, settings)
    failures: list[str] = []
    session.subscribe(lambda e: failures.append(e.message) if isinstance(e, SourceFailed) else None)
    try:
        transcript = await session.run()
    except RecognitionError as exc:
        raise SubtaskFailed(exc.code or ErrorCode.INTERNAL_ERROR, exc.message) from None
    if failures:
        raise SubtaskFailed(RestErrorCode.DECODE_ERROR, _without_path(failures[-1], path))
    sentences = tuple(
        dataclasses.replace(s, sentence_id=i, speaker_id=None)
        for i, s in enumerate((s for s in transcript.finals if s.text.strip()), 1)
    )
    if not sentences:
        raise SubtaskFailed(RestErrorCode.NO_VALID_FRAGMENT, "No valid speech was found in the audio.")
    if request.diarization_enabled:
        sentences = await _with_speakers(sentences, path, request.speaker_count)
    channel = ChannelTranscript(0, sentences)
    return FileResult(url, (channel,), properties), channel.speech_ms


async def _with_speakers(
    sentences: tuple[Sentence, ...], path: Path, speaker_count: int | None
) -> tuple[Sentence, ...]:
    """Each sentence's `speaker_id`: the speaker turn that overlaps it most."""
    try:
        turns = await diarization.diarize_file(path, speaker_count)
    except diarization.DiarizationUnavailable as exc:  # checked at submit; removed since?
        raise SubtaskFailed(ErrorCode.INVALID_PARAMETER, f"diarization_enabled: {exc}") from None
    except AudioSourceError as exc:
        raise SubtaskFailed(RestErrorCode.DECODE_ERROR, _without_path(str(exc), path)) from None
    except ModelError as exc:
        raise SubtaskFailed(ErrorCode.INTERNAL_ERROR, str(exc)) from None
    return tuple(diarization.label_sentences(sentences, turns))


def _without_path(message: str, path: Path) -> str:
    """A media error names the temporary file; the client knows its file by its URL."""
    return message.replace(f"{path}: ", "").replace(str(path), "the file")


def _properties(path: Path, duration_ms: int | None) -> FileProperties:
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            ctx = stream.codec_context
            channels = ctx.layout.nb_channels or 1
            return FileProperties(ctx.name, tuple(range(channels)), ctx.sample_rate or None, duration_ms)
    except Exception:  # the file was probed already; properties are a courtesy
        return FileProperties(None, (0,), None, duration_ms)
