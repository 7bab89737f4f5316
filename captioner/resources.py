"""Where the app's resources (icons, the demo sample, translations) are, installed or frozen."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The top-level resources/ folder: in a PyInstaller bundle, a source checkout, or an
    editable install (all keep it beside the package)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(name: str) -> Path:
    path = resources_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"missing resource {name!r} (looked in {resources_dir()})")
    return path


SAMPLE = "sample.ogg"
