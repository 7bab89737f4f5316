"""The Fun-ASR-Flash synchronous call (docs/protocol.md §11) against `captioner serve`'s REST
emulation, on real speech and the on-device engine: the official SDK's
`MultiModalConversation` (unmodified; only `base_http_api_url` changes) and a plain HTTP
client, each non-streaming and streaming; context enhancement on a made-up product name
whisper tiny.en cannot know (espeak says "Our new product is called Zorvexa and it ships
next month."; without context whisper writes "Normexer", with it "Zorvexa"); context words
that were not said never appear; and the refusals (bad audio, too long, bad model, malformed
messages) in the service's error shape.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import numpy as np
import pytest
from dashscope import MultiModalConversation

from captioner.protocol.flash import FLASH_MODEL, SseParser, streamed_result
from captioner.server.vocabularies import HotWordRecognizer, VocabularyStore
from captioner.testing.speech import utterances, write_wav
from rest_support import FileServer, rest_emulator
from serve_command import ServeCommand

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

TOKEN = "sk-captioner-flash"
SENTENCE = "Our new product is called Zorvexa and it ships next month."
RARE = "zorvexa"
#: Context as the seed shows it: a word list with other terms, and prose around it.
CONTEXT_LIST = "Zorvexa、Quintarello、Belmondex Prime、Kubrix"
CONTEXT_PROSE = (
    "Launch notes. The Zorvexa team met Anneliese Vornholt and the Quintarello group in Lisbon; "
    "Belmondex Prime follows in spring."
)
NOT_SAID = ("quintarello", "belmondex", "kubrix", "anneliese", "vornholt", "lisbon", "launch", "spring")
#: Heard clearly, and sounding a little like "Marrakesh": with the names below as context the
#: biased decode wrote "We should buy Marrakesh and some bread" (bench/flash_context.py).
COFFEE = "We should buy more coffee and some bread on the way home."
#: ... and "Call me, Marrakesh." for this, though "back" sounds nothing like it.
CALL_BACK = "Call me back."
#: Thirteen names, none of them said in COFFEE.
UNRELATED = (
    "Marrakesh、Quintarello、Belmondex、Kubrix、Anneliese、Vornholt、Okonkwo、Umuofia、Tarkovsky、"
    "Ljubljana、Hiroshige、Valparaiso、Szymborska"
)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flash")
    samples, _ = utterances([300, SENTENCE, 1500])
    write_wav(folder / "zorvexa.wav", samples)
    write_wav(folder / "coffee.wav", utterances([300, COFFEE, 1500])[0])
    write_wav(folder / "call_back.wav", utterances([300, CALL_BACK, 1500])[0])
    write_wav(folder / "silence.wav", np.zeros(16000 * 2, "<i2"))
    # Quiet noise for 5 min 2 s: too long for a synchronous call (refused before decoding).
    rng = np.random.default_rng(1)
    write_wav(folder / "long.wav", (rng.standard_normal(16000 * 302) * 30).astype("<i2"))
    (folder / "garbage.wav").write_bytes(bytes(range(256)) * 40)
    with FileServer(folder) as files:
        yield folder, files


@pytest.fixture(scope="module")
def emulator():
    from captioner.recognition.local.whisper import LocalRecognizer

    store = VocabularyStore()
    with rest_emulator(HotWordRecognizer(LocalRecognizer(), store), sdk=True, vocabularies=store, token=TOKEN) as srv:
        yield srv


def audio_message(data: str) -> dict:
    return {"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": data}}]}


def context_messages() -> list[dict]:
    """Context in pairs before the audio: an earlier recognition result (user input_text)
    and the LLM's reply (assistant), as seeds/002 describes."""
    return [
        {"role": "user", "content": [{"type": "input_text", "input_text": CONTEXT_LIST}]},
        {"role": "assistant", "content": [{"text": CONTEXT_PROSE}]},
    ]


def data_uri(path) -> str:
    return "data:audio/wav;base64," + base64.b64encode(path.read_bytes()).decode()


