"""Hot-word vocabularies: lists of names and jargon that bias recognition toward them.

The cloud keeps them (docs/protocol.md §5): a vocabulary is made for one target model, gets an id
(`vocab-<prefix>-<32 hex>`), and a realtime or file task names that id in
`vocabulary_id`. `captioner serve` keeps them too, in memory, and hands the
words to the on-device engine (`RecognitionSettings.hot_words`) when a task names the id,
so one vocabulary biases both engines the same way.

    client = VocabularyClient(base_url="http://127.0.0.1:8765/api/v1")
    vid = await client.create("fun-asr", [HotWord("Quillbyte", 5)], prefix="demo")
    await client.update(vid, [HotWord("Quillbyte", 5), HotWord("Zarvox")])

Every failure is a ServiceError with the service's code: BadRequest.ResourceNotExist for an
unknown id, Throttling.AllocationQuota past 10 vocabularies, InvalidParameter for a word
the service would refuse (checked here first, with the service's limits).
"""

from __future__ import annotations

from collections.abc import Iterable

from captioner.protocol.rest import CUSTOMIZATION_PATH
from captioner.protocol.vocabulary import (
    CREATE,
    DELETE,
    LIST,
    QUERY,
    UPDATE,
    HotWord,
    Vocabulary,
    VocabularyAction,
    VocabularySummary,
    decode_vocabulary,
    decode_vocabulary_id,
    decode_vocabulary_list,
)
from captioner.recognition.cloud.rest import RestService


class VocabularyClient(RestService):
    """Create, list, query, update and delete vocabularies. See RestClient for the arguments."""

    async def create(self, target_model: str, words: Iterable[HotWord], prefix: str) -> str:
        """A new vocabulary for `target_model` (the model it will be used with); its id."""
        action = VocabularyAction(CREATE, target_model=target_model, prefix=prefix, words=tuple(words))
        return decode_vocabulary_id(await self._call(action, idempotent=False))

    async def list(
        self, prefix: str | None = None, page_index: int = 0, page_size: int = 10
    ) -> list[VocabularySummary]:
        return decode_vocabulary_list(
            await self._call(VocabularyAction(LIST, prefix=prefix, page_index=page_index, page_size=page_size))
        )

    async def query(self, vocabulary_id: str) -> Vocabulary:
        return decode_vocabulary(await self._call(VocabularyAction(QUERY, vocabulary_id=vocabulary_id)))

    async def update(self, vocabulary_id: str, words: Iterable[HotWord]) -> None:
        """Replace the vocabulary's words (the whole list: there is no partial update)."""
        await self._call(VocabularyAction(UPDATE, vocabulary_id=vocabulary_id, words=tuple(words)))

    async def delete(self, vocabulary_id: str) -> None:
        await self._call(VocabularyAction(DELETE, vocabulary_id=vocabulary_id))

    async def _call(self, action: VocabularyAction, *, idempotent: bool = True):
        action.check()
        return await self.client.call("POST", CUSTOMIZATION_PATH, action.to_body(), idempotent=idempotent)
