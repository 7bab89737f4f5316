"""The crash-safe journal: what append returned is on disk (even after SIGKILL), a torn
last line is tolerated, metadata never holds secrets, and old sessions are pruned."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from captioner.events import Sentence, Word
from captioner.settings import RecognitionSettings
from captioner.transcript import journal as journal_mod
from captioner.transcript.journal import (
    Journal,
    JournalError,
    is_recording,
    list_sessions,
    load_session,
    mark_finished,
    prune,
    sanitize,
    sessions_dir,
)

ROOT = Path(__file__).resolve().parents[1]


def final(text: str, begin: int, end: int, **kw) -> Sentence:
    return Sentence(text, begin, end, True, **kw)


FINALS = [
    final("Hello there.", 0, 1000, words=(Word(0, 500, "Hello"), Word(500, 1000, "there", ".")), sentence_id=1),
    final("你好，世界。", 1200, 2000, sentence_id=2, speaker_id=1),
    final('Quotes " and \\ and\nnewline', 2100, 3000, sentence_id=3),
]


def test_append_and_load_round_trip(tmp_path):
    meta = {
        "engine": "whisper tiny.en",
        "settings": RecognitionSettings(language_hints=("en",)).to_dict(),
        "source": "mic",
    }
    j = Journal.create(meta, directory=tmp_path)
    assert j.path.parent == tmp_path and j.path.name == f"{j.id}.jsonl"
    for s in FINALS:
        j.append(s)
    assert j.count == 3
    loaded_meta, sentences, finished = load_session(j.path)
    assert sentences == FINALS and not finished  # readable while still open
    j.close()
    loaded_meta, sentences, finished = load_session(j.path)
    assert finished and sentences == FINALS
    assert loaded_meta["id"] == j.id and loaded_meta["engine"] == "whisper tiny.en"
    assert loaded_meta["settings"]["language_hints"] == ["en"] and loaded_meta["source"] == "mic"
    started = datetime.fromisoformat(loaded_meta["started"])
    assert started.tzinfo is not None and abs((datetime.now().astimezone() - started).total_seconds()) < 60
    lines = j.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["type"] for x in lines] == ["session", "final", "final", "final", "end"]


def test_session_info_and_listing(tmp_path):
    a = Journal.create({"engine": "cloud fun-asr"}, directory=tmp_path)
    a.append(FINALS[0])
    a.append(FINALS[1])
    b = Journal.create({"engine": "local"}, directory=tmp_path)
    b.append(FINALS[0])
    b.close(finished=True)
    infos = {s.id: s for s in list_sessions(tmp_path)}
    assert infos[a.id].recording and not infos[a.id].finished
    assert infos[a.id].sentence_count == 2 and infos[a.id].last_text == "你好，世界。"
    assert infos[a.id].engine == "cloud fun-asr"
    assert infos[b.id].finished and not infos[b.id].recording and infos[b.id].ended is not None
    a.close(finished=False)
    info = {s.id: s for s in list_sessions(tmp_path)}[a.id]
    assert not info.recording and not info.finished
    assert [s.id for s in list_sessions(tmp_path)] == [a.id, b.id]  # oldest first
    assert list_sessions(tmp_path / "missing") == []


def test_api_contract(tmp_path):
    with Journal.create({}, directory=tmp_path) as j:
        with pytest.raises(ValueError):
            j.append(Sentence("partial", 0, 10, False))
        j.append(FINALS[0])
    assert j.closed and load_session(j.path)[2]  # a normal exit finishes it
    j.close()  # idempotent
    with pytest.raises(JournalError):
        j.append(FINALS[0])
    with pytest.raises(RuntimeError), Journal.create({}, directory=tmp_path) as k:
        raise RuntimeError("boom")
    assert not load_session(k.path)[2]  # an exception leaves it recoverable
    with pytest.raises(ValueError):
        Journal.create({"id": "../escape"}, directory=tmp_path)
    with pytest.raises(FileExistsError):
        Journal.create({"id": j.id}, directory=tmp_path)


def test_journal_file_is_private(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    j = Journal.create({}, directory=tmp_path / "sessions")
    j.close()
    assert os.stat(j.path).st_mode & 0o777 == 0o600
    assert os.stat(tmp_path / "sessions").st_mode & 0o777 == 0o700


def test_sessions_dir_resolution(tmp_path, monkeypatch):
    assert sessions_dir(tmp_path) == tmp_path
    monkeypatch.setenv("CAPTIONER_DATA_DIR", str(tmp_path / "data"))
    assert sessions_dir() == tmp_path / "data" / "sessions"
    j = Journal.create({})
    j.close()
    assert j.path.parent == tmp_path / "data" / "sessions"
    monkeypatch.delenv("CAPTIONER_DATA_DIR")
    from platformdirs import user_data_dir

    assert sessions_dir() == Path(user_data_dir("captioner", appauthor=False)) / "sessions"


# --------------------------------------------------------------------------------------
# Damage and crashes
# --------------------------------------------------------------------------------------


def test_torn_last_line_is_tolerated(tmp_path):
    j = Journal.create({"engine": "x"}, directory=tmp_path)
    for s in FINALS:
        j.append(s)
    j.close(finished=False)
    full = json.dumps({"type": "final", "begin_time": 5000, "end_time": 6000, "text": "never completed"})
    with open(j.path, "ab") as f:
        f.write(full[: len(full) // 2].encode())
    meta, sentences, finished = load_session(j.path)
    assert sentences == FINALS and not finished and meta["engine"] == "x"
    info = list_sessions(tmp_path)[0]
    assert info.sentence_count == 3 and info.last_text == FINALS[-1].text


def test_damaged_middle_line_is_skipped(tmp_path):
    j = Journal.create({}, directory=tmp_path)
    j.append(FINALS[0])
    j.close(finished=False)
    with open(j.path, "ab") as f:
        f.write(b"\x00\x00\x00 garbage\n")
    j2_line = json.dumps({"type": "final", "begin_time": 1, "end_time": 2, "text": "after"}) + "\n"
    with open(j.path, "ab") as f:
        f.write(j2_line.encode())
    _, sentences, _ = load_session(j.path)
    assert [s.text for s in sentences] == [FINALS[0].text, "after"]


def test_torn_head_still_lists_the_file(tmp_path):
    path = tmp_path / "20240101-000000-abcd.jsonl"
    path.write_bytes(b'{"type":"session","id":"20240101-0')
    (info,) = list_sessions(tmp_path)
    assert info.id == "20240101-000000-abcd" and info.sentence_count == 0 and not info.finished


def test_every_append_is_synced(tmp_path, monkeypatch):
    calls: list[str] = []
    real_fsync = os.fsync
    real_fdatasync = getattr(os, "fdatasync", None)

    def fsync(fd):
        calls.append("fsync-dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync")
        return real_fsync(fd)

    def fdatasync(fd):
        calls.append("fsync")
        return real_fdatasync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    if real_fdatasync is not None:
        monkeypatch.setattr(os, "fdatasync", fdatasync)
    j = Journal.create({}, directory=tmp_path)
    if sys.platform.startswith("linux"):
        assert calls == ["fsync", "fsync-dir"]  # the head line, then the new folder entry
    calls.clear()
    for s in FINALS:
        j.append(s)
    assert calls == ["fsync"] * 3
    j.close()
    assert calls == ["fsync"] * 4


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from captioner.events import Sentence, Word
    from captioner.transcript.journal import Journal

    j = Journal.create({"engine": "kill-test"}, directory=sys.argv[1])
    print(j.path, flush=True)
    i = 0
    while True:
        words = tuple(Word(i * 1000 + k * 100, i * 1000 + k * 100 + 90, "w%d" % k) for k in range(8))
        j.append(Sentence("final number %d " % i + "x" * (i % 300), i * 1000, i * 1000 + 900, True, words, i))
        print(i, flush=True)
        i += 1
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_loses_nothing_that_append_returned(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        path = Path(proc.stdout.readline().strip())
        printed = []
        while len(printed) < 150:
            line = proc.stdout.readline()
            assert line, "the writer died early"
            printed.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # what it printed after our last read is also durable
        printed += [int(x) for x in proc.stdout.read().split()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    meta, sentences, finished = load_session(path)
    assert not finished and meta["engine"] == "kill-test"
    ids = [s.sentence_id for s in sentences]
    assert ids == list(range(len(ids)))  # a clean prefix: nothing garbled, nothing missing
    assert set(printed) <= set(ids)
    assert len(ids) >= printed[-1] + 1
    (info,) = list_sessions(tmp_path)
    assert not info.recording and not info.finished  # the lock died with the process


# --------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------


def test_metadata_never_holds_secrets(tmp_path):
    meta = {
        "engine": "dashscope fun-asr-realtime",
        "api_key": "sk-0123456789abcdef0123",
        "apiKey": "k",
        "settings": {
            **RecognitionSettings().to_dict(),
            "dashscope_api_key": "sk-abcdefabcdefabcdefab",
            "access_token": "tok",
            "nested": [{"clientSecret": "s", "keep": 1}],
            "max_tokens": 100,
        },
        "Authorization": "Bearer abc.def",
        "password": "hunter2",
        "url": "wss://dashscope.aliyuncs.com/api-ws/v1/inference",
        "header": "sk-0123456789abcdefXYZW",
    }
    j = Journal.create(meta, directory=tmp_path)
    j.close()
    raw = j.path.read_text(encoding="utf-8")
    for leaked in (
        "sk-0123",
        "sk-abcdef",
        'tok"',
        "hunter2",
        "Bearer",
        "api_key",
        "apiKey",
        "clientSecret",
        "access_token",
    ):
        assert leaked not in raw, leaked
    head = json.loads(raw.splitlines()[0])
    assert head["settings"]["max_tokens"] == 100 and head["settings"]["nested"] == [{"keep": 1}]
    assert head["settings"]["model"] == "fun-asr-realtime" and head["url"].startswith("wss://")
    assert "header" not in head
    assert journal_mod._secret_keys(head) == []


def test_sanitize_makes_anything_json_able():
    out = sanitize({"a": (1, 2), "p": Path("/x"), "n": None, 3: "three", "s": RecognitionSettings(hot_words=("x",))})
    assert out["s"] == RecognitionSettings(hot_words=("x",)).to_dict()
    del out["s"]
    assert out == {"a": [1, 2], "p": "/x", "n": None, "3": "three"}
    json.dumps(out)


# --------------------------------------------------------------------------------------
# Dismissing and pruning
# --------------------------------------------------------------------------------------


def test_mark_finished_cuts_a_torn_tail_and_refuses_a_live_session(tmp_path):
    live = Journal.create({}, directory=tmp_path)
    with pytest.raises(JournalError, match="still being recorded"):
        mark_finished(live.path)
    live.close(finished=False)
    with open(live.path, "ab") as f:
        f.write(b'{"type":"fin')
    mark_finished(live.path)
    lines = live.path.read_text().splitlines()
    assert json.loads(lines[-1])["reason"] == "dismissed"
    assert all(json.loads(x) for x in lines)
    assert load_session(live.path)[2]
    mark_finished(live.path)  # already finished: no second end line
    assert live.path.read_text().splitlines() == lines


def _session(folder: Path, started: datetime, *, finished: bool, finals: int = 1) -> Path:
    j = Journal.create({"started": started.isoformat()}, directory=folder)
    for i in range(finals):
        j.append(final(f"s{i}", i, i + 1))
    j.close(finished=finished)
    return j.path


def test_prune_keeps_unfinished_and_recent_sessions(tmp_path):
    now = datetime(2024, 6, 30, 12, 0).astimezone()
    old_done = [_session(tmp_path, now - timedelta(days=d), finished=True) for d in (40, 35, 31)]
    new_done = [_session(tmp_path, now - timedelta(days=d), finished=True) for d in (5, 2, 1)]
    old_unfinished = _session(tmp_path, now - timedelta(days=60), finished=False)
    old_empty = _session(tmp_path, now - timedelta(days=3), finished=False, finals=0)
    live = Journal.create({"started": (now - timedelta(days=90)).isoformat()}, directory=tmp_path)
    try:
        removed = prune(keep_days=30, directory=tmp_path, now=now)
        assert sorted(removed) == sorted([*old_done, old_empty])
        assert old_unfinished.exists() and live.path.exists() and all(p.exists() for p in new_done)
        removed = prune(keep_count=1, directory=tmp_path, now=now)
        assert sorted(removed) == sorted(new_done[:2])
        assert prune(keep_count=0, keep_days=0, directory=tmp_path, now=now) == [new_done[2]]
        assert old_unfinished.exists() and live.path.exists()
        assert prune(directory=tmp_path, now=now) == []
    finally:
        live.close(finished=False)
    with pytest.raises(ValueError):
        prune(keep_count=-1, directory=tmp_path)


def test_is_recording_on_missing_file(tmp_path):
    assert not is_recording(tmp_path / "nope.jsonl")


# Gaps and the sentence being spoken ------------------------------------------------------

from captioner.events import Gap  # noqa: E402
from captioner.transcript.journal import PARTIAL_INTERVAL_MS, load_journal  # noqa: E402


def partial(text: str, begin: int, end: int, sentence_id: int) -> Sentence:
    return Sentence(text, begin, end, False, sentence_id=sentence_id)


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_gaps_round_trip_in_time_order(tmp_path):
    j = Journal.create({}, directory=tmp_path)
    j.append(FINALS[0])
    j.append_gap(Gap(1100, 3200))
    j.append(FINALS[1])
    j.close(finished=False)
    # the same shape as a gap in the JSON export
    assert lines(j.path)[2] == {"type": "gap", "begin_time": 1100, "end_time": 1100, "duration_ms": 3200,
                                "text": "[not captioned: 3.2 s]", "words": []}  # fmt: skip
    _meta, entries, _finished = load_session(j.path)
    assert entries == [FINALS[0], Gap(1100, 3200), FINALS[1]]
    assert load_journal(j.path).gaps == [Gap(1100, 3200)]
    # a gap line as first written (type, begin_time, duration_ms only) still reads
    short = tmp_path / "short.jsonl"
    text = j.path.read_text().splitlines()
    text[2] = json.dumps({"type": "gap", "begin_time": 1100, "duration_ms": 3200})
    short.write_text("\n".join(text) + "\n")
    assert load_journal(short).gaps == [Gap(1100, 3200)]


def test_partials_are_throttled_and_only_an_uncovered_trailing_one_is_recovered(tmp_path):
    j = Journal.create({}, directory=tmp_path)
    for end in range(200, 3001, 200):  # a partial every 200 ms of one sentence
        j.append_partial(partial(f"one to {end}", 0, end, 1))
    written = [x for x in lines(j.path) if x["type"] == "partial"]
    assert [x["end_time"] for x in written] == [200, 1200, 2200]  # at most one per second
    assert all(x["partial"] is True for x in written)
    j.append(final("one to 3100.", 0, 3100, sentence_id=1))  # covers it
    j.append_partial(partial("two so", 3300, 3600, 2))
    j.append_partial(partial("two so far", 3300, 4700, 2))
    j.close(finished=False)  # crashed: no final for sentence 2
    contents = load_journal(j.path)
    assert [s.text for s in contents.finals] == ["one to 3100."]
    assert contents.unfinished == Sentence("two so far", 3300, 4700, True, sentence_id=2)
    _meta, entries, _ = load_session(j.path)
    assert [s.text for s in entries] == ["one to 3100.", "two so far"]
    info = list_sessions(tmp_path)[0]
    assert info.sentence_count == 2 and info.unfinished_sentence and info.last_text == "two so far"
    assert PARTIAL_INTERVAL_MS == 1000


def test_a_partial_covered_by_time_or_withdrawn_or_in_a_finished_session_is_not_recovered(tmp_path):
    j = Journal.create({}, directory=tmp_path)
    j.append_partial(partial("no ids here", 1000, 2000, 0))
    j.append(final("no ids here at all.", 900, 2500))  # same time: what it became
    j.append_partial(partial("uh", 3000, 3500, 0))
    j.append_partial(partial("", 3000, 3600, 0))  # the engine withdrew it: written at once
    j.close(finished=False)
    contents = load_journal(j.path)
    assert contents.unfinished is None and len(contents.finals) == 1
    k = Journal.create({}, directory=tmp_path)
    k.append_partial(partial("left over", 0, 900, 4))
    k.close(finished=True)
    assert load_journal(k.path).unfinished is None


def test_a_final_of_an_earlier_sentence_does_not_cover_the_next_ones_partial(tmp_path):
    j = Journal.create({}, directory=tmp_path)
    j.append_partial(partial("second sentence", 5000, 6000, 8))
    j.append(final("first sentence, late.", 1000, 4000, sentence_id=7))
    j.close(finished=False)
    assert load_journal(j.path).unfinished.text == "second sentence"


def test_a_journal_from_before_partials_and_gaps_still_loads(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text(
        '{"type":"session","version":1,"id":"old","started":"2024-01-01T10:00:00+00:00","engine":"x"}\n'
        '{"type":"final","begin_time":0,"end_time":900,"text":"Old.","sentence_id":1,"words":[]}\n',
        encoding="utf-8",
    )
    contents = load_journal(path)
    assert [s.text for s in contents.finals] == ["Old."] and contents.gaps == [] and contents.unfinished is None