def post(url: str, body: dict, *, sse: bool = False) -> tuple[int, str, bytes]:
    """A plain HTTP client: (status, content type, body)."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    headers["X-DashScope-SSE"] = "enable" if sse else "disable"
    request = urllib.request.Request(
        url + "/services/aigc/multimodal-generation/generation", json.dumps(body).encode(), headers, method="POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def words(text: str) -> list[str]:
    return "".join(c.lower() if c.isalnum() else " " for c in text).split()


# -- The official SDK ----------------------------------------------------------------------------------


def test_sdk_non_streaming_without_and_with_context(emulator, media) -> None:
    _, files = media
    url = files.url("zorvexa.wav")
    plain = MultiModalConversation.call(
        model=FLASH_MODEL, messages=[audio_message(url)], api_key=TOKEN, format="wav", sample_rate="16000"
    )
    assert plain.status_code == 200, plain
    text = plain.output.choices[0].message.content[0]["text"]
    assert plain.output.choices[0].finish_reason == "stop"
    assert "product" in words(text) and "month" in words(text)
    assert RARE not in words(text)  # whisper tiny.en cannot know the name (it writes "Normexer")
    assert plain.usage["seconds"] >= 4 and plain.request_id

    biased = MultiModalConversation.call(
        model=FLASH_MODEL, messages=[*context_messages(), audio_message(url)], api_key=TOKEN
    )
    assert biased.status_code == 200, biased
    said = words(biased.output.choices[0].message.content[0]["text"])
    assert RARE in said and "product" in said
    assert not set(NOT_SAID) & set(said)  # context that was not said is never written


@pytest.mark.parametrize(("clip", "heard"), [("coffee.wav", ["more", "coffee", "bread"]), ("call_back.wav", ["back"])])
def test_context_never_replaces_a_word_heard_with_an_unsaid_term(emulator, media, clip, heard) -> None:
    """A context term may correct a name whisper misspells (above), never overwrite a word
    it heard with a term that was not said ("more coffee", "back" -> "Marrakesh")."""
    _, files = media
    url = files.url(clip)
    context = [{"role": "user", "content": [{"type": "input_text", "input_text": UNRELATED}]}]
    texts = []
    for messages in ([audio_message(url)], [*context, audio_message(url)]):
        answer = MultiModalConversation.call(model=FLASH_MODEL, messages=messages, api_key=TOKEN)
        assert answer.status_code == 200, answer
        texts.append(words(answer.output.choices[0].message.content[0]["text"]))
    plain, biased = texts
    assert set(heard) <= set(plain) and set(heard) <= set(biased), texts
    assert not {t.lower() for t in UNRELATED.split("、")} & set(biased), biased


def test_sdk_streaming_events_each_final_then_stop(emulator, media) -> None:
    _, files = media
    responses = list(
        MultiModalConversation.call(
            model=FLASH_MODEL,
            messages=[*context_messages(), audio_message(files.url("zorvexa.wav"))],
            api_key=TOKEN,
            stream=True,
        )
    )
    assert all(r.status_code == 200 for r in responses), responses
    assert [r.output.choices[0].finish_reason for r in responses][-1] == "stop"
    assert all(r.output.choices[0].finish_reason == "null" for r in responses[:-1]) and len(responses) >= 2
    text = " ".join(r.output.choices[0].message.content[0]["text"] for r in responses)
    assert RARE in words(text) and "month" in words(text)


def test_sdk_sees_refusals_as_the_service_gives_them(emulator, media) -> None:
    _, files = media
    bad_model = MultiModalConversation.call(
        model="fun-asr-flash-1999", messages=[audio_message(files.url("zorvexa.wav"))], api_key=TOKEN
    )
    assert (bad_model.status_code, bad_model.code) == (404, "ModelNotFound")
    garbage = MultiModalConversation.call(
        model=FLASH_MODEL, messages=[audio_message(files.url("garbage.wav"))], api_key=TOKEN, stream=True
    )
    (only,) = list(garbage)
    assert (only.status_code, only.code) == (400, "InvalidParameter")
    assert "could not be decoded" in only.message
    wrong_key = MultiModalConversation.call(
        model=FLASH_MODEL, messages=[audio_message(files.url("zorvexa.wav"))], api_key="sk-wrong"
    )
    assert (wrong_key.status_code, wrong_key.code) == (401, "InvalidApiKey")


# -- A plain HTTP client ------------------------------------------------------------------------------


def test_plain_http_inline_audio_non_streaming(emulator, media) -> None:
    folder, _ = media
    status, ctype, raw = post(
        emulator.url, {"model": FLASH_MODEL, "input": {"messages": [audio_message(data_uri(folder / "zorvexa.wav"))]}}
    )
    assert status == 200 and ctype.startswith("application/json")
    answer = json.loads(raw)
    choice = answer["output"]["choices"][0]
    assert choice["message"]["role"] == "assistant" and choice["finish_reason"] == "stop"
    text = choice["message"]["content"][0]["text"]
    assert "product" in words(text)
    (sentence,) = answer["output"]["sentences"]  # Captioner's addition: timed sentences
    assert sentence["text"] == text and 200 <= sentence["begin_time"] < sentence["end_time"] <= 6000


def test_plain_http_streaming_with_context(emulator, media) -> None:
    folder, _ = media
    body = {
        "model": FLASH_MODEL,
        "input": {"messages": [*context_messages(), audio_message(data_uri(folder / "zorvexa.wav"))]},
        "parameters": {"format": "wav", "sample_rate": "16000"},
    }
    status, ctype, raw = post(emulator.url, body, sse=True)
    assert status == 200 and ctype.startswith("text/event-stream")
    parser = SseParser()
    events = [*parser.feed(raw), *parser.close()]
    assert [e.event for e in events] == ["result"] * len(events) and len(events) >= 2
    result = streamed_result(events)
    assert RARE in words(result.text) and not set(NOT_SAID) & set(words(result.text))


def test_plain_http_cumulative_stream_repeats_the_whole_text_last(emulator, media) -> None:
    folder, _ = media
    body = {
        "model": FLASH_MODEL,
        "input": {"messages": [audio_message(data_uri(folder / "zorvexa.wav"))]},
        "parameters": {"incremental_output": False},
    }
    status, _, raw = post(emulator.url, body, sse=True)
    assert status == 200
    parser = SseParser()
    events = [*parser.feed(raw), *parser.close()]
    texts = [e.data["output"]["choices"][0]["message"]["content"][0]["text"] for e in events]
    assert texts[-1] == texts[-2] and "product" in words(texts[-1])  # the last repeats all so far
    assert streamed_result(events, incremental=False).text == texts[-1]


def test_context_on_silence_writes_nothing(emulator, media) -> None:
    folder, _ = media
    body = {
        "model": FLASH_MODEL,
        "input": {"messages": [*context_messages(), audio_message(data_uri(folder / "silence.wav"))]},
    }
    status, _, raw = post(emulator.url, body)
    assert status == 200
    assert json.loads(raw)["output"]["choices"][0]["message"]["content"][0]["text"] == ""


def test_plain_http_refusals(emulator, media) -> None:
    folder, files = media

    def refused(body: dict, *, sse: bool = False) -> tuple[int, dict]:
        status, ctype, raw = post(emulator.url, body, sse=sse)
        assert ctype.startswith("application/json")
        answer = json.loads(raw)
        assert set(answer) == {"code", "message", "request_id"}
        return status, answer

    audio = audio_message(files.url("zorvexa.wav"))
    status, answer = refused({"model": FLASH_MODEL, "input": {"messages": [audio_message(files.url("long.wav"))]}})
    assert (status, answer["code"]) == (400, "InvalidParameter") and "too long" in answer["message"]
    status, answer = refused(
        {"model": FLASH_MODEL, "input": {"messages": [audio_message(data_uri(folder / "garbage.wav"))]}}, sse=True
    )
    assert (status, answer["code"]) == (400, "InvalidParameter") and "decoded" in answer["message"]
    status, answer = refused(
        {"model": FLASH_MODEL, "input": {"messages": [audio]}, "parameters": {"language_hints": ["xx"]}}
    )
    assert (status, answer["code"]) == (400, "InvalidParameter") and "language_hints" in answer["message"]
    status, answer = refused({"model": "paraformer-v2", "input": {"messages": [audio]}})
    assert (status, answer["code"]) == (404, "ModelNotFound")
    status, answer = refused({"model": FLASH_MODEL, "input": {"messages": [audio, context_messages()[1]]}})
    assert (status, answer["code"]) == (400, "InvalidParameter") and "last message" in answer["message"]
    status, answer = refused({"model": FLASH_MODEL, "input": {"messages": [{"role": "robot", "content": "hi"}, audio]}})
    assert status == 400 and "input.messages[0].role" in answer["message"]
    status, answer = refused(
        {"model": FLASH_MODEL, "input": {"messages": [audio_message("data:audio/wav;base64,@@@")]}}
    )
    assert status == 400 and "base64" in answer["message"]
    status, answer = refused({"model": FLASH_MODEL, "input": {"messages": [audio_message(files.url("missing.wav"))]}})
    assert (status, answer["code"]) == (400, "FILE_404_NOT_FOUND")


# -- Our client: `captioner transcribe FILE --model fun-asr-flash-... [--context-file F]` ----------------


def test_cli_with_a_context_file_writes_the_name_it_was_told(emulator, media, tmp_path, capsys, monkeypatch) -> None:
    from captioner.cli import main as cli_main

    folder, _ = media
    monkeypatch.setenv("DASHSCOPE_API_KEY", TOKEN)
    context = tmp_path / "context.txt"
    context.write_text(CONTEXT_LIST + "\n" + CONTEXT_PROSE, encoding="utf-8")
    base = ["transcribe", str(folder / "zorvexa.wav"), "--model", FLASH_MODEL, "--url", emulator.url]
    srt_file = tmp_path / "with.srt"
    assert cli_main([*base, "--context-file", str(context), "--srt", str(srt_file)]) == 0
    printed = capsys.readouterr().out
    assert RARE in words(printed) and not set(NOT_SAID) & set(words(printed))
    assert "-->" in srt_file.read_text() and RARE in words(srt_file.read_text())
    assert cli_main([*base, "--txt", str(tmp_path / "without.txt")]) == 0
    assert RARE not in words(capsys.readouterr().out) and "product" in words((tmp_path / "without.txt").read_text())


def test_cli_refusals_have_their_exit_codes(emulator, media, tmp_path, capsys, monkeypatch) -> None:
    from captioner.cli import main as cli_main

    folder, _ = media
    monkeypatch.setenv("DASHSCOPE_API_KEY", TOKEN)
    base = ["transcribe", "--model", FLASH_MODEL, "--url", emulator.url]
    assert cli_main([*base, str(folder / "long.wav")]) == 3  # too long: refused before upload
    assert "at most 5 minutes" in capsys.readouterr().err
    assert cli_main([*base, str(folder / "garbage.wav")]) == 3
    assert cli_main([*base, str(folder / "zorvexa.wav"), "--context-file", str(tmp_path / "none.txt")]) == 3
    assert "context file" in capsys.readouterr().err
    assert cli_main(["transcribe", str(folder / "zorvexa.wav"), "--context-file", str(folder / "zorvexa.wav")]) == 2
    assert "--context-file needs --model" in capsys.readouterr().err
    assert cli_main([*base, str(folder / "zorvexa.wav"), "--hot-word", "Zorvexa", "--heartbeat"]) == 2
    assert "--hot-word, --heartbeat: not used by the synchronous call" in capsys.readouterr().err
    assert cli_main([*base, str(folder / "zorvexa.wav"), "--upload", "pcm"]) == 2
    assert "--upload pcm: not used by the synchronous call" in capsys.readouterr().err
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-wrong")
    assert cli_main([*base, str(folder / "zorvexa.wav")]) == 5
    assert "InvalidApiKey" in capsys.readouterr().err


@pytest.mark.timeout(120)
def test_the_cli_against_captioner_serve_on_its_one_port(media, tmp_path) -> None:
    """As a user would: `captioner serve` in a process, `captioner transcribe --model
    fun-asr-flash-2026-06-15 --url <its WebSocket URL>` in another; the REST API is on the same port."""
    import os
    import subprocess
    import sys

    folder, _ = media
    env = {**os.environ, "CAPTIONER_SERVE_TOKEN": TOKEN, "DASHSCOPE_API_KEY": TOKEN}
    with ServeCommand(env=env, stop_s=30) as url:
        context = tmp_path / "names.txt"
        context.write_text(CONTEXT_LIST, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "captioner", "transcribe", str(folder / "zorvexa.wav"), "--model", FLASH_MODEL,
             "--url", url, "--context-file", str(context), "--txt", str(tmp_path / "out.txt")],
            capture_output=True, text=True, env=env, timeout=90,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert RARE in words(done.stdout) and RARE in words((tmp_path / "out.txt").read_text())
