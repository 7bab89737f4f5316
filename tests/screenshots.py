"""Every screen a reviewer should look at, as PNG files, by one command.

    .venv/bin/python tests/screenshots.py OUTDIR [--offscreen] [--languages en,zh_CN] [--only PREFIX,...]

Renders the caption overlay at 16, 28 and 40 pt with 1 to 4 lines, in a dark and a light
style, and the main window (each settings tab) with its main dialogs, in English and in
Simplified Chinese. In real X windows when Xvfb, openbox and xcompmgr are installed
(tests/xvfb.py's XDesktop: a window manager places and maps them, the xcb platform renders
them, with the fonts and styles a desktop has), offscreen otherwise; each image is the
widget's own rendering (a translucent overlay keeps its alpha). Each
language runs in a child process: a translator is installed before any widget exists, as
the app does at start-up (captioner/ui/app.py). Settings, journals and the keyring are
throwaway, so nothing of the user's is read or changed.

File names: overlay_<style>_<pt>pt_<lines>lines_<lang>.png, main_tab<N>_<lang>.png,
dialog_<name>_<lang>.png. Prints one line per file written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

FONTS = (16, 28, 40)
LINES = (1, 2, 3, 4)
STYLES = {
    "dark": {},
    "light": {
        "text_color": "#111111",
        "partial_color": "#0b4f9c",
        "background_color": "#f4f4f0",
        "opacity": 0.85,
    },
}
CAPTIONS = {
    "en": (
        [
            "Good morning, everyone, and welcome to the quarterly review.",
            "We will start with the budget and then look at the new design.",
            "Please keep your questions for the end.",
        ],
        "Anna will present the first numbers in a",
    ),
    "zh_CN": (
        ["大家早上好，欢迎参加季度总结会。", "我们先看预算，然后讨论新的设计方案。", "请把问题留到最后。"],
        "安娜会先介绍第一组",
    ),
}

#: Each caption's translation, for the bilingual overlay (issue #18): Chinese speech gets
#: English (on the device), English speech Chinese (the cloud's gummy-realtime-v1).
TRANSLATIONS = {
    "en": ["大家早上好，欢迎参加季度总结会。", "我们先看预算，然后讨论新的设计。", "请把问题留到最后。"],
    "zh_CN": [
        "Good morning, everyone, and welcome to the quarterly review.",
        "We will look at the budget first and then discuss the new design.",
        "Please keep your questions until the end.",
    ],
}


def _wanted(name: str, only: list[str]) -> bool:
    return not only or any(name.startswith(prefix) for prefix in only)


def render(outdir: Path, language: str, only: list[str], real_x: bool) -> None:
    """In the child: one language, every screen."""
    import keyring
    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from xvfb import MemoryKeyring

    data = Path(tempfile.mkdtemp(prefix="captioner-shots-"))
    os.environ["CAPTIONER_DATA_DIR"] = str(data / "data")
    os.environ.pop("DASHSCOPE_API_KEY", None)
    keyring.set_keyring(MemoryKeyring().backend)

    from captioner.events import Sentence
    from captioner.transcript.journal import Journal
    from captioner.ui import recovery
    from captioner.ui.app import install_translators
    from captioner.ui.click_through_badge import ClickThroughBadge
    from captioner.ui.error_dialogs import ProblemBox
    from captioner.ui.main_window import MainWindow
    from captioner.ui.overlay import CaptionOverlay
    from captioner.ui.store import OverlayStyle, Store
    from captioner.ui.vocabulary_dialog import VocabularyDialog
    from captioner.ui.window_actions import SHORTCUT_CLICK_THROUGH

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    install_translators(app, language)
    if language.startswith("zh") and not QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        print("warning: no font here has Chinese characters; they will show as boxes", file=sys.stderr)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    finals, partial = CAPTIONS[language]

    def settle(seconds: float = 0.05) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def save(widget: QWidget, name: str) -> None:
        path = outdir / f"{name}_{language}.png"
        settle(0.2 if real_x else 0.05)
        # The widget's own rendering, not a grab of the screen: under load the composited
        # root window can still hold the previous window's pixels (or nothing yet).
        pixmap = widget.grab()
        if not pixmap.save(str(path)):
            raise RuntimeError(f"could not write {path}")
        print(path, flush=True)

    # The overlay: every font and line count, dark and light, bottom-centre of the screen.
    for style_name, colours in STYLES.items():
        for size in FONTS:
            for lines in LINES:
                name = f"overlay_{style_name}_{size}pt_{lines}lines"
                if not _wanted(name, only):
                    continue
                overlay = CaptionOverlay(OverlayStyle(lines=lines, font_size=size, **colours))
                screen = app.primaryScreen().availableGeometry()
                width = min(1100, screen.width() - 40)
                overlay.setGeometry(screen.x() + (screen.width() - width) // 2, screen.y() + 60, width, 10)
                overlay.set_caption_style(overlay.caption_style())  # refits the height
                for text in finals:
                    overlay.add_final(text)
                overlay.set_partial(partial)
                overlay.show()
                save(overlay, name)
                overlay.hide()
                overlay.deleteLater()

    # Bilingual: each final with its translation under it, in the translation's own style.
    name = "overlay_bilingual_28pt_3lines"
    if _wanted(name, only):
        overlay = CaptionOverlay(OverlayStyle(lines=3, font_size=28))
        screen = app.primaryScreen().availableGeometry()
        width = min(1100, screen.width() - 40)
        overlay.setGeometry(screen.x() + (screen.width() - width) // 2, screen.y() + 60, width, 10)
        overlay.set_caption_style(overlay.caption_style())
        for text, translation in zip(finals, TRANSLATIONS[language], strict=True):
            overlay.add_final(text, translation)
        overlay.set_partial(partial)
        overlay.show()
        save(overlay, name)
        overlay.hide()
        overlay.deleteLater()

    # The main window, each settings tab, with a few captions in the transcript.
    settings = QSettings(str(data / "captioner.ini"), QSettings.Format.IniFormat)
    store = Store(settings)
    store.set_ui_language(language)
    if (
        any(_wanted(f"main_tab{i}", only) for i in range(10))
        or _wanted("dialog", only)
        or _wanted("main_bilingual", only)
    ):
        window = MainWindow(store, use_tray=False, quit_on_close=False)
        window.resize(1000, 680)
        for i, text in enumerate(finals):
            window.transcript.add_final(Sentence(text, i * 4000, i * 4000 + 3500, True, sentence_id=i + 1))
        window.transcript.set_partial(partial)
        window.show()
        for i in range(window.tabs.count()):
            if _wanted(f"main_tab{i}", only):
                window.tabs.setCurrentIndex(i)
                save(window, f"main_tab{i}")
        window.tabs.setCurrentIndex(0)
        if _wanted("main_bilingual", only):
            from captioner.events import Translation

            target = "zh" if language == "en" else "en"
            for i, (text, translation) in enumerate(zip(finals, TRANSLATIONS[language], strict=True)):
                window.transcript.add_final(
                    Sentence(text, 20000 + i * 4000, 23500 + i * 4000, True, sentence_id=10 + i,
                             translation=Translation(target, translation))
                )  # fmt: skip
            save(window, "main_bilingual")

        # The main dialogs.
        dialogs: list[tuple[str, QWidget]] = []
        if _wanted("dialog_recovery", only):
            journal = Journal.create({"engine": "local", "source": "microphone default"})
            for i, text in enumerate(finals):
                journal.append(Sentence(text, i * 2000, i * 2000 + 1500, True, sentence_id=i + 1))
            journal.close(finished=False)
            dialogs.append(("dialog_recovery", recovery.RecoveryDialog(recovery.unfinished_sessions(), window)))
        if _wanted("dialog_vocabulary", only):
            dialogs.append(("dialog_vocabulary", VocabularyDialog(parent=window)))
        if _wanted("dialog_problem", only):
            box = ProblemBox(
                app.translate("MainWindow", "Captioner"),
                app.translate("App", "Something went wrong inside Captioner."),
                details="Traceback (most recent call last): ...",
                icon=QMessageBox.Icon.Critical,
                parent=window,
            )
            dialogs.append(("dialog_problem", box))
        if _wanted("dialog_click_through_badge", only):
            dialogs.append(("dialog_click_through_badge", ClickThroughBadge(SHORTCUT_CLICK_THROUGH)))
        for name, dialog in dialogs:
            dialog.show()
            save(dialog, name)
            dialog.hide()
        window.overlay_control.close()
        window.hide()
    loop.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--offscreen", action="store_true", help="never start an X desktop")
    ap.add_argument("--languages", default="en,zh_CN")
    ap.add_argument("--only", default="", help="comma-separated name prefixes (default: everything)")
    ap.add_argument("--child", default="", help=argparse.SUPPRESS)
    ap.add_argument("--real-x", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    only = [p for p in args.only.split(",") if p]
    args.outdir.mkdir(parents=True, exist_ok=True)
    if args.child:
        render(args.outdir, args.child, only, args.real_x)
        return 0

    from xvfb import XDesktop, missing_tools

    desktop = None
    env = dict(os.environ)
    if not args.offscreen and not missing_tools():
        desktop = XDesktop(Path(tempfile.mkdtemp(prefix="captioner-shots-x-"))).start()
        env = desktop.env
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    try:
        for language in args.languages.split(","):
            command = [sys.executable, __file__, str(args.outdir), "--child", language, "--only", args.only]
            if desktop is not None:
                command.append("--real-x")
            subprocess.run(command, env=env, check=True, timeout=600)
    finally:
        if desktop is not None:
            desktop.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
