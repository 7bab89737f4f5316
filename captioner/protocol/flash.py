"""Fun-ASR-Flash synchronous recognition (docs/protocol.md §11), without I/O.

`fun-asr-flash-2026-06-15` answers one HTTP request with the transcript of up to five
minutes of audio: POST /api/v1/services/aigc/multimodal-generation/generation, the
endpoint of the service's multimodal "generation" models. The request is documented
(seeds/002: `model`, `input.messages`, `parameters.format` / `sample_rate`, the header
`X-DashScope-SSE: disable|enable`); earlier turns in `input.messages` are *context*
(assistant replies, earlier user `input_text`) that helps the service get names and terms
right. The response is not documented for this model, so it is shaped like the answers of
the service's other multimodal-generation models, which the official SDK's
`dashscope.MultiModalConversation` parses (`output.choices[0].message.content[0].text`,
`usage`, `request_id`; streaming as Server-Sent Events, one `data:` JSON per event). Every
shape chosen by inference is marked [INF] where it is built.

The client (`recognition/cloud/flash.py`) and the server (`server/flash.py`) both use this
module, so they cannot disagree; every shape is tested from bytes alone.

One piece: the request, the context it carries, the answer and the same answer streamed as
events are one wire format, read and written by both ends; split, each half would be read
only against the other.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from captioner.events import Sentence
from captioner.protocol.realtime import ErrorCode
from captioner.protocol.rest import RestErrorCode, ServiceError, bad_response, invalid, new_request_id
from captioner.protocol.sentences import sentence_from_dict, sentence_to_dict

GENERATION_PATH = "/services/aigc/multimodal-generation/generation"
FLASH_MODEL = "fun-asr-flash-2026-06-15"
#: The models answered synchronously on GENERATION_PATH (seeds/002).
FLASH_MODELS = (FLASH_MODEL,)
SSE_HEADER = "X-DashScope-SSE"
SSE_CONTENT_TYPE = "text/event-stream"
#: The longest audio a synchronous call takes (seeds/002: "最长 5 分钟").
MAX_DURATION_MS = 5 * 60 * 1000
#: Formats the service lists for file recognition (seeds/002), which fun-asr-flash shares.
AUDIO_FORMATS = (
    "aac", "amr", "avi", "flac", "flv", "m4a", "mkv", "mov", "mp3", "mp4", "mpeg", "ogg", "opus",
    "wav", "webm", "wma", "wmv", "pcm",
)  # fmt: skip
#: The largest request body the emulator reads [INF: the service documents no limit]: five
#: minutes of 48 kHz stereo 16-bit WAV, base64-encoded, with room for context.
MAX_BODY_BYTES = 80 * 1024 * 1024
#: Context kept at most, in characters (the decoder's prompt holds ~220 tokens anyway).
MAX_CONTEXT_CHARS = 20_000

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class AudioInput:
    """The audio of the call: a URL (http(s), oss://, or on a local server a file path)
    or inline bytes (a base64 `data:` URI, as the service's multimodal models take)."""

    url: str | None = None
    data: bytes | None = None
    mime: str = "audio/wav"

    @classmethod
    def parse(cls, value: Any, where: str = "input_audio.data") -> AudioInput:
        if not isinstance(value, str) or not value.strip():
            raise invalid(f"{where} must be a non-empty string: an audio URL or a base64 data URI.")
        value = value.strip()
        if value[:5].lower() == "data:":
            header, comma, payload = value[5:].partition(",")
            if not comma or not header.lower().endswith(";base64"):
                raise invalid(f"{where}: a data URI must be 'data:<mime type>;base64,<data>'.")
            try:
                data = base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                raise invalid(f"{where}: the data URI is not valid base64.") from None
            if not data:
                raise invalid(f"{where}: the data URI holds no audio.")
            return cls(data=data, mime=header[: -len(";base64")] or "audio/wav")
        return cls(url=value)

    def to_wire(self) -> str:
        if self.data is not None:
            return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"
        assert self.url is not None
        return self.url

    @property
    def suffix(self) -> str:
        """A file name extension for inline data (the decoder probes the bytes anyway)."""
        sub = self.mime.split("/", 1)[-1].split(";", 1)[0].lower()
        sub = {"mpeg": "mp3", "x-wav": "wav", "wave": "wav", "x-m4a": "m4a", "mp4": "m4a"}.get(sub, sub)
        return f".{sub}" if re.fullmatch(r"[a-z0-9]{1,5}", sub) else ".bin"


@dataclass(frozen=True)
class Turn:
    """One earlier message: its role and its text (the context it carries)."""

    role: str
    text: str


@dataclass(frozen=True)
class FlashRequest:
    """One synchronous call. `context` is every earlier turn, in order (the system
    message too [INF: the seed names assistant replies and user input_text; a system
    message is read as context as well, as the service's Qwen-ASR models do])."""

    audio: AudioInput
    model: str = FLASH_MODEL
    context: tuple[Turn, ...] = ()
    format: str | None = None
    sample_rate: int | None = None
    language_hints: tuple[str, ...] = ()
    stream: bool = False
    #: Streaming only: each event carries only the new text (True) or all so far (False).
    #: [INF] Default True, as the service's other ASR models stream.
    incremental_output: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def context_text(self) -> str:
        """The context as one text, earlier turns first, at most MAX_CONTEXT_CHARS (the latest)."""
        text = "\n".join(t.text for t in self.context if t.text.strip())
        return text[-MAX_CONTEXT_CHARS:]

    # -- The wire -------------------------------------------------------------------------------

    def to_body(self) -> dict[str, Any]:
        """The JSON body a client sends (streaming is the SSE header, not the body)."""
        messages: list[dict[str, Any]] = []
        for turn in self.context:
            if turn.role == "user":
                # [INF] The seed names the type (input_text); the key mirrors input_audio.
                messages.append({"role": "user", "content": [{"type": "input_text", "input_text": turn.text}]})
            else:
                messages.append({"role": turn.role, "content": [{"text": turn.text}]})
        messages.append(
            {"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": self.audio.to_wire()}}]}
        )
        parameters: dict[str, Any] = dict(self.extra)
        if self.format:
            parameters["format"] = self.format
        if self.sample_rate:
            parameters["sample_rate"] = str(self.sample_rate)  # a string in the seed's sample
        if self.language_hints:
            parameters["language_hints"] = list(self.language_hints)
        if self.stream and not self.incremental_output:
            parameters["incremental_output"] = False
        body: dict[str, Any] = {"model": self.model, "input": {"messages": messages}}
        if parameters:
            body["parameters"] = parameters
        return body

    @classmethod
    def from_body(cls, obj: Any, *, sse: str | None = None) -> FlashRequest:
        """Parse and check a request body; `sse` is the X-DashScope-SSE header's value.
        Raises ServiceError with the service's code and a message naming the field."""
        if not isinstance(obj, dict):
            raise ServiceError(400, RestErrorCode.ILLEGAL_INPUT, "The request body must be a JSON object.")
        model = obj.get("model")
        if model is None or model == "":
            raise ServiceError(400, RestErrorCode.EMPTY_MODEL, "Model not specified: the request needs 'model'.")
        if not isinstance(model, str):
            raise invalid("model must be a string.")
        if model not in FLASH_MODELS:
            raise ServiceError(
                404,
                ErrorCode.MODEL_NOT_FOUND,
                f"Model not exist: {model!r} is not answered here; the synchronous call takes {', '.join(FLASH_MODELS)}.",
            )
        inp = obj.get("input")
        if not isinstance(inp, dict) or not inp:
            raise ServiceError(400, RestErrorCode.EMPTY_INPUT, "Required parameter 'input' missing or empty.")
        audio, context = _messages(inp.get("messages"))
        params = obj.get("parameters", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise invalid("parameters must be an object.")
        fmt = params.get("format")
        if fmt is not None and (not isinstance(fmt, str) or fmt.lower() not in AUDIO_FORMATS):
            raise invalid(f"parameters.format must be one of {', '.join(AUDIO_FORMATS)} (got {fmt!r}).")
        rate = _sample_rate(params.get("sample_rate"))
        hints = params.get("language_hints", ())
        if isinstance(hints, str):
            hints = (hints,)
        if not isinstance(hints, (list, tuple)) or not all(isinstance(h, str) for h in hints):
            raise invalid("parameters.language_hints must be a list of language codes.")
        stream = _sse(sse, params.get("stream"))
        incremental = params.get("incremental_output", True)
        if not isinstance(incremental, bool):
            raise invalid("parameters.incremental_output must be true or false.")
        known = {"format", "sample_rate", "language_hints", "stream", "incremental_output"}
        return cls(
            audio,
            model,
            context,
            fmt.lower() if isinstance(fmt, str) else None,
            rate,
            tuple(hints),
            stream,
            incremental,
            {k: v for k, v in params.items() if k not in known},
        )


def _sse(header: str | None, param: Any) -> bool:
    """Streaming is asked for with `X-DashScope-SSE: enable` (the SDK's stream=True sends
    it); `parameters.stream: true` is taken too [INF]."""
    if header is not None and header.strip().lower() not in ("enable", "disable", ""):
        raise invalid(f"{SSE_HEADER} must be 'enable' or 'disable' (got {header.strip()!r}).")
    if param is not None and not isinstance(param, bool):
        raise invalid("parameters.stream must be true or false.")
    return (header or "").strip().lower() == "enable" or param is True


def _sample_rate(value: Any) -> int | None:
    """The seed sends "16000" as a string; a number is taken too. Any rate is served
    (the audio is resampled), so this only has to be a plausible one."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 384000:
        raise invalid(f"parameters.sample_rate must be a sample rate in Hz, e.g. 16000 (got {value!r}).")
    return value


def _messages(messages: Any) -> tuple[AudioInput, tuple[Turn, ...]]:
    """(the audio, the context turns). The last message is the user's audio; every one
    before it is context: text only, no audio [INF: the seed says context comes in pairs
    before the audio message; pairing is not enforced, a lone turn is context too]."""
    if not isinstance(messages, list) or not messages:
        raise invalid("input.messages must be a non-empty list of messages.")
    turns: list[Turn] = []
    audio: AudioInput | None = None
    for i, message in enumerate(messages):
        where = f"input.messages[{i}]"
        if not isinstance(message, dict):
            raise invalid(f"{where} must be an object with 'role' and 'content'.")
        role = message.get("role")
        if role not in ROLES:
            raise invalid(f"{where}.role must be one of {', '.join(ROLES)} (got {role!r}).")
        texts, audios = _content(message.get("content"), where)
        last = i == len(messages) - 1
        if audios and not (last and role == "user"):
            raise invalid(f"{where}: only the last message, the user's, may carry audio.")
        if last:
            if role != "user" or len(audios) != 1:
                raise invalid(
                    "The last message of input.messages must be the user's, with exactly one input_audio "
                    f"item (found {len(audios)} in {where})."
                )
            audio = audios[0]
        if texts:
            turns.append(Turn(role, "\n".join(texts)))
    assert audio is not None
    return audio, tuple(turns)


def _content(content: Any, where: str) -> tuple[list[str], list[AudioInput]]:
    """Texts and audios of one message. Accepted item shapes: `{"type": "input_audio",
    "input_audio": {"data": ...}}` (the seed), `{"audio": url}` (the SDK's multimodal
    style [INF]), `{"type": "input_text", "input_text"|"text": ...}`, `{"text": ...}`, or the
    content as a plain string."""
    if isinstance(content, str):
        return [content], []
    if not isinstance(content, list) or not content:
        raise invalid(f"{where}.content must be a string or a non-empty list of items.")
    texts: list[str] = []
    audios: list[AudioInput] = []
    for j, item in enumerate(content):
        w = f"{where}.content[{j}]"
        if not isinstance(item, dict):
            raise invalid(f"{w} must be an object.")
        kind = item.get("type")
        if kind == "input_audio" or (kind is None and "input_audio" in item):
            inner = item.get("input_audio")
            if isinstance(inner, dict):
                audios.append(AudioInput.parse(inner.get("data"), f"{w}.input_audio.data"))
            else:
                audios.append(AudioInput.parse(inner, f"{w}.input_audio"))
        elif kind is None and "audio" in item:
            audios.append(AudioInput.parse(item["audio"], f"{w}.audio"))
        elif kind in (None, "input_text", "text"):
            text = item.get("input_text", item.get("text"))
            if not isinstance(text, str):
                raise invalid(f"{w}: a text item needs a string 'text' (or 'input_text').")
            texts.append(text)
        else:
            raise invalid(f"{w}.type must be input_audio or input_text (got {kind!r}).")
    return texts, audios


# -- Context -> terms -------------------------------------------------------------------------------

#: Separators of word lists (seeds/002 shows 、 and spaces, a Python-style list, prose).
_ITEM_SPLIT = re.compile(r"[\n\r,，、;；|/•·\[\]()（）{}<>《》\"“”'‘’:：!?！？。]+|\.(?:\s|$)")
_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
_CJK = re.compile(r"[\u3400-\u9fff\uac00-\ud7af\u3040-\u30ff]+")
#: Words too common to bias anything (they would only make the decoder's guard work harder).
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its
    this that these those i you he she we they me him her us them my your his our their not no yes do
    does did so than then there here what which who whom when where why how all any some can will
    would should could may might must just also very too about into over under up down out more most
    such only own same other each few both again further once have has had am""".split()
)
#: A list item of at most this many words is a term; longer text is prose.
MAX_TERM_WORDS = 4
MAX_TERMS = 100


