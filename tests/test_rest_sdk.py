"""The official DashScope SDK (dashscope 2.0.2, unmodified) against `captioner serve`'s REST
emulation: `Transcription.async_call` / `fetch` / `wait` on real speech served over http on
loopback, per-file failures, a bad key, and `VocabularyService` CRUD.

Only `dashscope.base_http_api_url` changes (docs/protocol.md §8). The emulator runs the on-device engine
on a loop in a background thread, since the SDK's API is blocking.
"""

from __future__ import annotations

import json
import urllib.request
import wave

import pytest
from dashscope.audio.asr import Transcription, VocabularyService
from dashscope.audio.asr.vocabulary import VocabularyServiceException

from captioner.testing.speech import GOFORWARD_TEXT, wer
from rest_support import rest_emulator

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

TOKEN = "sk-captioner-rest"


@pytest.fixture(scope="module")
def emulator():
    from captioner.recognition.local.whisper import LocalRecognizer

    with rest_emulator(LocalRecognizer(), sdk=True, token=TOKEN) as srv:
        yield srv


def _duration_ms(path) -> int:
    with wave.open(str(path)) as w:
        return w.getnframes() * 1000 // w.getframerate()


def test_async_call_fetch_wait_on_real_speech(emulator, goforward_served, goforward_wav) -> None:
    good, bad = goforward_served.url("goforward.wav"), goforward_served.url("no-such-file.wav")
    submitted = Transcription.async_call(model="fun-asr", file_urls=[good, bad], language_hints=["en"], api_key=TOKEN)
    assert submitted.status_code == 200 and submitted.output.task_status == "PENDING"
    task_id = submitted.output.task_id
    fetched = Transcription.fetch(task=task_id, api_key=TOKEN)
    assert fetched.status_code == 200 and fetched.output.task_id == task_id
    assert fetched.output.task_status in ("PENDING", "RUNNING", "SUCCEEDED")

    done = Transcription.wait(task=submitted, api_key=TOKEN)
    assert done.status_code == 200 and done.output.task_status == "SUCCEEDED"
    ok, failed = done.output["results"]
    assert ok["subtask_status"] == "SUCCEEDED" and ok["file_url"] == good
    assert failed == {
        "file_url": bad,
        "code": "FILE_404_NOT_FOUND",
        "message": "The audio file was not found (HTTP 404).",
        "subtask_status": "FAILED",
    }
    assert done.output["task_metrics"] == {"TOTAL": 2, "SUCCEEDED": 1, "FAILED": 1}
    assert done.usage["duration"] >= 1

    with urllib.request.urlopen(ok["transcription_url"], timeout=10) as r:  # no key: a pre-signed URL
        result = json.loads(r.read())
    assert result["file_url"] == good and result["properties"]["original_sampling_rate"] == 16000
    (transcript,) = result["transcripts"]
    text = transcript["text"]
    assert wer(GOFORWARD_TEXT, text) <= 0.25, text
    duration = _duration_ms(goforward_wav)
    words = [w for s in transcript["sentences"] for w in s["words"]]
    assert len(words) >= 4
    assert all(0 <= w["begin_time"] <= w["end_time"] <= duration for w in words)
    assert [w["begin_time"] for w in words] == sorted(w["begin_time"] for w in words)
    assert "speaker_id" not in transcript["sentences"][0]  # only with diarization


def test_a_task_with_only_bad_urls_fails(emulator, goforward_served) -> None:
    submitted = Transcription.async_call(
        model="paraformer-v2", file_urls=["http://127.0.0.1:1/gone.wav"], api_key=TOKEN
    )
    done = Transcription.wait(task=submitted, api_key=TOKEN)
    assert done.status_code == 200 and done.output.task_status == "FAILED"
    assert done.output["code"] == "InvalidFile.DownloadFailed"
    assert done.output["results"][0]["subtask_status"] == "FAILED"


def test_unknown_task_and_bad_key(emulator) -> None:
    unknown = Transcription.wait(task="does-not-exist", api_key=TOKEN)
    assert unknown.status_code == 200 and unknown.output.task_status == "UNKNOWN"
    refused = Transcription.async_call(model="fun-asr", file_urls=["http://x/a.wav"], api_key="sk-wrong")
    assert refused.status_code == 401 and refused.code == "InvalidApiKey"
    assert refused.message == "Invalid API-key provided."
    no_model = Transcription.async_call(model="no-such-model", file_urls=["http://x/a.wav"], api_key=TOKEN)
    assert no_model.status_code == 404 and no_model.code == "ModelNotFound"


def test_vocabulary_service_crud(emulator) -> None:
    service = VocabularyService(api_key=TOKEN)
    vid = service.create_vocabulary(
        target_model="fun-asr-realtime",
        prefix="testpfx",
        vocabulary=[{"text": "赛德克巴莱", "weight": 4, "lang": "zh"}],
    )
    assert vid.startswith("vocab-testpfx-")
    listed = service.list_vocabularies(prefix="testpfx")
    assert [v["vocabulary_id"] for v in listed] == [vid] and listed[0]["status"] == "OK"
    got = service.query_vocabulary(vid)
    assert got["target_model"] == "fun-asr-realtime"
    assert got["vocabulary"] == [{"text": "赛德克巴莱", "weight": 4, "lang": "zh"}]
    assert service.update_vocabulary(vid, [{"text": "阿里巴巴", "weight": 5}]) is None
    assert service.query_vocabulary(vid)["vocabulary"] == [{"text": "阿里巴巴", "weight": 5}]
    assert service.delete_vocabulary(vid) is None
    with pytest.raises(VocabularyServiceException) as info:
        service.query_vocabulary(vid)
    assert "BadRequest.ResourceNotExist" in str(info.value) and "400" in str(info.value)
    with pytest.raises(VocabularyServiceException, match="InvalidParameter"):
        service.create_vocabulary(target_model="fun-asr", prefix="UPPER", vocabulary=[{"text": "x", "weight": 4}])
