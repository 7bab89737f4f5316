"""The caption overlay: window flags, in-place partials, rolling lines, click-through,
and where it goes when screens change."""

import pytest
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtWidgets import QWidget

from captioner.ui.overlay import CaptionOverlay
from captioner.ui.overlay_placement import OverlayPlacement, clamp_to_screens, default_overlay_rect, screen_setup_key
from captioner.ui.store import OverlayStyle
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)


def make(qtbot, **style) -> CaptionOverlay:
    overlay = CaptionOverlay(OverlayStyle(**style))
    qtbot.addWidget(overlay)
    overlay.resize(900, 200)
    return overlay


def test_window_is_a_frameless_non_activating_always_on_top_tool(qtbot):
    overlay = make(qtbot)
    flags = overlay.windowFlags()
    for flag in (
        Qt.WindowType.FramelessWindowHint,
        Qt.WindowType.WindowStaysOnTopHint,
        Qt.WindowType.Tool,
        Qt.WindowType.WindowDoesNotAcceptFocus,
    ):
        assert flags & flag
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_placeholder_before_anything_is_said(qtbot):
    overlay = make(qtbot)
    overlay.show()
    assert overlay.visible_lines() == ["Captions will appear here"]


def test_partial_is_replaced_in_place_without_new_widgets(qtbot):
    overlay = make(qtbot)
    overlay.show()
    children = overlay.findChildren(QWidget)
    paints = []
    spy = _Spy(paints)
    overlay.installEventFilter(spy)
    overlay.set_partial("hello")
    overlay.set_partial("hello wor")
    overlay.set_partial("hello world")
    assert overlay.partial_text() == "hello world"
    assert overlay.visible_lines() == ["hello world"]  # one line, replaced, never stacked
    overlay.add_final("Hello world.")
    assert overlay.partial_text() == ""
    assert overlay.final_lines() == ["Hello world."]
    overlay.set_partial("next one")
    assert overlay.visible_lines() == ["Hello world.", "next one"]
    assert overlay.findChildren(QWidget) == children  # painted, not rebuilt
    qtbot.waitUntil(lambda: len(paints) > 0, timeout=2000)  # updates are repaints


class _Spy(QWidget):
    def __init__(self, paints):
        super().__init__()
        self.paints = paints

    def eventFilter(self, obj, event):
        if event.type() == event.Type.Paint:
            self.paints.append(1)
        return False


def test_partial_is_drawn_in_its_own_colour(qtbot):
    overlay = make(
        qtbot,
        text_color="#ffffff",
        partial_color="#ff0000",
        background_color="#000000",
        opacity=1.0,
        font_size=30,
        lines=2,
    )
    overlay.add_final("IIIIIIII")
    overlay.set_partial("IIIIIIII")
    image = overlay.grab().toImage()
    reds = whites = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if c.red() > 200 and c.green() < 60:
                reds += 1
            elif c.red() > 200 and c.green() > 200 and c.blue() > 200:
                whites += 1
    assert reds > 20 and whites > 20


def test_the_last_n_lines_roll(qtbot):
    overlay = make(qtbot, lines=2)
    for i in range(5):
        overlay.add_final(f"sentence {i}")
    assert overlay.visible_lines() == ["sentence 3", "sentence 4"]
    overlay.set_partial("sentence 5 in progress")
    assert overlay.visible_lines() == ["sentence 4", "sentence 5 in progress"]
    overlay.set_caption_style(OverlayStyle(lines=4))
    assert overlay.visible_lines()[0] == "sentence 2"