def context_terms(text: str) -> tuple[str, ...]:
    """The names and terms in a context text, to bias recognition with.

    Word lists (any separator: 、 , ; new lines, a Python-style list) give their items (up
    to MAX_TERM_WORDS words without a common word: "Middle Market", not "Notes from the group");
    prose gives its words that look like names or terms: capitalised other than at the
    start of a sentence (there, when the next word is capitalised too: "Anneliese Vornholt"), with a capital or digit inside (iPhone, GPT4), or in CJK script
    (runs of up to 8 characters). Common words and repeats are left out, so that irrelevant
    or meaningless context costs little (seeds/002: the model tolerates it). In order of
    first appearance, at most MAX_TERMS.
    """
    terms: dict[str, str] = {}

    def add(term: str) -> None:
        term = " ".join(term.split())
        key = term.lower()
        if term and key not in terms and key not in STOPWORDS and len(terms) < MAX_TERMS:
            terms[key] = term

    for item in _ITEM_SPLIT.split(text):
        words = _WORD.findall(item)
        if not words:
            continue
        if len(words) <= MAX_TERM_WORDS and not _CJK.search(item) and not STOPWORDS & {w.lower() for w in words}:
            add(" ".join(words))
            continue
        for k, word in enumerate(words):
            if _CJK.search(word):
                for run in _CJK.findall(word):
                    if 2 <= len(run) <= 8:
                        add(run)
                rest = _CJK.sub(" ", word).strip()
                if rest and _namelike(rest, first=False):
                    add(rest)
            elif _namelike(word, first=k == 0) or (k == 0 and _capitalised(word) and _capitalised(words[1])):
                add(word)  # a sentence's first word when a capitalised one follows: a name
    return tuple(terms.values())


