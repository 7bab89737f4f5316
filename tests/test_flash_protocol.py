"""The Fun-ASR-Flash synchronous call's shapes from bytes alone (protocol/flash.py): the
request of seeds/002 parsed and rebuilt, every refusal naming its field, context turned
into terms, answers the SDK's MultiModalConversationResponse reads, and SSE split anywhere."""

from __future__ import annotations

import json

import pytest
from dashscope.api_entities.dashscope_response import DashScopeAPIResponse, MultiModalConversationResponse

from captioner.events import Sentence, Word
from captioner.protocol.flash import (
    FLASH_MODEL,
    AudioInput,
    FlashRequest,
    FlashResult,
    SseParser,
    Turn,
    context_terms,
    finish_reason_of,
    join_texts,
    sse_error,
    sse_event,
    streamed_result,
)
from captioner.protocol.rest import ServiceError

#: The seed's request, verbatim (seeds/002, "同步调用").
SEED = json.loads("""{
  "model": "fun-asr-flash-2026-06-15",
  "input": {"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {
    "data": "https://dashscope.oss-cn-beijing.aliyuncs.com/samples/audio/paraformer/hello_world_female2.wav"}}]}]},
  "parameters": {"format": "wav", "sample_rate": "16000"}
}""")


def test_the_seed_request_parses() -> None:
    req = FlashRequest.from_body(SEED, sse="disable")
    assert req.model == FLASH_MODEL and req.audio.url is not None and req.audio.url.endswith("female2.wav")
    assert (req.format, req.sample_rate, req.stream, req.context) == ("wav", 16000, False, ())
    assert FlashRequest.from_body(SEED, sse="enable").stream


def test_a_request_with_context_and_inline_audio_round_trips() -> None:
    req = FlashRequest(
        AudioInput(data=b"RIFF1234", mime="audio/wav"),
        context=(Turn("user", "Zorvexa、Kubrix"), Turn("assistant", "The Zorvexa launch."), Turn("system", "Glossary")),
        format="wav",
        sample_rate=16000,
        language_hints=("en",),
    )
    body = req.to_body()
    assert body["input"]["messages"][0]["content"] == [{"type": "input_text", "input_text": "Zorvexa、Kubrix"}]
    assert body["input"]["messages"][-1]["content"][0]["input_audio"]["data"].startswith("data:audio/wav;base64,")
    back = FlashRequest.from_body(json.loads(json.dumps(body)))
    assert back.audio.data == b"RIFF1234" and back.context == req.context and back.language_hints == ("en",)
    assert back.context_text == "Zorvexa、Kubrix\nThe Zorvexa launch.\nGlossary"
    # The SDK's own multimodal style and plain-string content are read too.
    sdk_style = {
        "model": FLASH_MODEL,
        "input": {"messages": [{"role": "user", "content": [{"audio": "http://x/a.wav"}]}]},
    }
    assert FlashRequest.from_body(sdk_style).audio.url == "http://x/a.wav"


@pytest.mark.parametrize(
    ("mutate", "status", "code", "words"),
    [
        (lambda b: b.pop("model"), 400, "BadRequest.EmptyModel", "model"),
        (lambda b: b.update(model="qwen-max"), 404, "ModelNotFound", "qwen-max"),
        (lambda b: b.pop("input"), 400, "BadRequest.EmptyInput", "input"),
        (lambda b: b["input"].update(messages=[]), 400, "InvalidParameter", "input.messages"),
        (lambda b: b["input"]["messages"].append({"role": "assistant", "content": "x"}), 400, "InvalidParameter", "last message"),
        (lambda b: b["input"]["messages"].insert(0, {"role": "bot", "content": "x"}), 400, "InvalidParameter", "messages[0].role"),
        (lambda b: b["input"]["messages"][0]["content"].append({"type": "video"}), 400, "InvalidParameter", "content[1].type"),
        (lambda b: b["input"]["messages"][0]["content"][0]["input_audio"].update(data=""), 400, "InvalidParameter", "input_audio.data"),
        (lambda b: b["input"]["messages"][0]["content"][0]["input_audio"].update(data="data:audio/wav,abc"), 400, "InvalidParameter", "base64"),
        (lambda b: b["parameters"].update(format="xyz"), 400, "InvalidParameter", "parameters.format"),
        (lambda b: b["parameters"].update(sample_rate="fast"), 400, "InvalidParameter", "sample_rate"),
        (lambda b: b["parameters"].update(incremental_output="yes"), 400, "InvalidParameter", "incremental_output"),
    ],
)  # fmt: skip
def test_malformed_requests_are_refused_naming_the_field(mutate, status, code, words) -> None:
    body = json.loads(json.dumps(SEED))
    mutate(body)
    with pytest.raises(ServiceError) as caught:
        FlashRequest.from_body(body)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert words in caught.value.message


