"""Endpoints, API keys and the replay log of the cloud client: no network needed."""

from __future__ import annotations

import logging
import pickle

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from captioner.audio.frames import AudioFrame
from captioner.events import RecognitionError
from captioner.protocol.endpoints import resolve
from captioner.recognition.cloud import credentials
from captioner.recognition.cloud.credentials import ApiKey, RedactingLogger, resolve_api_key
from captioner.recognition.cloud.realtime import ConfigurationError, DashScopeRecognizer, MissingApiKey
from captioner.recognition.cloud.replay import AudioLog
from captioner.recognition.engines import create_recognizer


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service, username):
        raise RuntimeError("the Secret Service is locked")


@pytest.fixture
def memory_keyring(monkeypatch):
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    monkeypatch.delenv(credentials.ENV_VAR, raising=False)
    yield ring
    keyring.set_keyring(previous)


# -- Endpoints ---------------------------------------------------------------------------------


def test_regions_workspaces_and_custom_urls():
    assert resolve().url == "wss://dashscope.aliyuncs.com/api-ws/v1/inference"
    assert resolve(region="cn").region.name == "Beijing"
    intl = resolve(region="intl")
    assert intl.url == "wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference" and intl.region.name == "Singapore"
    assert (
        resolve(region="cn", workspace="llm-abc").url
        == "wss://llm-abc.cn-beijing.maas.aliyuncs.com/api-ws/v1/inference"
    )
    assert (
        resolve(region="intl", workspace="ws1").url == "wss://ws1.ap-southeast-1.maas.aliyuncs.com/api-ws/v1/inference"
    )
    assert resolve(region="cn", workspace="llm-abc", workspace_domain=False).url.startswith("wss://dashscope.aliyuncs")
    local = resolve(url="ws://127.0.0.1:8765/api-ws/v1/inference")
    assert local.custom and local.region is None and not local.secure
    assert local.label == "the server at ws://127.0.0.1:8765/api-ws/v1/inference"
    assert resolve(region="intl").label == "Alibaba Cloud Model Studio (Singapore)"
    for bad, message in [
        ({"region": "mars"}, "unknown region"),
        ({"url": "http://x/api"}, "must start with wss://"),
        ({"url": "wss://user:pw@x/api"}, "credentials"),
        ({"workspace": "a.b/c"}, "malformed"),
    ]:
        with pytest.raises(ValueError, match=message):
            resolve(**bad)


# -- Keys --------------------------------------------------------------------------------------


def test_key_lookup_order_explicit_env_keyring(memory_keyring, monkeypatch):
    assert resolve_api_key("cn") is None
    credentials.store_api_key("cn", " sk-from-ring ")
    assert memory_keyring.store == {("captioner", "dashscope-api-key-cn"): "sk-from-ring"}
    key = resolve_api_key("cn")
    assert key.reveal() == "sk-from-ring" and key.source == "keyring"
    assert resolve_api_key("intl") is None  # keys are per region
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-from-env")
    assert resolve_api_key("cn").source == "env"
    assert resolve_api_key("cn", "sk-explicit").source == "explicit"
    credentials.delete_api_key("cn")
    credentials.delete_api_key("cn")  # nothing stored: no error
    monkeypatch.delenv("DASHSCOPE_API_KEY")
    assert resolve_api_key("cn") is None
    credentials.store_api_key("cn", "sk-x")
    credentials.store_api_key("cn", "")  # empty deletes
    assert memory_keyring.store == {}


def test_a_custom_url_has_its_own_key_and_never_gets_a_regions(memory_keyring, monkeypatch):
    from captioner.recognition.cloud.realtime import DashScopeRecognizer

    monkeypatch.delenv(credentials.ENV_VAR, raising=False)
    url = "ws://127.0.0.1:9/api-ws/v1/inference"
    credentials.store_api_key("cn", "sk-alibaba")
    assert DashScopeRecognizer(url=url)._key is None  # the region's key stays home
    credentials.store_api_key(credentials.url_slot(url + "/"), "serve-token")
    key = DashScopeRecognizer(url=url)._key
    assert key.reveal() == "serve-token" and key.source == "keyring"
    monkeypatch.setenv(credentials.ENV_VAR, "sk-from-env")  # the URL's own key is more specific
    assert DashScopeRecognizer(url=url)._key.reveal() == "serve-token"
    assert DashScopeRecognizer(url=url, region="cn")._key.reveal() == "sk-from-env"  # a region named: as before
    credentials.keep_until_exit("url:ws://elsewhere", "kept-for-this-run")
    try:
        assert DashScopeRecognizer(url="ws://elsewhere")._key.reveal() == "kept-for-this-run"
    finally:
        credentials.keep_until_exit("url:ws://elsewhere", "")


