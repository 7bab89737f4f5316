"""The one suite every on-device engine passes, on real speech, through the Recognizer interface.

Parametrised by the catalog (captioner/recognition/catalog.py): an engine registered there
is tested here without a line of its own. Each engine, built by its catalog name exactly as
`--engine NAME` builds it, must:

- turn real read speech (LibriVox, Debian's pocketsphinx-testdata) into its words;
- break sentences at pauses (espeak-ng sentences with 2 s silences between them);
- say nothing for silence;
- time every word inside the speech it was said in;
- and, if it declares Chinese, write Simplified Chinese with Chinese punctuation.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from captioner.recognition import catalog
from captioner.recognition.base import Recognizer
from captioner.recognition.engines import create_recognizer
from captioner.recognition.local.languages import UnsupportedLanguageError
from captioner.settings import RecognitionSettings
from captioner.testing.listen import recognise
from captioner.testing.speech import check_sentences, espeak_samples, librivox, read_wav, silence, utterances, wer

pytestmark = pytest.mark.slow

ON_DEVICE = [spec.name for spec in catalog.on_device()]


@pytest.fixture(scope="module", params=ON_DEVICE)
def engine(request: pytest.FixtureRequest) -> tuple[catalog.EngineSpec, Recognizer]:
    spec = catalog.spec(request.param)
    recognizer = create_recognizer(spec.name)  # WeightsMissingError (with the pip command) fails here
    asyncio.run(recognizer.prepare())
    return spec, recognizer


ENGLISH = RecognitionSettings(language_hints=("en",))


async def test_real_speech_becomes_its_words(engine: tuple[catalog.EngineSpec, Recognizer]) -> None:
    spec, recognizer = engine
    if not spec.serves("en"):
        pytest.fail(f"{spec.name} needs a real-speech case in its language")
    recordings = librivox()[:3]
    parts: list[np.ndarray] = [silence(500)]
    for recording in recordings:
        parts += [read_wav(recording.path), silence(2000)]
    finals = (await recognise(recognizer, np.concatenate(parts), ENGLISH)).finals
    said = " ".join(r.text for r in recordings)
    heard = " ".join(s.text for s in finals)
    print(spec.name, heard)
    assert wer(said, heard) <= 0.2, (spec.name, heard)


async def test_pauses_become_sentence_breaks_and_words_lie_inside_the_speech(
    engine: tuple[catalog.EngineSpec, Recognizer],
) -> None:
    spec, recognizer = engine
    samples, expected = utterances(
        [
            400,
            "Please remember to bring your laptop to the meeting tomorrow.",
            2200,
            "The train to the city leaves at half past nine.",
            2200,
            "She opened the window and listened to the birds.",
            1500,
        ]
    )
    finals = (await recognise(recognizer, samples, ENGLISH)).finals
    print(spec.name, [(s.text, s.begin_ms, s.end_ms) for s in finals])
    assert len(finals) == 3, [s.text for s in finals]
    check_sentences(expected, finals, max_wer=0.25)
    slack = 250
    for sentence, said in zip(finals, expected, strict=True):
        assert sentence.words, sentence
        for word in sentence.words:
            assert said.begin_ms - slack <= word.begin_ms < word.end_ms <= said.end_ms + slack, (word, said)
        starts = [w.begin_ms for w in sentence.words]
        assert starts == sorted(starts)


async def test_silence_gives_no_text(engine: tuple[catalog.EngineSpec, Recognizer]) -> None:
    _, recognizer = engine
    rng = np.random.default_rng(3)
    quiet_room = (rng.standard_normal(16000 * 6) * 30).astype(np.int16)  # -60 dBFS hiss
    finals = (await recognise(recognizer, np.concatenate([silence(3000), quiet_room]), ENGLISH)).finals
    assert [s.text for s in finals] == []


async def test_chinese_comes_out_simplified_with_chinese_punctuation(
    engine: tuple[catalog.EngineSpec, Recognizer],
) -> None:
    spec, recognizer = engine
    if not spec.serves("zh"):  # an engine refuses what it does not declare, by name
        with pytest.raises(UnsupportedLanguageError, match="does not know the language 'zh'") as caught:
            await recognizer.start(RecognitionSettings(language_hints=("zh",)))
        assert spec.title.split(" (")[0] in caught.value.message and "'local'" in caught.value.message
        return
    parts = [silence(300)]
    for pinyin in ("wo3 men5 qu4 chi1 fan4 ba5", "ni3 men5 ming2 tian1 lai2 ma5"):
        parts += [espeak_samples(pinyin, "cmn-latn-pinyin", speed=130), silence(1600)]
    finals = (await recognise(recognizer, np.concatenate(parts), RecognitionSettings(language_hints=("zh",)))).finals
    texts = [s.text for s in finals]
    print(spec.name, texts)
    assert len(finals) == 2 and "我们" in texts[0] and "吃饭" in texts[0]
    assert not set("們飯") & set("".join(texts))
    assert all(text[-1] in "。？！" for text in texts), texts
    assert all(not any(c.isascii() and not c.isspace() for c in text) for text in texts), texts
