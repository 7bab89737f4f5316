"""The caption overlay: a frameless, always-on-top, non-activating, translucent window.

It is painted, not built from child labels: a partial arriving ten times a second only
changes a string and schedules one repaint, so the text never flickers and no widgets are
created or destroyed while captions run. Lines are laid out when they are next needed
(wrapping to the window width; each final is wrapped once, not again for every partial)
and the newest `lines` visual lines are drawn bottom-up, like broadcast subtitles: finals
in the text colour, the partial still being spoken in its own colour. The window's height
follows the style (`lines` lines of the font: the size grip changes only the width), so the
newest line is never cut off; should a screen be too short for it, the oldest lines give way.

A translated session (issue #18) puts each final's translation on a line of its own under it,
in the translation's own size and colour (`OverlayStyle.translation_*`), and can hide it
(`show_translation`). Once the first translation arrives the height makes room for one
translation line under each caption line, so the same number of sentences stays in view.

Repaints follow the screen, not the engine: the first change after a quiet spell is painted
at once, further changes within one refresh interval are held and the latest state is
painted when it ends. Captions arriving at speaking pace (a few a second) are shown as soon
as before; a burst (a file read faster than real time) costs one repaint per frame of the
display instead of one per update, and the last update always reaches the screen.

It never takes focus (`floating.float_without_focus`: a Tool window, never activated) so
typing in another app is never interrupted. Click-through (WindowTransparentForInput) lets
clicks reach the window underneath; it can only be switched off from outside the overlay
(tray menu, the tab `overlay_control` shows where there is no tray, shortcut, main window),
which is why the app never turns it on by itself.

One piece: the line layout, the height that fits it, the repaint throttle and the word
cache all read and reset the same state (text, font, width), and split apart each would
have to be told about every change the others see.
"""

from __future__ import annotations

import itertools
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

from captioner.transcript.export.cues import sentence_ends
from captioner.ui.floating import float_without_focus
from captioner.ui.store import OverlayStyle

PADDING = 14
RADIUS = 12
#: Finals kept for re-wrapping after a resize; more than any number of lines shown.
KEEP_FINALS = 20
#: What a drawn line is: a final, the partial being spoken, or a final's translation.
FINAL, PARTIAL, TRANSLATION = "final", "partial", "translation"
#: Repaint rate when the screen does not say its refresh rate.
DEFAULT_REFRESH_HZ = 60.0


