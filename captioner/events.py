"""Engine-neutral recognition events.

Every engine (on-device, cloud, a remote Captioner) speaks in these, so the transcript, the
UI and the exporters never know which engine produced a sentence. Times are milliseconds on
the session clock.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from captioner.errors import CaptionerError, Category, code_category


@dataclass(frozen=True, slots=True)
class Word:
    begin_ms: int
    end_ms: int
    text: str
    #: The mark that follows the word ("", ",", "。"...), as the service reports it.
    punctuation: str = ""


@dataclass(frozen=True, slots=True)
class Translation:
    """A sentence in another language, as the engine translated it (Gummy's `translations`).

    It belongs to one `Sentence` and shares its id and times; `words` are the translation's
    own words where the engine timed them (it may not: then empty).
    """

    language: str
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: a partial (may still change, replaces the previous partial) or a final.

    A partial's `end_ms` is how far the engine has heard so far; a final's is where the
    sentence ends. `translation` is set when the task asked for one (Gummy, or the on-device
    engine's translate task); `text` is "" when it asked for the translation alone.
    """

    text: str
    begin_ms: int
    end_ms: int
    final: bool
    words: tuple[Word, ...] = ()
    sentence_id: int = 0
    speaker_id: int | None = None
    translation: Translation | None = None

    def shifted(self, offset_ms: int) -> Sentence:
        """The same sentence moved along the clock (used to splice reconnected tasks)."""
        if offset_ms == 0:
            return self
        translation = self.translation
        if translation is not None and translation.words:
            translation = dataclasses.replace(translation, words=_shifted_words(translation.words, offset_ms))
        return dataclasses.replace(
            self,
            begin_ms=self.begin_ms + offset_ms,
            end_ms=self.end_ms + offset_ms,
            words=_shifted_words(self.words, offset_ms),
            translation=translation,
        )


def _shifted_words(words: tuple[Word, ...], offset_ms: int) -> tuple[Word, ...]:
    return tuple(dataclasses.replace(w, begin_ms=w.begin_ms + offset_ms, end_ms=w.end_ms + offset_ms) for w in words)


@dataclass(frozen=True, slots=True)
class Usage:
    """Billable audio so far, as the service counts it (whole seconds)."""

    duration_s: int


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """A change in the engine's condition that a user should see (not an error).

    state is one of: "loading", "connecting", "ready", "reconnecting", "lagging".
    """

    state: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Gap:
    """Audio that was never captioned: `duration_ms` of sound dropped at `at_ms`.

    Overload sheds work, not words: when audio is thrown away (a live source's bounded
    buffer dropped its oldest audio, or an engine skipped some to catch up), the transcript
    says so at the place it happened instead of silently joining the speech either side.
    The session clock only counts audio that was kept, so a gap is a point on it
    (`at_ms`), not a span. An engine may emit one; the session forwards it like its own.
    """

    at_ms: int
    duration_ms: int

    def __post_init__(self) -> None:
        if self.duration_ms < 0:
            raise ValueError(f"a gap cannot last {self.duration_ms} ms")


RecognitionEvent = Sentence | Usage | EngineStatus | Gap


class RecognitionError(CaptionerError):
    """The engine cannot go on. `code` is the service's error code where there is one.

    `retryable` says whether trying again (reconnecting) can help: a dropped network can,
    a rejected API key or an out-of-range parameter cannot. `category` comes from the code
    (InvalidParameter is a bad parameter, InvalidApiKey a refused key, ...; see
    captioner.errors.code_category) unless a subclass fixes it by its class.
    """

    def __init__(self, code: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(f"{message} ({code})" if code else message)
        self.code = code
        self.message = message
        self.retryable = retryable

    @property
    def category(self) -> Category:  # type: ignore[override]
        return code_category(self.code)
