"""A private PulseAudio server as a virtual microphone and speakers, for real-device tests.

No sound card is needed: PulseAudio runs with null sinks; whatever is played into sink
"cap" comes out of its monitor, re-exposed as the ordinary source "mic" (the default
source), and sink "sys" (44.1 kHz) stands for "the computer's speakers" whose monitor is
the system-audio source. PortAudio reaches all of it through ALSA's `pulse` PCM.

Each server lives in its own folder (socket, runtime dir, log) and is a child process of
the test run, so several can run at once (a test can kill one to make a device vanish)
and nothing is shared with other users of the machine.

Use from a test module::

    from pulse import pulse_server, virtual_mic  # noqa: F401  (pytest fixtures)

    def test_x(virtual_mic):
        virtual_mic.play(wav_path)             # blocking; or play_background(path, delay_s=...)
        # capture with device name virtual_mic.device ("mic"), or in a subprocess with
        # env=virtual_mic.env (PULSE_SERVER)

Tests skip (with the reason) only if PulseAudio is missing or cannot start.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest


@dataclass(frozen=True)
class Sink:
    name: str
    rate: int = 48000
    channels: int = 2
    description: str = ""


DEFAULT_SINKS = (Sink("cap", 48000, 2, "CaptionSink"), Sink("sys", 44100, 2, "SystemSpeakers"))


def unavailable_reason() -> str | None:
    """Why real-device tests cannot run here, or None."""
    for tool in ("pulseaudio", "pactl", "paplay", "pacat"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt install pulseaudio pulseaudio-utils)"
    try:
        import sounddevice  # noqa: F401
    except OSError as exc:
        return f"PortAudio is not available: {exc}"
    return None


class PulseServer:
    """One private PulseAudio daemon (a child process) with null sinks and a remapped mic."""

    def __init__(self, root: Path, sinks: Sequence[Sink] = DEFAULT_SINKS, mic_master: str | None = "cap") -> None:
        self.root = Path(root)
        self.sinks = list(sinks)
        self.mic_master = mic_master
        self.process: subprocess.Popen | None = None
        self.keepalive: list[subprocess.Popen] = []
        self.address = f"unix:{self.root / 'native'}"

    @property
    def env(self) -> dict[str, str]:
        """Environment for client processes (paplay, pactl, a `captioner` subprocess)."""
        return {**os.environ, "PULSE_SERVER": self.address}

    @property
    def log(self) -> str:
        path = self.root / "pulse.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 10.0) -> PulseServer:
        self.root.mkdir(parents=True, exist_ok=True)
        runtime = self.root / "xdg"
        runtime.mkdir(exist_ok=True)
        runtime.chmod(0o700)
        modules = [f"module-native-protocol-unix socket={self.root / 'native'} auth-anonymous=1"]
        for s in self.sinks:
            desc = f" sink_properties=device.description={s.description}" if s.description else ""
            modules.append(f"module-null-sink sink_name={s.name} rate={s.rate} channels={s.channels}{desc}")
        if self.mic_master:
            modules.append(
                f"module-remap-source source_name=mic master={self.mic_master}.monitor "
                "source_properties=device.description=VirtualMic"
            )
        args = ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--use-pid-file=no",
                f"--log-target=file:{self.root / 'pulse.log'}"]  # fmt: skip
        args += [f"--load={m}" for m in modules]
        env = {**os.environ, "HOME": str(self.root), "XDG_RUNTIME_DIR": str(runtime)}
        env.pop("PULSE_SERVER", None)
        self.process = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pulseaudio exited with {self.process.returncode}:\n{self.log[-2000:]}")
            if self._answers():
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError(f"pulseaudio did not answer within {timeout} s:\n{self.log[-2000:]}")
        self.pactl("set-default-sink", self.sinks[0].name)
        if self.mic_master:
            self.pactl("set-default-source", "mic")
        self._keep_sinks_awake()
        return self

    def _keep_sinks_awake(self) -> None:
        """Play silence into every sink at low latency. An idle null sink runs at its maximum
        latency (2 s), so a new capture on its monitor would get its first block only after
        up to 2 s; real microphones don't do that, and tests shouldn't wait for it."""
        for s in self.sinks:
            self.keepalive.append(
                subprocess.Popen(
                    [
                        "pacat",
                        "--playback",
                        f"--device={s.name}",
                        "--latency-msec=20",
                        "--raw",
                        "--format=s16le",
                        f"--rate={s.rate}",
                        f"--channels={s.channels}",
                        "--client-name=keepalive",
                        "/dev/zero",
                    ],
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def _answers(self) -> bool:
        r = subprocess.run(["pactl", "info"], env=self.env, capture_output=True, timeout=5)
        return r.returncode == 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, check=True,
                              timeout=10).stdout  # fmt: skip

    def play(self, path: Path, sink: str | None = None, timeout: float = 60.0) -> None:
        """Play a sound file into `sink` (default: the mic's sink) and wait until it ends."""
        subprocess.run(["paplay", f"--device={sink or self.sinks[0].name}", str(path)], env=self.env,
                       check=True, timeout=timeout)  # fmt: skip

    def play_background(self, path: Path, sink: str | None = None, delay_s: float = 0.0) -> Playback:
        """Start playing after `delay_s` without waiting; `.wait()` joins it."""
        return Playback(self, Path(path), sink, delay_s)

    def write_wav(self, name: str, samples: np.ndarray, rate: int, channels: int = 1) -> Path:
        """Float (-1..1) or int16 samples into a WAV in this server's folder (for paplay)."""
        data = np.asarray(samples)
        if data.dtype != np.int16:
            data = (np.clip(data, -1, 1) * 32767).astype("<i2")
        path = self.root / name
        with wave.open(str(path), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(data.astype("<i2").tobytes())
        return path

    def _stop_keepalive(self) -> None:
        for p in self.keepalive:
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        self.keepalive.clear()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop_keepalive()
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)  # in case a test froze it
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def kill(self) -> None:
        """Vanish at once, like a device yanked out (SIGKILL: no goodbye to clients)."""
        if self.running:
            self.process.kill()
            self.process.wait(5)
        self._stop_keepalive()

    def freeze(self) -> None:
        """Stop answering without closing anything (SIGSTOP): callbacks just stop coming."""
        if self.running:
            self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.running:
            self.process.send_signal(signal.SIGCONT)


class Playback:
    """paplay in a thread, optionally after a delay."""

    def __init__(self, server: PulseServer, path: Path, sink: str | None, delay_s: float) -> None:
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(server, path, sink, delay_s), daemon=True)
        self._thread.start()

    def _run(self, server: PulseServer, path: Path, sink: str | None, delay_s: float) -> None:
        try:
            time.sleep(delay_s)
            server.play(path, sink)
        except BaseException as exc:  # reported by wait()
            self.error = exc

    def wait(self, timeout: float = 60.0) -> None:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError("playback did not finish")
        if self.error is not None:
            raise self.error


