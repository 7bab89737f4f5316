"""Our file-transcription client (files.py, rest_client.py) against the emulator: polling on
the SDK's schedule (shortened), retries, UNKNOWN / CANCELED / timeouts, endpoints, keys,
and the `captioner transcribe-url` command's outputs and exit codes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest

from captioner.cli import main as cli_main
from captioner.protocol.files import PollPolicy, SubtaskResult, TaskInfo, TaskMetrics, TaskStatus, TranscriptionRequest
from captioner.protocol.rest import ServiceError
from captioner.recognition.cloud import credentials
from captioner.recognition.cloud.files import FileTranscriber, TaskError, describe_status
from captioner.recognition.cloud.rest import RestClient, Retry, resolve_http
from captioner.server.rest import RestServer
from captioner.testing.speech import write_wav
from captioner.testing.trivial import TrivialRecognizer
from captioner.testing.waiting import until
from captioner.transcript.export import read_json
from rest_support import FileServer, rest_emulator

pytestmark = pytest.mark.timeout(60)

FAST = PollPolicy(initial=0.02, cap=0.05)
QUICK = ("--poll-interval", "0.05")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    t = np.arange(16 * 1500) / 16000
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2")
    write_wav(folder / "tone.wav", np.concatenate([np.zeros(3200, "<i2"), tone, np.zeros(3200, "<i2")]))
    write_wav(folder / "tone2.wav", np.concatenate([tone, np.zeros(8000, "<i2"), tone]))
    with FileServer(folder) as server:
        yield server


@pytest.fixture
async def server():
    async with RestServer(TrivialRecognizer()) as srv:
        yield srv


def request(*urls: str, **kw) -> TranscriptionRequest:
    return TranscriptionRequest("fun-asr", tuple(urls), **kw)


@dataclass(frozen=True)
class RecordedPolicy(PollPolicy):
    """The policy, noting each pause it hands the client."""

    handed: list[float] = field(default_factory=list)

    def delays(self) -> Iterator[float]:
        for delay in super().delays():
            self.handed.append(delay)
            yield delay


async def test_polls_at_once_then_on_the_backoff_schedule(server, files) -> None:
    """The schedule is checked by the pauses the client takes (exactly the policy's, one
    between each two queries), and the wall clock only for "never sooner": an upper bound
    on wall time would fail on a loaded machine, not on a wrong schedule."""
    policy = RecordedPolicy(initial=0.05, cap=0.2, every=3)
    client = FileTranscriber(server.url, poll=policy)
    server.pause()
    task_id = await client.submit(request(files.url("tone.wav")))
    waiting = asyncio.create_task(client.wait(task_id))
    # Ten queries while the task is held: the eight steps of the schedule, then the cap.
    await until(lambda: len(server.queries.get(task_id, [])) >= 10, "ten queries of the held task")
    server.resume()
    info = await waiting
    assert info.status is TaskStatus.SUCCEEDED
    times = server.queries[task_id]
    expected = [0.05, 0.05, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2]
    assert policy.handed[:8] == expected and set(policy.handed[8:]) == {0.2}  # capped
    assert len(times) == len(policy.handed) + 1  # at once, then after each pause, no more
    gaps = np.diff(times)
    assert all(gap >= want - 0.01 for gap, want in zip(gaps, policy.handed, strict=True)), gaps  # never sooner


class _Flaky(RestServer):
    """Answers the first queries of every task with an error status."""

    def __init__(self, statuses: list[int], **kw) -> None:
        super().__init__(TrivialRecognizer(), **kw)
        self.statuses = statuses

    def _query(self, task_id: str):
        if self.statuses:
            status = self.statuses.pop(0)
            self.queries.setdefault(task_id, []).append(0.0)
            raise ServiceError(status, "ServiceUnavailableError", "busy")
        return super()._query(task_id)


async def test_503_and_504_while_polling_are_retried_500_is_not(files) -> None:
    async with _Flaky([503, 504, 503]) as srv:
        client = FileTranscriber(srv.url, poll=FAST)
        job = await client.transcribe(request(files.url("tone.wav")))
        assert job.task.status is TaskStatus.SUCCEEDED and not job.failed
    async with _Flaky([500]) as srv:
        client = FileTranscriber(srv.url, poll=FAST)
        with pytest.raises(ServiceError) as info:
            await client.transcribe(request(files.url("tone.wav")))
        assert info.value.status == 500 and info.value.retryable


async def test_an_unknown_task_id(server) -> None:
    client = FileTranscriber(server.url, poll=FAST)
    assert (await client.query("f86ec806-0000")).status is TaskStatus.UNKNOWN
    with pytest.raises(TaskError) as info:
        await client.resume("f86ec806-0000")
    assert info.value.code == "UNKNOWN" and "expired" in info.value.message and not info.value.retryable


async def test_a_canceled_task(server, files) -> None:
    client = FileTranscriber(server.url, poll=FAST)
    server.pause()
    job = asyncio.create_task(client.transcribe(request(files.url("tone.wav")), on_submitted=lambda t: ids.append(t)))
    ids: list[str] = []
    await until(lambda: ids, "the task submitted")
    await client.cancel(ids[0])
    with pytest.raises(TaskError) as info:
        await job
    assert info.value.code == "CANCELED" and info.value.info.status is TaskStatus.CANCELED


async def test_waiting_gives_up_after_the_timeout(server, files) -> None:
    client = FileTranscriber(server.url, poll=FAST)
    server.pause()
    with pytest.raises(TaskError) as info:
        await client.transcribe(request(files.url("tone.wav")), timeout=0.2)
    assert info.value.code == "WaitTaskTimeout" and "goes on" in info.value.message


async def test_diarization_and_every_parameter_reach_the_server(server, files) -> None:
    client = FileTranscriber(server.url, poll=FAST)
    sent = request(
        files.url("tone.wav"),
        diarization_enabled=True,
        speaker_count=2,
        language_hints=("en",),
        channel_id=(0,),
        vocabulary_id="vocab-x",
        disfluency_removal_enabled=True,
    )
    job = await client.transcribe(sent)
    assert server.submissions[job.task.task_id] == sent
    assert {s.speaker_id for s in job.outcomes[0].sentences} == {0}


async def test_a_result_file_that_cannot_be_fetched_fails_that_file_only(server, files) -> None:
    client = FileTranscriber(server.url, poll=FAST, retry=Retry(attempts=0))
    task_id = await client.submit(request(files.url("tone.wav"), files.url("tone2.wav")))
    info = await client.wait(task_id)
    del server._results[f"{task_id}/0.json"]  # expired, say
    first, second = await client.outcomes(info)
    assert not first.ok and first.code == "NotFound" and "could not be fetched" in first.message
    assert second.ok and len(second.sentences) >= 2


async def test_a_task_failed_as_a_whole_fails_every_file_with_its_code() -> None:
    client = FileTranscriber("http://127.0.0.1:9/api/v1")
    info = TaskInfo("t", TaskStatus.FAILED, code="InternalError.Timeout", message="too slow")
    outcomes = await client.outcomes(info, ("a", "b"))
    assert [(o.file_url, o.code) for o in outcomes] == [("a", "InternalError.Timeout"), ("b", "InternalError.Timeout")]
    assert "3 hours" in outcomes[0].describe()


def test_status_lines() -> None:
    assert describe_status(TaskInfo("t", TaskStatus.PENDING)) == "PENDING"
    assert (
        describe_status(TaskInfo("t", TaskStatus.RUNNING, metrics=TaskMetrics(3, 1, 0)))
        == "RUNNING (1 of 3 files done)"
    )
    done = TaskInfo(
        "t",
        TaskStatus.SUCCEEDED,
        metrics=TaskMetrics(3, 2, 1),
        results=(SubtaskResult("a", TaskStatus.SUCCEEDED, "u"),),
    )
    assert describe_status(done) == "SUCCEEDED: 2 of 3 files transcribed, 1 failed"


async def test_an_unreachable_server_is_a_network_error() -> None:
    client = FileTranscriber("http://127.0.0.1:9/api/v1", retry=Retry(attempts=1, delay=0.01))
    with pytest.raises(ServiceError) as info:
        await client.query("t")
    assert (info.value.status, info.value.code) == (0, "NetworkError") and info.value.retryable
    assert "connection refused" in info.value.message


# -- Endpoints and keys -------------------------------------------------------------------------------


def test_endpoints() -> None:
    assert resolve_http().base_url == "https://dashscope.aliyuncs.com/api/v1"
    assert resolve_http(region="intl").base_url == "https://dashscope-intl.aliyuncs.com/api/v1"
    assert resolve_http(region="cn", workspace="ws-1").base_url == "https://ws-1.cn-beijing.maas.aliyuncs.com/api/v1"
    local = resolve_http("http://127.0.0.1:8766/api/v1/")
    assert local.custom and local.base_url == "http://127.0.0.1:8766/api/v1" and "127.0.0.1" in local.label
    assert resolve_http(region="intl").label == "Alibaba Cloud Model Studio (Singapore)"
    for bad in ("ftp://x/api/v1", "http://user:pw@x/api/v1", "127.0.0.1:8766"):
        with pytest.raises(ValueError):
            resolve_http(bad)
    with pytest.raises(ValueError, match="unknown region"):
        resolve_http(region="mars")
    with pytest.raises(ValueError):
        resolve_http(workspace="bad id!")


def test_keys_the_cloud_needs_one_a_custom_url_gets_no_stored_one(monkeypatch) -> None:
    monkeypatch.delenv(credentials.ENV_VAR, raising=False)
    monkeypatch.setattr(credentials, "load_api_key", lambda region: "")
    with pytest.raises(ServiceError) as info:
        RestClient(region="intl")
    assert info.value.code == "NoApiKey" and "Singapore" in info.value.message
    monkeypatch.setattr(credentials, "load_api_key", lambda region: f"sk-stored-{region}")
    assert RestClient("http://127.0.0.1:9/api/v1").key_source is None  # a stored key stays home
    assert RestClient("http://127.0.0.1:9/api/v1", region="cn").key_source == "keyring"
    assert RestClient(region="cn").key_source == "keyring"
    assert "sk-stored" not in repr(RestClient(region="cn"))
    monkeypatch.setenv(credentials.ENV_VAR, "sk-env")
    assert RestClient("http://127.0.0.1:9/api/v1").key_source == "env"


# -- The command ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served():
    """The emulator on a loop of its own: the command runs asyncio.run in the test's thread."""
    with rest_emulator(TrivialRecognizer()) as srv:
        yield srv


