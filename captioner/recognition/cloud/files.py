"""Recorded-file transcription: submit file URLs, poll the task, fetch each file's result.

The service transcribes files it downloads itself, so it takes URLs, not uploads, and
answers asynchronously (docs/protocol.md §4): a submit returns a task id at once, the task is polled
until it ends, and each file's result is a JSON file behind a pre-signed URL. A task
SUCCEEDS as soon as one file did, so the outcome is per file: `FileOutcome` holds either
the sentences (speaker labels kept) or the code, the service's message and a plain
explanation of why that file failed.

    transcriber = FileTranscriber(base_url="http://127.0.0.1:8765/api/v1")
    job = await transcriber.transcribe(TranscriptionRequest("fun-asr", ("https://.../a.wav",)))
    for outcome in job.outcomes:
        if outcome.ok: write_exports(outcome.sentences, srt=...)
        else: print(outcome.describe())

asyncio, no Qt: the CLI runs it under asyncio.run, the GUI under qasync.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from captioner import errors
from captioner.events import RecognitionError, Sentence
from captioner.protocol.files import (
    FileResult,
    PollPolicy,
    SubtaskResult,
    TaskInfo,
    TaskStatus,
    TranscriptionRequest,
    decode_submit_response,
)
from captioner.protocol.rest import (
    ASYNC_HEADER,
    TRANSCRIPTION_PATH,
    RestErrorCode,
    ServiceError,
    cancel_path,
    explain,
    task_path,
)
from captioner.recognition.cloud.rest import RestClient, RestService, Retry

log = logging.getLogger(__name__)

#: HTTP statuses a poll shrugs off and retries at the next interval (the SDK's set).
RETRY_POLL_STATUSES = (503, 504)


class TaskError(errors.ServiceError, RecognitionError):
    """The task as a whole ended without results: CANCELED, UNKNOWN (no such task, expired,
    or another key's), or the wait ran out of time. `info` is the last answer, if any."""

    def __init__(self, task_id: str, code: str, message: str, info: TaskInfo | None = None) -> None:
        super().__init__(code, message, retryable=False)
        self.task_id = task_id
        self.info = info


@dataclass(frozen=True)
class FileOutcome:
    """One file's result. ok: `sentences` hold its transcript (possibly empty: no speech);
    otherwise `code` and `message` say why it failed, as the service put it."""

    file_url: str
    sentences: tuple[Sentence, ...] = ()
    result: FileResult | None = None
    code: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None or self.no_speech

    @property
    def no_speech(self) -> bool:
        """The service found no speech: a result (an empty transcript), not an error."""
        return self.code == RestErrorCode.NO_VALID_FRAGMENT

    @property
    def explanation(self) -> str:
        return explain(self.code)

    def describe(self) -> str:
        """One line for a user: the file, what went wrong and what to do, the code."""
        if self.code is None:
            return f"{self.file_url}: {len(self.sentences)} sentences"
        detail = f": {self.message}" if self.message and self.message.rstrip(".") not in self.explanation else ""
        return f"{self.file_url}: {self.explanation} ({self.code}{detail})"


@dataclass(frozen=True)
class TranscriptionJob:
    """A finished task (SUCCEEDED or FAILED) and one outcome per submitted file, in order."""

    task: TaskInfo
    outcomes: tuple[FileOutcome, ...]

    @property
    def failed(self) -> tuple[FileOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def succeeded(self) -> tuple[FileOutcome, ...]:
        return tuple(o for o in self.outcomes if o.ok)


StatusListener = Callable[[TaskInfo], None]


class FileTranscriber(RestService):
    """The recorded-file transcription service (or `captioner serve`).

    `poll` sets the query schedule (the SDK's by default); the other arguments are
    RestService's (`retry`: how connection failures are retried).
    """

    def __init__(
        self,
        base_url: str | None = None,
        region: str | None = None,
        api_key: str | None = None,
        workspace: str | None = None,
        *,
        poll: PollPolicy | None = None,
        timeout: float | None = None,
        retry: Retry | None = None,
        client: RestClient | None = None,
    ) -> None:
        super().__init__(base_url, region, api_key, workspace, timeout=timeout, retry=retry, client=client)
        self.poll = poll or PollPolicy()

    async def submit(self, request: TranscriptionRequest) -> str:
        """Start a task; its id. ServiceError if the service refuses it (bad key, model...)."""
        request.check()
        body = await self.client.call(
            "POST", TRANSCRIPTION_PATH, request.to_body(), headers={ASYNC_HEADER: "enable"}, idempotent=False
        )
        task_id, _ = decode_submit_response(body)
        log.info("submitted task %s (%s, %d files)", task_id, request.model, len(request.file_urls))
        return task_id

    async def query(self, task_id: str) -> TaskInfo:
        """The task's state now (UNKNOWN for an id the service does not know)."""
        return TaskInfo.from_body(await self.client.call("GET", task_path(task_id)), task_id)

    async def cancel(self, task_id: str) -> None:
        """Cancel a task that is still PENDING (the service cannot stop a running one)."""
        await self.client.call("POST", cancel_path(task_id))

    async def wait(
        self, task_id: str, *, on_status: StatusListener | None = None, timeout: float | None = None
    ) -> TaskInfo:
        """Poll until the task ends; its last answer (SUCCEEDED, FAILED, CANCELED or UNKNOWN).

        Polls at once, then by `poll`'s schedule. 503/504 answers are retried at the next
        interval, as the SDK does; `on_status` sees every answer (for a progress line).
        After `timeout` seconds, TaskError WaitTaskTimeout: the task goes on regardless.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        delays = self.poll.delays()
        while True:
            try:
                info = await self.query(task_id)
            except ServiceError as exc:
                if exc.status not in RETRY_POLL_STATUSES:
                    raise
                log.info("task %s: query answered %s (%s); retrying", task_id, exc.status, exc.code)
            else:
                if on_status is not None:
                    on_status(info)
                if info.terminal:
                    return info
            delay = next(delays)
            if deadline is not None and loop.time() + delay > deadline:
                raise TaskError(
                    task_id,
                    RestErrorCode.WAIT_TASK_TIMEOUT,
                    f"task {task_id} did not finish within {timeout:g} s; it goes on on the "
                    "service, so its result can still be fetched later",
                )
            await asyncio.sleep(delay)

    async def fetch_result(self, transcription_url: str) -> FileResult:
        """One file's result, from its pre-signed URL (fetched without the API key)."""
        raw = await self.client.get_public(transcription_url)
        try:
            return FileResult.from_body(json.loads(raw))
        except ValueError as exc:
            raise ServiceError(
                0, RestErrorCode.BAD_RESPONSE, f"the result file is not JSON: {exc}", retryable=False
            ) from None

    async def outcomes(self, info: TaskInfo, file_urls: tuple[str, ...] | None = None) -> tuple[FileOutcome, ...]:
        """One outcome per file of a finished task, fetching each successful file's result.

        SUCCEEDED and FAILED tasks give outcomes (a FAILED task's files carry their own
        codes, or the task's when the service gave only that); CANCELED and UNKNOWN raise
        TaskError. A result file that cannot be fetched fails that file only.
        """
        self._raise_for_status(info)
        results = info.results
        if not results:
            code = info.code or RestErrorCode.BAD_RESPONSE
            message = info.message or "the service listed no files"
            urls = file_urls or ("",)
            return tuple(FileOutcome(u, code=code, message=message) for u in urls)
        return tuple(await asyncio.gather(*(self._outcome(r) for r in results)))

    async def _outcome(self, r: SubtaskResult) -> FileOutcome:
        if not r.succeeded:
            return FileOutcome(
                r.file_url, code=r.code or RestErrorCode.BAD_RESPONSE, message=r.message or f"subtask {r.status.value}"
            )
        assert r.transcription_url is not None
        try:
            result = await self.fetch_result(r.transcription_url)
        except ServiceError as exc:
            return FileOutcome(
                r.file_url, code=exc.code, message=f"the result file could not be fetched: {exc.message}"
            )
        return FileOutcome(r.file_url, tuple(result.sentences()), result)

    async def transcribe(
        self,
        request: TranscriptionRequest,
        *,
        on_status: StatusListener | None = None,
        on_submitted: Callable[[str], None] | None = None,
        timeout: float | None = None,
    ) -> TranscriptionJob:
        """Submit, wait, fetch: the whole round. See wait() and outcomes() for what raises."""
        task_id = await self.submit(request)
        if on_submitted is not None:
            on_submitted(task_id)
        return await self.resume(task_id, on_status=on_status, timeout=timeout, file_urls=request.file_urls)

    async def resume(
        self,
        task_id: str,
        *,
        on_status: StatusListener | None = None,
        timeout: float | None = None,
        file_urls: tuple[str, ...] | None = None,
    ) -> TranscriptionJob:
        """Wait for (and collect) a task submitted earlier, e.g. by a run that was interrupted."""
        info = await self.wait(task_id, on_status=on_status, timeout=timeout)
        return TranscriptionJob(info, await self.outcomes(info, file_urls))

    @staticmethod
    def _raise_for_status(info: TaskInfo) -> None:
        if info.status is TaskStatus.UNKNOWN:
            raise TaskError(
                info.task_id,
                TaskStatus.UNKNOWN.value,
                f"the service does not know task {info.task_id}: the id is wrong, the task has "
                "expired (tasks are kept for 24 hours), or it belongs to another API key or region",
                info,
            )
        if info.status is TaskStatus.CANCELED:
            raise TaskError(info.task_id, TaskStatus.CANCELED.value, f"task {info.task_id} was canceled", info)
        if info.status not in (TaskStatus.SUCCEEDED, TaskStatus.FAILED):
            raise TaskError(
                info.task_id, info.status.value, f"task {info.task_id} has not finished ({info.status})", info
            )


def describe_status(info: TaskInfo) -> str:
    """A progress line: 'RUNNING', 'SUCCEEDED: 2 of 3 files', ..."""
    m = info.metrics
    if m is None or not m.total:
        return info.status.value
    if info.terminal:
        text = f"{info.status.value}: {m.succeeded} of {m.total} file{'s' if m.total != 1 else ''} transcribed"
        return text + (f", {m.failed} failed" if m.failed else "")
    done = m.succeeded + m.failed
    return f"{info.status.value} ({done} of {m.total} files done)"
