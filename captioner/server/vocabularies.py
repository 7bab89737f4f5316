"""The hot-word vocabulary service's state, and how a task gets its vocabulary's words.

Vocabularies live in memory, one account, with the service's limits. A task (a file
transcription, or a realtime task through `HotWordRecognizer`) that names a vocabulary made
here gets its words as the engine's hot words, exactly as the same id biases the cloud.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from captioner.protocol import vocabulary
from captioner.protocol.realtime import ErrorCode
from captioner.protocol.rest import RestErrorCode, ServiceError
from captioner.protocol.vocabulary import VocabularyAction
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings


@dataclass
class _Vocabulary:
    vocabulary_id: str
    prefix: str
    target_model: str
    words: tuple[vocabulary.HotWord, ...]
    created: str
    modified: str


class VocabularyStore:
    """The vocabulary service's state: in memory, one account, the service's limits.

    Plain dict operations only, so the realtime server may read it from the same loop while
    the REST server writes it.
    """

    def __init__(self, max_vocabularies: int = vocabulary.MAX_VOCABULARIES) -> None:
        self.max_vocabularies = max_vocabularies
        self._items: dict[str, _Vocabulary] = {}

    def __len__(self) -> int:
        return len(self._items)

    def hot_words(self, vocabulary_id: str | None, model: str | None = None) -> tuple[str, ...] | None:
        """The words of a known vocabulary, heaviest first; None for an unknown id.
        With `model` (the task's), ServiceError(400, InvalidParameter) unless the vocabulary
        was made for that model, as the service requires."""
        v = self._items.get(vocabulary_id or "")
        if v is None:
            return None
        if model is not None:
            vocabulary.check_vocabulary_id(model, v.vocabulary_id, v.target_model)
        return tuple(w.text for w in sorted(v.words, key=lambda w: -w.weight))

    def handle(self, action: VocabularyAction) -> dict[str, Any]:
        """Carry out a (checked) action; its `output`, or ServiceError as the service says it."""
        now = time.strftime("%Y-%m-%d %H:%M:%S")  # the service's vocabulary times have no milliseconds
        if action.action == vocabulary.CREATE:
            if len(self._items) >= self.max_vocabularies:
                raise ServiceError(400, ErrorCode.THROTTLING_ALLOCATION_QUOTA, "Free allocated quota exceeded.")
            assert action.prefix and action.target_model
            vid = f"vocab-{action.prefix}-{secrets.token_hex(16)}"
            self._items[vid] = _Vocabulary(vid, action.prefix, action.target_model, action.words, now, now)
            return {"vocabulary_id": vid}
        if action.action == vocabulary.LIST:
            items = [v for v in self._items.values() if action.prefix is None or v.prefix == action.prefix]
            page = items[action.page_index * action.page_size : (action.page_index + 1) * action.page_size]
            return {
                "vocabulary_list": [
                    vocabulary.VocabularySummary(v.vocabulary_id, v.created, v.modified).to_dict() for v in page
                ]
            }
        v = self._items.get(action.vocabulary_id or "")
        if v is None:
            raise ServiceError(400, RestErrorCode.RESOURCE_NOT_EXIST, "The Required resource not exist.")
        if action.action == vocabulary.QUERY:
            return vocabulary.Vocabulary(v.target_model, v.words, v.created, v.modified).to_dict()
        if action.action == vocabulary.UPDATE:
            vocabulary.check_hot_words(action.words, v.target_model)
            v.words, v.modified = action.words, now
            return {}
        del self._items[v.vocabulary_id]
        return {}


def with_hot_words(settings: RecognitionSettings, store: VocabularyStore) -> RecognitionSettings:
    """The settings with the named vocabulary's words added to hot_words (an id the store
    does not know, e.g. one made on the real service, changes nothing). ServiceError (a
    RecognitionError: the task fails with InvalidParameter) when the vocabulary was made
    for another model than the task's."""
    words = store.hot_words(settings.vocabulary_id, settings.model)
    if not words:
        return settings
    merged = tuple(dict.fromkeys((*settings.hot_words, *words)))
    return settings.replace(hot_words=merged)


class HotWordRecognizer(Recognizer):
    """An engine whose tasks get their vocabulary's words as hot words.

    Wraps the engine `captioner serve` hands to the realtime WebSocket server, so a
    run-task naming a vocabulary_id made here biases the on-device engine exactly as the
    same id biases the cloud. Everything else passes straight through.
    """

    def __init__(self, inner: Recognizer, store: VocabularyStore) -> None:
        self.inner = inner
        self.store = store

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.inner.name

    async def prepare(self) -> None:
        await self.inner.prepare()

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        return await self.inner.start(with_hot_words(settings, self.store))

    def check(self, settings: RecognitionSettings) -> None:
        self.inner.check(settings)

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()