def _capitalised(word: str) -> bool:
    return word[0].isupper() and word.lower() not in STOPWORDS


def _namelike(word: str, *, first: bool) -> bool:
    inner = word[1:]
    return (
        any(c.isupper() for c in inner)
        or (any(c.isdigit() for c in word) and any(c.isalpha() for c in word))
        or (word[0].isupper() and not first)
    )


# -- The response ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlashResult:
    """What a call answers: the text, and (our addition) its sentences with times."""

    text: str
    sentences: tuple[Sentence, ...] = ()
    duration_ms: int = 0
    language: str | None = None
    request_id: str = ""

    def to_body(self, *, finish_reason: str = "stop") -> dict[str, Any]:
        """The non-streaming answer, and one SSE event's data. [INF] Shaped like the
        service's other multimodal-generation answers (qwen3-asr-flash): the text in
        choices[0].message.content[0].text, an `audio_info` annotation with the language,
        usage in seconds of audio. `output.sentences` (the shape of §4.3) is Captioner's
        addition, not known to be sent by the service; a client must not need it."""
        message: dict[str, Any] = {"role": "assistant", "content": [{"text": self.text}]}
        if self.language:
            message["annotations"] = [{"type": "audio_info", "language": self.language}]
        return {
            "request_id": self.request_id or new_request_id(),
            "output": {
                "choices": [{"finish_reason": finish_reason, "message": message}],
                "sentences": [sentence_to_dict(s) for s in self.sentences],
            },
            "usage": {"seconds": math.ceil(self.duration_ms / 1000)},
        }

    @classmethod
    def from_body(cls, obj: Any) -> FlashResult:
        """Read an answer (or one streamed event's data). Raises bad_response."""
        try:
            output = obj["output"]
            choice = output["choices"][0]
            content = choice["message"]["content"]
            if isinstance(content, str):
                text = content
            else:
                text = "".join(c.get("text", "") for c in content if isinstance(c, dict))
            if not isinstance(text, str):
                raise TypeError("text")
            sentences = tuple(
                sentence_from_dict(s, f"output.sentences[{i}]") for i, s in enumerate(output.get("sentences") or ())
            )
            language = None
            for note in choice["message"].get("annotations") or ():
                if isinstance(note, dict) and isinstance(note.get("language"), str):
                    language = note["language"]
            usage = obj.get("usage") or {}
            seconds = usage.get("seconds", 0) if isinstance(usage, dict) else 0
            request_id = obj.get("request_id", "")
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise bad_response(f"not a multimodal-generation answer ({exc})") from None
        duration = int(seconds * 1000) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else 0
        return cls(text, sentences, duration, language, request_id if isinstance(request_id, str) else "")


