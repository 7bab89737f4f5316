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
    assert re.search(r"unfinished\s+local\s+[23]\s", listing.stdout), listing.stdout
    out = tmp_path / "recovered.json"
    subprocess.run(
        [sys.executable, "-m", "captioner", "recover", "latest", "--json", str(out)], env=env, check=True
    )
    recovered = [s["text"] for s in json.loads(out.read_text())["transcripts"][0]["sentences"]]
    assert recovered[: len(printed)] == printed
