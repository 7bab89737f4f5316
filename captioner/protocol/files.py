"""Recorded-file transcription (docs/protocol.md §4), without I/O.

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
Both ends use these shapes: the client (`recognition/cloud/files.py`) and the emulator
(`server/rest.py`).

One piece: the submit request, the task answer and the result file are the three bodies of
one conversation, and their fields refer to each other (a result names its file URL, the
task answer lists the results); read together they are the whole of §4.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from captioner.events import Sentence, Word
from captioner.protocol.realtime import ErrorCode, is_realtime_model
from captioner.protocol.rest import RestErrorCode, ServiceError, bad_response, invalid, new_request_id
from captioner.protocol.sentences import sentence_from_dict, sentence_to_dict
from captioner.settings import LANGUAGES

# -- Models ---------------------------------------------------------------------------------

#: Recorded-file models the service documents (docs/protocol.md §4.1). Singapore has Fun-ASR only.
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


# -- Submit (docs/protocol.md §4.1) -----------------------------------------------------------------------


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
        """`parameters` in the order the SDK writes them (docs/protocol.md §4.1)."""
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
        submitted without it fails later (docs/protocol.md §4.1)."""
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


# -- Query (docs/protocol.md §4.2) --------------------------------------------------------------------------


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

        def text(key: str) -> str | None:
            value = out.get(key)
            return value if isinstance(value, str) else None

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


# -- Polling (docs/protocol.md §4.2: the SDK's schedule) ------------------------------------------------


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


# -- Result file (docs/protocol.md §4.3) ----------------------------------------------------------------


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