@dataclass
class VirtualMic:
    """What a test needs to speak into the default microphone."""

    server: PulseServer
    device: str = "mic"  # the source name to capture (also the default source)
    sink: str = "cap"  # what is played here is heard on `device`

    @property
    def env(self) -> dict[str, str]:
        return self.server.env

    def play(self, path: Path) -> None:
        self.server.play(path, self.sink)

    def play_background(self, path: Path, delay_s: float = 0.0) -> Playback:
        return self.server.play_background(path, self.sink, delay_s)


def start_server(root: Path, **kwargs) -> PulseServer:
    """Start a server, or fail the test saying why: `packaging/setup.sh --test` installs
    everything it needs, so a missing piece is a broken setup, not a reason to skip."""
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"real-device audio test: {reason}")
    try:
        return PulseServer(root, **kwargs).start()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        pytest.fail(f"real-device audio test: PulseAudio could not start: {exc}")


_shared: PulseServer | None = None


@pytest.fixture(scope="session")
def pulse_server(tmp_path_factory) -> PulseServer:
    """A PulseAudio server for the whole session; PULSE_SERVER points this process at it.

    Test modules import this fixture, which gives each module its own fixture definition;
    the first one to run starts the server and stops it at the end, the others share it."""
    global _shared
    if _shared is not None and _shared.running:
        os.environ["PULSE_SERVER"] = _shared.address
        yield _shared
        return
    server = start_server(tmp_path_factory.mktemp("pulse"))
    _shared = server
    old = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = server.address
    from captioner.audio.devices import rescan

    rescan()  # PortAudio lists the ALSA `pulse` device only if a server answered at init
    try:
        yield server
    finally:
        _shared = None
        server.stop()
        if old is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = old


@pytest.fixture
def virtual_mic(pulse_server: PulseServer) -> VirtualMic:
    """Play files into the default microphone ("mic") of the session's PulseAudio."""
    if not pulse_server.running:
        pytest.fail("the session's PulseAudio server died")
    return VirtualMic(pulse_server)


def tone(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