class CaptionOverlay(QWidget):
    """Shows the newest caption lines. Call set_partial / add_final / clear."""

    #: The user moved or resized the overlay (debounced); the rect is the new geometry.
    geometry_committed = Signal(QRect)
    click_through_changed = Signal(bool)

    def __init__(self, style: OverlayStyle | None = None) -> None:
        super().__init__(None)
        float_without_focus(self)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setWindowTitle(self.tr("Captions"))
        self._style = style or OverlayStyle()
        self._finals: deque[tuple[str, str]] = deque(maxlen=KEEP_FINALS)  # (text, FINAL or TRANSLATION)
        self._bilingual = False  # a translation has arrived: the height has room for them
        self._partial = ""
        self._placeholder = self.tr("Captions will appear here")
        self._click_through = False
        self._visual: list[tuple[str, str]] = []  # (line, FINAL / PARTIAL / TRANSLATION), newest last
        self._layout_stale = True  # _visual no longer matches the text: lay out before use
        #: Each final wrapped once at the current width and font (finals do not change).
        self._wrapped: dict[str, list[str]] = {}
        self._wrapped_width = 0.0
        #: Repaint throttle: running for one refresh interval after a repaint was asked for;
        #: changes meanwhile only set _repaint_pending, painted when it runs out.
        self._frame = QTimer(self, singleShot=True)
        self._frame.timeout.connect(self._frame_ended)
        self._repaint_pending = False
        #: Each visible word rendered once (outlining text costs ~0.5 ms a word): a partial
        #: that grew by a word renders only that word, and lines that rolled up are reused
        #: as they are. Keyed by (word, sub-pixel offset, fill colour or None for the
        #: outline, device pixel ratio).
        self._word_cache: dict[tuple[str, float, int | None, float, bool], QPixmap] = {}
        self._background: tuple[tuple[int, int, int, bool, float], QPixmap] | None = None
        self._positions: dict[str, list[tuple[float, str]]] = {}  # line -> its words' x
        self._drag_offset: QPoint | None = None
        #: Where the overlay asked to be when it was shown, until its first paint: a window
        #: manager that places new windows itself (openbox: top-left) is overruled once.
        self._placed_at: QPoint | None = None
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

    def add_final(self, text: str, translation: str = "") -> None:
        """A sentence is final: it joins the rolling lines (its translation, if any, under
        it) and the partial is cleared."""
        text = text.strip()
        # Each spoken sentence starts a line of its own, as its subtitle cue does, even
        # when the engine heard no pause long enough to end the sentence there.
        starts = [0, *sentence_ends(text), len(text)]
        for a, b in itertools.pairwise(starts):
            if text[a:b].strip():
                self._finals.append((text[a:b].strip(), FINAL))
        translation = " ".join(translation.split())
        if translation:
            self._finals.append((translation, TRANSLATION))
            if not self._bilingual:
                self._bilingual = True
                self._fit_height()
        self._partial = ""
        self._relayout()

    def clear(self) -> None:
        self._finals.clear()
        self._partial = ""
        if self._bilingual:
            self._bilingual = False
            self._fit_height()
        self._relayout()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self._relayout()

    def partial_text(self) -> str:
        return self._partial

    def final_lines(self) -> list[str]:
        """The lines of finals drawn now, top to bottom (wrapped as on screen)."""
        self._ensure_layout()
        return [line for line, kind in self._visual if kind != PARTIAL]

    def translation_lines(self) -> list[str]:
        """The translation lines drawn now, top to bottom."""
        self._ensure_layout()
        return [line for line, kind in self._visual if kind == TRANSLATION]

    def visible_lines(self) -> list[str]:
        """Exactly the lines drawn, top to bottom (the placeholder when there is nothing)."""
        self._ensure_layout()
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
        tfont = QFont(font)
        tfont.setPointSize(self._style.translation_size)
        tfont.setWeight(QFont.Weight.Medium)
        self._tfont = tfont
        self._word_cache.clear()
        self._positions.clear()
        self._wrapped.clear()
        self._fit_height()
        self._relayout()

    def fitted_height(self) -> int:
        """The height that shows `lines` lines of the font, outlines included (and a
        translation line under each, once translations come and are shown)."""
        return math.ceil(self._content_height() + 2 * PADDING)

    def _content_height(self) -> float:
        line = QFontMetricsF(self._font).lineSpacing()
        if self._bilingual and self._style.show_translation:
            line += QFontMetricsF(self._tfont).lineSpacing()
        return line * self._style.lines

    def _font_of(self, kind: str | None) -> QFont:
        return self._tfont if kind == TRANSLATION else self._font

    def _spacing(self, kind: str | None) -> float:
        return QFontMetricsF(self._font_of(kind)).lineSpacing()

    def sizeHint(self) -> QSize:
        return QSize(900, self.fitted_height())

    def _fit_height(self) -> None:
        """Make the window exactly `lines` lines high, growing or shrinking upwards (the
        bottom edge, where the newest line is, stays put) and staying on its screen."""
        height = self.fitted_height()
        old = self.geometry()
        self.setMinimumSize(200, 0)
        self.setMaximumHeight(16_777_215)
        if old.height() != height and self.testAttribute(Qt.WidgetAttribute.WA_WState_Created):
            rect = QRect(old.x(), old.bottom() + 1 - height, old.width(), height)
            screen = self.screen()
            if screen is not None and self.isVisible():
                area = screen.availableGeometry()
                rect.setHeight(min(height, area.height()))
                rect.moveTop(max(area.top(), min(rect.top(), area.bottom() + 1 - rect.height())))
            self.setFixedHeight(rect.height())
            self.setGeometry(rect)
        else:
            self.setFixedHeight(height)

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
        if visible and QGuiApplication.platformName() == "xcb":
            # A fresh native window: the window manager may still be withdrawing the old one
            # after hide(), and would unmap it again once it is shown (ICCCM 4.1.4).
            self.hide()
            self.destroy(True, True)
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

    def _wrap(self, text: str, font: QFont | None = None) -> list[str]:
        layout = QTextLayout(text, font or self._font)
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

    def _wrapped_lines(self, text: str, kind: str = FINAL) -> list[str]:
        width = self._text_width()
        if width != self._wrapped_width:
            self._wrapped.clear()
            self._wrapped_width = width
        key = text if kind == FINAL else "\0" + text  # a translation wraps in its own font
        lines = self._wrapped.get(key)
        if lines is None:
            lines = self._wrap(text, self._font_of(kind))
            if len(self._wrapped) > 2 * KEEP_FINALS:  # finals that rolled away
                self._wrapped.clear()
            self._wrapped[key] = lines
        return lines

    def _relayout(self) -> None:
        """The text, the width or the style changed: lay out again before the next use, and
        repaint (at most once per refresh interval)."""
        self._layout_stale = True
        if self._frame.isActive():
            self._repaint_pending = True
        else:
            self._flush()

    def _frame_ended(self) -> None:
        if self._repaint_pending:
            self._flush()

    def _flush(self) -> None:
        self._repaint_pending = False
        self._ensure_layout()
        self.update()
        self._frame.start(self._refresh_interval_ms())

    def _refresh_interval_ms(self) -> int:
        screen = self.screen()
        hz = screen.refreshRate() if screen is not None else 0.0
        return max(1, round(1000 / (hz if hz > 1 else DEFAULT_REFRESH_HZ)))

    def _ensure_layout(self) -> None:
        if not self._layout_stale:
            return
        self._layout_stale = False
        visual: list[tuple[str, str]] = []
        n = self._style.lines
        show_translation = self._style.show_translation
        # Newest first, and only as many finals as can still show: n lines of captions,
        # each with room for a translation line under it when translations are shown.
        partial = self._partial.strip()
        if partial:
            visual = [(line, PARTIAL) for line in self._wrap(partial)[-n:]]
        for final, kind in reversed(self._finals):
            if sum(k != TRANSLATION for _, k in visual) >= n:
                break
            if kind == TRANSLATION and not show_translation:
                continue
            visual = [(line, kind) for line in self._wrapped_lines(final, kind)] + visual
        budget = self._content_height() + 0.5
        while len(visual) > 1 and sum(self._spacing(k) for _, k in visual) > budget:
            visual.pop(0)
        self._visual = visual
        self.setAccessibleDescription("\n".join(line for line, _ in self._visual))

    def paintEvent(self, event) -> None:
        self._placed_at = None  # mapped and shown where it is: moves from now on are real
        self._ensure_layout()
        painter = QPainter(self)
        painter.drawPixmap(QPointF(0, 0), self._background_pixmap())
        lines = self._drawn_lines()
        top = self._first_line_top() - self._outline_width()
        pad = self._word_pad()
        dpr = self.devicePixelRatioF()
        used: dict[tuple[str, float, int | None, float, bool], QPixmap] = {}
        for line, kind in lines:
            if kind is None:
                colour = QColor(self._style.text_color)
                colour.setAlphaF(0.55)
            elif kind == TRANSLATION:
                colour = QColor(self._style.translation_color)
            else:
                colour = QColor(self._style.partial_color if kind == PARTIAL else self._style.text_color)
            small = kind == TRANSLATION
            placed = [(math.floor(x), x - math.floor(x), word) for x, word in self._word_positions(line, small)]
            # The outlines of the line first, then its letters (in their colour) over them.
            for fill in (None, colour):
                layer = None if fill is None else fill.rgba()
                for left, offset, word in placed:
                    key = (word, offset, layer, dpr, small)
                    pixmap = used.get(key) or self._word_cache.get(key)
                    if pixmap is None:
                        pixmap = self._render_word(word, offset, fill, self._font_of(kind))
                    used[key] = pixmap
                    painter.drawPixmap(QPointF(left - pad, top), pixmap)
            top += self._spacing(kind)
        self._word_cache = used  # words no longer shown are dropped

    def _drawn_lines(self) -> Sequence[tuple[str, str | None]]:
        """The lines painted, newest last: as many of the newest as the height holds (all of
        them unless the window was made shorter than the style asks, e.g. on a tiny screen)."""
        lines: Sequence[tuple[str, str | None]] = self._visual or [(self._placeholder, None)]
        room = self.height() - 2 * PADDING + 0.5
        fit, used = 0, 0.0
        for _, kind in reversed(lines):
            used += self._spacing(kind)
            if used > room and fit:
                break
            fit += 1
        return lines[-fit:]

    def _first_line_top(self) -> float:
        """Where the first drawn line's ascent starts: lines sit on the bottom padding."""
        return self.height() - PADDING - sum(self._spacing(kind) for _, kind in self._drawn_lines())

    def newest_word_rect(self) -> QRectF:
        """Where the last word of the newest line is drawn (its ink box, outline included)."""
        self._ensure_layout()
        lines = self._drawn_lines()
        line, kind = lines[-1]
        metrics = QFontMetricsF(self._font_of(kind))
        margin = self._outline_width()
        top = self._first_line_top() + sum(self._spacing(k) for _, k in lines[:-1]) - margin
        x, word = self._word_positions(line, kind == TRANSLATION)[-1]
        return QRectF(x - margin, top, metrics.horizontalAdvance(word) + 2 * margin, metrics.height() + 2 * margin)

    def _background_pixmap(self) -> QPixmap:
        """The rounded translucent panel (and the hover frame), drawn once per size and style."""
        hover = not self._click_through and self.underMouse()
        bg = QColor(self._style.background_color)
        bg.setAlphaF(self._style.opacity)
        dpr = self.devicePixelRatioF()
        key = (self.width(), self.height(), bg.rgba(), hover, dpr)
        if self._background is not None and self._background[0] == key:
            return self._background[1]
        pixmap = QPixmap(math.ceil(self.width() * dpr), math.ceil(self.height() * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(QRectF(self.rect()), RADIUS, RADIUS)
        if hover:
            painter.setPen(QPen(QColor(255, 255, 255, 90), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        painter.end()
        self._background = (key, pixmap)
        return pixmap

    def _outline_width(self) -> float:
        return max(2.0, self._style.font_size / 9)

    def _outline_colour(self) -> QColor:
        """Dark around light text, light around dark text: a black outline round black
        letters (a light style) only thickens and smears them."""
        dark_text = QColor(self._style.text_color).lightnessF() < 0.5
        return QColor(255, 255, 255, 200) if dark_text else QColor(0, 0, 0, 200)

    def _word_pad(self) -> int:
        """Room left and right of a word's advance in its pixmap: the outline and any ink
        beyond the advance (italic overhangs, a 'j' reaching left) are never cut."""
        return math.ceil(2 * self._outline_width()) + 8

    def _word_positions(self, line: str, small: bool = False) -> list[tuple[float, str]]:
        """(x, word) for each word of a line, x where it lies in the whole line.

        Each word is outlined and cached on its own: a partial that grows by a word renders
        only that word, and the rasteriser handles a path as large as a whole line in many
        passes (13 ms for a 1200 px line, 4.8 ms word by word). The pixels are the same (to
        rounding: at most 2 of 255 at 28 pt): two words' outlines never touch, and each word
        is drawn at the same sub-pixel offset as in the line. Only where a space is wider
        than the outline on both sides, and for left-to-right scripts without shaping across
        spaces (below U+0590); anything else is one piece, as before."""
        cache_key = "\0" + line if small else line  # a translation line is in its own font
        positions = self._positions.get(cache_key)
        if positions is not None:
            return positions
        positions = []
        font = self._tfont if small else self._font
        # Words apart only where a space keeps their outlines (and anti-aliased edges) apart.
        apart = QFontMetricsF(font).horizontalAdvance(" ") >= 2 * self._outline_width() + 2
        if apart and " " in line and max(map(ord, line)) < 0x0590:
            layout = QTextLayout(line, font)
            layout.beginLayout()
            text_line = layout.createLine()
            text_line.setLineWidth(1e9)
            layout.endLayout()
            start = 0
            for word in line.split(" "):
                if word:
                    x = text_line.cursorToX(start)  # (x, cursor) in PySide6
                    positions.append((PADDING + float(x[0] if isinstance(x, tuple) else x), word))  # type: ignore[arg-type]
                start += len(word) + 1
        else:
            positions.append((float(PADDING), line))
        if len(self._positions) > 8 * KEEP_FINALS:
            self._positions.clear()
        self._positions[cache_key] = positions
        return positions

    def _render_word(self, word: str, offset: float, fill: QColor | None, font: QFont | None = None) -> QPixmap:
        """One word at `offset` (0..1 px) past the pixmap's `_word_pad()`: its dark outline
        (fill None), or its letters in `fill`. Kept apart so that a partial turning final
        (another colour) only fills its letters again; outlining is the costly part."""
        font = font or self._font
        metrics = QFontMetricsF(font)
        margin = self._outline_width()
        pad = self._word_pad()
        dpr = self.devicePixelRatioF()
        width = 2 * pad + offset + metrics.horizontalAdvance(word)
        height = metrics.height() + 2 * margin
        pixmap = QPixmap(math.ceil(width * dpr), math.ceil(height * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        path = QPainterPath()
        path.addText(pad + offset, margin + metrics.ascent(), font, word)
        if fill is None:  # text with an outline, readable on any background whatever the opacity
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(
                QPen(
                    self._outline_colour(),
                    margin,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
            )
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
        painter.drawPath(path)
        painter.end()
        return pixmap

    def resizeEvent(self, event) -> None:
        size = self._grip.sizeHint()
        self._grip.move(self.width() - size.width() - 2, self.height() - size.height() - 2)
        self._relayout()
        self._commit.start()
        super().resizeEvent(event)

    def showEvent(self, event) -> None:
        self._placed_at = self.pos()
        super().showEvent(event)

    def moveEvent(self, event) -> None:
        placed = self._placed_at
        if placed is not None and self.pos() != placed:
            self.move(placed)  # not remembered: the next move event is our own
            return
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
        self._placed_at = None
        if event.button() == Qt.MouseButton.LeftButton:
            handle = self.windowHandle()
            # Let the window manager move it (snaps, works on Wayland); fall back to
            # moving it ourselves where the platform cannot.
            if (
                handle is not None
                and QGuiApplication.platformName() not in ("offscreen", "minimal")
                and handle.startSystemMove()
            ):
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
