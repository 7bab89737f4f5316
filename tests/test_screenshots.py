"""The screenshot set (tests/screenshots.py) renders real, non-blank images."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

SCRIPT = Path(__file__).with_name("screenshots.py")


def _colours(path: Path) -> int:
    image = QImage(str(path))
    assert not image.isNull(), path
    step = max(1, image.width() // 200)
    return len({image.pixel(x, y) for y in range(0, image.height(), step) for x in range(0, image.width(), step)})


def test_the_screenshot_script_writes_non_blank_pngs(tmp_path):
    only = "overlay_dark_40pt_4lines,overlay_light_16pt_1lines,main_tab0,dialog_recovery"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--offscreen", "--languages", "en", "--only", only],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == [
        "dialog_recovery_en.png",
        "main_tab0_en.png",
        "overlay_dark_40pt_4lines_en.png",
        "overlay_light_16pt_1lines_en.png",
    ]
    for name in names:
        assert _colours(tmp_path / name) > 20, name  # text and widgets, not one flat colour
    overlay = QImage(str(tmp_path / "overlay_dark_40pt_4lines_en.png"))
    assert overlay.height() > 4 * 40  # four lines of 40 pt fit: the height follows the style
