"""Gummy (gummy-realtime-v1) from bytes alone: the SDK's run-task, the parameters, the
`transcription` + `translations` result shape, both ends of the state machine.

The run-task below is the frame the official `TranslationRecognizerRealtime` (dashscope
2.0.2) sent (dashscope-sdk-capture.md §12). What our server writes is read back both by our
client and by the SDK's own result classes, the ones its receive thread uses.
"""

from __future__ import annotations

import json

import pytest
from dashscope.audio.asr.translation_recognizer import TranscriptionResult, TranslationResult

from captioner.events import Sentence, Translation, Word
from captioner.protocol import realtime as p
from captioner.protocol.gummy import GummyParameters, sentence_from_gummy_output
from captioner.settings import RecognitionSettings, SettingsError

TASK = "31418c272dd846be9561c0b8ce73db67"
SDK_RUN_TASK = '{"header": {"streaming": "duplex", "task_id": "31418c272dd846be9561c0b8ce73db67", "action": "run-task"}, "payload": {"model": "gummy-realtime-v1", "parameters": {"sample_rate": 16000, "format": "pcm", "source_language": null, "transcription_enabled": true, "translation_enabled": true, "translation_target_languages": ["en"]}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}'

FINAL = Sentence(
    "我们去吃饭吧。",
    300,
    1900,
    True,
    (Word(300, 700, "我们"), Word(700, 1100, "去"), Word(1100, 1500, "吃饭"), Word(1500, 1900, "吧", "。")),
    1,
    translation=Translation(
        "en", "Let's go eat.", (Word(300, 900, "Let's"), Word(900, 1300, "go"), Word(1300, 1900, "eat", "."))
    ),
)


def run_task(**parameters: object) -> p.RunTask:
    base: dict[str, object] = {"sample_rate": 16000, "format": "pcm"}
    base.update(parameters)
    return p.RunTask(TASK, "gummy-realtime-v1", base)


def started_server(run: str = SDK_RUN_TASK) -> p.ServerConnection:
    server = p.ServerConnection()
    server.receive(run)
    server.send(p.TaskStarted(TASK))
    return server


# Parameters --------------------------------------------------------------------------


def test_the_sdk_run_task_asks_for_english_with_the_source_detected() -> None:
    message = p.ServerConnection().receive(SDK_RUN_TASK)
    assert isinstance(message, p.RunTask)
    settings = message.settings()
    assert settings.model == "gummy-realtime-v1"
    assert settings.language_hints == ()  # null: detect it
    assert settings.transcription_enabled is True
    assert settings.translation_target == "en"
    assert message.gummy == GummyParameters(None, True, True, ("en",))


def test_our_run_task_is_the_sdks_byte_for_byte() -> None:
    settings = RecognitionSettings(model="gummy-realtime-v1", translation_target="en")
    run = p.RunTask.from_settings(settings, TASK)
    assert p.ClientConnection().send(run) == SDK_RUN_TASK


def test_source_language_and_translation_only_round_trip() -> None:
    settings = RecognitionSettings(
        model="gummy-realtime-v1", language_hints=("zh",), transcription_enabled=False, translation_target="en"
    )
    run = p.RunTask.from_settings(settings, TASK)
    assert run.parameters == {
        "sample_rate": 16000,
        "format": "pcm",
        "source_language": "zh",
        "transcription_enabled": False,
        "translation_enabled": True,
        "translation_target_languages": ["en"],
    }
    back = p.decode_command(p.encode(run))
    assert isinstance(back, p.RunTask) and back.settings() == settings
    assert run_task(source_language="auto").settings().language_hints == ()


@pytest.mark.parametrize(
    ("parameters", "field", "says"),
    [
        ({"translation_enabled": True}, "translation_target_languages", "exactly one target"),
        ({"translation_enabled": True, "translation_target_languages": ["en", "ja"]}, "translation_target_languages", "exactly one"),
        ({"translation_target_languages": "en", "translation_enabled": "yes"}, "translation_enabled", "true or false"),
        ({"transcription_enabled": False}, "transcription_enabled", "return nothing"),
        ({"source_language": "sv"}, "source_language", "not a source language"),
        ({"source_language": 7}, "source_language", "language code or auto"),
        ({"translation_enabled": True, "translation_target_languages": [1]}, "translation_target_languages", "list of language codes"),
    ],
)  # fmt: skip
def test_a_bad_gummy_parameter_is_named(parameters: dict[str, object], field: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says) as caught:
        run_task(**parameters).settings()
    assert caught.value.field == field


