"""The hot-word vocabulary service (docs/protocol.md §5), without I/O.

A vocabulary is a list of hot words that bias recognition. One POST endpoint takes five
actions (create, list, query, update, delete); the client (`recognition/cloud/vocabulary.py`)
and the emulator (`server/rest.py`) build and parse every body here.

Also here, the other two ways a task names hot words, and their limits: the inline
`vocabulary` map (`{"word": weight}`) of the models that take one (`inline_hot_words`), and
the legacy v1 `phrase_id` (`payload.resources`, `phrase_resources`), which this project
keeps no store for and so refuses by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from captioner.protocol.files import MODEL_LANGUAGES as FILE_MODEL_LANGUAGES
from captioner.protocol.files import PARAFORMER_LANGUAGES, _is_int, is_file_model
from captioner.protocol.realtime import ErrorCode, is_realtime_model
from captioner.protocol.rest import RestErrorCode, ServiceError, bad_response, invalid, new_request_id
from captioner.settings import MODEL_LANGUAGES as REALTIME_MODEL_LANGUAGES

# -- Hot-word vocabularies (docs/protocol.md §5) --------------------------------------------------------

VOCABULARY_MODEL = "speech-biasing"
MAX_VOCABULARIES = 10  # per account, shared by Paraformer and Gummy
#: Hot words in one vocabulary. [INF] the documentation read gives no figure here; the
#: console's limit is 500, so the emulator uses that.
MAX_HOT_WORDS = 500
WEIGHT_RANGE = (1, 5)
DEFAULT_WEIGHT = 4
MAX_NON_ASCII_CHARS = 15
MAX_ASCII_WORDS = 7
FUN_ASR_HOT_WORD_LANGUAGES = ("zh", "en", "ja")
_PREFIX = re.compile(r"^[a-z0-9]{1,9}$")

#: The models whose run-task takes hot words inline, `parameters.vocabulary` =
#: {"word": weight} (docs/protocol.md §2.3); every other model takes `vocabulary_id`.
INLINE_VOCABULARY_MODELS = ("qwen-audio-3.0-asr-flash-streaming",)
#: Inline weights: 1-5 as in a vocabulary, or 50 for a "super" hot word (at most 50 of
#: those); at most 2000 words in all (the documented merged limit).
INLINE_WEIGHTS = (1, 2, 3, 4, 5, 50)
INLINE_SUPER_WEIGHT = 50
MAX_INLINE_SUPER_WORDS = 50
MAX_INLINE_WORDS = 2000
#: The resource type of a legacy v1 phrase list (what the SDK makes of `phrase_id`).
PHRASE_RESOURCE_TYPE = "asr_phrase"

CREATE, LIST, QUERY, UPDATE, DELETE = (
    "create_vocabulary",
    "list_vocabulary",
    "query_vocabulary",
    "update_vocabulary",
    "delete_vocabulary",
)
ACTIONS = (CREATE, LIST, QUERY, UPDATE, DELETE)


def hot_word_languages(target_model: str | None) -> tuple[str, ...]:
    """Languages a hot word may name for this model; None (model not known here): any
    either family takes.

    The family's documented list (Paraformer and Gummy: zh, en, ja, yue, ko, de, fr, ru;
    Fun-ASR: zh, en, ja), narrowed to what the model itself recognises where that is
    documented as less (fun-asr-realtime-2025-09-15 and fun-asr-2025-08-25: zh, en;
    fun-asr-flash-8k-realtime: zh) -- a hot word the model cannot hear is a mistake.
    """
    if target_model is None:
        return PARAFORMER_LANGUAGES
    family = PARAFORMER_LANGUAGES if target_model.startswith(("paraformer", "gummy")) else FUN_ASR_HOT_WORD_LANGUAGES
    heard = REALTIME_MODEL_LANGUAGES.get(target_model) or FILE_MODEL_LANGUAGES.get(target_model)
    return tuple(lang for lang in family if lang in heard) if heard else family


def supports_vocabulary(target_model: str) -> bool:
    """v2-family models take vocabulary ids; v1 models use the older phrase lists, and the
    inline-map models their map."""
    if target_model.endswith("-v1") and not target_model.startswith("gummy"):
        return False
    if target_model in INLINE_VOCABULARY_MODELS:
        return False
    return is_file_model(target_model) or is_realtime_model(target_model) or target_model.startswith("gummy-")


def check_vocabulary_id(model: str, vocabulary_id: str | None, target_model: str | None = None) -> None:
    """A task's `vocabulary_id` against its model: the model must take vocabularies, and a
    vocabulary whose target model is known must have been made for this very model (the
    service: "must equal the ASR model used later"). ServiceError(400, InvalidParameter)."""
    if vocabulary_id is None:
        return
    if not supports_vocabulary(model):
        if model in INLINE_VOCABULARY_MODELS:
            why = 'takes its hot words inline, as the vocabulary parameter ({"word": weight})'
        elif model.endswith("-v1"):
            why = "takes no vocabularies: its hot words are v1 phrase lists (phrase_id)"
        else:
            why = "takes no hot-word vocabularies"
        raise invalid(f"vocabulary_id: {model} {why}")
    if target_model is not None and target_model != model:
        raise invalid(
            f"vocabulary_id {vocabulary_id!r} was made for {target_model}; a vocabulary serves the model "
            f"it was made for only, and this task's model is {model}"
        )


def inline_hot_words(model: str, value: Any) -> tuple[HotWord, ...]:
    """The run-task's inline `vocabulary` map as hot words, heaviest first; () when absent.

    Only the models in INLINE_VOCABULARY_MODELS take one; for the rest it is refused by
    name (ServiceError 400 InvalidParameter), pointing at vocabulary_id, rather than left
    to do nothing. The limits: weights 1-5 or 50, at most 50 words of weight 50, at most
    2000 words, each word within the hot-word text limits.
    """
    if value is None:
        return ()
    if model not in INLINE_VOCABULARY_MODELS:
        raise invalid(
            f'vocabulary: the inline {{"word": weight}} map is taken by {", ".join(INLINE_VOCABULARY_MODELS)} '
            f"only; {model} takes vocabulary_id (a vocabulary made with the customization service)"
        )
    if not isinstance(value, dict) or not value:
        raise invalid('vocabulary must be a non-empty object of {"word": weight}')
    if len(value) > MAX_INLINE_WORDS:
        raise invalid(f"vocabulary holds {len(value)} words; at most {MAX_INLINE_WORDS}")
    words = []
    for text, weight in value.items():
        if not _is_int(weight) or weight not in INLINE_WEIGHTS:
            raise invalid(f"vocabulary word {text!r}: weight must be 1-5, or 50 for a super hot word (got {weight!r})")
        _check_text(text)
        words.append(HotWord(text.strip(), weight))
    supers = sum(w.weight == INLINE_SUPER_WEIGHT for w in words)
    if supers > MAX_INLINE_SUPER_WORDS:
        raise invalid(f"vocabulary has {supers} words of weight 50; at most {MAX_INLINE_SUPER_WORDS}")
    return tuple(sorted(words, key=lambda w: -w.weight))


def phrase_resources(model: str, resources: Any) -> None:
    """Refuse legacy v1 phrase hot words (`phrase_id`, sent as `payload.resources` entries
    of type asr_phrase), naming why: this project keeps no phrase lists (they are made with
    the service's /fine-tunes, which it does not emulate), and only the v1 models take them.
    Anything else in `resources` is left alone. ServiceError(400, InvalidParameter)."""
    if not isinstance(resources, (list, tuple)):
        return
    ids = [
        str(r.get("resource_id"))
        for r in resources
        if isinstance(r, Mapping) and r.get("resource_type") == PHRASE_RESOURCE_TYPE
    ]
    if not ids:
        return
    if model.endswith("-v1") and model.startswith("paraformer"):
        why = (
            f"{model}'s legacy phrase hot words are not kept by this server (it has no phrase service); "
            "use a v2 model (paraformer-realtime-v2, fun-asr-realtime) with a vocabulary_id"
        )
    else:
        why = f"phrase lists are for the v1 models only; {model} takes vocabulary_id"
    raise invalid(f"phrase_id {', '.join(repr(i) for i in ids)}: {why}")


def _check_text(raw: Any) -> str:
    """A hot word's text within the documented limits; the stripped text."""
    if not isinstance(raw, str) or not raw.strip():
        raise invalid("a hot word's text must not be empty")
    text: str = raw.strip()
    if text.isascii():
        if len(text.split()) > MAX_ASCII_WORDS:
            raise invalid(f"hot word {text!r}: at most {MAX_ASCII_WORDS} words")
    elif len(text) > MAX_NON_ASCII_CHARS:
        raise invalid(f"hot word {text!r}: at most {MAX_NON_ASCII_CHARS} characters")
    return text


@dataclass(frozen=True)
class HotWord:
    text: str
    weight: int = DEFAULT_WEIGHT
    lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "weight": self.weight}
        if self.lang is not None:
            d["lang"] = self.lang
        return d

    @classmethod
    def from_dict(cls, d: Any, where: str = "vocabulary[]") -> HotWord:
        if not isinstance(d, dict) or not isinstance(d.get("text"), str):
            raise invalid(f"{where} must be an object with a text")
        weight, lang = d.get("weight", DEFAULT_WEIGHT), d.get("lang")
        if not _is_int(weight):
            raise invalid(f"{where}.weight must be a whole number (got {weight!r})")
        if lang is not None and not isinstance(lang, str):
            raise invalid(f"{where}.lang must be a language code")
        return cls(d["text"], weight, lang)