def test_a_broken_keyring_means_no_key_not_a_crash(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    monkeypatch.delenv(credentials.ENV_VAR, raising=False)
    try:
        assert resolve_api_key("cn") is None
    finally:
        keyring.set_keyring(previous)


def test_the_recognizer_finds_its_key_and_a_missing_one_is_a_clear_error(memory_keyring, monkeypatch):
    with pytest.raises(MissingApiKey) as info:
        DashScopeRecognizer(region="intl")
    err = info.value
    assert isinstance(err, RecognitionError) and isinstance(err, ValueError)  # the CLI's usage error
    assert "DASHSCOPE_API_KEY" in err.message and "Singapore" in err.message and "settings" in err.message
    credentials.store_api_key("intl", "sk-ring")
    rec = create_recognizer("dashscope", region="intl")
    assert rec.describe() == {
        "engine": "dashscope", "url": "wss://dashscope-intl.aliyuncs.com/api-ws/v1/inference", "region": "intl",
        "workspace": None, "data_inspection": False, "key_source": "keyring",
    }  # fmt: skip
    assert "sk-ring" not in repr(rec)
    # A custom URL (a local `captioner serve`) needs no key, and never gets the keyring's
    local = DashScopeRecognizer(url="ws://127.0.0.1:1/api-ws/v1/inference")
    assert local.describe()["key_source"] is None
    # ... unless a region is named too, or the environment has one
    assert DashScopeRecognizer(url="ws://127.0.0.1:1/x", region="intl").describe()["key_source"] == "keyring"
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-env")
    assert DashScopeRecognizer(url="ws://127.0.0.1:1/x").describe()["key_source"] == "env"


def test_api_keys_do_not_show_themselves():
    key = ApiKey("sk-very-secret", "env")
    for text in (repr(key), str(key), f"{key}", repr([key]), repr({"k": key})):
        assert "sk-very-secret" not in text
    assert key.authorization() == "Bearer sk-very-secret"
    with pytest.raises(TypeError):
        pickle.dumps(key)
    with pytest.raises(ValueError):
        ApiKey("  ", "explicit")
    with pytest.raises(ValueError, match="spaces"):
        ApiKey("sk one", "explicit")
    # through the recognizer, a RecognitionError the app shows (and a ValueError for the CLI)
    with pytest.raises(ConfigurationError, match="spaces or control characters"):
        DashScopeRecognizer(region="cn", api_key="sk one")
    with pytest.raises(ConfigurationError, match="must start with wss://") as info:
        DashScopeRecognizer(url="https://dashscope.aliyuncs.com/api-ws/v1/inference")
    assert isinstance(info.value, RecognitionError) and isinstance(info.value, ValueError)


def test_the_redacting_logger_masks_headers_and_secrets(caplog):
    caplog.set_level(logging.DEBUG)
    logger = RedactingLogger(logging.getLogger("test.redact"), ("sk-abc",))
    logger.debug("> %s: %s", "Authorization", "Bearer whatever")
    logger.debug("> %s: %s", "authorization", "Bearer sk-abc")
    logger.debug("frame %r", {"text": "contains sk-abc here"})
    logger.debug("sk-abc in the message")
    logger.debug("> %s: %s", "Host", "example.com")
    assert [r.getMessage() for r in caplog.records] == [
        "> Authorization: ***", "> authorization: ***", "frame {'text': 'contains *** here'}", "*** in the message",
        "> Host: example.com",
    ]  # fmt: skip


# -- The replay log ----------------------------------------------------------------------------


def frame(i: int) -> AudioFrame:
    return AudioFrame(bytes([i % 256, 0]) * 1600, i * 100)


def test_the_replay_log_keeps_what_no_final_covers_and_stays_bounded():
    log = AudioLog(window_ms=1000, max_retained_ms=3000)
    for i in range(10):
        log.append(frame(i))
    for seq in range(10):
        log.sent(seq)
    assert log.unsent_ms == 0 and log.first_seq == 0
    log.finalised(450, cursor=10)  # a final ending inside frame 4: it is cut there
    assert log.first_seq == 4 and log.frames[0].start_ms == 450 and log.frames[0].duration_ms == 50
    log.heard(1500, cursor=10)  # an open sentence: keep 1 s behind what was heard
    assert log.first_seq == 5 and log.truncated_ms == 50
    log.finalised(2000, cursor=3)  # never past frames the current task has not sent
    assert log.first_seq == 5
    for i in range(10, 100):
        log.append(frame(i))
    assert log.unsent_ms == 9000
    for seq in range(10, 100):
        log.sent(seq)
    assert log.frames[-1].end_ms - log.frames[0].start_ms <= 3000  # the hard cap
    assert log.truncated_ms == 50 + (70 - 5) * 100