def test_background_is_translucent_and_corners_transparent(qtbot):
    overlay = make(qtbot, opacity=0.5, background_color="#000000")
    image = overlay.grab().toImage()
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # rounded corner
    middle = image.pixelColor(image.width() // 2, 5)
    assert 100 <= middle.alpha() <= 160


def test_click_through_toggles_and_survives_showing(qtbot):
    overlay = make(qtbot)
    overlay.show()
    geometry = overlay.geometry()
    with qtbot.waitSignal(overlay.click_through_changed) as blocker:
        overlay.set_click_through(True)
    assert blocker.args == [True]
    assert overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert overlay.isVisible() and overlay.geometry() == geometry
    assert overlay.windowFlags() & Qt.WindowType.WindowStaysOnTopHint  # other flags kept
    overlay.set_click_through(False)
    assert not overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert overlay.isVisible()


def test_click_through_is_not_re_enabled_at_the_next_start(qtbot, qloop, ui_store):
    from captioner.ui.main_window import MainWindow

    ui_store.set_click_through_last(True)  # it was on when the app last quit
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    assert not window.overlay.click_through()
    assert not window.click_through_action.isChecked()
    # ... and can be switched on and off from the shared action (tray menu, shortcut)
    window.click_through_action.trigger()
    assert window.overlay.click_through() and window.overlay_panel.click_through.isChecked()
    assert ui_store.click_through_last()
    window.click_through_action.trigger()
    assert not window.overlay.click_through()
    assert window.click_through_action.shortcut().toString() == "Ctrl+Shift+T"
    assert window.click_through_action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut


def test_drag_moves_the_overlay(qtbot):
    overlay = make(qtbot)
    overlay.move(100, 100)
    overlay.show()
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QMouseEvent

    def mouse(kind, local, buttons):
        glob = overlay.mapToGlobal(local)
        return QMouseEvent(
            kind, QPointF(local), QPointF(glob), Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier
        )

    overlay.mousePressEvent(mouse(QMouseEvent.Type.MouseButtonPress, QPoint(50, 50), Qt.MouseButton.LeftButton))
    overlay.mouseMoveEvent(mouse(QMouseEvent.Type.MouseMove, QPoint(80, 70), Qt.MouseButton.LeftButton))
    overlay.mouseReleaseEvent(mouse(QMouseEvent.Type.MouseButtonRelease, QPoint(80, 70), Qt.MouseButton.NoButton))
    assert overlay.pos() == QPoint(130, 120)


# -- placement -----------------------------------------------------------------------------

LEFT = QRect(0, 0, 1920, 1080)
RIGHT = QRect(1920, 0, 2560, 1440)


def test_screen_setup_key_ignores_order():
    assert screen_setup_key([LEFT, RIGHT]) == screen_setup_key([RIGHT, LEFT])
    assert screen_setup_key([LEFT]) != screen_setup_key([LEFT, RIGHT])


def test_clamp_keeps_a_visible_overlay_where_it_is():
    rect = QRect(2000, 1200, 800, 150)
    assert clamp_to_screens(rect, [LEFT, RIGHT]) == rect


def test_clamp_brings_an_overlay_back_when_its_monitor_is_unplugged():
    on_right = QRect(2500, 1200, 800, 150)
    moved = clamp_to_screens(on_right, [LEFT])
    assert LEFT.contains(moved) and moved.size() == on_right.size()


def test_clamp_pulls_a_half_visible_overlay_in_and_shrinks_a_too_big_one():
    half = QRect(1800, 900, 800, 300)  # straddles the right edge of the only screen
    moved = clamp_to_screens(half, [LEFT])
    assert LEFT.contains(moved) and moved.topLeft().y() == 780
    huge = QRect(-50, -50, 4000, 3000)
    fitted = clamp_to_screens(huge, [LEFT])
    assert fitted == LEFT


def test_clamp_picks_the_screen_it_overlaps_most():
    straddling = QRect(1700, 100, 600, 100)  # 220 px on LEFT, 380 px on RIGHT
    assert RIGHT.contains(clamp_to_screens(straddling, [LEFT, RIGHT]))


def test_default_position_is_bottom_centre():
    rect = default_overlay_rect(LEFT, 150)
    assert rect.center().x() == LEFT.center().x() or abs(rect.center().x() - LEFT.center().x()) <= 1
    assert rect.bottom() < LEFT.bottom() and rect.top() > LEFT.height() // 2


def test_placement_remembers_per_screen_setup_and_clamps(qtbot, ui_store):
    overlay = make(qtbot)
    placement = OverlayPlacement(overlay, ui_store)
    key = placement.key()
    ui_store.set_overlay_geometry(key, QRect(5000, 5000, 300, 100))  # saved on a screen now gone
    placement.apply()
    from captioner.ui.overlay_placement import available_screen_rects

    assert any(s.contains(overlay.geometry()) for s in available_screen_rects())
    height = overlay.fitted_height()  # the height follows the style, not what was saved
    assert overlay.height() == height
    overlay.setGeometry(QRect(20, 30, 400, height))
    placement.remember()
    assert ui_store.overlay_geometry(key) == QRect(20, 30, 400, height)
    ui_store.set_overlay_geometry("screens_other", QRect(1, 1, 300, 100))
    assert ui_store.overlay_geometry(key) == QRect(20, 30, 400, height)  # keyed per setup
    # Saved at a smaller font: refitted on the way back, the bottom edge where it was.
    ui_store.set_overlay_geometry(key, QRect(20, 300, 400, 60))
    placement.apply()
    assert overlay.geometry() == QRect(20, 360 - height, 400, height)


# -- repaints follow the screen, not the engine ----------------------------------------------


class _LinesAtPaint(QWidget):
    """Records, at every paint of the overlay, the lines that paint draws."""

    def __init__(self, overlay):
        super().__init__()
        self.overlay = overlay
        self.painted: list[list[str]] = []

    def eventFilter(self, obj, event):
        if event.type() == event.Type.Paint:
            self.painted.append(self.overlay.visible_lines())
        return False


def _watched(qtbot) -> tuple[CaptionOverlay, _LinesAtPaint]:
    overlay = make(qtbot, lines=2)
    overlay.show()
    spy = _LinesAtPaint(overlay)
    overlay.installEventFilter(spy)
    qtbot.wait(60)  # any throttle from showing it has run out
    spy.painted.clear()
    return overlay, spy


def test_an_update_after_a_quiet_spell_is_painted_at_once(qtbot):
    from PySide6.QtWidgets import QApplication

    overlay, spy = _watched(qtbot)
    overlay.set_partial("right away")
    QApplication.processEvents()  # no timer to wait for: the next turn of the loop paints it
    assert spy.painted and spy.painted[-1] == ["right away"]


def test_a_burst_is_painted_once_per_refresh_and_the_last_update_reaches_the_screen(qtbot):
    import time

    from PySide6.QtWidgets import QApplication

    overlay, spy = _watched(qtbot)
    t0 = time.perf_counter()
    for i in range(60):  # a file read faster than real time: an update every loop turn
        overlay.set_partial(" ".join(f"w{k}" for k in range(i % 7 + 1)))
        if i % 7 == 6:
            overlay.add_final(f"sentence {i}.")
        QApplication.processEvents()
    elapsed_ms = (time.perf_counter() - t0) * 1000
    overlay.set_partial("the last words")  # held: a repaint has just been done
    QApplication.processEvents()
    frames = elapsed_ms / overlay._refresh_interval_ms()
    assert len(spy.painted) <= frames + 3 < 60  # not one repaint per update
    # ... and the latest state is painted when the refresh interval ends, without any
    # further update or event to trigger it.
    qtbot.waitUntil(lambda: spy.painted[-1][-1:] == ["the last words"], timeout=2000)
    assert spy.painted[-1] == overlay.visible_lines() == ["sentence 55.", "the last words"]


def test_queries_between_repaints_see_the_latest_text(qtbot):
    overlay, _spy = _watched(qtbot)
    overlay.set_partial("one")
    overlay.set_partial("one two")  # held for the screen, not for the caller
    assert overlay.visible_lines() == ["one two"] and overlay.partial_text() == "one two"
    overlay.add_final("One two three.")
    assert overlay.final_lines() == ["One two three."]
    assert overlay.accessibleDescription() == "One two three."


def _reference_image(overlay: CaptionOverlay):
    """The overlay as it was painted before words were cached: each line one path, outlined
    (3 px round-join pen) and then filled, over the rounded panel."""
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

    from captioner.ui.overlay import PADDING, RADIUS

    style = overlay.caption_style()
    image = QImage(overlay.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    bg = QColor(style.background_color)
    bg.setAlphaF(style.opacity)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(bg)
    painter.drawRoundedRect(QRectF(overlay.rect()), RADIUS, RADIUS)
    font = overlay._font
    metrics = QFontMetricsF(font)
    margin = max(2.0, style.font_size / 9)
    lines = overlay.visible_lines()
    partial_lines = len(overlay._visual) - len(overlay.final_lines())
    y = max(
        overlay.height() - PADDING - metrics.lineSpacing() * len(lines) + metrics.ascent(), PADDING + metrics.ascent()
    )
    for n, line in enumerate(lines):
        partial = n >= len(lines) - partial_lines
        line_image = QImage(int(PADDING + metrics.horizontalAdvance(line) + 2 * margin) + 1,
                            int(metrics.height() + 2 * margin) + 1, QImage.Format.Format_ARGB32_Premultiplied)  # fmt: skip
        line_image.fill(0)
        p = QPainter(line_image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addText(PADDING, margin + metrics.ascent(), font, line)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(
            QPen(
                QColor(0, 0, 0, 200), margin, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
            )
        )
        p.drawPath(path)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(style.partial_color if partial else style.text_color))
        p.drawPath(path)
        p.end()
        painter.drawImage(QPointF(0, y - metrics.ascent() - margin), line_image)
        y += metrics.lineSpacing()
    painter.end()
    return image


def test_words_cached_one_by_one_look_like_whole_outlined_lines(qtbot):
    import numpy as np
    from PySide6.QtGui import QImage

    overlay = make(qtbot, lines=3)
    overlay.add_final("Jumpy quirky words: gjpq, «déjà vu», and a long line that wraps at this width for sure.")
    overlay.set_partial("and a partial still growing")
    assert len(overlay.visible_lines()) == 3

    def pixels(image):
        image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        return np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), -1).astype(int)

    drawn, reference = pixels(overlay.grab().toImage()), pixels(_reference_image(overlay))
    assert drawn.shape == reference.shape
    assert np.abs(drawn - reference).max() <= 4  # rounding only (8-bit layers), nothing a reader can see
    assert (np.abs(drawn - reference) > 0).mean() < 0.05


