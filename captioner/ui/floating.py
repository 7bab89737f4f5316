"""Windows that float over other apps and never take focus: the caption overlay and the
click-through tab beside it (`click_through_badge.py`). Someone typing in another app while
captions run must never have their keystrokes taken by one of these windows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def float_without_focus(window: QWidget) -> None:
    """Make `window` frameless, always on top and a Tool window (no taskbar entry) that is
    shown without being activated and never takes the keyboard focus."""
    window.setWindowFlags(
        Qt.WindowType.FramelessWindowHint
        | Qt.WindowType.WindowStaysOnTopHint
        | Qt.WindowType.Tool
        | Qt.WindowType.WindowDoesNotAcceptFocus
    )
    window.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    window.setFocusPolicy(Qt.FocusPolicy.NoFocus)
