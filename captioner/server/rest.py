"""The DashScope REST services, emulated over the on-device engine, on `captioner serve`'s one port.

Recorded-file transcription (docs/protocol.md §4) and hot-word vocabularies (docs/protocol.md §5), answered the way
the service answers, so the official SDK (`dashscope.base_http_api_url = ".../api/v1"`),
our own clients and the tests have a real peer without a network:

    POST /api/v1/services/audio/asr/transcription   submit (needs X-DashScope-Async: enable)
    GET|POST /api/v1/tasks/{id}                     PENDING -> RUNNING -> SUCCEEDED | FAILED
    POST /api/v1/tasks/{id}/cancel                  a PENDING task only
    POST /api/v1/services/audio/asr/customization   create/list/query/update/delete vocabulary
    POST /api/v1/services/aigc/multimodal-generation/generation   Fun-ASR-Flash synchronous call (flash.py)
    GET  /results/{task}/{n}.json?Expires=..        a file's result, no key (like OSS URLs)

Each file is fetched (http(s), or a local path / file:// URL: this is a local tool), checked,
and run through the one pipeline: MediaSource (as fast as the engine goes) -> CaptionSession
-> the engine. What goes wrong is a FAILED subtask with the service's code; a task succeeds
when one file did. Tasks run one at a time by default (whisper wants the CPU cores) and
live 24 h, in memory, as on the service (the latest MAX_FINISHED_TASKS finished ones only).
Vocabularies live in memory too; a task (file or realtime, see HotWordRecognizer) that
names one gets its words as the engine's hot words.

All JSON shapes come from `captioner.protocol`; HTTP (keep-alive included: the SDK pools
connections) is aiohttp's, on the `web.WebHost` that serves the realtime WebSocket too;
`add_routes` names the paths this module answers.

Deliberate differences from the service: diarization_enabled tells speakers apart with
Moonshine's speaker models (recognition/local/diarization.py; `speaker_count` an upper
bound) and is refused at submit where they are not installed, channel 0 only (the mix of all
channels), no special_word_filter, no oss:// URLs, an unknown vocabulary_id is ignored (it
may be one made on the service), a phrase_id is refused by name (no phrase lists are kept).

One piece: the HTTP routing and the task table it serves (submit, query, cancel, results,
forgetting) change together; what happens to each file is in `file_jobs.py` and the
vocabulary store in `vocabularies.py`.
"""

from __future__ import annotations

import asyncio
import collections
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web

from captioner.protocol import files, flash, rest, vocabulary
from captioner.protocol.files import (
    SubtaskResult,
    TaskInfo,
    TaskMetrics,
    TaskStatus,
    TranscriptionRequest,
)
from captioner.protocol.realtime import ErrorCode
from captioner.protocol.rest import RestErrorCode, ServiceError
from captioner.protocol.vocabulary import VocabularyAction
from captioner.recognition.base import Recognizer
from captioner.recognition.local import diarization
from captioner.server import file_jobs
from captioner.server import flash as flash_call
from captioner.server.vocabularies import VocabularyStore
from captioner.server.web import WebHost

log = logging.getLogger("captioner.serve.rest")

MAX_BODY_BYTES = 1024 * 1024
#: 2 GB and 12 h per file (docs/protocol.md §4.1).
MAX_FILE_BYTES = 2 * 1024**3
MAX_DURATION_MS = 12 * 3600 * 1000
#: A task, and its result files, can be fetched for 24 h after it was submitted, as on the
#: service (docs/protocol.md §4.2: "the task itself is only queryable for 24 h"); then it is UNKNOWN.
TASK_TTL_S = 24 * 3600
#: Finished tasks kept at most; past this the one that ended first is forgotten first
#: (UNKNOWN, its result files 404), even within TASK_TTL_S. The service documents no such
#: count, but it does not keep its results in one process's memory. Result files take about
#: 1 MB per hour of speech (every word with its times), so TASK_TTL_S alone bounds them by
#: what the engine can transcribe in a day; this bounds the many small tasks a script may
#: send, while a client that polls its task within minutes, as the SDK does, still has all
#: the time it needs (at one task a minute, a result stays for 16 h).
MAX_FINISHED_TASKS = 1000
#: Query times remembered per task (for tests of the polling schedule): the latest only,
#: so a client polling in a tight loop for a day cannot grow the server.
QUERY_LOG_LENGTH = 100
TASK_TIMEOUT_S = 3 * 3600
RESULTS_PREFIX = "/results/"

# -- File tasks ----------------------------------------------------------------------------


