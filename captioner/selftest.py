"""`captioner --self-test`: does this installation work? One line per check, exit 0 or 1.

Made for the places where nobody watches a window: CI after a build
(`QT_QPA_PLATFORM=offscreen dist/captioner/captioner --self-test`), a user's bug report,
a packager's smoke test. It runs the real paths, not mocks: PortAudio is loaded and asked
for devices, the speech model is loaded, the bundled sample is captioned through
CaptionSession and the English default engine as fast as it goes and its word error rate is
checked against the sample's transcript, and Qt creates its offscreen platform and renders
the app icon from SVG (which needs the image-format plugins a frozen build must carry).

Every line is printed as soon as its check ends. The Qt check runs last because Qt
aborts the process when a platform plugin cannot load; the lines before it are then
already out, and the exit status is non-zero anyway.
"""

from __future__ import annotations

import asyncio
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO, cast

#: The bundled sample is five read sentences; tiny.en and Moonshine get about 5 % wrong. A broken
#: build gets nothing right, so the limit only has to sit well between the two.
MAX_WER = 0.25
CAPTION_TIMEOUT_S = 300.0

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: Status
    detail: str


_MARKS = {"ok": "✓", "warn": "⚠", "fail": "✗"}
_ASCII_MARKS = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}


def _marks(stream: TextIO) -> dict[str, str]:
    """✓/⚠/✗ where the terminal can print them (a Windows console may not)."""
    encoding = getattr(stream, "encoding", None)
    if encoding is None:  # an in-memory text buffer holds anything
        return _MARKS
    try:
        "".join(_MARKS.values()).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return _ASCII_MARKS
    return _MARKS


def format_line(result: CheckResult, marks: dict[str, str] = _MARKS) -> str:
    return f"{marks[result.status]} {result.name}: {result.detail}"


# -- Word error rate ----------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    text = text.lower().replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance over the reference length, ignoring case and punctuation."""
    from captioner.recognition.words import edit_distance

    ref, hyp = _words(reference), _words(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))


# -- The checks -----------------------------------------------------------------------------------


def check_app() -> CheckResult:
    from captioner import __version__

    kind = "bundled app" if getattr(sys, "frozen", False) else "from source"
    return CheckResult(
        "Captioner",
        "ok",
        f"{__version__} ({kind}), Python {platform.python_version()} on {platform.system()} {platform.machine()}",
    )


def check_audio() -> CheckResult:
    from captioner.preflight import check_portaudio

    problem = check_portaudio()
    if problem:
        return CheckResult("Audio devices", "fail", problem)
    from captioner.audio.devices import list_devices

    try:
        devices = list_devices()
    except Exception as exc:
        return CheckResult("Audio devices", "fail", f"PortAudio loaded but listing failed: {type(exc).__name__}: {exc}")
    found = f"{len(devices.inputs)} inputs, {len(devices.loopbacks)} system-audio sources"
    server = f", {devices.sound_server}" if devices.sound_server else ""
    if not devices.inputs and not devices.loopbacks:
        return CheckResult(
            "Audio devices", "warn",
            f"{devices.portaudio_version} loads, but no devices were found{server} (live captioning needs "
            "a microphone or a sound server; files still work)",
        )  # fmt: skip
    return CheckResult("Audio devices", "ok", f"{devices.portaudio_version}{server}: {found}")


def check_model(model_dir: str | Path | None = None) -> CheckResult:
    from captioner.preflight import check_model as problem_with_model

    problem = problem_with_model(model_dir)
    if problem:
        return CheckResult("Speech model", "fail", problem)
    from captioner.recognition.local.models import ModelNotFoundError, load_model, resolve_model_dir

    path = resolve_model_dir(model_dir)
    t0 = time.perf_counter()
    try:
        model = load_model(path)
    except ModelNotFoundError as exc:
        return CheckResult("Speech model", "fail", str(exc))
    kind = "multilingual" if model.multilingual else "English"
    return CheckResult("Speech model", "ok", f"{path} ({kind}) loaded in {time.perf_counter() - t0:.1f} s")