def test_an_unknown_target_language_is_a_settings_error() -> None:
    with pytest.raises(SettingsError) as caught:
        run_task(translation_enabled=True, translation_target_languages=["xx"]).settings()
    assert caught.value.field == "translation_target"


def test_other_models_ignore_the_gummy_parameters() -> None:
    run = p.RunTask(TASK, "fun-asr-realtime", {"sample_rate": 16000, "format": "pcm", "translation_enabled": True})
    assert run.gummy is None and run.settings().translation_target is None


# Results -----------------------------------------------------------------------------


def test_a_final_goes_out_with_its_translation_under_the_same_id_and_times() -> None:
    frame = started_server().send(p.ResultGenerated(TASK, FINAL))
    payload = json.loads(frame)["payload"]
    assert set(payload["output"]) == {"transcription", "translations"}
    tr, (tl,) = payload["output"]["transcription"], payload["output"]["translations"]
    assert tr["text"] == "我们去吃饭吧。" and tr["sentence_end"] is True and tr["end_time"] == 1900
    assert tl["lang"] == "en" and tl["text"] == "Let's go eat." and tl["sentence_end"] is True
    for key in ("sentence_id", "begin_time", "end_time"):
        assert tr[key] == tl[key]
    assert [w["text"] for w in tl["words"]] == ["Let's", "go", "eat"]
    assert all(w["fixed"] is True for w in tr["words"] + tl["words"])
    assert payload["usage"] == {"duration": 2}
    # The official SDK's own classes read it (they index sentence_id, words[].fixed, lang).
    sdk_tr = TranscriptionResult.from_json(tr)
    sdk_tl = TranslationResult.from_json(payload["output"]["translations"])
    assert sdk_tr.is_sentence_end and sdk_tr.text == FINAL.text and sdk_tr.end_time == 1900
    assert sdk_tl.is_sentence_end and sdk_tl.get_translation("en").text == "Let's go eat."


def test_a_partial_has_a_current_time_and_goes_without_a_translation_it_does_not_have() -> None:
    partial = Sentence("我们去", 300, 1100, False, (Word(300, 700, "我们"), Word(700, 1100, "去")), 1)
    frame = started_server().send(p.ResultGenerated(TASK, partial))
    output = json.loads(frame)["payload"]["output"]
    assert set(output) == {"transcription"}
    assert output["transcription"]["end_time"] is None and output["transcription"]["current_time"] == 1100
    assert TranscriptionResult.from_json(output["transcription"]).end_time == 1100  # what the SDK shows
    assert json.loads(frame)["payload"]["usage"] is None


def test_translation_only_sends_no_transcription_and_nothing_empty() -> None:
    server = started_server(p.encode(run_task(transcription_enabled=False, translation_enabled=True,
                                              translation_target_languages=["en"])))  # fmt: skip
    output = json.loads(server.send(p.ResultGenerated(TASK, FINAL)))["payload"]["output"]
    assert set(output) == {"translations"}
    with pytest.raises(p.LocalProtocolError, match="nothing to send"):
        server.send(p.ResultGenerated(TASK, Sentence("我们", 300, 700, False, sentence_id=2)))


def test_the_client_reads_back_what_the_server_sent() -> None:
    server, client = p.ServerConnection(), p.ClientConnection()
    server.receive(client.send(p.decode_command(SDK_RUN_TASK)))
    client.receive(server.send(p.TaskStarted(TASK)))
    event = client.receive(server.send(p.ResultGenerated(TASK, FINAL)))
    assert isinstance(event, p.ResultGenerated)
    assert event.sentence == FINAL
    assert event.gummy == GummyParameters(None, True, True, ("en",))