def check_hot_words(words: tuple[HotWord, ...], target_model: str | None) -> None:
    """The documented limits (docs/protocol.md §5), as ServiceError(400, InvalidParameter).
    `target_model` None (an update, whose vocabulary's model only the server knows)
    checks the languages loosely."""
    if not words:
        raise invalid("vocabulary must hold at least one hot word")
    if len(words) > MAX_HOT_WORDS:
        raise invalid(f"vocabulary holds {len(words)} hot words; at most {MAX_HOT_WORDS}")
    langs = hot_word_languages(target_model)
    lo, hi = WEIGHT_RANGE
    for w in words:
        text = _check_text(w.text)
        if not lo <= w.weight <= hi:
            raise invalid(f"hot word {text!r}: weight must be between {lo} and {hi} (got {w.weight})")
        if w.lang is not None and w.lang not in langs:
            raise invalid(
                f"hot word {text!r}: lang {w.lang!r} is not supported for {target_model or 'hot words'}; "
                f"use one of {', '.join(langs)}"
            )


@dataclass(frozen=True)
class VocabularySummary:
    vocabulary_id: str
    gmt_create: str
    gmt_modified: str
    status: str = "OK"

    def to_dict(self) -> dict[str, Any]:
        return {
            "vocabulary_id": self.vocabulary_id,
            "gmt_create": self.gmt_create,
            "gmt_modified": self.gmt_modified,
            "status": self.status,
        }