async def _caption(sample: Path, model_dir: str | Path | None) -> tuple[str, int, str]:
    """The sample's text, its length and the engine that wrote it: the English default
    `local` picks (Moonshine where its wheel is installed, else whisper tiny.en, as in the
    bundle), so the check runs what a user runs; whisper on `model_dir` when one is given."""
    from captioner.audio.media import MediaSource
    from captioner.pipeline import CaptionSession
    from captioner.recognition import catalog
    from captioner.recognition.base import Recognizer
    from captioner.recognition.local.whisper import LocalRecognizer
    from captioner.recognition.on_device import BestOnDeviceRecognizer
    from captioner.settings import RecognitionSettings

    settings = RecognitionSettings()
    recognizer: Recognizer = LocalRecognizer(model_dir) if model_dir else BestOnDeviceRecognizer()
    engine = f"whisper on {model_dir}" if model_dir else catalog.pick_on_device(settings).title
    source = MediaSource(sample, realtime=False)
    session = CaptionSession(source, recognizer, settings)
    transcript = await asyncio.wait_for(session.run(), CAPTION_TIMEOUT_S)
    return transcript.text, session.position_ms, engine


def check_captioning(model_dir: str | Path | None = None, max_wer: float = MAX_WER) -> CheckResult:
    from captioner.resources import SAMPLE, resource

    try:
        sample = resource(SAMPLE)
        reference = resource("sample.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        return CheckResult("Captioning", "fail", str(exc))
    t0 = time.perf_counter()
    try:
        text, audio_ms, engine = asyncio.run(_caption(sample, model_dir))
    except Exception as exc:  # any failure here is the answer the self-test exists to give
        return CheckResult("Captioning", "fail", f"{sample.name}: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - t0
    wer = word_error_rate(reference, text)
    detail = (
        f"{sample.name} ({audio_ms / 1000:.1f} s of audio) on {engine} in {seconds:.1f} s, "
        f"word error rate {wer:.1%} (limit {max_wer:.0%})"
    )
    if wer > max_wer:
        return CheckResult("Captioning", "fail", f"{detail}; heard: {text[:200]!r}")
    return CheckResult("Captioning", "ok", detail)


def check_log_file() -> CheckResult:
    from captioner.logs import log_file

    path = log_file()
    folder = path.parent
    probe = folder if folder.exists() else next((p for p in folder.parents if p.exists()), folder)
    if os.access(probe, os.W_OK):
        return CheckResult("Log file", "ok", str(path))
    return CheckResult("Log file", "warn", f"{path} is not writable; the app runs but keeps no log")


def check_qt() -> CheckResult:
    """The offscreen platform starts, widgets render, the SVG app icon renders, and the
    GUI's own modules import (a frozen build that misses one fails here, not on a user's
    desk). The Qt part lives in `captioner.ui.selftest_window`: Qt stays in the GUI."""
    from captioner.ui.qt_check import check_qt as problem_with_qt

    problem = problem_with_qt()
    if problem:
        return CheckResult("Qt", "fail", problem)
    try:
        from captioner.ui.selftest_window import check_window
    except Exception as exc:  # a frozen build without Qt's modules
        return CheckResult("Qt", "fail", f"the window's modules do not import: {type(exc).__name__}: {exc}")
    status, detail = check_window()
    return CheckResult("Qt", cast(Status, status), detail)


def run_checks(
    model_dir: str | Path | None = None,
    *,
    max_wer: float = MAX_WER,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run every check in order; `on_result` sees each result as soon as it exists."""
    checks: list[tuple[str, Callable[[], CheckResult]]] = [
        ("Captioner", lambda: check_app()),
        ("Log file", lambda: check_log_file()),
        ("Audio devices", lambda: check_audio()),
        ("Speech model", lambda: check_model(model_dir)),
        ("Captioning", lambda: check_captioning(model_dir, max_wer)),
        ("Qt", lambda: check_qt()),
    ]
    results = []
    for name, check in checks:
        try:
            result = check()
        except Exception as exc:  # a check that crashes is a failed check, and the others still run
            result = CheckResult(name, "fail", f"{type(exc).__name__}: {exc}")
        results.append(result)
        if on_result:
            on_result(result)
    return results


def main(model_dir: str | Path | None = None, stream: TextIO | None = None) -> int:
    """Print the report; 0 when nothing failed (warnings allowed), else 1."""
    out = stream or sys.stdout
    marks = _marks(out)
    print("Captioner self-test", file=out, flush=True)

    def show(result: CheckResult) -> None:
        print(format_line(result, marks), file=out, flush=True)

    results = run_checks(model_dir, on_result=show)
    failed = [r.name for r in results if r.status == "fail"]
    warned = [r.name for r in results if r.status == "warn"]
    if failed:
        print(f"Self-test FAILED: {', '.join(failed)}", file=out, flush=True)
        return 1
    suffix = f" (warnings: {', '.join(warned)})" if warned else ""
    print(f"Self-test passed{suffix}", file=out, flush=True)
    return 0