def test_transcript_view_paints_a_burst_of_partials_once_per_refresh(qtbot):
    """The transcript view takes the same updates: its partial line keeps the newest text
    for anyone who reads it, and paints the latest one when the refresh interval ends."""
    from PySide6.QtWidgets import QApplication

    from captioner.ui.transcript_view import TranscriptView

    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    qtbot.wait(60)
    for i in range(30):
        view.set_partial(f"partial {i}")
        QApplication.processEvents()
        assert view.partial_label.text() == f"partial {i}"
    assert not view.partial_label.updatesEnabled()  # held: it was painted a moment ago
    qtbot.waitUntil(view.partial_label.updatesEnabled, timeout=2000)  # ... and painted again


# The newest words are always on screen (issue #19, item 1) --------------------------------

NEWEST = "Newest"
GREEN = "#00ff00"


def _green_pixels(overlay: CaptionOverlay) -> int:
    image = overlay.grab().toImage()
    green = 0
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            green += colour.green() == 255 and colour.red() == 0 and colour.blue() == 0
    return green


@pytest.mark.parametrize("font_size", [16, 28, 40])
@pytest.mark.parametrize("lines", [1, 2, 3, 4])
def test_the_newest_word_is_wholly_visible_at_any_font_and_line_count(qtbot, font_size, lines):
    """Long finals that wrap, then a one-word partial in its own colour: the partial must be
    drawn whole inside the window (not cut off at the bottom), whatever the font and lines,
    including after the style changes from small to large while showing."""
    overlay = CaptionOverlay(OverlayStyle(lines=1, font_size=12, partial_color=GREEN))
    qtbot.addWidget(overlay)
    overlay.resize(700, 80)
    overlay.show()
    for i in range(5):
        overlay.add_final(f"Sentence {i} is long enough that it wraps onto a second line at a large font size.")
    overlay.set_partial(NEWEST)
    overlay.set_caption_style(OverlayStyle(lines=lines, font_size=font_size, partial_color=GREEN))
    qtbot.wait(50)
    # What the whole word looks like, alone in a roomy window.
    reference = CaptionOverlay(OverlayStyle(lines=lines, font_size=font_size, partial_color=GREEN))
    qtbot.addWidget(reference)
    reference.setMaximumHeight(2000)
    reference.setMinimumHeight(0)
    reference.resize(700, 600)
    reference.set_partial(NEWEST)
    whole = _green_pixels(reference)
    assert whole > 50
    assert _green_pixels(overlay) >= whole * 0.98  # every pixel of the newest word is drawn
    rect = overlay.newest_word_rect()
    assert QRectF(overlay.rect()).contains(rect), (rect, overlay.rect())
    screen = overlay.screen().availableGeometry()
    assert screen.contains(overlay.geometry()), (overlay.geometry(), screen)
    # The wrapped tails of old finals roll away: exactly `lines` lines, the newest last.
    assert len(overlay.visible_lines()) == lines and overlay.visible_lines()[-1] == NEWEST