@dataclass(frozen=True)
class Vocabulary:
    """query_vocabulary's output. status OK = usable, UNDEPLOYED = not (yet) usable."""

    target_model: str
    words: tuple[HotWord, ...]
    gmt_create: str = ""
    gmt_modified: str = ""
    status: str = "OK"

    def to_dict(self) -> dict[str, Any]:
        return {
            "gmt_create": self.gmt_create,
            "gmt_modified": self.gmt_modified,
            "status": self.status,
            "target_model": self.target_model,
            "vocabulary": [w.to_dict() for w in self.words],
        }


@dataclass(frozen=True)
class VocabularyAction:
    """One call of the vocabulary service. Which fields matter depends on `action`:
    create: target_model, prefix, words; list: prefix, page_index, page_size;
    query / delete: vocabulary_id; update: vocabulary_id, words."""

    action: str
    vocabulary_id: str | None = None
    target_model: str | None = None
    prefix: str | None = None
    words: tuple[HotWord, ...] = ()
    page_index: int = 0
    page_size: int = 10

    def check(self) -> None:
        if self.action not in ACTIONS:
            raise invalid(f"unknown action {self.action!r}; use one of {', '.join(ACTIONS)}")
        if self.action == CREATE:
            if not isinstance(self.target_model, str) or not self.target_model:
                raise invalid("target_model is required (the model the vocabulary will be used with)")
            if not supports_vocabulary(self.target_model):
                raise invalid(f"target_model {self.target_model!r} does not take hot-word vocabularies")
            if not isinstance(self.prefix, str) or not _PREFIX.match(self.prefix):
                raise invalid("prefix must be 1-9 lowercase letters or digits")
            check_hot_words(self.words, self.target_model)
        elif self.action == LIST:
            if self.prefix is not None and not (isinstance(self.prefix, str) and _PREFIX.match(self.prefix)):
                raise invalid("prefix must be 1-9 lowercase letters or digits")
            if not _is_int(self.page_index) or self.page_index < 0:
                raise invalid("page_index must be 0 or more")
            if not _is_int(self.page_size) or not 1 <= self.page_size <= 100:
                raise invalid("page_size must be between 1 and 100")
        else:
            if not isinstance(self.vocabulary_id, str) or not self.vocabulary_id:
                raise invalid("vocabulary_id is required")
            if self.action == UPDATE:
                check_hot_words(self.words, None)

    def to_body(self) -> dict[str, Any]:
        """The request body, field for field as the SDK writes it (docs/protocol.md §5)."""
        inp: dict[str, Any] = {"action": self.action}
        if self.action == CREATE:
            inp.update(target_model=self.target_model, prefix=self.prefix, vocabulary=[w.to_dict() for w in self.words])
        elif self.action == LIST:
            if self.prefix is not None:
                inp["prefix"] = self.prefix
            inp.update(page_index=self.page_index, page_size=self.page_size)
        else:
            inp["vocabulary_id"] = self.vocabulary_id
            if self.action == UPDATE:
                inp["vocabulary"] = [w.to_dict() for w in self.words]
        return {"model": VOCABULARY_MODEL, "parameters": {}, "input": inp}

    @classmethod
    def from_body(cls, body: Any) -> VocabularyAction:
        if not isinstance(body, dict):
            raise ServiceError(400, RestErrorCode.ILLEGAL_INPUT, "The request body must be a JSON object.")
        if not body.get("model"):
            raise ServiceError(400, RestErrorCode.EMPTY_MODEL, "Required parameter 'model' missing from request.")
        if body["model"] != VOCABULARY_MODEL:
            raise ServiceError(
                404,
                ErrorCode.MODEL_NOT_FOUND,
                f"Model not exist: {body['model']!r} (the vocabulary service is {VOCABULARY_MODEL!r}).",
            )
        inp = body.get("input")
        if not isinstance(inp, dict):
            raise ServiceError(400, RestErrorCode.EMPTY_INPUT, "Required parameter 'input' missing from request.")
        raw = inp.get("vocabulary")
        if raw is not None and not isinstance(raw, list):
            raise invalid("vocabulary must be a list of hot words")
        words = tuple(HotWord.from_dict(d, f"vocabulary[{i}]") for i, d in enumerate(raw or ()))

        def pick(k: str, default: Any = None) -> Any:
            return inp.get(k) if inp.get(k) is not None else default

        name = inp.get("action")
        action = cls(
            action=name if isinstance(name, str) else "",
            vocabulary_id=pick("vocabulary_id"),
            target_model=pick("target_model"),
            prefix=pick("prefix"),
            words=words,
            page_index=pick("page_index", 0),
            page_size=pick("page_size", 10),
        )
        action.check()
        return action


