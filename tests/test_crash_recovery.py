"""SIGKILL in the middle of a session loses nothing that was shown: `captioner recover`
returns every final the killed process had printed."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from captioner.resources import resource

pytestmark = pytest.mark.slow


def test_sigkill_mid_file_then_recover_returns_every_printed_final(tmp_path):
    env = {**os.environ, "CAPTIONER_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "captioner", "transcribe", str(resource("sample.ogg")), "--realtime"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    printed = []
    deadline = time.monotonic() + 90
    try:
        while len(printed) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            printed.append(line.split("] ", 1)[1].strip())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(printed) == 2, "the session should have printed two finals before the kill"

    listing = subprocess.run(
        [sys.executable, "-m", "captioner", "recover"], capture_output=True, text=True, env=env, check=True
    )
    # The engine column names the on-device engine that ran (`local` picks it per task).
    assert re.search(r"unfinished\s+(local|moonshine)\s+[23]\s", listing.stdout), listing.stdout
    out = tmp_path / "recovered.json"
    subprocess.run([sys.executable, "-m", "captioner", "recover", "latest", "--json", str(out)], env=env, check=True)
    recovered = [s["text"] for s in json.loads(out.read_text())["transcripts"][0]["sentences"]]
    assert recovered[: len(printed)] == printed


PARAGRAPH = [
    "The old lighthouse stood at the edge of the cliff for more than a hundred years.",
    "Every evening the keeper climbed the narrow stairs to light the great lamp.",
    "Ships passing in the night looked for its steady beam to find their way home.",
    "In winter the wind howled around the tower and the waves crashed against the rocks below.",
    "The keeper kept a small notebook where he wrote down the weather each day.",
    "He noted the color of the sky, the direction of the wind, and the height of the sea.",
    "Over the years the notebook filled with thousands of careful observations.",
    "Scientists later used his records to study how the climate had changed along the coast.",
]
KILL_AT_MS = 15_000


def _journal_reach_ms(folder) -> int:
    """How far (session clock) the newest journal's sentences, finals or partials, reach."""
    reach = 0
    for path in folder.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue  # a line being written
            if obj.get("type") in ("final", "partial"):
                reach = max(reach, int(obj["end_time"]))
    return reach


def test_sigkill_mid_sentence_then_recover_returns_what_was_being_spoken(tmp_path):
    """A 38 s reading with no real pause is one unfinished utterance for its first ~28 s:
    with only finals in the journal, a kill 15 s in would recover nothing."""
    from captioner.testing.speech import normalise, utterances, write_wav

    parts: list[str | int] = []
    for sentence in PARAGRAPH:
        parts += [sentence, 150]
    samples, spans = utterances(parts[:-1])
    wav = write_wav(tmp_path / "reading.wav", samples)
    env = {**os.environ, "CAPTIONER_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "captioner", "transcribe", str(wav), "--realtime"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    folder = tmp_path / "data" / "sessions"
    deadline = time.monotonic() + 120
    try:
        while _journal_reach_ms(folder) < KILL_AT_MS and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    reach = _journal_reach_ms(folder)
    assert reach >= KILL_AT_MS, f"the journal only reached {reach} ms before the deadline"

    out = tmp_path / "recovered.json"
    subprocess.run([sys.executable, "-m", "captioner", "recover", "latest", "--json", str(out)], env=env, check=True)
    recovered = normalise(json.loads(out.read_text())["transcripts"][0]["text"])
    spoken = [w for s in spans if s.end_ms <= reach for w in normalise(s.text)]
    assert recovered and len(spoken) >= 20
    found = sum(1 for w in set(spoken) if w in set(recovered)) / len(set(spoken))
    assert found >= 0.7, (found, recovered, reach)