@dataclass(eq=False)
class _FileTask:
    task_id: str
    request: TranscriptionRequest
    #: "http://host:port" as the client reached us: the result URLs must work for it.
    origin: str
    submitted: float = field(default_factory=time.time)
    status: TaskStatus = TaskStatus.PENDING
    scheduled: float | None = None
    ended: float | None = None
    results: list[SubtaskResult | None] = field(default_factory=list)
    speech_ms: int = 0
    code: str | None = None
    message: str | None = None
    runner: asyncio.Task | None = None

    def info(self) -> TaskInfo:
        done = [r for r in self.results if r is not None]
        metrics = TaskMetrics(len(self.results), sum(r.succeeded for r in done), sum(not r.succeeded for r in done))
        terminal = self.status.terminal
        succeeded = self.status is TaskStatus.SUCCEEDED
        return TaskInfo(
            self.task_id,
            self.status,
            rest.service_time(self.submitted),
            rest.service_time(self.scheduled) if self.scheduled else None,
            rest.service_time(self.ended) if self.ended else None,
            tuple(done) if terminal and self.status is not TaskStatus.CANCELED else None,
            metrics,
            files.billed_seconds(self.speech_ms) if succeeded else None,
            self.code,
            self.message,
        )


@dataclass
class RestStats:
    requests: int = 0
    tasks_submitted: int = 0
    files_transcribed: int = 0
    files_failed: int = 0
    #: Unexpected exceptions (a bug if ever non-zero).
    internal_errors: int = 0


