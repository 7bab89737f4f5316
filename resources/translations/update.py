"""Refresh and compile Captioner's translations.

    .venv/bin/python resources/translations/update.py

1. pyside6-lupdate collects every tr()/translate() string from captioner/ui/ into
   captioner_zh_CN.ts and captioner_en.ts (existing translations are kept);
2. the strings in zh_CN.py (and English plural forms) are filled in, so the .ts files can
   be regenerated from scratch and still be complete; anything new and untranslated stays
   marked "unfinished" (and the test suite says which);
3. pyside6-lrelease compiles both to .qm files, which the app loads for the user's locale.

Both tools ship with PySide6 (PySide6-Essentials), so no Qt SDK is needed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from zh_CN import EN_PLURALS, ZH_CN  # noqa: E402

LOCALES = ("zh_CN", "en")


def tool(name: str) -> str:
    """pyside6-<name> next to this Python (a venv) or on PATH."""
    beside = Path(sys.executable).with_name(f"pyside6-{name}")
    if beside.exists():
        return str(beside)
    found = shutil.which(f"pyside6-{name}")
    if not found:
        sys.exit(f"pyside6-{name} not found: install PySide6-Essentials")
    return found


def ts_path(locale: str) -> Path:
    return HERE / f"captioner_{locale}.ts"


def fill(locale: str) -> list[str]:
    """Put the known translations into the .ts; returns the sources still missing."""
    path = ts_path(locale)
    tree = ET.parse(path)
    missing = []
    for message in tree.getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        numerus = message.get("numerus") == "yes"
        if locale == "zh_CN":
            text = ZH_CN.get(source)
            forms = (text,) if text else None
        else:
            forms = EN_PLURALS.get(source) if numerus else None
        if forms is None:
            if locale == "zh_CN":
                missing.append(source)
            continue
        for child in list(translation):
            translation.remove(child)
        translation.text = None
        if numerus:
            for form in forms:
                ET.SubElement(translation, "numerusform").text = form
        else:
            translation.text = forms[0]
        translation.attrib.pop("type", None)
    ET.indent(tree, space="    ")
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return missing


def main() -> int:
    sources = sorted(str(p) for p in (ROOT / "captioner" / "ui").glob("*.py"))
    subprocess.run(
        [tool("lupdate"), "-no-obsolete", *sources, "-ts", *(str(ts_path(loc)) for loc in LOCALES)], check=True
    )
    for locale in LOCALES:
        missing = fill(locale)
        if missing:
            print(f"{locale}: {len(missing)} untranslated:", *missing, sep="\n  ")
        subprocess.run(
            [tool("lrelease"), str(ts_path(locale)), "-qm", str(HERE / f"captioner_{locale}.qm")], check=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
