"""The REST shapes (captioner.protocol.rest, files, vocabulary) from bytes alone: the SDK's captured requests, the
service's documented answers, the limits, and decoding that never crashes on odd JSON."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from captioner.events import Sentence, Word
from captioner.protocol import files, rest, vocabulary
from captioner.protocol.files import FileResult, PollPolicy, TaskInfo, TaskStatus, TranscriptionRequest
from captioner.protocol.rest import ServiceError
from captioner.protocol.vocabulary import HotWord, VocabularyAction
from captioner.transcript.export import loads_json
from rest_support import RESULT_FILE

# Capture §15: the SDK's submit body, byte for byte (json.dumps with default separators).
SDK_SUBMIT = (
    '{"model": "fun-asr", "parameters": {"language_hints": ["zh"], "channel_id": [0], "diarization_enabled": true, '
    '"speaker_count": 2, "vocabulary_id": "vocab-x"}, "input": {"file_urls": ["https://example.invalid/a.wav", '
    '"https://example.invalid/bad.wav"]}}'
)
# Capture §15: a SUCCEEDED task with one FAILED file.
SUCCEEDED_BODY = (
    '{"request_id":"f31dcda4-1e20-413b-81db-44ed65503a2e","output":{"task_id":"87266e91-0d7a-443e-b2f0-bcdcc46e112d",'
    '"task_status":"SUCCEEDED","submit_time":"2026-11-21 04:27:44.000","scheduled_time":"2026-11-21 04:27:44.000",'
    '"end_time":"2026-11-21 04:27:44.000","results":[{"file_url":"https://example.invalid/a.wav","transcription_url":'
    '"http://127.0.0.1:18766/results/87266e91-0.json?Expires=1&Signature=x","subtask_status":"SUCCEEDED"},'
    '{"file_url":"https://example.invalid/bad.wav","code":"InvalidFile.DownloadFailed","message":"The audio file '
    'cannot be downloaded.","subtask_status":"FAILED"}],"task_metrics":{"TOTAL":2,"SUCCEEDED":1,"FAILED":1}},'
    '"usage":{"duration":9}}'
)


def test_submit_body_is_the_sdks_byte_for_byte() -> None:
    urls = ("https://example.invalid/a.wav", "https://example.invalid/bad.wav")
    request = TranscriptionRequest(
        "fun-asr",
        urls,
        language_hints=("zh",),
        channel_id=(0,),
        diarization_enabled=True,
        speaker_count=2,
        vocabulary_id="vocab-x",
    )
    assert json.dumps(request.to_body(), ensure_ascii=False) == SDK_SUBMIT
    assert TranscriptionRequest.from_body(json.loads(SDK_SUBMIT)) == request


def test_parameters_always_go_out_and_phrase_resources_go_top_level() -> None:
    request = TranscriptionRequest(
        "paraformer-v2", ("https://x/c.wav",), resources=({"resource_id": "ph-1", "resource_type": "asr_phrase"},)
    )
    assert json.dumps(request.to_body()) == (
        '{"model": "paraformer-v2", "parameters": {}, "resources": [{"resource_id": "ph-1", "resource_type": '
        '"asr_phrase"}], "input": {"file_urls": ["https://x/c.wav"]}}'
    )


def submit(model: str = "fun-asr", urls: object = ("u",), **parameters) -> dict:
    return {"model": model, "parameters": parameters, "input": {"file_urls": list(urls) if urls != "u" else urls}}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ([], 400, "BadRequest.IllegalInput"),
        ({"input": {"file_urls": ["u"]}}, 400, "BadRequest.EmptyModel"),
        ({"model": "fun-asr"}, 400, "BadRequest.EmptyInput"),
        (submit(urls=()), 400, "InvalidParameter"),
        (submit(urls="u"), 400, "InvalidParameter"),
        (submit("whisper-9"), 404, "ModelNotFound"),
        (submit("fun-asr-realtime"), 404, "ModelNotFound"),
        (submit(speaker_count=1), 400, "InvalidParameter"),
        (submit(speaker_count=101), 400, "InvalidParameter"),
        (submit(diarization_enabled="yes"), 400, "InvalidParameter"),
        (submit(channel_id=[-1]), 400, "InvalidParameter"),
        (submit("paraformer-v2", language_hints=["vi"]), 400, "InvalidParameter"),
        (submit(special_word_filter="[1]"), 400, "InvalidParameter"),
        ({"model": "fun-asr", "parameters": [], "input": {"file_urls": ["u"]}}, 400, "BadRequest.EmptyParameters"),
        (submit(urls=["u"] * 101), 400, "InvalidParameter"),
    ],
)
def test_submit_bodies_the_service_refuses(body, status: int, code: str) -> None:
    with pytest.raises(ServiceError) as info:
        TranscriptionRequest.from_body(body)
    assert (info.value.status, info.value.code) == (status, code)
    assert info.value.message


def test_the_client_check_accepts_models_newer_than_itself() -> None:
    TranscriptionRequest("fun-asr-2027-01-01", ("https://x/a.wav",)).check()
    with pytest.raises(ServiceError, match="speaker_count"):
        TranscriptionRequest("fun-asr", ("https://x/a.wav",), speaker_count=1).check()


def test_a_succeeded_task_keeps_its_failed_file() -> None:
    info = TaskInfo.from_body(json.loads(SUCCEEDED_BODY))
    assert info.status is TaskStatus.SUCCEEDED and info.terminal and info.usage_seconds == 9
    ok, bad = info.results
    assert ok.succeeded and ok.transcription_url.endswith("Signature=x")
    assert not bad.succeeded and bad.code == "InvalidFile.DownloadFailed"
    assert info.metrics == files.TaskMetrics(2, 1, 1)
    assert rest.dumps(info.to_body()).decode() == SUCCEEDED_BODY  # the same bytes back


def test_running_and_unknown_tasks() -> None:
    running = TaskInfo.from_body(
        {
            "output": {
                "task_id": "t",
                "task_status": "RUNNING",
                "task_metrics": {"TOTAL": 2, "SUCCEEDED": 0, "FAILED": 0},
            }
        }
    )
    assert running.results is None and not running.terminal
    unknown = TaskInfo.from_body({"output": {"task_status": "UNKNOWN"}}, task_id="nope")
    assert unknown.task_id == "nope" and unknown.terminal
    failed = TaskInfo.from_body(
        {
            "output": {
                "task_id": "t",
                "task_status": "FAILED",
                "code": "FILE_404_NOT_FOUND",
                "message": "gone",
                "results": [],
            }
        }
    )
    assert (failed.code, failed.message) == ("FILE_404_NOT_FOUND", "gone")
    assert not TaskStatus.SUSPENDED.terminal


@pytest.mark.parametrize(
    "body", [{}, {"output": {"task_status": "DONE"}}, {"output": {"task_status": "SUCCEEDED", "results": {}}}, "x"]
)
def test_malformed_task_answers_are_bad_responses(body) -> None:
    with pytest.raises(ServiceError) as info:
        TaskInfo.from_body(body)
    assert info.value.code == "BadResponse" and not info.value.retryable


def test_submit_answer() -> None:
    body = files.encode_submit_response("t-1", "r-1")
    assert body == {"output": {"task_status": "PENDING", "task_id": "t-1"}, "request_id": "r-1"}
    assert files.decode_submit_response(body) == ("t-1", TaskStatus.PENDING)
    with pytest.raises(ServiceError):
        files.decode_submit_response({"output": {}})


def test_poll_schedule_is_the_sdks() -> None:
    delays = PollPolicy().delays()
    assert [next(delays) for _ in range(11)] == [1, 1, 2, 2, 2, 4, 4, 4, 5, 5, 5]
    short = PollPolicy(initial=0.1, cap=0.3).delays()
    assert [round(next(short), 3) for _ in range(7)] == [0.1, 0.1, 0.2, 0.2, 0.2, 0.3, 0.3]
    with pytest.raises(ValueError):
        PollPolicy(initial=2, cap=1)


def test_result_file_reads_as_sentences_with_speakers() -> None:
    result = FileResult.from_body(RESULT_FILE)
    (s,) = result.sentences()
    assert s.final and s.speaker_id == 0 and (s.begin_ms, s.end_ms) == (100, 3820)
    assert s.words == (Word(100, 596, "Hello", ""), Word(596, 844, "world", ","))
    assert result.properties.original_duration_ms == 3834 and result.transcripts[0].speech_ms == 3720
    # What the emulator writes reads back the same, and export's reader takes it too.
    again = FileResult.from_body(json.loads(rest.dumps(result.to_body())))
    assert again.sentences() == result.sentences()
    assert loads_json(rest.dumps(result.to_body()).decode())[0] == result.sentences()


def test_sentences_of_several_channels_merge_in_time_order() -> None:
    a = Sentence("second", 2000, 3000, True, sentence_id=1)
    b = Sentence("first", 0, 1000, True, sentence_id=1, speaker_id=1)
    result = FileResult("u", (files.ChannelTranscript(0, (a,)), files.ChannelTranscript(1, (b,))))
    assert [(s.text, s.sentence_id, s.speaker_id) for s in result.sentences()] == [("first", 1, 1), ("second", 2, None)]


def test_error_bodies() -> None:
    body = (
        '{"request_id":"b1a4a582-147a-4558-8fcb-bc0cf6d8c3a1","code":"BadRequest.ResourceNotExist",'
        '"message":"The Required resource not exist."}'
    )
    error = ServiceError.from_response(400, body)
    assert (error.code, error.message, error.request_id) == (
        "BadRequest.ResourceNotExist",
        "The Required resource not exist.",
        "b1a4a582-147a-4558-8fcb-bc0cf6d8c3a1",
    )
    assert not error.retryable and "no such vocabulary" in error.explanation
    proxy = ServiceError.from_response(502, b"<html>Bad Gateway</html>")
    assert proxy.code == "HTTP502" and proxy.retryable and "Bad Gateway" in proxy.message
    assert json.loads(ServiceError(403, "AccessDenied", "no").to_body())["code"] == "AccessDenied"


# -- Vocabularies ------------------------------------------------------------------------------


def test_vocabulary_bodies_are_the_sdks() -> None:
    create = VocabularyAction(
        vocabulary.CREATE, target_model="fun-asr-realtime", prefix="testpfx", words=(HotWord("赛德克巴莱", 4, "zh"),)
    )
    assert json.dumps(create.to_body(), ensure_ascii=False) == (
        '{"model": "speech-biasing", "parameters": {}, "input": {"action": "create_vocabulary", "target_model": '
        '"fun-asr-realtime", "prefix": "testpfx", "vocabulary": [{"text": "赛德克巴莱", "weight": 4, "lang": "zh"}]}}'
    )
    listing = VocabularyAction(vocabulary.LIST, prefix="testpfx")
    assert listing.to_body()["input"] == {
        "action": "list_vocabulary",
        "prefix": "testpfx",
        "page_index": 0,
        "page_size": 10,
    }
    update = VocabularyAction(vocabulary.UPDATE, vocabulary_id="v", words=(HotWord("阿里巴巴", 5),))
    assert update.to_body()["input"] == {
        "action": "update_vocabulary",
        "vocabulary_id": "v",
        "vocabulary": [{"text": "阿里巴巴", "weight": 5}],
    }
    for action in (create, listing, update, VocabularyAction(vocabulary.DELETE, vocabulary_id="v")):
        assert VocabularyAction.from_body(json.loads(json.dumps(action.to_body()))) == action


@pytest.mark.parametrize(
    ("words", "prefix", "model", "match"),
    [
        ((HotWord("Zarvox", 6),), "p", "fun-asr", "weight"),
        ((HotWord("Zarvox", 0),), "p", "fun-asr", "weight"),
        ((HotWord("one two three four five six seven eight"),), "p", "fun-asr", "at most 7 words"),
        ((HotWord("一二三四五六七八九十一二三四五六"),), "p", "fun-asr", "at most 15 characters"),
        ((HotWord("Zarvox", 4, "de"),), "p", "fun-asr", "lang 'de'"),
        ((HotWord(" "),), "p", "fun-asr", "empty"),
        ((), "p", "fun-asr", "at least one"),
        ((HotWord("Zarvox"),), "Pfx", "fun-asr", "prefix"),
        ((HotWord("Zarvox"),), "abcdefghij", "fun-asr", "prefix"),
        ((HotWord("Zarvox"),), "p", "paraformer-v1", "does not take"),
        ((HotWord("Zarvox"),), "p", "", "target_model"),
    ],
)
def test_vocabulary_limits(words, prefix, model, match) -> None:
    with pytest.raises(ServiceError, match=match) as info:
        VocabularyAction(vocabulary.CREATE, target_model=model, prefix=prefix, words=words).check()
    assert info.value.code == "InvalidParameter" and info.value.status == 400


def test_vocabulary_limits_that_pass() -> None:
    ok = (
        HotWord("one two three four five six seven"),
        HotWord("一二三四五六七八九十一二三四五"),
        HotWord("Zarvox", 1, "de"),
    )
    VocabularyAction(vocabulary.CREATE, target_model="paraformer-v2", prefix="a1", words=ok).check()


def test_vocabulary_answers() -> None:
    body = {
        "output": {
            "vocabulary_list": [
                {
                    "vocabulary_id": "vocab-p-1",
                    "gmt_create": "2025-01-01 00:00:00",
                    "gmt_modified": "2025-01-01 00:00:00",
                    "status": "OK",
                }
            ]
        },
        "usage": {"count": 1},
        "request_id": "r",
    }
    assert vocabulary.decode_vocabulary_list(body) == [
        vocabulary.VocabularySummary("vocab-p-1", "2025-01-01 00:00:00", "2025-01-01 00:00:00")
    ]
    assert vocabulary.decode_vocabulary_id({"output": {"vocabulary_id": "vocab-p-2"}}) == "vocab-p-2"
    query = vocabulary.Vocabulary("fun-asr", (HotWord("Zarvox", 5, "en"),), "a", "b")
    assert vocabulary.decode_vocabulary(vocabulary.encode_vocabulary_response(query.to_dict())) == query
    with pytest.raises(ServiceError):
        vocabulary.decode_vocabulary_id({"output": {}})


@pytest.mark.parametrize(
    ("spec", "word"),
    [
        ("Quillbyte", HotWord("Quillbyte")),
        ("Quillbyte:5", HotWord("Quillbyte", 5)),
        ("Quillbyte:5:en", HotWord("Quillbyte", 5, "en")),
        ("Dr. No:3", HotWord("Dr. No", 3)),
        ("12:30", HotWord("12", 30)),
    ],
)
def test_parse_hot_word(spec: str, word: HotWord) -> None:
    assert vocabulary.parse_hot_word(spec) == word


# -- Robustness --------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(["SUCCEEDED", "FAILED", "OK"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "output",
                    "task_status",
                    "results",
                    "transcripts",
                    "sentences",
                    "words",
                    "begin_time",
                    "end_time",
                    "text",
                    "code",
                    "file_url",
                    "vocabulary",
                    "vocabulary_list",
                    "input",
                    "model",
                    "action",
                    "file_urls",
                    "parameters",
                    "task_metrics",
                    "usage",
                    "duration",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_decoders_raise_only_service_errors(obj) -> None:
    for decode in (
        TaskInfo.from_body,
        FileResult.from_body,
        TranscriptionRequest.from_body,
        VocabularyAction.from_body,
        files.decode_submit_response,
        vocabulary.decode_vocabulary,
        vocabulary.decode_vocabulary_list,
    ):
        with contextlib.suppress(ServiceError):
            decode(obj)
