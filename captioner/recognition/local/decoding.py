"""One utterance's audio in, text a caption reader can trust out.

Whisper fails in two ways nobody reading captions can see. On hard audio it loops or
loses confidence, and dropping such a decode makes a whole spoken sentence vanish. On
noise, music or a fragment of a word it writes stock phrases ("Thank you.") that nobody
said. So here:

- **No decode discards speech.** A degenerate decode (a loop, more text than the audio
  can hold, a high compression ratio, a low log-probability) is recovered, never dropped:
  the decoder's temperature fallback first, then, if the decoder ran away (a loop, too
  many words), the audio is split at its quietest point and the halves decoded, and as a
  last resort the most confident attempt is kept with only its repeated tail cut. Nothing comes out only when the model itself is confident that
  there was no speech.
- **Nothing is invented.** Audio with too little speech to hold a word is not decoded;
  sound annotations ("[Music]", "♪") are not words; a stock phrase needs as much speech
  evidence (voiced time, VAD probability) as saying it takes.
- **A vocabulary biases, never writes.** A hot word may change how a spoken word comes
  out, but a word the unbiased decode did not hear at all is not added, and a word it
  heard is replaced only by a term that sounds like it and that the model, without the
  bias, finds a plausible hearing of the audio ("more coffee" never becomes "Marrakesh").

Thresholds here choose between two ways of getting the words, never between keeping and
losing them, so a rounding difference between CPUs cannot make a sentence disappear.

One piece: every safeguard between whisper and the text, with the thresholds they share
(the evidence, the recovery ladder, the vocabulary guard); apart, each would need the
decode's internals exported to the others.
"""

from __future__ import annotations

import difflib
import re
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import ctranslate2
import numpy as np
import zhconv

from captioner.audio.frames import SAMPLE_RATE
from captioner.recognition.local.models import LoadedModel
from captioner.recognition.local.vad import WINDOW_MS
from captioner.recognition.words import edit_distance

#: (start s, end s, text with its punctuation) relative to the decoded audio.
RawWord = tuple[float, float, str]

#: Less voiced audio than this cannot hold a word (a syllable is ~150 ms): not decoded.
MIN_VOICED_MS = 160
#: Voiced time a stock phrase needs per word, and the mean speech probability of those
#: windows: whisper's favourite inventions must sound like someone saying them.
STOCK_PHRASE_MS_PER_WORD = 200
STOCK_PHRASE_MIN_PROBABILITY = 0.8
#: Whisper's stock inventions on non-speech, lower case, punctuation removed.
STOCK_PHRASES = frozenset(
    {
        "you", "thank you", "thank you very much", "thanks", "thanks for watching",
        "thank you for watching", "thanks for listening", "thank you for listening",
        "bye", "bye bye", "goodbye", "okay", "ok", "oh", "so", "the end", "i'm sorry",
        "please subscribe", "subscribe", "like and subscribe", "see you next time",
        "see you in the next video", "i'll see you next time", "thank you so much",
    }
)  # fmt: skip
#: Whisper's "nothing was said" test, applied by faster-whisper: no_speech_prob above the
#: first and average log-probability below the second (measured: noise scores no_speech
#: 0.93, avg_logprob -1.3; speech < 0.1, > -0.5).
NO_SPEECH_PROB = 0.6
MIN_AVG_LOGPROB = -1.0
#: Above this the text compresses like a loop (real repetitive prose reaches ~2.45).
MAX_COMPRESSION_RATIO = 2.4
#: More words per second of voiced audio than anyone speaks: the decoder ran on.
MAX_WORDS_PER_VOICED_S = 8.0
#: A phrase of up to this many words repeated LOOP_REPEATS times in a row is a loop.
LOOP_MAX_WORDS = 8
LOOP_REPEATS = 4
#: Temperatures tried after a degenerate beam decode of a whole utterance (whisper's own
#: fallback; the halves of a split go straight to splitting again, which costs less).
FALLBACK_TEMPERATURES = (0.4,)
#: Sampling is seeded so that the same audio gives the same words on every run.
SAMPLING_SEED = 1234
#: Audio at least twice this long may be split in two when decoding it whole fails.
MIN_SPLIT_S = 2.0
#: Splits in a row at most: the worst case decodes the audio about four times over.
MAX_SPLIT_DEPTH = 2
#: Beam for finals: fixes words greedy decoding gets wrong, for ~15 % more decode time.
FINAL_BEAM_SIZE = 3
#: A hot word may replace what the unbiased decode heard only if the two sound alike: the
#: similarity of their sound keys (`_sound_key`, 1 - normalised edit distance) at least
#: this. Measured on whisper tiny.en: the misheard spellings of terms that were said score
#: 0.67-1.0 ("Normexer"/"Zorvexa", "Cuba meets"/"Kubernetes", "Maricash"/"Marrakesh");
#: words an unrelated term took the place of, 0.29-0.5 ("back", "Mac", "Naramax" for
#: "Marrakesh", "on Quilter Day" for "Quintarello today").
SOUND_ALIKE_MIN = 0.6
#: ... and only if the model without the bias finds the term at least this fraction as
#: likely as the words it heard (word probabilities from faster-whisper's alignment pass,
#: which reads the text without the prompt). Made-up names the model cannot spell score low
#: even when said: "Zarvox" 0.010 against "Naramax"'s 0.54 (ratio 0.018), "Zorvexa" 0.03
#: against "Normexa"'s 0.39 (0.08); "Marrakesh" in place of a clearly heard "more coffee",
#: which sounds a little like it (0.75), 0.0003 against 0.995 (ratio 0.0003).
PLAUSIBLE_RATIO = 0.005
_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫♬]")