class RestServer:
    """The REST emulation on one address. Constructor arguments shorten limits in tests.

    `recognizer` None loads the on-device engine (`model_dir`). `max_concurrent` tasks run
    at once; `max_queued` more wait as PENDING before submits get 429 Throttling.
    `submissions` keeps each task's request and `queries` the loop time of the latest
    queries per task, so tests can check what arrived and how often a client polled. A task
    and all that is kept about it is forgotten TASK_TTL_S (`task_ttl`) after it was submitted
    or once `max_finished_tasks` newer tasks have finished, whichever comes first; pending
    and running tasks are bounded by `max_queued`.
    """

    def __init__(
        self,
        recognizer: Recognizer | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        vocabularies: VocabularyStore | None = None,
        max_concurrent: int = 1,
        max_queued: int = 100,
        max_file_bytes: int = MAX_FILE_BYTES,
        max_duration_ms: int = MAX_DURATION_MS,
        download_timeout: float = 60.0,
        task_ttl: float = TASK_TTL_S,
        max_finished_tasks: int = MAX_FINISHED_TASKS,
        task_timeout: float = TASK_TIMEOUT_S,
        allow_local_files: bool = True,
        model_dir: str | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.host = host
        self.port = port
        self.token = token
        self.vocabularies = vocabularies if vocabularies is not None else VocabularyStore()
        self.max_queued = max_queued
        self.max_file_bytes = max_file_bytes
        self.max_duration_ms = max_duration_ms
        self.download_timeout = download_timeout
        self.task_ttl = task_ttl
        self.max_finished_tasks = max_finished_tasks
        self.task_timeout = task_timeout
        self.allow_local_files = allow_local_files
        self._limits = file_jobs.FileLimits(max_file_bytes, max_duration_ms, download_timeout, allow_local_files)
        self.model_dir = model_dir
        self.stats = RestStats()
        self.tasks: dict[str, _FileTask] = {}
        self.submissions: dict[str, TranscriptionRequest] = {}
        self.queries: dict[str, collections.deque[float]] = {}
        self._results: dict[str, tuple[bytes, float]] = {}  # "task/n.json" -> (JSON, expiry)
        self._slots = asyncio.Semaphore(max_concurrent)
        self._gate = asyncio.Event()
        self._gate.set()
        self._web: WebHost | None = None  # our own listener, when not mounted on a shared one

    @property
    def url(self) -> str:
        """The base URL clients use (the SDK's base_http_api_url)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{rest.API_PREFIX}"

    # -- Life ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the engine, then listen on our own address. (`captioner serve` mounts this
        service on a shared `WebHost` beside the realtime one instead.)"""
        self._web = WebHost([self], host=self.host, port=self.port)
        await self._web.start()
        log.info("serving DashScope file transcription and vocabularies on %s", self.url)

    async def stop(self) -> None:
        web_host, self._web = self._web, None
        if web_host is not None:
            await web_host.stop()

    # -- Service (web.Service) ---------------------------------------------------------------

    async def prepare(self) -> None:
        if self.recognizer is None:
            from captioner.recognition.engines import create_recognizer

            self.recognizer = create_recognizer("local", model_dir=self.model_dir)
        await self.recognizer.prepare()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Everything under /api/v1 (file tasks, vocabularies, the synchronous call; `_route`
        and `_dispatch` tell them apart) and the result files."""
        router.add_route("*", rest.API_PREFIX + "/{route:.*}", self._on_request)
        router.add_route("*", RESULTS_PREFIX + "{name:.*}", self._on_request)

    async def shutdown(self) -> None:
        """Stop every task that waits or runs (a running one ends FAILED: the server stopped)."""
        runners = [t.runner for t in self.tasks.values() if t.runner is not None]
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)

    async def __aenter__(self) -> RestServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def pause(self) -> None:
        """Hold new tasks in PENDING (tests of cancel; a maintenance window)."""
        self._gate.clear()

    def resume(self) -> None:
        self._gate.set()

    # -- HTTP ------------------------------------------------------------------------------

    async def _on_request(self, request: web.Request) -> web.StreamResponse:
        limit = _body_limit(request.path)
        length = request.content_length
        if length is not None and length > limit:
            return _too_large(limit)  # answered before the body is sent (or read)
        body = bytearray()
        async for chunk in request.content.iter_chunked(65536):
            body += chunk
            if len(body) > limit:
                return _too_large(limit)
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, payload, content_type = await self._dispatch(request.method, request.raw_path, headers, bytes(body))
        if isinstance(payload, bytes):
            return web.Response(status=status, body=payload, headers={"Content-Type": content_type})
        try:  # streamed as it comes (chunked): the synchronous call's Server-Sent Events
            response = web.StreamResponse(
                status=status, headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
            )
            await response.prepare(request)
            async for chunk in payload:
                await response.write(chunk)
            await response.write_eof()
            return response
        finally:
            await payload.close()

    async def _dispatch(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes | flash_call.FlashReply, str]:
        """(status, body, content type) for one request (`headers` with lower-case names).
        Every error is a JSON error body. A streamed body is a FlashReply, which the caller
        closes once it is sent."""
        self.stats.requests += 1
        method = method.upper()
        if target.startswith(("http://", "https://")):  # absolute form
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        path = target.split("?", 1)[0]
        try:
            if path.startswith(RESULTS_PREFIX):
                if method != "GET":
                    raise _method_not_allowed()
                return 200, self._result_file(path[len(RESULTS_PREFIX) :]), "application/json"
            if not path.startswith(rest.API_PREFIX + "/"):
                raise ServiceError(404, RestErrorCode.NOT_FOUND, "Not found!")
            route = path[len(rest.API_PREFIX) :].rstrip("/")
            self._authorize(headers)
            if route == flash.GENERATION_PATH:  # the synchronous call, all of it in server/flash.py
                if method != "POST":
                    raise _method_not_allowed()
                return await self._flash(headers, body)
            return 200, rest.dumps(await self._route(method, route, headers, body)), "application/json"
        except ServiceError as exc:
            if exc.status >= 500:
                log.warning("%s %s: %s %s", method, path, exc.code, exc.message)
            return exc.status, exc.to_body().encode("utf-8"), "application/json"
        except Exception as exc:  # never a traceback to the client; always the gateway's shape
            self.stats.internal_errors += 1
            log.exception("%s %s failed", method, path)
            return (
                500,
                ServiceError(500, ErrorCode.INTERNAL_ERROR, f"internal server error: {exc}").to_body().encode(),
                "application/json",
            )

    def _authorize(self, headers: dict[str, str]) -> None:
        if self.token is None:
            return
        scheme, _, key = headers.get("authorization", "").partition(" ")
        given = key.strip().encode("utf-8", "surrogateescape")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, self.token.encode()):
            raise ServiceError(401, ErrorCode.INVALID_API_KEY, "Invalid API-key provided.")

    async def _route(self, method: str, route: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        if route == rest.TRANSCRIPTION_PATH:
            if method != "POST":
                raise _method_not_allowed()
            if headers.get(rest.ASYNC_HEADER.lower(), "").strip().lower() != "enable":
                raise ServiceError(403, ErrorCode.ACCESS_DENIED, "current user api does not support synchronous calls.")
            return self._submit(TranscriptionRequest.from_body(rest.loads(body)), headers)
        if route == rest.CUSTOMIZATION_PATH:
            if method != "POST":
                raise _method_not_allowed()
            output = self.vocabularies.handle(VocabularyAction.from_body(rest.loads(body)))
            return vocabulary.encode_vocabulary_response(output)
        parts = route.split("/")
        if len(parts) in (3, 4) and parts[1] == rest.TASKS_PATH.strip("/") and parts[2]:
            task_id = unquote(parts[2])
            if len(parts) == 3:
                if method not in ("GET", "POST"):
                    raise _method_not_allowed()
                return self._query(task_id)
            if parts[3] == "cancel":
                if method != "POST":
                    raise _method_not_allowed()
                return self._cancel(task_id)
        raise ServiceError(404, RestErrorCode.NOT_FOUND, "Not found!")

    # -- Endpoints ---------------------------------------------------------------------------

    async def _flash(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes | flash_call.FlashReply, str]:
        assert self.recognizer is not None
        reply = await flash_call.handle(body, headers, self.recognizer, self.vocabularies, self._limits)
        if reply.events is None:
            return reply.status, reply.body, reply.content_type
        return reply.status, reply, reply.content_type

    def _submit(self, request: TranscriptionRequest, headers: dict[str, str]) -> dict[str, Any]:
        # Hot words the model cannot take this way (phrase_id, a vocabulary made for
        # another model) are refused now, by name, rather than ignored.
        vocabulary.phrase_resources(request.model, request.resources)
        vocabulary.check_vocabulary_id(request.model, request.vocabulary_id)
        self.vocabularies.hot_words(request.vocabulary_id, request.model)
        if request.diarization_enabled:
            try:
                diarization.check_available()
            except diarization.DiarizationUnavailable as exc:  # refused, never ignored
                raise ServiceError(400, ErrorCode.INVALID_PARAMETER, f"diarization_enabled: {exc}") from None
        self._forget()
        waiting = sum(not t.status.terminal for t in self.tasks.values())
        if waiting >= self.max_queued:
            raise ServiceError(
                429, ErrorCode.THROTTLING_RATE_QUOTA, "Requests rate limit exceeded, please try again later."
            )
        task_id = rest.new_request_id()
        host = headers.get("host") or f"{self.host}:{self.port}"
        task = _FileTask(task_id, request, f"http://{host}", results=[None] * len(request.file_urls))
        self.tasks[task_id] = task
        self.submissions[task_id] = request
        self.stats.tasks_submitted += 1
        task.runner = asyncio.create_task(self._run(task), name=f"file-task-{task_id}")
        log.info("task %s submitted: %s, %d file(s)", task_id, request.model, len(request.file_urls))
        return files.encode_submit_response(task_id)

    def _known(self, task_id: str) -> _FileTask | None:
        """The task, unless it never existed or has expired."""
        task = self.tasks.get(task_id)
        if task is None or time.time() - task.submitted > self.task_ttl:
            return None
        return task

    def _query(self, task_id: str) -> dict[str, Any]:
        task = self._known(task_id)
        if task is None:
            return TaskInfo(task_id, TaskStatus.UNKNOWN).to_body()  # HTTP 200, as the gateway does
        log_ = self.queries.setdefault(task_id, collections.deque(maxlen=QUERY_LOG_LENGTH))
        log_.append(asyncio.get_running_loop().time())
        return task.info().to_body()

    def _cancel(self, task_id: str) -> dict[str, Any]:
        task = self._known(task_id)
        if task is None:
            raise ServiceError(400, RestErrorCode.TASK_EXPIRED, f"Task {task_id} does not exist or has expired.")
        if task.status is not TaskStatus.PENDING:
            raise ServiceError(
                400,
                ErrorCode.INVALID_PARAMETER,
                f"Only PENDING tasks can be canceled; task {task_id} is {task.status.value}.",
            )
        task.status, task.ended = TaskStatus.CANCELED, time.time()
        if task.runner is not None:
            task.runner.cancel()
        log.info("task %s canceled", task_id)
        return {"request_id": rest.new_request_id(), "output": {"task_id": task_id, "task_status": task.status.value}}

    def _result_file(self, name: str) -> bytes:
        entry = self._results.get(name)
        if entry is None or entry[1] < time.time():
            raise ServiceError(404, RestErrorCode.NOT_FOUND, "The result file does not exist or has expired.")
        return entry[0]

    def _forget(self) -> None:
        """Drop finished tasks past task_ttl, then those that ended first beyond
        max_finished_tasks (a task that just ended stays queryable), with everything kept
        about them (their result files too), and expired result files. Runs on every submit
        and as every task ends, so the maps never outgrow the limits."""
        now = time.time()
        finished = sorted((t for t in self.tasks.values() if t.status.terminal), key=lambda t: t.ended or t.submitted)
        excess = len(finished) - self.max_finished_tasks
        for i, task in enumerate(finished):
            if i < excess or now - task.submitted > self.task_ttl:
                del self.tasks[task.task_id]
                self.submissions.pop(task.task_id, None)
                self.queries.pop(task.task_id, None)
                for n in range(len(task.results)):
                    self._results.pop(f"{task.task_id}/{n}.json", None)
        for name in [n for n, (_, expiry) in self._results.items() if expiry < now]:
            del self._results[name]

    # -- Running a task ----------------------------------------------------------------------

    async def _run(self, task: _FileTask) -> None:
        try:
            await self._gate.wait()
            async with self._slots:
                if task.status is not TaskStatus.PENDING:
                    return
                task.status, task.scheduled = TaskStatus.RUNNING, time.time()
                log.info("task %s running", task.task_id)
                deadline = asyncio.get_running_loop().time() + max(
                    0.0, task.submitted + self.task_timeout - time.time()
                )
                try:
                    async with asyncio.timeout_at(deadline):
                        for i, url in enumerate(task.request.file_urls):
                            task.results[i] = await self._subtask(task, i, url)
                except TimeoutError:
                    for i, url in enumerate(task.request.file_urls):
                        if task.results[i] is None:
                            task.results[i] = SubtaskResult(
                                url,
                                TaskStatus.FAILED,
                                code=ErrorCode.INTERNAL_ERROR_TIMEOUT,
                                message="The task did not finish in time.",
                            )
                self._finish(task)
        except asyncio.CancelledError:
            if task.status is TaskStatus.RUNNING:  # the server is stopping
                task.status, task.ended = TaskStatus.FAILED, time.time()
                task.code, task.message = ErrorCode.INTERNAL_ERROR, "The server stopped."
        except Exception as exc:
            self.stats.internal_errors += 1
            log.exception("task %s failed", task.task_id)
            task.status, task.ended = TaskStatus.FAILED, time.time()
            task.code, task.message = ErrorCode.INTERNAL_ERROR, f"internal server error: {exc}"
        finally:
            self._forget()

    def _finish(self, task: _FileTask) -> None:
        done = [r for r in task.results if r is not None]
        task.ended = time.time()
        if any(r.succeeded for r in done):
            task.status = TaskStatus.SUCCEEDED
        else:
            # As in the service's log of a wholly failed task: the first file's reason, on top.
            task.status = TaskStatus.FAILED
            first = next((r for r in done if r.code), None)
            task.code = first.code if first else ErrorCode.INTERNAL_ERROR
            task.message = first.message if first else "The task failed."
        log.info("task %s %s", task.task_id, task.status.value)

    async def _subtask(self, task: _FileTask, index: int, url: str) -> SubtaskResult:
        try:
            async with file_jobs.fetched(url, self._limits) as path:
                assert self.recognizer is not None
                result, speech_ms = await file_jobs.transcribe(
                    self.recognizer, self.vocabularies, task.request, url, path, self._limits
                )
        except file_jobs.SubtaskFailed as failure:
            self.stats.files_failed += 1
            log.info("task %s file %d failed: %s %s", task.task_id, index, failure.code, failure.message)
            return SubtaskResult(url, TaskStatus.FAILED, code=failure.code, message=failure.message)
        self.stats.files_transcribed += 1
        task.speech_ms += speech_ms
        expires = int(time.time() + self.task_ttl)
        name = f"{task.task_id}/{index}.json"
        self._results[name] = (rest.dumps(result.to_body()), expires)
        signature = secrets.token_hex(8)  # looks like an OSS URL; nothing checks it
        return SubtaskResult(
            url,
            TaskStatus.SUCCEEDED,
            transcription_url=f"{task.origin}{RESULTS_PREFIX}{name}?Expires={expires}&Signature={signature}",
        )


def _too_large(limit: int) -> web.Response:
    """413, and the connection closed: the client may still be sending the body."""
    error = ServiceError(413, ErrorCode.INVALID_PARAMETER, f"The request body exceeds {limit} bytes.")
    response = web.Response(status=413, body=error.to_body().encode(), content_type="application/json")
    response.force_close()
    return response


def _body_limit(path: str) -> int:
    """The synchronous call carries its audio inline; every other body is small JSON."""
    return flash.MAX_BODY_BYTES if path.rstrip("/").endswith(flash.GENERATION_PATH) else MAX_BODY_BYTES


def _method_not_allowed() -> ServiceError:
    return ServiceError(405, RestErrorCode.METHOD_NOT_ALLOWED, "This method is not allowed here.")