def finish_reason_of(obj: Any) -> str | None:
    """The event's finish_reason: "stop" on the last one; the service writes the string
    "null" on the others [INF], which is read as None."""
    try:
        reason = obj["output"]["choices"][0].get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return None if reason in (None, "null") else str(reason)


# -- Server-Sent Events ------------------------------------------------------------------------------


def sse_event(event_id: int, data: dict[str, Any] | str, *, status: int = 200) -> bytes:
    """One SSE event as the gateway writes it: `id`, `event` (result | error), a
    `:HTTP_STATUS/` comment, and the JSON on one `data:` line. The SDK reads `event:error`
    and `status:` for a failure mid-stream (dashscope/common/utils.py `_handle_stream`)."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    lines = [f"id:{event_id}"]
    if status == 200:
        lines += ["event:result", ":HTTP_STATUS/200"]
    else:
        lines += ["event:error", f"status:{status}", f":HTTP_STATUS/{status}"]
    lines.append(f"data:{payload}")
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def sse_error(event_id: int, error: ServiceError) -> bytes:
    return sse_event(event_id, error.to_body(), status=error.status or 500)


@dataclass(frozen=True)
class SseEvent:
    """One parsed event: its type ("result" / "error"), status and JSON data."""

    event: str
    status: int
    data: Any


class SseParser:
    """Server-Sent Events from bytes as they arrive (any split), for the client."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> Iterator[SseEvent]:
        self._buffer += data.replace(b"\r\n", b"\n")
        while b"\n\n" in self._buffer:
            block, self._buffer = self._buffer.split(b"\n\n", 1)
            event = _parse_block(block.decode("utf-8", "replace"))
            if event is not None:
                yield event

    def close(self) -> Iterator[SseEvent]:
        block, self._buffer = self._buffer, b""
        event = _parse_block(block.decode("utf-8", "replace")) if block.strip() else None
        if event is not None:
            yield event