def test_a_window_made_too_short_still_shows_the_newest_line(qtbot):
    overlay = CaptionOverlay(OverlayStyle(lines=4, font_size=40, partial_color=GREEN))
    qtbot.addWidget(overlay)
    overlay.show()
    for i in range(4):
        overlay.add_final(f"Line {i}.")
    overlay.set_partial(NEWEST)
    # A screen too small for four lines of 40 pt (placement shrinks the window to fit it).
    overlay.setMinimumHeight(0)
    overlay.setMaximumHeight(100)
    overlay.resize(700, 100)
    qtbot.wait(50)
    assert QRectF(overlay.rect()).contains(overlay.newest_word_rect())


def test_each_spoken_sentence_of_a_final_starts_its_own_line(qtbot):
    overlay = make(qtbot, lines=3)
    overlay.show()
    overlay.add_final("Lunch is at noon. Thank you all. Mr. Smith will close.")
    assert overlay.final_lines() == ["Lunch is at noon.", "Thank you all.", "Mr. Smith will close."]


# Click-through says how to get back, with or without a tray (issue #19, item 12) -----------


def _overlay_control(qtbot, ui_store, monkeypatch, tray: bool):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QSystemTrayIcon

    from captioner.ui.overlay_control import OverlayControl
    from captioner.ui.overlay_panel import OverlayPanel

    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: tray))
    panel = OverlayPanel(ui_store.overlay_style())
    qtbot.addWidget(panel)
    show, through = QAction("show"), QAction("through")
    show.setCheckable(True)
    through.setCheckable(True)
    control = OverlayControl(ui_store, panel, show, through)
    qtbot.addWidget(control.overlay)
    qtbot.addWidget(control.badge)
    hints: list[str] = []
    control.click_through_on.connect(hints.append)
    show.setChecked(True)
    return control, through, hints