def encode_vocabulary_response(output: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
    """Every vocabulary answer: output, usage {count: 1}, request_id (docs/protocol.md §5)."""
    return {"output": output, "usage": {"count": 1}, "request_id": request_id or new_request_id()}


def vocabulary_output(body: Any) -> dict[str, Any]:
    output = body.get("output") if isinstance(body, dict) else None
    if output is None:
        return {}
    if not isinstance(output, dict):
        raise bad_response("the vocabulary answer's output is not an object")
    return output


def decode_vocabulary_id(body: Any) -> str:
    vid = vocabulary_output(body).get("vocabulary_id")
    if not isinstance(vid, str) or not vid:
        raise bad_response("create_vocabulary answered without output.vocabulary_id")
    return vid


def decode_vocabulary_list(body: Any) -> list[VocabularySummary]:
    items = vocabulary_output(body).get("vocabulary_list")
    if not isinstance(items, list):
        raise bad_response("list_vocabulary answered without output.vocabulary_list")
    out = []
    for d in items:
        if not isinstance(d, dict) or not isinstance(d.get("vocabulary_id"), str):
            raise bad_response("a vocabulary_list entry has no vocabulary_id")
        out.append(
            VocabularySummary(
                d["vocabulary_id"],
                str(d.get("gmt_create", "")),
                str(d.get("gmt_modified", "")),
                str(d.get("status", "OK")),
            )
        )
    return out


def decode_vocabulary(body: Any) -> Vocabulary:
    out = vocabulary_output(body)
    raw = out.get("vocabulary")
    if not isinstance(raw, list):
        raise bad_response("query_vocabulary answered without output.vocabulary")
    try:
        words = tuple(HotWord.from_dict(d) for d in raw)
    except ServiceError as exc:
        raise bad_response(exc.message) from None
    return Vocabulary(
        str(out.get("target_model", "")),
        words,
        str(out.get("gmt_create", "")),
        str(out.get("gmt_modified", "")),
        str(out.get("status", "OK")),
    )


def parse_hot_word(spec: str) -> HotWord:
    """'Quillbyte', 'Quillbyte:5' or 'Quillbyte:5:en' (the CLI's way to write one)."""
    text, weight, lang = spec, DEFAULT_WEIGHT, None
    m = re.match(r"^(.*?):(\d+)(?::([a-z]{2,3}))?$", spec)
    if m:
        text, weight, lang = m.group(1), int(m.group(2)), m.group(3)
    return HotWord(text.strip(), weight, lang)