def test_the_documented_example_is_read() -> None:
    """docs/protocol.md §2.7's example: sentence id 0, a `stash`, a word whose
    "punctuation" repeats the word, `speaker_id: null`."""
    frame = json.dumps({
        "header": {"task_id": TASK, "event": "result-generated", "attributes": {}},
        "payload": {"output": {
            "transcription": {"sentence_id": 0, "begin_time": 100, "end_time": 2720, "text": "这是",
                              "words": [{"begin_time": 100, "end_time": 427, "text": "这", "punctuation": "这", "fixed": True, "speaker_id": None},
                                        {"begin_time": 427, "end_time": 2720, "text": "是", "punctuation": "", "fixed": True, "speaker_id": None}],
                              "sentence_end": True,
                              "stash": {"sentence_id": 1, "begin_time": 2720, "end_time": None, "current_time": 3000, "text": "", "words": []}},
            "translations": [{"sentence_id": 0, "lang": "en", "begin_time": 100, "end_time": 2720, "text": "This is",
                              "words": [], "sentence_end": True}]},
            "usage": {"duration": 3}},
    }, ensure_ascii=False)  # fmt: skip
    event = p.decode_event(frame)
    assert isinstance(event, p.ResultGenerated)
    s = event.sentence
    assert (s.sentence_id, s.begin_ms, s.end_ms, s.final, s.text) == (0, 100, 2720, True, "这是")
    assert [w.punctuation for w in s.words] == ["", ""]
    assert s.translation == Translation("en", "This is")
    assert event.usage is not None and event.usage.duration_s == 3


def test_an_interim_ends_at_its_current_time_and_translation_only_keeps_its_times() -> None:
    interim = sentence_from_gummy_output(
        {
            "transcription": {
                "sentence_id": 2,
                "begin_time": 50,
                "end_time": None,
                "current_time": 880,
                "text": "我",
                "words": [],
                "sentence_end": False,
            }
        }
    )
    assert (interim.final, interim.end_ms, interim.translation) == (False, 880, None)
    only = sentence_from_gummy_output(
        {
            "translations": [
                {
                    "sentence_id": 3,
                    "lang": "en",
                    "begin_time": 10,
                    "end_time": 990,
                    "text": "Hi",
                    "words": [],
                    "sentence_end": True,
                }
            ]
        }
    )
    assert (only.text, only.begin_ms, only.end_ms, only.final, only.sentence_id) == ("", 10, 990, True, 3)
    assert only.translation == Translation("en", "Hi")


@pytest.mark.parametrize(
    "output",
    [
        {"translations": {"lang": "en"}},
        {"translations": [{"sentence_id": 1, "text": "no lang"}]},
        {"transcription": "text"},
        {"transcription": {"sentence_id": "one", "text": ""}},
        {"transcription": {"sentence_id": 1, "text": 5}},
        {"transcription": {"sentence_id": 1, "text": "", "words": [{"text": 3}]}},
    ],
)
def test_a_malformed_gummy_result_is_the_servers_fault(output: dict[str, object]) -> None:
    frame = json.dumps({"header": {"task_id": TASK, "event": "result-generated"}, "payload": {"output": output}})
    with pytest.raises(p.RemoteProtocolError) as caught:
        p.decode_event(frame)
    assert caught.value.code == p.ErrorCode.INTERNAL_ERROR


def test_shifting_a_sentence_moves_its_translation_too() -> None:
    moved = FINAL.shifted(1000)
    assert moved.translation is not None and FINAL.translation is not None
    assert [w.begin_ms for w in moved.translation.words] == [w.begin_ms + 1000 for w in FINAL.translation.words]
    assert moved.translation.text == FINAL.translation.text


def test_settings_refuse_transcription_off_without_a_translation() -> None:
    with pytest.raises(SettingsError) as caught:
        RecognitionSettings(transcription_enabled=False)
    assert caught.value.field == "transcription_enabled"
    assert (
        RecognitionSettings.from_dict(RecognitionSettings(translation_target="en").to_dict()).translation_target == "en"
    )
