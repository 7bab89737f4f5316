"""One vocabulary biases the on-device engine the way it biases the cloud: made over REST
(our client or the SDK's VocabularyService), named by a file task or a realtime task, its
words become the engine's hot words. Shown on a made-up word whisper tiny.en cannot know:
espeak says "Our new product is called Quillbyte."; without the list whisper writes
"... called will light", with it "... called Quillbyte".

(Candidates tried, through this same path: "Zarvox" next to "Kubernetes" works too ("Naramax"
without); "Siobhan Nakashima" works, but without the hint whisper garbles the whole sentence;
"Doctor Okonkwo" fails even with the hint ("Rachonkwo").)"""

from __future__ import annotations

import asyncio

import pytest

from captioner.protocol.files import PollPolicy, TranscriptionRequest
from captioner.protocol.vocabulary import HotWord
from captioner.recognition.cloud.files import FileTranscriber
from captioner.recognition.cloud.vocabulary import VocabularyClient
from captioner.testing.speech import utterances, write_wav
from rest_support import serve_app

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

SENTENCE = "Our new product is called Quillbyte."
RARE = "Quillbyte"


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    samples, _ = utterances([300, SENTENCE, 1500])
    return write_wav(tmp_path_factory.mktemp("speech") / "quillbyte.wav", samples)


@pytest.fixture(scope="module")
def servers():
    """`captioner serve` as serve.py runs it (`ServeApp`): one store, one engine, both
    protocols on one port."""
    from captioner.recognition.local.whisper import LocalRecognizer

    with serve_app(LocalRecognizer()) as app:
        yield app.rest, app.realtime


def test_a_file_task_with_a_vocabulary_gets_the_rare_word(servers, recording) -> None:
    rest, _ = servers

    async def go():
        vid = await VocabularyClient(rest.url).create("fun-asr", [HotWord(RARE, 5, "en")], prefix="files")
        client = FileTranscriber(rest.url, poll=PollPolicy(initial=0.1, cap=0.5))
        plain = await client.transcribe(TranscriptionRequest("fun-asr", (str(recording),)))
        biased = await client.transcribe(TranscriptionRequest("fun-asr", (str(recording),), vocabulary_id=vid))
        return [" ".join(s.text for s in job.outcomes[0].sentences) for job in (plain, biased)]

    plain, biased = asyncio.run(go())
    print(f"without: {plain!r}\nwith:    {biased!r}")
    assert RARE.lower() not in plain.lower() and "product" in plain
    assert RARE in biased and "product" in biased


def test_a_realtime_task_through_the_sdk_names_the_same_vocabulary(servers, recording) -> None:
    from dashscope.audio.asr import Recognition, VocabularyService

    rest, realtime = servers
    vid = VocabularyService(api_key="sk-any", base_address=rest.url).create_vocabulary(
        target_model="fun-asr-realtime", prefix="live", vocabulary=[{"text": RARE, "weight": 5, "lang": "en"}]
    )

    def recognise(**extra) -> str:
        result = Recognition(
            model="fun-asr-realtime",
            format="wav",
            sample_rate=16000,
            callback=None,
            base_address=realtime.url,
            api_key="sk-any",
            **extra,
        ).call(str(recording))
        assert result.status_code == 200, result
        return " ".join(s["text"] for s in result.get_sentence())

    plain, biased = recognise(), recognise(vocabulary_id=vid)
    print(f"without: {plain!r}\nwith:    {biased!r}")
    assert RARE.lower() not in plain.lower() and "product" in plain
    assert RARE in biased
    assert realtime.last_run_task.parameters["vocabulary_id"] == vid