def test_cli_several_urls_numbered_outputs_and_a_failure(served, files, tmp_path, capsys) -> None:
    urls = [files.url("tone.wav"), files.url("missing.wav"), files.url("tone2.wav")]
    out = tmp_path / "out.json"
    code = cli_main(
        [
            "transcribe-url",
            *urls,
            "--base-url",
            served.url,
            *QUICK,
            "--json",
            str(out),
            "--srt",
            str(tmp_path / "sub.srt"),
            "--speakers",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 3, err
    assert "submitted" in err and "SUCCEEDED: 2 of 3 files transcribed, 1 failed" in err
    assert "missing.wav" in err and "FILE_404_NOT_FOUND" in err and "1 of 3 files" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-1.json", "out-3.json", "sub-1.srt", "sub-3.srt"]
    assert {s.speaker_id for s in read_json(tmp_path / "out-3.json")} == {0}
    assert len(read_json(tmp_path / "out-3.json")) >= 2


def test_cli_one_url_prints_to_stdout_without_outputs(served, files, capsys) -> None:
    assert cli_main(["transcribe-url", files.url("tone.wav"), "--base-url", served.url, *QUICK, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith("[00:00:00") and "loud" in captured.out


def test_cli_collects_a_task_by_id(served, files, tmp_path, capsys) -> None:
    task_id = asyncio.run(FileTranscriber(served.url).submit(request(files.url("tone.wav"))))
    out = tmp_path / "again.txt"
    assert cli_main(["transcribe-url", "--task-id", task_id, "--base-url", served.url, *QUICK, "--txt", str(out)]) == 0
    assert "loud" in out.read_text()
    assert cli_main(["transcribe-url", "--task-id", "no-such", "--base-url", served.url, *QUICK]) == 5
    assert "does not know task no-such" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        ([], 2, "give the URLs"),
        (["http://x/a.wav", "--task-id", "t"], 2, "give the URLs"),
        (["http://x/a.wav", "--speakers", "1"], 2, "speaker_count"),
        (["http://x/a.wav", "--base-url", "ftp://x"], 2, "base URL"),
        (["http://x/a.wav", "--model", "nope"], 5, "ModelNotFound"),
        (["http://x/a.wav", "--base-url", "http://127.0.0.1:9/api/v1"], 6, "connection refused"),
    ],
)
def test_cli_errors(served, argv, code, message, capsys, monkeypatch) -> None:
    monkeypatch.setattr("captioner.recognition.cloud.rest.Retry", lambda: Retry(attempts=0))
    if "--base-url" not in argv:
        argv = [*argv, "--base-url", served.url, *QUICK]
    assert cli_main(["transcribe-url", *argv]) == code
    assert message in capsys.readouterr().err


def test_cli_json_output_is_the_services_shape(served, files, tmp_path) -> None:
    out = tmp_path / "t.json"
    assert (
        cli_main(
            ["transcribe-url", files.url("tone.wav"), "--base-url", served.url, *QUICK, "--json", str(out), "--quiet"]
        )
        == 0
    )
    data = json.loads(out.read_text())
    assert data["transcripts"][0]["sentences"][0]["sentence_id"] == 1