@dataclass(frozen=True)
class Decoded:
    text: str
    words: tuple[RawWord, ...]
    #: Wall time the decode took (all attempts).
    seconds: float


@dataclass(frozen=True)
class _Attempt:
    """One pass of the decoder over the audio."""

    words: tuple[RawWord, ...]
    avg_logprob: float
    compression_ratio: float
    hit_token_cap: bool
    #: The model judged the audio to hold no speech (faster-whisper dropped it all).
    no_speech: bool
    #: Each word's probability by its (start, end), from faster-whisper's alignment pass,
    #: which scores the text without the prompt: how likely the unbiased model finds it.
    probability: dict[tuple[float, float], float] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """What the VAD heard in the audio: the speech a decode must be backed by."""

    voiced_ms: int
    mean_probability: float

    @classmethod
    def of(cls, probabilities: np.ndarray, threshold: float) -> Evidence:
        voiced = probabilities[probabilities >= threshold]
        return cls(len(voiced) * WINDOW_MS, float(voiced.mean()) if len(voiced) else 0.0)


class UtteranceDecoder:
    """Decodes utterances for one session: its language, vocabulary and VAD threshold.

    Thread-safe in the way the engine needs: called from one worker thread at a time.
    """

    def __init__(
        self,
        model: LoadedModel,
        language: str | None,
        hot_words: Sequence[str] = (),
        threshold: float = 0.5,
        *,
        allowed: Sequence[str] = (),
        task: str = "transcribe",
    ) -> None:
        self._model = model
        self._language = language
        #: "transcribe", or "translate": whisper writes English instead (a session that
        #: shows the translation alone decodes once, not twice: recognition/local/translation.py).
        self._task = task
        #: Languages the audio may be in (Paraformer's hints) when several: detection picks
        #: among these only, never a language nobody asked for (zh + en heard as Vietnamese).
        self._allowed = tuple(allowed) if language is None and len(allowed) > 1 else ()
        self._hotwords = " ".join(hot_words) or None
        self._hot_tokens = {_norm(t) for phrase in hot_words for t in phrase.split()} - {""}
        self._threshold = threshold

    def partial(self, audio: np.ndarray, probabilities: np.ndarray) -> Decoded:
        """A quick look at speech still going on: greedy, no timestamps, no vocabulary
        (it could only add words the final would then have to take back)."""
        started = time.perf_counter()
        evidence = Evidence.of(probabilities, self._threshold)
        words: tuple[RawWord, ...] = ()
        if evidence.voiced_ms >= MIN_VOICED_MS:
            attempt = self._attempt(audio, full=False)
            words = _trim_loop(attempt.words, evidence, attempt.hit_token_cap)
            words = _believable(words, evidence)
        return self._done(words, started)

    def final(self, audio: np.ndarray, probabilities: np.ndarray) -> Decoded:
        """The sentence as it will stay: beam search, word timestamps, every safeguard."""
        started = time.perf_counter()
        evidence = Evidence.of(probabilities, self._threshold)
        words: tuple[RawWord, ...] = ()
        if evidence.voiced_ms >= MIN_VOICED_MS:
            words = _believable(self._recovered(audio, probabilities, 0), evidence)
        return self._done(words, started)

    # The recovery ladder ------------------------------------------------------------

    def _recovered(self, audio: np.ndarray, probabilities: np.ndarray, depth: int) -> tuple[RawWord, ...]:
        evidence = Evidence.of(probabilities, self._threshold)
        first = self._biased(audio)
        if first.no_speech or not _degenerate(first, evidence):
            return first.words
        attempts = [first]
        for temperature in FALLBACK_TEMPERATURES if depth == 0 else ():
            attempt = self._biased(audio, temperature)
            if not attempt.no_speech and not _degenerate(attempt, evidence):
                return attempt.words
            attempts.append(attempt)
        runaway = all(_ran_away(a, evidence) for a in attempts if not a.no_speech)
        if runaway and depth < MAX_SPLIT_DEPTH and len(audio) >= 2 * MIN_SPLIT_S * SAMPLE_RATE:
            cut = quietest_point(audio, probabilities)
            cut_window = cut * 1000 // SAMPLE_RATE // WINDOW_MS
            left = self._recovered(audio[:cut], probabilities[:cut_window], depth + 1)
            right = self._recovered(audio[cut:], probabilities[cut_window:], depth + 1)
            shift = cut / SAMPLE_RATE
            return left + tuple((a + shift, b + shift, w) for a, b, w in right)
        best = max((a for a in attempts if not a.no_speech), key=lambda a: a.avg_logprob, default=first)
        return _trim_loop(best.words, evidence, True)

    def _biased(self, audio: np.ndarray, temperature: float = 0.0) -> _Attempt:
        """A final's decode with the vocabulary, less any word the vocabulary added."""
        biased = self._attempt(audio, full=True, temperature=temperature, hotwords=self._hotwords)
        if not self._hot_tokens or not any(_norm(w) in self._hot_tokens for _, _, w in biased.words):
            return biased
        plain = self._attempt(audio, full=True, temperature=temperature)
        return _Attempt(
            _without_added_hot_words(biased, plain, self._hot_tokens),
            biased.avg_logprob,
            biased.compression_ratio,
            biased.hit_token_cap,
            biased.no_speech and plain.no_speech,
        )

    def _attempt(
        self, audio: np.ndarray, *, full: bool, temperature: float = 0.0, hotwords: str | None = None
    ) -> _Attempt:
        seconds = len(audio) / SAMPLE_RATE
        # Nobody says more than ~8 tokens a second; a loop runs into this cap. 224 keeps
        # room in whisper's 448-token context for the longest vocabulary prompt.
        cap = min(224, 16 + int(12 * seconds))
        if temperature > 0:
            ctranslate2.set_random_seed(SAMPLING_SEED)
        samples = audio.astype(np.float32) / 32768.0
        segments, info = self._model.whisper.transcribe(
            samples,
            language=self._language_of(samples),
            task=self._task,
            beam_size=FINAL_BEAM_SIZE if full else 1,
            best_of=2,
            temperature=temperature,
            condition_on_previous_text=False,
            without_timestamps=not full,
            word_timestamps=full,
            max_new_tokens=cap,
            # One temperature per call: the fallback is decided here, on our criteria.
            compression_ratio_threshold=None,
            no_speech_threshold=NO_SPEECH_PROB,
            log_prob_threshold=MIN_AVG_LOGPROB,
            hotwords=hotwords,
        )
        segments = list(segments)
        pieces: list[tuple[RawWord, ...]] = []
        probability: dict[tuple[float, float], float] = {}
        for segment in segments:
            if full:
                pieces.append(tuple((w.start, w.end, w.word) for w in segment.words or () if w.word.strip()))
                for w in segment.words or ():
                    probability[w.start, w.end] = min(w.probability, probability.get((w.start, w.end), 1.0))
            else:  # no timings: spread over the audio, only the text is used
                pieces.append(tuple((0.0, 0.0, " " + u) for u in segment.text.split()))
        words = _clause_breaks(pieces)
        words = _without_annotations(words)
        if self._task == "transcribe" and (self._language or info.language) == "zh":  # Simplified, always
            words = tuple((a, b, zhconv.convert(w, "zh-cn")) for a, b, w in words)
        tokens = sum(len(s.tokens) for s in segments)
        text = _join(words)
        return _Attempt(
            words,
            min((s.avg_logprob for s in segments), default=0.0),
            _compression_ratio(text),
            tokens >= cap - 4,
            not segments,
            probability,
        )

    def _language_of(self, samples: np.ndarray) -> str | None:
        """The language to decode in: the session's, or the likeliest of the allowed ones."""
        if not self._allowed:
            return self._language
        _, _, ranked = self._model.whisper.detect_language(samples)
        probability = dict(ranked)
        return max(self._allowed, key=lambda code: probability.get(code, 0.0))

    def _done(self, words: tuple[RawWord, ...], started: float) -> Decoded:
        if self._task == "transcribe":
            words = chinese_punctuation(words)
        return Decoded(_join(words), words, time.perf_counter() - started)