def test_without_a_tray_a_visible_tab_turns_click_through_off(qtbot, ui_store, monkeypatch):
    control, through, hints = _overlay_control(qtbot, ui_store, monkeypatch, tray=False)
    assert not control.badge.isVisible()
    through.setChecked(True)
    assert control.overlay.click_through()
    assert control.badge.isVisible()  # the way back, where the mouse still works
    assert not control.badge.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert control.badge.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    badge, overlay = control.badge.geometry(), control.overlay.geometry()
    assert badge.right() <= overlay.right() and abs(badge.bottom() - overlay.top()) <= badge.height() + 4
    assert "tray" not in hints[-1] and "Click-through on" in hints[-1]
    assert "while a Captioner window is active" in hints[-1]  # the shortcut is not global
    assert "tray" not in control.panel.click_through.toolTip()
    qtbot.mouseClick(control.badge, Qt.MouseButton.LeftButton)
    assert not control.overlay.click_through() and not through.isChecked()
    assert not control.badge.isVisible()
    through.setChecked(True)  # hiding the overlay hides its tab too
    control.set_visible(False)
    assert not control.badge.isVisible()


def test_with_a_tray_the_hint_points_to_its_menu_and_no_tab_is_shown(qtbot, ui_store, monkeypatch):
    control, through, hints = _overlay_control(qtbot, ui_store, monkeypatch, tray=True)
    through.setChecked(True)
    assert control.overlay.click_through() and not control.badge.isVisible()
    assert "tray menu" in hints[-1] and "while a Captioner window is active" in hints[-1]
    assert "tray menu" in control.panel.click_through.toolTip()
    through.setChecked(False)
    assert not control.overlay.click_through()


def test_a_light_style_outlines_its_dark_letters_in_light_not_black(qtbot):
    """Seen in the screenshot set: a black outline round dark letters smears them."""
    overlay = CaptionOverlay(
        OverlayStyle(text_color="#111111", partial_color="#0b4f9c", background_color="#f4f4f0", opacity=1.0)
    )
    qtbot.addWidget(overlay)
    overlay.resize(600, 10)
    overlay.set_partial("Newest words")
    image = overlay.grab().toImage()
    darker = sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
        and sum(image.pixelColor(x, y).getRgb()[:3]) < 200  # < the letters (246)
    )
    assert darker == 0


def test_a_window_manager_that_places_the_overlay_itself_is_overruled_until_it_is_shown(qtbot):
    """openbox sometimes mapped the overlay at the top-left corner instead of where it was
    put (and the app then remembered that): a move before the first paint is undone,
    a move after it (the user's drag, a new screen) stands."""
    from PySide6.QtCore import QPoint

    overlay = CaptionOverlay(OverlayStyle())
    qtbot.addWidget(overlay)
    overlay.setGeometry(QRect(192, 490, 600, overlay.fitted_height()))
    overlay.show()
    overlay.move(0, 0)  # what the window manager did, before the window was ever painted
    assert overlay.pos() == QPoint(192, 490)
    qtbot.waitUntil(lambda: overlay._placed_at is None)  # painted: it is on screen now
    overlay.move(50, 60)
    assert overlay.pos() == QPoint(50, 60)
