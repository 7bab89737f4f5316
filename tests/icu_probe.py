"""Print, as JSON, what QtCore computes with ICU's data: tests/test_icu_data.py runs it with
the full libicudata and with the bundle's subset (LD_PRELOAD) and compares.

QtCore calls ICU for collation (QCollator: QFileDialog sorts file names with it), time-zone
names (QTimeZone.displayName), locale case mapping and legacy text encodings; each is
exercised over locales whose data differ (scripts, digits, tailorings). Also renders Chinese
and mixed text to an image (its checksum): ICU must not be involved in drawing text."""

from __future__ import annotations

import hashlib
import json
import sys

from PySide6.QtCore import QCollator, QLocale, QStringEncoder, Qt, QTimeZone
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

LOCALES = ["en_US", "zh_CN", "zh_TW", "ja_JP", "ko_KR", "de_DE", "sv_SE", "fr_FR", "es_ES", "ru_RU", "ar_EG",
           "tr_TR", "pl_PL", "cs_CZ", "th_TH", "hi_IN", "C"]  # fmt: skip
TZ_LOCALES = ["en_US", "zh_CN", "zh_TW", "de_DE", "ja_JP", "fr_FR", "ru_RU", "ar_EG", "fa_IR", "bn_BD", "my_MM",
              "pt_BR"]  # fmt: skip
WORDS = ["apple", "Apple", "Äpfel", "zebra", "Zürich", "ångström", "öl", "file10", "file2", "File1", "中文", "汉字",
         "啊", "北京", "上海", "日本語", "ひらがな", "カタカナ", "한국어", "가나다", "Москва", "ёлка", "العربية", "ıs",
         "İstanbul", "čaj", "chléb", "hrad", "łódź", "ไทย", "हिन्दी", "_x", "-y", "1", "10", "2", " a", "ß", "ss",
         "résumé", "resume"]  # fmt: skip
TEXT = "实时字幕：今天下午三点开会。Live captions, 中文与 English 混排。"


def probe() -> dict:
    out: dict = {}
    with open("/proc/self/maps") as maps:
        out["icudata"] = sorted({line.split()[-1] for line in maps if "libicudata" in line})
    for name in LOCALES:
        locale = QLocale(name)
        for numeric in (False, True):
            for case in (Qt.CaseSensitivity.CaseSensitive, Qt.CaseSensitivity.CaseInsensitive):
                collator = QCollator(locale)
                collator.setNumericMode(numeric)
                collator.setCaseSensitivity(case)
                key = f"{name} numeric={numeric} {case.name}"
                out[f"sort {key}"] = sorted(WORDS, key=collator.sortKey)
                out[f"compare {key}"] = [collator.compare(a, b) for a in WORDS[:12] for b in WORDS[:12]]
        out[f"case {name}"] = [locale.toUpper(w) for w in WORDS] + [locale.toLower(w) for w in WORDS]
    zones = [bytes(z).decode() for z in QTimeZone.availableTimeZoneIds()]
    out["zones"] = zones
    kinds = [(t, n) for t in (QTimeZone.TimeType.StandardTime, QTimeZone.TimeType.DaylightTime,
                              QTimeZone.TimeType.GenericTime)
             for n in (QTimeZone.NameType.DefaultName, QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName,
                       QTimeZone.NameType.OffsetName)]  # fmt: skip
    for name in TZ_LOCALES:
        locale = QLocale(name)
        out[f"time zones {name}"] = [QTimeZone(z.encode()).displayName(t, n, locale) for z in zones for t, n in kinds]
    out["codecs"] = {c: QStringEncoder(c).isValid() for c in QStringEncoder.availableCodecs()}
    image = QImage(900, 60, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(QFont("WenQuanYi Micro Hei", 20))
    painter.drawText(10, 40, TEXT)
    painter.end()
    pixels = image.constBits()
    out["rendered"] = hashlib.sha256(bytes(pixels)).hexdigest()
    out["rendered_ink"] = sum(1 for y in range(60) for x in range(0, 900, 3) if image.pixelColor(x, y).value() < 128)
    return out


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    json.dump(probe(), sys.stdout, ensure_ascii=False)