#: Han characters (Chinese, and Japanese kanji); kana tell Japanese apart.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
#: ASCII marks whisper leaves in Chinese text, and the Chinese ones a reader expects.
_FULLWIDTH = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}
_SENTENCE_END = "。？！…"
#: Sentence-final particles that make a question (吗 always; 呢 and 么 nearly always at the end).
_QUESTION_PARTICLES = ("吗", "呢", "么")


def _clause_breaks(pieces: Sequence[tuple[RawWord, ...]]) -> tuple[RawWord, ...]:
    """Whisper's segments, joined. A Chinese segment that ends without a mark is a clause
    whisper heard a break after (whisper base writes Chinese with no punctuation at all):
    it gets "，" so the reader sees the break, as the cloud service writes it."""
    words: list[RawWord] = []
    for i, piece in enumerate(pieces):
        piece = tuple(piece)
        if piece and i < len(pieces) - 1:
            a, b, w = piece[-1]
            core = w.rstrip()
            if core and _HAN.match(core[-1]) and not _KANA.search("".join(x for _, _, x in piece)):
                piece = (*piece[:-1], (a, b, core + "，"))
        words.extend(piece)
    return tuple(words)


def chinese_punctuation(words: tuple[RawWord, ...]) -> tuple[RawWord, ...]:
    """Chinese text as a Chinese reader expects it: Chinese marks, no spaces between Han
    characters, and an end mark ("。", or "？" after a question particle).

    Only text with Han characters and no kana (Japanese keeps its own); English words in
    mixed speech keep their letters and the spaces around them, and a mark inside a word
    (3.5, Node.js) is not touched.
    """
    text = "".join(w for _, _, w in words)
    if not words or not _HAN.search(text) or _KANA.search(text):
        return words
    out: list[RawWord] = []
    for i, (a, b, w) in enumerate(words):
        core = w.rstrip()
        cut = len(core)
        while cut > 0 and core[cut - 1] in _FULLWIDTH:
            cut -= 1
        body, marks = core[:cut], core[cut:]
        following = words[i + 1][2].lstrip()[:1] if i + 1 < len(words) else ""
        if marks and (_HAN.match(body[-1:] or " ") or _HAN.match(following or " ") or i == len(words) - 1):
            marks = "".join(_FULLWIDTH[c] for c in marks)
        previous = out[-1][2] if out else ""
        after_chinese = previous and (_HAN.match(previous[-1]) or previous[-1] in "，。？！：；")
        if body.startswith(" ") and after_chinese and _HAN.match(body.lstrip()[:1] or " "):
            body = body.lstrip()
        out.append((a, b, body + marks))
    a, b, last = out[-1]
    if last[-1:] not in _SENTENCE_END:
        body = last.rstrip("，：；,:;")
        out[-1] = (a, b, body + ("？" if body.endswith(_QUESTION_PARTICLES) else "。"))
    return tuple(out)


