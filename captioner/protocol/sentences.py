"""One sentence as JSON: the shape the service uses in file transcripts (docs/protocol.md §4.3).

The file client reads it from a transcription_url, the emulator writes it there, and our own
JSON export and crash journal store finals the same way, so one reader checks them all.
"""

from __future__ import annotations

from typing import Any

from captioner.events import Sentence, Translation, Word


def translation_to_dict(t: Translation) -> dict[str, Any]:
    """A sentence's translation (Gummy's `translations` entry, less what the sentence has)."""
    return {
        "language": t.language,
        "text": t.text,
        "words": [
            {"begin_time": w.begin_ms, "end_time": w.end_ms, "text": w.text, "punctuation": w.punctuation}
            for w in t.words
        ],
    }


def sentence_to_dict(s: Sentence) -> dict[str, Any]:
    """A final sentence in the service's shape (`speaker_id` only when known; our
    `translation` when it carries one, which the service's readers ignore)."""
    d: dict[str, Any] = {
        "begin_time": s.begin_ms,
        "end_time": s.end_ms,
        "text": s.text,
        "sentence_id": s.sentence_id,
    }
    if s.speaker_id is not None:
        d["speaker_id"] = s.speaker_id
    d["words"] = [
        {"begin_time": w.begin_ms, "end_time": w.end_ms, "text": w.text, "punctuation": w.punctuation} for w in s.words
    ]
    if s.translation is not None:
        d["translation"] = translation_to_dict(s.translation)
    return d


def whole_ms(d: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise ValueError(f"{where}: {key} must be a whole number of milliseconds (got {v!r})")
    return int(v)


def sentence_from_dict(d: Any, where: str = "sentence") -> Sentence:
    """Read a sentence written by `sentence_to_dict` (or by the service). Raises
    ValueError, naming the field, on anything malformed."""
    if not isinstance(d, dict):
        raise ValueError(f"{where}: expected an object (got {type(d).__name__})")
    text = d.get("text", "")
    if not isinstance(text, str):
        raise ValueError(f"{where}: text must be a string")
    begin = whole_ms(d, "begin_time", where)
    end = whole_ms(d, "end_time", where)
    sid = whole_ms(d, "sentence_id", where, 0)
    speaker = d.get("speaker_id")
    if speaker is not None:
        speaker = whole_ms(d, "speaker_id", where)
    words = _words(d.get("words"), where)
    translation = None
    t = d.get("translation")
    if t is not None:
        tw = f"{where}.translation"
        if not isinstance(t, dict) or not isinstance(t.get("language"), str) or not isinstance(t.get("text"), str):
            raise ValueError(f"{tw}: expected an object with language and text")
        translation = Translation(t["language"], t["text"], _words(t.get("words"), tw))
    return Sentence(text, begin, end, True, words, sid, speaker, translation)


def _words(raw: Any, where: str) -> tuple[Word, ...]:
    words = []
    for j, w in enumerate(raw or ()):
        ww = f"{where}.words[{j}]"
        if not isinstance(w, dict):
            raise ValueError(f"{ww}: expected an object")
        wt, wp = w.get("text", ""), w.get("punctuation") or ""
        if not isinstance(wt, str) or not isinstance(wp, str):
            raise ValueError(f"{ww}: text and punctuation must be strings")
        words.append(Word(whole_ms(w, "begin_time", ww), whole_ms(w, "end_time", ww), wt, wp))
    return tuple(words)