def test_earlier_messages_carry_no_audio() -> None:
    body = json.loads(json.dumps(SEED))
    body["input"]["messages"].insert(0, json.loads(json.dumps(body["input"]["messages"][0])))
    with pytest.raises(ServiceError, match="only the last message"):
        FlashRequest.from_body(body)


def test_context_terms_from_lists_and_prose() -> None:
    # The seed's four word-list styles give the same terms.
    for text in (
        "Bulge Bracket、Boutique、Middle Market、国内券商",
        "['Bulge Bracket', 'Boutique', 'Middle Market', '国内券商']",
        "Bulge Bracket, Boutique; Middle Market\n国内券商",
    ):
        assert context_terms(text) == ("Bulge Bracket", "Boutique", "Middle Market", "国内券商"), text
    prose = "Yesterday the team met Anneliese Vornholt at the iPhone event. They said the GPT4 model was fine."
    assert context_terms(prose) == ("Anneliese", "Vornholt", "iPhone", "GPT4")
    assert context_terms("the, and, of") == () and context_terms("") == ()
    assert context_terms("Notes from the group. Anneliese Vornholt came to see us; the Kubrix team left early.") == (
        "Anneliese",
        "Vornholt",
        "Kubrix",
    )


def test_answers_parse_in_the_sdk_and_back() -> None:
    words = (Word(100, 400, "Hello", ""), Word(400, 800, " world", "."))
    result = FlashResult("Hello world.", (Sentence("Hello world.", 100, 800, True, words, 1),), 2300, "en", "rid-1")
    body = result.to_body()
    sdk = MultiModalConversationResponse.from_api_response(
        DashScopeAPIResponse(request_id="rid-1", status_code=200, output=body["output"], usage=body["usage"])
    )
    assert sdk.output.choices[0].message.content[0]["text"] == "Hello world."
    assert sdk.output.choices[0].finish_reason == "stop" and sdk.usage["seconds"] == 3
    assert FlashResult.from_body(json.loads(json.dumps(body))) == FlashResult(
        "Hello world.", result.sentences, 3000, "en", "rid-1"
    )
    assert finish_reason_of(result.to_body(finish_reason="null")) is None and finish_reason_of(body) == "stop"


def test_sse_split_anywhere_and_errors() -> None:
    parts = [FlashResult("One.", (), 1000, None, "r"), FlashResult("Two.", (), 2000, None, "r")]
    stream = sse_event(1, parts[0].to_body(finish_reason="null")) + sse_event(2, parts[1].to_body())
    assert stream.startswith(b"id:1\nevent:result\n:HTTP_STATUS/200\ndata:{")
    for cut in range(len(stream)):
        parser = SseParser()
        events = [*parser.feed(stream[:cut]), *parser.feed(stream[cut:]), *parser.close()]
        assert [e.event for e in events] == ["result", "result"]
    assert streamed_result(events).text == "One. Two."
    assert streamed_result(events, incremental=False).text == "Two."
    failed = SseParser()
    error_events = list(failed.feed(sse_error(3, ServiceError(500, "InternalError", "boom"))))
    assert error_events[0].status == 500
    with pytest.raises(ServiceError, match="boom"):
        streamed_result(error_events)


def test_texts_join_with_spaces_but_not_between_chinese() -> None:
    assert join_texts(["Hello.", " ", "World."]) == "Hello. World."
    assert join_texts(["你好。", "世界。"]) == "你好。世界。"


def test_the_client_finds_the_rest_base_from_a_realtime_url() -> None:
    from captioner.recognition.cloud.flash import http_base_url, is_flash_model

    assert http_base_url("ws://127.0.0.1:8765/api-ws/v1/inference") == "http://127.0.0.1:8765/api/v1"
    assert http_base_url("wss://example.com/api-ws/v1/inference") == "https://example.com/api/v1"
    assert http_base_url("http://127.0.0.1:8766/api/v1") == "http://127.0.0.1:8766/api/v1"
    assert http_base_url("") is None and is_flash_model(FLASH_MODEL) and not is_flash_model("fun-asr-realtime")
