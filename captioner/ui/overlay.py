"""The caption overlay: a frameless, always-on-top, non-activating, translucent window.

It is painted, not built from child labels: a partial arriving ten times a second only
changes a string and schedules one repaint, so the text never flickers and no widgets are
created or destroyed while captions run. Lines are laid out once per change (wrapping to
the window width) and the newest `lines` visual lines are drawn bottom-up, like broadcast
subtitles: finals in the text colour, the partial still being spoken in its own colour.

It never takes focus (Tool window, WA_ShowWithoutActivating, WindowDoesNotAcceptFocus) so
typing in another app is never interrupted. Click-through (WindowTransparentForInput) lets
clicks reach the window underneath; it can only be switched off from outside the overlay
(tray menu, shortcut, main window), which is why the app never turns it on by itself.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QSizeGrip, QWidget

from captioner.ui.store import OverlayStyle

PADDING = 14
RADIUS = 12
#: Finals kept for re-wrapping after a resize; more than any number of lines shown.
KEEP_FINALS = 20


class CaptionOverlay(QWidget):
    """Shows the newest caption lines. Call set_partial / add_final / clear."""

    #: The user moved or resized the overlay (debounced); the rect is the new geometry.
    geometry_committed = Signal(QRect)
    click_through_changed = Signal(bool)

    def __init__(self, style: OverlayStyle | None = None) -> None:
        super().__init__(None)
        self.setWindowFlags(
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle(self.tr("Captions"))
        self.setMinimumSize(200, 60)
        self._style = style or OverlayStyle()
        self._finals: deque[str] = deque(maxlen=KEEP_FINALS)
        self._partial = ""
        self._placeholder = self.tr("Captions will appear here")
        self._click_through = False
        self._visual: list[tuple[str, bool]] = []  # (line, is_partial), newest last
        #: Each visible line rendered once (outlining text costs ~4 ms a line): a new partial
        #: repaints only its own line, and lines that rolled up are reused as they are.
        self._line_cache: dict[tuple[str, int, float], QPixmap] = {}
        self._drag_offset: QPoint | None = None
        self._grip = QSizeGrip(self)
        self._grip.setToolTip(self.tr("Drag to resize"))
        self._commit = QTimer(self, singleShot=True, interval=400)
        self._commit.timeout.connect(lambda: self.geometry_committed.emit(self.geometry()))
        self._apply_style()

    # Content -------------------------------------------------------------------------

    def set_partial(self, text: str) -> None:
        """Replace the line being spoken (a partial replaces the previous partial)."""
        if text != self._partial:
            self._partial = text
            self._relayout()

    def add_final(self, text: str) -> None:
        """A sentence is final: it joins the rolling lines and the partial is cleared."""
        text = text.strip()
        if text:
            self._finals.append(text)
        self._partial = ""
        self._relayout()

    def clear(self) -> None:
        self._finals.clear()
        self._partial = ""
        self._relayout()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self._relayout()

    def partial_text(self) -> str:
        return self._partial

    def final_lines(self) -> list[str]:
        """The lines of finals drawn now, top to bottom (wrapped as on screen)."""
        return [line for line, partial in self._visual if not partial]

    def visible_lines(self) -> list[str]:
        """Exactly the lines drawn, top to bottom (the placeholder when there is nothing)."""
        return [line for line, _ in self._visual] if self._visual else [self._placeholder]

    def text(self) -> str:
        return "\n".join(self.visible_lines())

    # Style -------------------------------------------------------------------------

    def caption_style(self) -> OverlayStyle:
        return self._style

    def set_caption_style(self, style: OverlayStyle) -> None:
        self._style = style
        self._apply_style()

    def _apply_style(self) -> None:
        font = QFont(self._style.font_family) if self._style.font_family else QFont(self.font())
        font.setPointSize(self._style.font_size)
        font.setWeight(QFont.Weight.DemiBold)
        self._font = font
        self._line_cache.clear()
        self._relayout()

    def sizeHint(self) -> QSize:
        line = QFontMetricsF(self._font).lineSpacing()
        return QSize(900, int(line * self._style.lines + 2 * PADDING))

    # Click-through -----------------------------------------------------------------

    def click_through(self) -> bool:
        return self._click_through

    def set_click_through(self, on: bool) -> None:
        """Let mouse clicks pass to the windows below (or stop doing so)."""
        if on == self._click_through:
            return
        self._click_through = on
        visible = self.isVisible()
        geometry = self.geometry()
        # Changing window flags recreates the native window and hides it: show it again
        # in the same place, still without activating it.
        self.setWindowFlag(Qt.WindowType.WindowTransparentForInput, on)
        if QGuiApplication.platformName() == "xcb":
            # A reparenting X11 window manager (openbox, xfwm, ...) wraps the window in a
            # frame that still takes the clicks; unmanaged (override-redirect), the input
            # shape is honoured and it still stays above. Managed again when turned off.
            self.setWindowFlag(Qt.WindowType.X11BypassWindowManagerHint, on)
        self._grip.setVisible(not on)
        if visible:
            self.setGeometry(geometry)
            self.show()
        self.click_through_changed.emit(on)
        self.update()

    # Layout & painting -------------------------------------------------------------

    def _text_width(self) -> float:
        return max(50.0, self.width() - 2 * PADDING)

    def _wrap(self, text: str) -> list[str]:
        layout = QTextLayout(text, self._font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        lines = []
        width = self._text_width()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            lines.append(text[line.textStart() : line.textStart() + line.textLength()].strip())
        layout.endLayout()
        return [line for line in lines if line] or [text]

    def _relayout(self) -> None:
        visual: list[tuple[str, bool]] = []
        for final in self._finals:
            visual += [(line, False) for line in self._wrap(final)]
        if self._partial.strip():
            visual += [(line, True) for line in self._wrap(self._partial.strip())]
        self._visual = visual[-self._style.lines :]
        self.setAccessibleDescription("\n".join(line for line, _ in self._visual))
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        bg = QColor(self._style.background_color)
        bg.setAlphaF(self._style.opacity)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(QRectF(self.rect()), RADIUS, RADIUS)
        if not self._click_through and self.underMouse():
            painter.setPen(QPen(QColor(255, 255, 255, 90), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)

        painter.setFont(self._font)
        metrics = QFontMetricsF(self._font)
        spacing = metrics.lineSpacing()
        lines: Sequence[tuple[str, bool | None]] = self._visual or [(self._placeholder, None)]
        y = self.height() - PADDING - spacing * len(lines) + metrics.ascent()
        y = max(y, PADDING + metrics.ascent())
        margin = self._outline_width()
        used: dict[tuple[str, int, float], QPixmap] = {}
        for line, partial in lines:
            if partial is None:
                colour = QColor(self._style.text_color)
                colour.setAlphaF(0.55)
            else:
                colour = QColor(self._style.partial_color if partial else self._style.text_color)
            key = (line, colour.rgba(), self.devicePixelRatioF())
            pixmap = self._line_cache.get(key)
            if pixmap is None:
                pixmap = self._render_line(line, colour)
            used[key] = pixmap
            painter.drawPixmap(QPointF(0, y - metrics.ascent() - margin), pixmap)
            y += spacing
        self._line_cache = used  # lines no longer shown are dropped

    def _outline_width(self) -> float:
        return max(2.0, self._style.font_size / 9)

    def _render_line(self, line: str, colour: QColor) -> QPixmap:
        metrics = QFontMetricsF(self._font)
        margin = self._outline_width()
        dpr = self.devicePixelRatioF()
        width = PADDING + metrics.horizontalAdvance(line) + 2 * margin
        height = metrics.height() + 2 * margin
        pixmap = QPixmap(math.ceil(width * dpr), math.ceil(height * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._draw_line(painter, line, colour, margin + metrics.ascent())
        painter.end()
        return pixmap

    def _draw_line(self, painter: QPainter, line: str, colour: QColor, baseline: float) -> None:
        """Text with a dark outline, readable on any background whatever the opacity."""
        path = QPainterPath()
        path.addText(PADDING, baseline, self._font, line)
        outline = QColor(0, 0, 0, 200)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(outline, self._outline_width(), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPath(path)

    def resizeEvent(self, event) -> None:
        size = self._grip.sizeHint()
        self._grip.move(self.width() - size.width() - 2, self.height() - size.height() - 2)
        self._relayout()
        self._commit.start()
        super().resizeEvent(event)

    def moveEvent(self, event) -> None:
        self._commit.start()
        super().moveEvent(event)

    def enterEvent(self, event) -> None:
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self.update()
        super().leaveEvent(event)

    # Dragging ----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            handle = self.windowHandle()
            # Let the window manager move it (snaps, works on Wayland); fall back to
            # moving it ourselves where the platform cannot.
            if handle is not None and QGuiApplication.platformName() not in ("offscreen", "minimal") and handle.startSystemMove():
                self._drag_offset = None
            else:
                self._drag_offset = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_offset is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_offset)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_offset = None
        super().mouseReleaseEvent(event)
