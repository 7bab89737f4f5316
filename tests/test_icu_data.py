"""packaging/icu_data.py: the bundle's ICU data library (11 MB instead of 32) gives QtCore
exactly the results of the full one (issue #20, BENCHMARKS.md §10).

tests/icu_probe.py runs QtCore's ICU-backed work (collation in 17 locales, 643 time zones'
names in 12 locales, case mapping, text encodings, drawing Chinese text) once with the venv's
full libicudata and once with the subset loaded in its place (same soname, LD_PRELOAD);
everything must agree but the legacy encodings the subset leaves out on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import icu_data  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF libraries, binutils")


def full_library() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    assert found, "PySide6 without its ICU data library"
    return found[0]


def run_probe(preload: Path | None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("LD_PRELOAD", None)
    if preload is not None:
        env["LD_PRELOAD"] = str(preload)
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "icu_probe.py")], env=env, capture_output=True,
                            text=True, timeout=300, check=True)  # fmt: skip
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def subset_library(tmp_path_factory) -> Path:
    return icu_data.make_library(full_library(), tmp_path_factory.mktemp("icu"))


def test_an_unchanged_package_re_serialises_byte_for_byte() -> None:
    """The parser and writer are ICU's layout exactly (header, table of contents, padding)."""
    library = full_library()
    _, offset, size = icu_data._symbol(library)
    with library.open("rb") as f:
        f.seek(offset)
        original = f.read(size)
    assert icu_data.serialize(icu_data.parse(original)) == original


def test_the_subset_keeps_what_qt_reads_and_drops_the_rest(subset_library) -> None:
    _, full = icu_data.read_library(full_library())
    symbol, subset = icu_data.read_library(subset_library)
    names = {name.split("/", 1)[1] for name, _ in subset.items}
    for kept in ("coll/zh.res", "coll/ucadata.icu", "coll/root.res", "zone/zh.res", "zoneinfo64.res", "metaZones.res",
                 "zh.res", "ar.res", "root.res", "likelySubtags.res", "cnvalias.icu"):  # fmt: skip
        assert kept in names, kept
    for gone in ("brkitr/cjdict.dict", "unit/en.res", "curr/en.res", "lang/en.res", "translit/root.res", "unames.icu"):
        assert gone not in names, gone
    assert symbol.startswith("icudt") and len(subset.items) < len(full.items) // 2
    assert subset_library.stat().st_size < 0.4 * full_library().stat().st_size
    assert [n for n, _ in subset.items] == sorted(n for n, _ in subset.items)  # ICU bisects the names


def test_qt_computes_the_same_with_the_subset(subset_library) -> None:
    full = run_probe(None)
    small = run_probe(subset_library)
    assert full["icudata"] == [str(full_library())] and small["icudata"] == [str(subset_library)]
    assert len(full["zones"]) > 400 and full["rendered_ink"] > 100
    different = sorted(key for key in full if key not in ("icudata", "codecs") and full[key] != small[key])
    assert different == []
    # Only legacy encodings go (ICU lists a converter only if its table is there); the
    # Unicode ones, Latin-1 and ASCII stay and work.
    kept = {name for name, valid in small["codecs"].items() if valid}
    assert kept <= {name for name, valid in full["codecs"].items() if valid}
    assert {"UTF-8", "UTF-16", "UTF-16LE", "UTF-32", "ISO-8859-1", "US-ASCII"} <= kept
    assert full["codecs"]["Shift_JIS"] and "Shift_JIS" not in kept
