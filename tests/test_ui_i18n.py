"""UI translations: every string is translatable, zh_CN is complete, the .qm files load."""

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from captioner.resources import resources_dir
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

TRANSLATIONS = resources_dir() / "translations"
sys.path.insert(0, str(TRANSLATIONS))
from zh_CN import ZH_CN  # noqa: E402


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {(c.findtext("name"), m.findtext("source")): m for c in root.iter("context") for m in c.iter("message")}


@pytest.fixture
def installed(qapp):
    added = []

    def install(locale: str):
        from captioner.ui.app import install_translators

        added.extend(install_translators(qapp, locale))

    yield install
    for translator in added:
        qapp.removeTranslator(translator)
    QLocale.setDefault(QLocale("en_US"))


@pytest.fixture(scope="module")
def in_the_code(tmp_path_factory) -> dict[tuple[str, str], ET.Element]:
    """Every tr()/translate() string in captioner/ui, as pyside6-lupdate finds it now."""
    fresh = tmp_path_factory.mktemp("ts") / "fresh.ts"
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = sorted(str(p) for p in (Path(__file__).parent.parent / "captioner" / "ui").glob("*.py"))
    subprocess.run([str(lupdate), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    return messages(fresh)


def test_the_ts_files_cover_every_string_in_the_code(in_the_code):
    """Regenerate from the sources: nothing new may be missing from the committed .ts."""
    wanted = set(in_the_code)
    assert len(wanted) > 150
    for locale in ("zh_CN", "en"):
        committed = set(messages(TRANSLATIONS / f"captioner_{locale}.ts"))
        assert wanted <= committed, f"run resources/translations/update.py: {sorted(wanted - committed)[:5]}"


def test_every_string_in_the_code_has_a_chinese_translation(in_the_code):
    """A user-visible string without a zh_CN translation fails here, wherever it is missing:
    in zh_CN.py (the source update.py fills the .ts from), or in the committed .ts/.qm
    (update.py not run since). Names and symbols that read the same in Chinese are listed."""
    committed = messages(TRANSLATIONS / "captioner_zh_CN.ts")
    no_entry = sorted({src for _ctx, src in in_the_code if not ZH_CN.get(src)})
    assert no_entry == [], f"add to resources/translations/zh_CN.py: {no_entry[:10]}"
    stale = sorted(
        src
        for key in in_the_code
        for src in [key[1]]
        if key not in committed
        or committed[key].find("translation").get("type") in ("unfinished", "obsolete", "vanished")
        or not "".join(committed[key].find("translation").itertext()).strip()
    )
    assert stale == [], f"run resources/translations/update.py: {stale[:10]}"
    english = sorted(src for _ctx, src in in_the_code if ZH_CN[src] == src and src not in SAME_IN_CHINESE)
    assert english == [], f"these still read in English: {english[:10]}"


def tr_sources() -> dict[str, str]:
    """{source: where} of every tr()/translate() call with a literal string in captioner/ui,
    read with Python's own parser: pyside6-lupdate's misses some calls (a count that is an
    attribute or a call, a call split over lines), which then stay English at run time."""
    found: dict[str, str] = {}
    for path in sorted((Path(__file__).parent.parent / "captioner" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            index = {"tr": 0, "translate": 1}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.name}:{node.lineno}")
    return found


def test_every_tr_call_is_in_the_compiled_translations():
    """What lupdate cannot see is never translated: each literal passed to tr()/translate()
    must be in zh_CN.py and in the committed zh_CN .ts (so in the .qm)."""
    sources = tr_sources()
    assert len(sources) > 150
    committed = {src for _ctx, src in messages(TRANSLATIONS / "captioner_zh_CN.ts")}
    missing = sorted(f"{where}: {src}" for src, where in sources.items() if src not in committed)
    assert missing == [], f"lupdate does not see these (make the call one tr() on one line): {missing[:8]}"
    untranslated = sorted(f"{where}: {src}" for src, where in sources.items() if not ZH_CN.get(src))
    assert untranslated == [], f"add to resources/translations/zh_CN.py: {untranslated[:8]}"


#: Strings whose Chinese is the same characters (numbers, units, product names).
SAME_IN_CHINESE = {"%1 dBFS"}


def test_zh_cn_is_complete():
    unfinished = [
        src
        for (ctx, src), m in messages(TRANSLATIONS / "captioner_zh_CN.ts").items()
        if m.find("translation").get("type") == "unfinished"
    ]
    assert unfinished == []


def test_zh_cn_translator_loads_and_translates_the_window(qtbot, qapp, installed, qloop, ui_store):
    installed("zh_CN")
    assert QCoreApplication.translate("MainWindow", "Start captions") == "开始字幕"
    assert QCoreApplication.translate("TranscriptView", "%n sentence(s)", "", 3) == "3 句"
    from captioner.ui.main_window import MainWindow

    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    assert window.start_button.text() == "开始字幕"
    assert window.overlay.visible_lines() == ["字幕将显示在这里"]
    assert [window.tabs.tabText(i) for i in range(4)] == ["输入", "引擎", "识别", "悬浮字幕"]
    assert window.state_label.text() == "就绪"
    # no English left in what every user sees first: the key's label, the window's title
    assert QCoreApplication.translate("EnginePanel", "API key:") == "API 密钥："
    assert window.windowTitle() == "Captioner 实时字幕"
    listening = QCoreApplication.translate("MainWindow", "Captioner — %1").replace("%1", "正在聆听")
    assert listening == "Captioner 实时字幕 — 正在聆听"


def test_english_plurals(installed):
    installed("en")
    assert QCoreApplication.translate("TranscriptView", "%n sentence(s)", "", 1) == "1 sentence"
    assert QCoreApplication.translate("TranscriptView", "%n sentence(s)", "", 2) == "2 sentences"


def test_compiled_qm_matches_the_strings():
    translator = QTranslator()
    assert translator.load(str(TRANSLATIONS / "captioner_zh_CN.qm"))
    for (context, source), message in messages(TRANSLATIONS / "captioner_zh_CN.ts").items():
        if message.get("numerus") != "yes":
            assert translator.translate(context, source) == ZH_CN[source]


def test_the_cloud_engine_label_names_its_region_in_chinese(installed):
    """The status bar said "阿里云（Beijing）": the region's name came from the endpoint table."""
    installed("zh_CN")
    from captioner.ui.choices import EngineChoice
    from captioner.ui.engine_host import EngineHost

    host = EngineHost()
    assert host.cloud_label(EngineChoice(engine="dashscope", region="cn")) == "阿里云（北京）"
    assert host.cloud_label(EngineChoice(engine="dashscope", region="intl")) == "阿里云（新加坡）"