def _parse_block(block: str) -> SseEvent | None:
    kind, status, data = "result", 200, None
    for line in block.split("\n"):
        if line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("status:") and line[7:].strip().isdigit():
            status = int(line[7:].strip())
        elif line.startswith("data:"):
            data = line[5:].strip()
    if data is None:
        return None
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        raise bad_response("a streamed event's data is not JSON") from None
    if kind == "error" and status == 200:
        status = 500
    return SseEvent(kind, status, obj)


def streamed_result(events: Sequence[SseEvent], *, incremental: bool = True) -> FlashResult:
    """The whole answer from a stream's events: the texts joined (incremental) or the
    last (cumulative); an error event raises its ServiceError."""
    texts: list[str] = []
    sentences: list[Sentence] = []
    last: FlashResult | None = None
    for event in events:
        if event.event == "error":
            raise ServiceError.from_response(event.status, json.dumps(event.data))
        part = FlashResult.from_body(event.data)
        texts.append(part.text)
        sentences.extend(part.sentences)
        last = part
    if last is None:
        raise bad_response("the stream ended without an answer")
    if not incremental:
        return last
    return FlashResult(join_texts(texts), tuple(sentences), last.duration_ms, last.language, last.request_id)


_CJK_EDGE = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")


def join_texts(texts: Iterable[str]) -> str:
    """Sentences as one text: a space between them, none between CJK sentences."""
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if out and not (_CJK_EDGE.match(out[-1]) and _CJK_EDGE.match(text[0])):
            out += " "
        out += text
    return out
