"""A smaller ICU data library for the bundle: the same soname and symbol, only the data Qt can reach.

QtCore links ICU (libicuuc, libicui18n) and so libicudata.so.73: 32 MB, one symbol
(`icudt73_dat`) holding ICU's "common data" package of 3921 items. QtCore calls only a
few ICU APIs (readelf on libQt6Core.so: ucol_* collation, ucal_* time-zone names and
canonical IDs, ucnv_* converters, u_strToUpper/Lower), so most of the package (break
iterators and their dictionaries, units, currencies, language names, transliterators,
number spell-out, character names, string preparation) is never read. This rebuilds the
library at build time with the items those APIs read and nothing else (`DROPPED`):
- kept: collation for every locale (coll/: QFileDialog sorts file names with QCollator in
  the user's locale), time-zone names and rules (zone/, zoneinfo64, metaZones, ...), locale
  data (the main tree's *.res: fallback, calendars, the digits of time-zone offsets in
  Arabic, Persian, Bengali, Burmese...), normalization, the converter alias table;
- left out: the converter tables (*.cnv, 5 MB). Qt handles UTF-8/16/32 and Latin-1 itself
  and asks ICU only for legacy encodings (Shift-JIS, GBK, Big5, ...) by name, which the app
  never does; such a name is then an unknown encoding, as on a Qt built without ICU.

tests/test_icu_data.py (and bench/icu_data.py on the whole data) checks that QCollator,
QTimeZone names and case mapping give exactly the results of the full library.

The package layout (ICU's ucmndata.h): a data header (size, magic 0xda27, UDataInfo with
format "CmnD"), then the table of contents relative to its own start: count, count pairs
(name offset, data offset), the names (sorted: ICU searches them by bisection), each item
aligned to 16 bytes. Assembled with binutils' `as` (`.incbin`) and `ld`, as the FFmpeg
stubs are (bundle_rules.make_stub).
"""

from __future__ import annotations

import fnmatch
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from elf import elf_needed

#: Items (path inside the package, without the "icudt73l/" tree prefix) left out: what
#: none of the ICU APIs QtCore calls ever reads (see the module docstring).
DROPPED = (
    "brkitr/*",  # break iterators and their dictionaries (Qt has its own text boundaries)
    "unit/*",  # measurement units
    "curr/*",  # currency names
    "lang/*",  # language display names
    "translit/*",  # transliterators
    "rbnf/*",  # number spell-out
    "unames.icu",  # character names
    "*.spp",  # string preparation (IDNA)
    "*.cnv",  # legacy converters (cnvalias.icu stays: names still resolve)
    "region/*",  # region display names (only generic-location time-zone formats; Qt asks for specific ones)
)


#: What ICU's pkgdata pads with (so an unchanged package re-serialises byte for byte).
PAD = b"\xaa"


class IcuDataError(ValueError):
    """The library does not hold an ICU common data package this tool understands."""


@dataclass
class CommonData:
    """A parsed common data package: its header and its (name, bytes) items in order."""

    header: bytes
    items: list[tuple[str, bytes]]


def _symbol(library: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the library's icudt*_dat symbol."""
    out = subprocess.run(["readelf", "-W", "--dyn-syms", "-S", str(library)], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    sections: dict[int, tuple[int, int]] = {}
    symbol = None
    for line in out.splitlines():
        fields = line.replace("[ ", "[").split()
        if fields and fields[0].startswith("[") and fields[0].rstrip("]").lstrip("[").isdigit() and len(fields) > 5:
            index = int(fields[0].strip("[]"))
            try:
                sections[index] = (int(fields[3], 16), int(fields[4], 16))  # address, file offset
            except ValueError:
                continue
        elif len(fields) >= 8 and fields[7].startswith("icudt") and fields[7].endswith("_dat") and fields[6] != "UND":
            symbol = (fields[7], int(fields[1], 16), int(fields[2], 0), int(fields[6]))
    if symbol is None:
        raise IcuDataError(f"{library}: no icudt*_dat symbol")
    name, address, size, section = symbol
    base, offset = sections[section]
    return name, address - base + offset, size


def read_library(library: Path) -> tuple[str, CommonData]:
    """(symbol name, package) of an ICU data library."""
    name, offset, size = _symbol(library)
    with library.open("rb") as f:
        f.seek(offset)
        blob = f.read(size)
    return name, parse(blob)


def parse(blob: bytes) -> CommonData:
    header_size, magic1, magic2 = struct.unpack_from("<HBB", blob, 0)
    if (magic1, magic2) != (0xDA, 0x27) or blob[12:16] != b"CmnD" or blob[6] != 0:
        raise IcuDataError("not a little-endian ICU common data package")
    toc = blob[header_size:]
    (count,) = struct.unpack_from("<I", toc, 0)
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in entries[1:]] + [len(toc)]
    items = []
    for (name_offset, data_offset), end in zip(entries, ends, strict=True):
        name = toc[name_offset : toc.index(b"\0", name_offset)].decode("ascii")
        items.append((name, toc[data_offset:end]))
    return CommonData(blob[:header_size], items)


def serialize(data: CommonData) -> bytes:
    """The package as ICU reads it: header, TOC, names, items on 16-byte boundaries."""
    count = len(data.items)
    names = b""
    name_offsets = []
    table = 4 + 8 * count
    for name, _ in data.items:
        name_offsets.append(table + len(names))
        names += name.encode("ascii") + b"\0"
    body = bytearray()
    position = table + len(names)
    position += -position % 16
    data_offsets = []
    for _, item in data.items:
        data_offsets.append(position + len(body))
        body += item + PAD * (-len(item) % 16)
    toc = struct.pack("<I", count) + b"".join(
        struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets, strict=True)
    )
    toc += names
    toc += PAD * (-len(toc) % 16)
    return data.header + toc + bytes(body)


def dropped(name: str) -> bool:
    """Whether the item `name` ("icudt73l/coll/zh.res") is left out."""
    path = name.split("/", 1)[1] if "/" in name else name
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in DROPPED)


def subset(data: CommonData) -> CommonData:
    return CommonData(data.header, [(name, item) for name, item in data.items if not dropped(name)])


def make_library(library: Path, out: Path) -> Path:
    """Write out/<soname>: the ICU data library `library` with only the kept items."""
    soname, _ = elf_needed(str(library))
    if soname is None:
        raise IcuDataError(f"{library}: no soname")
    symbol, data = read_library(library)
    out.mkdir(parents=True, exist_ok=True)
    blob = out / f"{soname}.dat"
    blob.write_bytes(serialize(subset(data)))
    source = out / f"{soname}.s"
    source.write_text(
        "# ICU data subset generated by packaging/icu_data.py.\n"
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n\t.type {symbol}, @object\n\t.size {symbol}, {blob.stat().st_size}\n"
        f'\t.balign 16\n{symbol}:\n\t.incbin "{blob}"\n'
    )
    obj = out / f"{soname}.o"
    subprocess.run(["as", "-o", str(obj), str(source)], check=True)
    target = out / soname
    subprocess.run(["ld", "-shared", "-s", "-soname", soname, "-o", str(target), str(obj)], check=True)
    return target
