"""`captioner recover` end to end: the real command in a subprocess, on journals in a
temporary CAPTIONER_DATA_DIR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import srt
import webvtt

from captioner.events import Sentence, Word
from captioner.transcript.export import read_json, to_srt
from captioner.transcript.journal import Journal, load_session

ROOT = Path(__file__).resolve().parents[1]

CRASHED = [
    Sentence("First we crashed.", 0, 1500, True, (Word(0, 700, "First"), Word(700, 1500, "we crashed", ".")), 1),
    Sentence("然后我们恢复了。", 2000, 3500, True, (), 2),
    Sentence("The end is near & dear.", 4000, 5000, True, (), 3),
]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


def recover(data_dir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CAPTIONER_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "captioner", "recover", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=60,
    )


def make_session(data_dir: Path, started: datetime, finals, *, finished: bool, engine: str = "whisper tiny.en") -> str:
    j = Journal.create(
        {"engine": engine, "started": started.isoformat(timespec="seconds"), "settings": {"model": "fun-asr-realtime"}},
        directory=data_dir / "sessions",
    )
    for s in finals:
        j.append(s)
    j.close(finished=finished)
    return j.id


@pytest.fixture
def sessions(data_dir):
    now = datetime.now().astimezone()
    older = make_session(data_dir, now - timedelta(hours=5), CRASHED[:1], finished=False, engine="cloud")
    done = make_session(data_dir, now - timedelta(hours=3), CRASHED[:2], finished=True)
    newest = make_session(data_dir, now - timedelta(hours=1), CRASHED, finished=False)
    return {"older": older, "done": done, "newest": newest}


def test_lists_unfinished_sessions(data_dir, sessions):
    r = recover(data_dir)
    assert r.returncode == 0, r.stderr
    assert sessions["older"] in r.stdout and sessions["newest"] in r.stdout
    assert sessions["done"] not in r.stdout
    newest_row = next(line for line in r.stdout.splitlines() if line.startswith(sessions["newest"]))
    assert "whisper tiny.en" in newest_row and " 3 " in newest_row and "The end is near & dear." in newest_row
    assert r.stdout.index(sessions["older"]) < r.stdout.index(sessions["newest"])

    r = recover(data_dir, "--all")
    assert r.returncode == 0 and all(sid in r.stdout for sid in sessions.values())
    assert "finished" in r.stdout and "unfinished" in r.stdout


def test_empty_list(data_dir):
    r = recover(data_dir)
    assert r.returncode == 0 and "No unfinished sessions." in r.stdout


def test_exports_a_session_in_every_format(data_dir, sessions, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    r = recover(
        data_dir,
        "latest",
        "--srt",
        str(out / "a.srt"),
        "--vtt",
        str(out / "a.vtt"),
        "--txt",
        str(out / "a.txt"),
        "--json",
        str(out / "a.json"),
        "--timestamps",
    )
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stderr
    subs = list(srt.parse((out / "a.srt").read_text(encoding="utf-8")))
    assert (out / "a.srt").read_text(encoding="utf-8") == to_srt(CRASHED)
    assert [s.content for s in subs][-1] == "The end is near & dear."
    caps = webvtt.read(str(out / "a.vtt")).captions
    assert len(caps) == len(subs)
    assert (out / "a.txt").read_text(encoding="utf-8").splitlines()[1] == "[00:00:02] 然后我们恢复了。"
    assert read_json(out / "a.json") == CRASHED
    doc = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert doc["captioner"]["session"]["id"] == sessions["newest"]
    assert doc["captioner"]["session"]["engine"] == "whisper tiny.en"
    # exporting does not dismiss it
    assert sessions["newest"] in recover(data_dir).stdout


def test_export_by_id_prefix_and_journal_path_and_stdout(data_dir, sessions):
    sid = sessions["older"]
    r = recover(data_dir, sid[:-1], "--srt", "-")
    assert r.returncode == 0, r.stderr
    assert r.stdout == to_srt(CRASHED[:1])
    # a finished session can be exported by id
    r = recover(data_dir, sessions["done"])
    assert r.returncode == 0 and r.stdout == "First we crashed.\n然后我们恢复了。\n"
    path = data_dir / "sessions" / f"{sessions['newest']}.jsonl"
    r = recover(data_dir, str(path), "--json", "-")
    assert r.returncode == 0 and json.loads(r.stdout)["transcripts"][0]["sentences"][2]["text"] == CRASHED[2].text


def test_unknown_id_exits_2_with_the_known_ids(data_dir, sessions):
    r = recover(data_dir, "no-such-session", "--srt", "x.srt")
    assert r.returncode == 2
    assert "no-such-session" in r.stderr
    assert all(sid in r.stderr for sid in sessions.values())
    assert r.stdout == ""


def test_usage_errors(data_dir, sessions, tmp_path):
    r = recover(data_dir, "--srt", str(tmp_path / "a.srt"))
    assert r.returncode == 2 and "name the session" in r.stderr
    r = recover(data_dir, "latest", "--srt", "-", "--vtt", "-")
    assert r.returncode == 2
    prefix = os.path.commonprefix(list(sessions.values()))
    if prefix:
        r = recover(data_dir, prefix[:4])
        assert r.returncode == 2 and "several" in r.stderr
    r = recover(data_dir, "latest", "--srt", str(tmp_path / "missing-dir" / "a.srt"))
    assert r.returncode == 1 and "could not write" in r.stderr


def test_latest_without_unfinished_sessions(data_dir):
    make_session(data_dir, datetime.now().astimezone(), CRASHED, finished=True)
    r = recover(data_dir, "latest")
    assert r.returncode == 2 and "--all" in r.stderr
    r = recover(data_dir, "latest", "--all")
    assert r.returncode == 0 and "First we crashed." in r.stdout


def test_mark_finished_dismisses(data_dir, sessions, tmp_path):
    r = recover(data_dir, sessions["older"], "--txt", str(tmp_path / "o.txt"), "--mark-finished")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "o.txt").read_text(encoding="utf-8") == "First we crashed.\n"
    assert "marked finished" in r.stderr
    listing = recover(data_dir).stdout
    assert sessions["older"] not in listing and sessions["newest"] in listing
    assert load_session(data_dir / "sessions" / f"{sessions['older']}.jsonl")[2]


def test_a_session_being_recorded_is_shown_and_not_dismissed(data_dir):
    live = Journal.create({"engine": "live"}, directory=data_dir / "sessions")
    try:
        live.append(CRASHED[0])
        r = recover(data_dir)
        assert live.id in r.stdout and "recording" in r.stdout
        r = recover(data_dir, live.id, "--mark-finished")
        assert r.returncode == 1 and "still being recorded" in r.stderr
        r = recover(data_dir, live.id, "--txt", "-")
        assert r.returncode == 0 and r.stdout == "First we crashed.\n" and "still being recorded" in r.stderr
    finally:
        live.close()


def test_recover_exports_gaps_and_the_sentence_that_was_being_spoken(data_dir, tmp_path):
    from captioner.events import Gap

    j = Journal.create({"engine": "local"}, directory=data_dir / "sessions")
    j.append(CRASHED[0])
    j.append_gap(Gap(1600, 3200))
    j.append_partial(Sentence("and then the power", 2000, 4000, False, (), 2))
    j.close(finished=False)  # as if killed mid-sentence
    listing = recover(data_dir)
    assert j.id in listing.stdout and "and then the power" in listing.stdout
    srt_out = recover(data_dir, "latest", "--srt", "-")
    assert srt_out.returncode == 0, srt_out.stderr
    assert [c.content for c in srt.parse(srt_out.stdout)] == [
        "First we crashed.",
        "[not captioned: 3.2 s]",
        "and then the power",
    ]
    assert "mid-sentence" in srt_out.stderr
    out = tmp_path / "r.json"
    assert recover(data_dir, "latest", "--json", str(out)).returncode == 0
    items = json.loads(out.read_text(encoding="utf-8"))["transcripts"][0]["sentences"]
    assert [(i.get("type"), i["text"]) for i in items] == [
        (None, "First we crashed."),
        ("gap", "[not captioned: 3.2 s]"),
        (None, "and then the power"),
    ]
    txt = recover(data_dir, "latest")
    assert txt.stdout.splitlines() == ["First we crashed.", "[not captioned: 3.2 s]", "and then the power"]
