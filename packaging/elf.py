"""Reading ELF files with binutils' readelf: what the bundle rules and the ICU subset ask of a
library (its soname, what it needs, its dynamic symbols). Its own module so that both can use
it without importing each other."""

from __future__ import annotations

import subprocess


def readelf(*args: str) -> str:
    return subprocess.run(["readelf", "-W", *args], capture_output=True, text=True, check=True).stdout


def elf_needed(path: str) -> tuple[str | None, list[str]]:
    """(SONAME, NEEDED sonames) of an ELF file."""
    soname, needed = None, []
    for line in readelf("-d", path).splitlines():
        if "(NEEDED)" in line or "(SONAME)" in line:
            name = line.rsplit("[", 1)[1].rstrip("]")
            if "(NEEDED)" in line:
                needed.append(name)
            else:
                soname = name
    return soname, needed
