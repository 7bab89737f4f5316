"""`captioner serve` answers everything on one host and one port, as the cloud does: the
realtime WebSocket, file transcription, tasks, vocabularies and the Fun-ASR-Flash
synchronous call (issue #17 item 4).

`ServeApp` (what `serve` runs) over the trivial engine, on a loop in a background thread;
the official SDK (unmodified: only its two base URLs change, to the same host and port) and
a plain HTTP client (http.client, nothing between the test and the wire) are the peers.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import threading
import wave
from urllib.parse import urlsplit

import numpy as np
import pytest
from dashscope.audio.asr import Recognition, RecognitionCallback, Transcription, VocabularyService

from captioner.protocol.flash import FLASH_MODEL
from captioner.server.app import ServeApp
from captioner.testing.trivial import TrivialRecognizer
from rest_support import FileServer, RecordingRecognizer, aim_sdk, serve_app

pytestmark = pytest.mark.timeout(120)

TOKEN = "sk-one-port"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def tone(ms: int) -> np.ndarray:
    t = np.arange(16 * ms) / 16000
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")


def wav(samples: np.ndarray) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def app():
    engine = RecordingRecognizer(TrivialRecognizer())
    with serve_app(engine, token=TOKEN, max_sessions=2) as serve:
        yield serve


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("one-port")
    (folder / "tone.wav").write_bytes(wav(np.concatenate([np.zeros(3200, "<i2"), tone(1500), np.zeros(3200, "<i2")])))
    with FileServer(folder) as server:
        yield server


@pytest.fixture
def sdk(app, monkeypatch):
    aim_sdk(monkeypatch, app, TOKEN)


def request(app: ServeApp, method: str, path: str, body: object = None, headers: dict | None = None):
    """(status, headers, body) of one request on the one port, with http.client."""
    c = http.client.HTTPConnection("127.0.0.1", app.port, timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else None
        c.request(method, path, body=data, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


class Finals(RecognitionCallback):
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.errors: list = []
        self.done = threading.Event()

    def on_event(self, result) -> None:
        sentence = result.get_sentence()
        if sentence.get("sentence_end"):
            self.texts.append(sentence["text"])

    def on_complete(self) -> None:
        self.done.set()

    def on_error(self, result) -> None:
        self.errors.append(result)
        self.done.set()


def test_every_url_names_the_same_host_and_port(app) -> None:
    ws, http_base = urlsplit(app.realtime.url), urlsplit(app.rest.url)
    assert (ws.scheme, http_base.scheme) == ("ws", "http")
    assert ws.netloc == http_base.netloc == f"127.0.0.1:{app.port}"
    assert (ws.path, http_base.path) == ("/api-ws/v1/inference", "/api/v1")


def test_the_sdk_uses_websocket_rest_and_vocabularies_on_one_port(app, sdk, files) -> None:
    engine = app.rest.recognizer.inner  # the RecordingRecognizer under the shared hot-word wrapper
    vocab = VocabularyService(api_key=TOKEN)
    vid = vocab.create_vocabulary(target_model="fun-asr-realtime", prefix="oneport",
                                  vocabulary=[{"text": "Zarvox", "weight": 4, "lang": "en"}])  # fmt: skip
    assert [v["vocabulary_id"] for v in vocab.list_vocabularies(prefix="oneport")] == [vid]

    # The realtime WebSocket on the same port, naming the vocabulary made over REST.
    cb = Finals()
    recognition = Recognition(model="fun-asr-realtime", format="pcm", sample_rate=16000, callback=cb,
                              vocabulary_id=vid)  # fmt: skip
    recognition.start()
    for frame in np.array_split(tone(1000), 10):
        recognition.send_audio_frame(frame.tobytes())
    recognition.stop()
    assert cb.done.wait(30) and not cb.errors
    assert cb.texts == ["loud3 loud6 loud9.", "loud10."]
    assert engine.started[-1].hot_words == ("Zarvox",)

    # A file task, submitted and polled on the same port; its result file is served there too.
    submitted = Transcription.async_call(model="fun-asr", file_urls=[files.url("tone.wav")], api_key=TOKEN)
    done = Transcription.wait(task=submitted, api_key=TOKEN)
    assert done.status_code == 200 and done.output.task_status == "SUCCEEDED"
    result_url = urlsplit(done.output["results"][0]["transcription_url"])
    assert result_url.netloc == f"127.0.0.1:{app.port}"
    status, _, body = request(app, "GET", f"{result_url.path}?{result_url.query}")
    assert status == 200 and json.loads(body)["transcripts"][0]["text"].startswith("loud")
    vocab.delete_vocabulary(vid)


def test_a_plain_http_client_reaches_every_rest_route_on_the_websocket_port(app) -> None:
    status, _, body = request(app, "GET", "/api/v1/tasks/no-such-task", headers=AUTH)
    assert status == 200 and json.loads(body)["output"]["task_status"] == "UNKNOWN"

    create = {"model": "speech-biasing", "input": {"action": "create_vocabulary", "target_model": "fun-asr",
              "prefix": "plain", "vocabulary": [{"text": "Quillbyte", "weight": 3}]}}  # fmt: skip
    status, _, body = request(app, "POST", "/api/v1/services/audio/asr/customization", create, AUTH)
    assert status == 200 and json.loads(body)["output"]["vocabulary_id"].startswith("vocab-plain-")

    # The synchronous call (Fun-ASR-Flash), audio inline.
    audio = "data:audio/wav;base64," + base64.b64encode(wav(tone(1000))).decode()
    flash = {"model": FLASH_MODEL, "input": {"messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": audio}}]}]}}  # fmt: skip
    status, headers, body = request(app, "POST", "/api/v1/services/aigc/multimodal-generation/generation", flash, AUTH)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert "loud" in json.dumps(json.loads(body)["output"])

    # What no service claims, a WebSocket path asked for plain HTTP, and a bad key: the
    # gateway's JSON error body on this port too.
    status, _, body = request(app, "GET", "/nowhere", headers=AUTH)
    assert status == 404 and json.loads(body)["code"] == "NotFound"
    status, _, body = request(app, "GET", "/api-ws/v1/inference", headers=AUTH)
    assert status == 426 and json.loads(body)["request_id"]
    status, _, body = request(app, "GET", "/api-ws/v1/inference", headers={"Authorization": "Bearer wrong"})
    assert status == 401 and json.loads(body)["code"] == "InvalidApiKey"