def quietest_point(audio: np.ndarray, probabilities: np.ndarray) -> int:
    """The sample in the middle half of `audio` where speech is least likely and softest
    (a gap between words), so that splitting there cuts no word."""
    n = len(audio)
    step = WINDOW_MS * SAMPLE_RATE // 1000
    first, last = n // 4 // step, 3 * n // 4 // step
    if last <= first:
        return n // 2
    frames = audio[: (n // step) * step].astype(np.float32).reshape(-1, step)
    energy = np.sqrt(np.mean(frames**2, axis=1)) / 32768.0
    probs = np.ones(len(frames), dtype=np.float32)
    probs[: min(len(probabilities), len(frames))] = probabilities[: len(frames)]
    score = np.round(probs + 10 * energy, 3)[first:last]
    return (first + int(np.argmin(score))) * step + step // 2


def _degenerate(attempt: _Attempt, evidence: Evidence) -> bool:
    """Looks like the decoder failed: worth another way of decoding the same audio."""
    return bool(attempt.words) and (_ran_away(attempt, evidence) or attempt.avg_logprob < MIN_AVG_LOGPROB)


def _ran_away(attempt: _Attempt, evidence: Evidence) -> bool:
    """The decoder lost its place (looped, or wrote more than the audio holds): shorter
    audio helps. Mere low confidence does not, so it is not split: halves of audio the
    model cannot make out only make out more words that nobody said."""
    return bool(attempt.words) and (
        attempt.hit_token_cap
        or _loop_start(attempt.words) is not None
        or attempt.compression_ratio > MAX_COMPRESSION_RATIO
        or len(attempt.words) > MAX_WORDS_PER_VOICED_S * max(evidence.voiced_ms, 1000) / 1000
    )


def _trim_loop(words: tuple[RawWord, ...], evidence: Evidence, ran_on: bool) -> tuple[RawWord, ...]:
    """Cut a repeated tail back to its first round, if the repetition cannot be speech:
    the decoder ran on (token cap, more words than the voiced time holds) or the repeats
    take no time. "No, no, no, no." said in earnest stays."""
    start = _loop_start(words)
    if start is None:
        return words
    too_many = len(words) > MAX_WORDS_PER_VOICED_S * max(evidence.voiced_ms, 1000) / 1000
    timeless = all(b - a <= 0.02 for a, b, _ in words[start:]) and any(b > 0 for _, b, _ in words)
    return words[:start] if ran_on or too_many or timeless else words


def _loop_start(words: tuple[RawWord, ...]) -> int | None:
    """Where the repeats of a looping tail begin (the first round is kept), or None.

    The last word may be a round cut short by the token cap, so both ends are tried."""
    units = [_norm(w) for _, _, w in words]
    starts = []
    for end in (len(units) - 1, len(units)):
        for size in range(1, LOOP_MAX_WORDS + 1):
            pattern = units[end - size : end]
            if end - size < 0 or not any(pattern):
                continue
            repeats = 1
            while units[max(end - (repeats + 1) * size, 0) : end - repeats * size] == pattern:
                repeats += 1
            if repeats >= LOOP_REPEATS:
                starts.append(end - (repeats - 1) * size)
    return min(starts, default=None)


def _believable(words: tuple[RawWord, ...], evidence: Evidence) -> tuple[RawWord, ...]:
    """Nothing, if the text is one of whisper's stock phrases without the speech to back it."""
    phrase = " ".join(_norm(w) for _, _, w in words)
    if phrase not in STOCK_PHRASES:
        return words
    enough_time = evidence.voiced_ms >= STOCK_PHRASE_MS_PER_WORD * len(words)
    clear = evidence.mean_probability >= STOCK_PHRASE_MIN_PROBABILITY
    return words if enough_time and clear else ()


def _without_added_hot_words(biased: _Attempt, plain: _Attempt, hot_tokens: set[str]) -> tuple[RawWord, ...]:
    """The biased words, less hot words the unbiased decode gives no reason to believe.

    Aligned word by word with the unbiased decode: any word inserted where it has no word
    (a hot word, or the decoder going on after the speech, as a prompt can make it), a hot
    word that makes a replaced stretch longer than what was heard, or one that takes
    no time, was written by the vocabulary, not by the speaker: dropped. A stretch where a
    hot word replaces heard words keeps the hot word only if it is a plausible hearing of
    that audio (`_plausible_replacement`); otherwise the stretch is what the unbiased decode
    heard there. So a term can correct a misspelt name, never overwrite a word it is not.
    """
    a, b = [_norm(w) for _, _, w in plain.words], [_norm(w) for _, _, w in biased.words]
    keep: list[RawWord] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        block = list(biased.words[j1:j2])
        if op == "insert":  # the prompt made the decoder go on ("... conference. This is...")
            block = []
        elif op == "replace":
            while len(block) > i2 - i1 and any(_norm(w[2]) in hot_tokens for w in block):
                last_hot = max(k for k, w in enumerate(block) if _norm(w[2]) in hot_tokens)
                del block[last_hot]
            heard = plain.words[i1:i2]
            if any(_norm(w[2]) in hot_tokens for w in block) and not _plausible_replacement(
                heard, tuple(block), plain.probability, biased.probability, hot_tokens
            ):
                lo, hi = biased.words[j1][0], biased.words[j2 - 1][1]
                block = [(min(max(s, lo), hi), min(max(e, lo), hi), w) for s, e, w in heard]
        keep += [w for w in block if not (_norm(w[2]) in hot_tokens and w[1] - w[0] <= 0.0 and w[1] > 0)]
    return tuple(keep)


def _plausible_replacement(
    heard: Sequence[RawWord],
    written: Sequence[RawWord],
    heard_probability: dict[tuple[float, float], float],
    written_probability: dict[tuple[float, float], float],
    hot_tokens: set[str],
) -> bool:
    """Whether `written` (with hot words) may stand for `heard` (the unbiased words there).

    Two tests, both needed. It must sound alike: the similarity of the two stretches'
    sound keys at least SOUND_ALIKE_MIN. And the model without the bias must find the hot
    words a plausible hearing: their probability at least PLAUSIBLE_RATIO times that of
    the words heard (a word whose probability is unknown counts as certain, for the heard
    words, and as impossible, for the hot words: doubt falls on the side of what was heard).
    The sound key reads Latin letters only: between stretches with none (Chinese), only the
    probability test decides.
    """
    said = " ".join(w for _, _, w in heard)
    term = " ".join(w for _, _, w in written)
    if _similarity(_sound_key(said), _sound_key(term)) < SOUND_ALIKE_MIN:
        return False
    heard_p = min((heard_probability.get((s, e), 1.0) for s, e, _ in heard), default=1.0)
    term_p = min(written_probability.get((s, e), 0.0) for s, e, w in written if _norm(w) in hot_tokens)
    return term_p >= PLAUSIBLE_RATIO * heard_p


#: Spellings of one sound, longest first: an English-spelling sound key in the spirit of
#: Soundex/Metaphone, small enough to read. Voiced and voiceless pairs (b/p, d/t, g/k,
#: v/f, z/s) share a letter, as whisper's misspellings of a name swap them freely.
_SOUND_SPELLINGS = (
    ("x", "ks"), ("sch", "x"), ("tch", "x"), ("sh", "x"), ("ch", "x"), ("ph", "f"), ("th", "t"),
    ("ck", "k"), ("qu", "kw"), ("gh", "g"), ("c", "k"), ("q", "k"), ("b", "p"), ("d", "t"),
    ("g", "k"), ("v", "f"), ("z", "s"), ("j", "x"),
)  # fmt: skip
_VOWELS = re.compile(r"[aeiouy]+")
_SILENT_GH = re.compile(r"gh(?![aeiouy])")


def _sound_key(text: str) -> str:
    """How a stretch of English text sounds, roughly: letters only, spellings of one sound
    made one letter, every run of vowels one "a", silent h dropped, doubled letters single.
    Word breaks are ignored ("Cuba meets" sounds like "Kubernetes" more than it looks it)."""
    key = "".join(c for c in text.lower() if "a" <= c <= "z")
    # "gh" before a consonant or at the end is silent (light, night, bought, high), as in
    # Metaphone; otherwise "will light" and "Willite", two spellings of one sound that
    # whisper writes depending on the CPU's rounding, would not sound alike here.
    key = _SILENT_GH.sub("", key)
    for spelling, sound in _SOUND_SPELLINGS:
        key = key.replace(spelling, sound)
    key = _VOWELS.sub("a", key.replace("h", ""))
    return re.sub(r"(.)\1+", r"\1", key)


def _similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / the longer length: 1.0 the same, 0.0 nothing in common."""
    if not a or not b:
        return float(a == b)
    return 1.0 - edit_distance(a, b) / max(len(a), len(b))


def _without_annotations(words: tuple[RawWord, ...]) -> tuple[RawWord, ...]:
    """Drop sound descriptions ("[Music]", "(applause)", "♪") that whisper writes as text."""
    text = "".join(w for _, _, w in words)
    if not _ANNOTATION.search(text) and not any(c in text for c in "[(*"):
        return words
    kept, depth, starred = [], 0, False
    for a, b, w in words:
        visible = []
        for c in w:
            if c in "[(":
                depth += 1
            elif c in "])":
                depth = max(depth - 1, 0)
            elif c == "*":
                starred = not starred
            elif depth == 0 and not starred and c not in "♪♫♬":
                visible.append(c)
        token = "".join(visible)
        if token.strip(" ") and any(ch.isalnum() for ch in token):
            kept.append((a, b, token))
    return tuple(kept)


def _join(words: Sequence[RawWord]) -> str:
    return "".join(w for _, _, w in words).strip()


def _norm(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum() or c == "'")


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0
