"""Put Captioner in the Linux applications menu for this user, and take it out again.

`captioner --install-desktop-entry` writes, under $XDG_DATA_HOME (~/.local/share):

    applications/io.github.captioner.Captioner.desktop
    icons/hicolor/<N>x<N>/apps/io.github.captioner.Captioner.png   (16..512)
    icons/hicolor/scalable/apps/io.github.captioner.Captioner.svg

The entry runs whatever is running now: the bundled binary in a PyInstaller build, else
the `captioner` script beside this interpreter (a venv's bin/), else `python -m captioner`.
So installing from a source checkout and from an unpacked build both do the right thing,
and nothing needs root. `--uninstall-desktop-entry` removes exactly those files; a
.desktop file is only removed if it carries our marker, so an entry a package manager or
the user wrote is never deleted.

The desktop id doubles as the Wayland app_id: QGuiApplication.setDesktopFileName(APP_ID)
lets the compositor match windows to this entry (its name and icon in the task switcher).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from captioner.resources import resources_dir

#: Reverse-DNS id: the .desktop file name, the icon name and the AppStream component id.
APP_ID = "io.github.captioner.Captioner"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
#: The class part of the X11 WM_CLASS Qt sets (QCoreApplication.applicationName()).
WM_CLASS = "Captioner"
MARKER_KEY = "X-Captioner-Installed-By"
MARKER_VALUE = "captioner --install-desktop-entry"


class DesktopEntryError(Exception):
    """Installing or removing the entry is not possible here; the message says why."""


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share as the XDG spec defaults it."""
    value = os.environ.get("XDG_DATA_HOME", "").strip()
    # The spec says a relative path is invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """The command that starts this very installation's GUI."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    # Not resolved: a venv's python is a symlink, and its bin/ is where `captioner` lives.
    script = Path(sys.executable).parent / ("captioner.exe" if sys.platform == "win32" else "captioner")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "captioner"]


_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def exec_value(argv: list[str]) -> str:
    """`argv` as an Exec= value: quoted per the Desktop Entry spec ("Exec key"), then
    escaped as a key-file string (backslashes doubled), with % doubled."""
    parts = []
    for arg in argv:
        if any(c in _RESERVED for c in arg) or arg == "":
            inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
            arg = f'"{inner}"'
        parts.append(arg.replace("%", "%%"))
    return " ".join(parts).replace("\\", "\\\\")


def _string_value(text: str) -> str:
    """A key-file string value (TryExec takes a plain path, not Exec's quoting)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def desktop_entry_text(argv: list[str] | None = None, *, installed: bool = False) -> str:
    """The .desktop file. `argv` defaults to plain `captioner` on $PATH (what a distro
    package or packaging/ ships); the user-level install passes launch_command()."""
    argv = argv or ["captioner"]
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=Captioner",
        "GenericName=Live Captions",
        "Comment=Live captions for what you hear: a microphone, the computer's sound or a media file",
        f"Icon={APP_ID}",
        f"Exec={exec_value(argv)}",
        # Desktops hide the entry once the program is gone (a deleted build folder).
        f"TryExec={_string_value(argv[0])}",
        "Terminal=false",
        # One main category (else menus show it twice); Accessibility belongs under Utility.
        "Categories=Utility;Accessibility;",
        "Keywords=captions;subtitles;transcription;transcribe;speech;recognition;speech-to-text;hearing;deaf;SRT;",
        "StartupNotify=true",
        f"StartupWMClass={WM_CLASS}",
    ]
    if installed:
        lines.append(f"{MARKER_KEY}={MARKER_VALUE}")
    return "\n".join(lines) + "\n"


def _paths(home: Path) -> tuple[Path, list[tuple[Path, Path]]]:
    """(the .desktop path, [(icon source, icon destination)])."""
    icons = resources_dir() / "icons"
    hicolor = home / "icons" / "hicolor"
    pairs = [(icons / f"captioner-{n}.png", hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png") for n in ICON_SIZES]
    pairs.append((icons / "captioner.svg", hicolor / "scalable" / "apps" / f"{APP_ID}.svg"))
    return home / "applications" / f"{APP_ID}.desktop", pairs


def _require_linux() -> None:
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise DesktopEntryError(
            "Desktop entries are a Linux (freedesktop.org) feature; on Windows and macOS the "
            "installer or the app bundle puts Captioner in the Start menu or Applications."
        )


def _refresh_caches(home: Path) -> None:
    """Tell menus and icon themes about the change, where the tools exist. Both are
    optional: desktops also notice new files by themselves, only later."""
    for argv in (
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")],
    ):
        if shutil.which(argv[0]):
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run(argv, capture_output=True, timeout=20, check=False)


def install(home: Path | None = None, argv: list[str] | None = None) -> list[Path]:
    """Write the entry and icons; returns the files written. Overwrites an earlier install
    (so re-running after moving the build folder fixes Exec)."""
    _require_linux()
    home = home or data_home()
    desktop, icons = _paths(home)
    missing = [str(src) for src, _ in icons if not src.is_file()]
    if missing:
        raise DesktopEntryError(f"Captioner's icon files are missing: {', '.join(missing)}")
    written = []
    try:
        for src, dst in icons:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            written.append(dst)
        desktop.parent.mkdir(parents=True, exist_ok=True)
        tmp = desktop.with_suffix(".desktop.tmp")
        tmp.write_text(desktop_entry_text(argv or launch_command(), installed=True), encoding="utf-8")
        tmp.chmod(0o755)  # some desktops (GNOME) want launchers executable
        tmp.replace(desktop)
        written.append(desktop)
    except OSError as exc:
        raise DesktopEntryError(f"Could not write the desktop entry under {home}: {exc}") from exc
    _refresh_caches(home)
    return written


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what install() wrote; returns the files removed (none if not installed)."""
    _require_linux()
    home = home or data_home()
    desktop, icons = _paths(home)
    removed = []
    try:
        if desktop.is_file():
            if f"{MARKER_KEY}=" not in desktop.read_text(encoding="utf-8", errors="replace"):
                raise DesktopEntryError(
                    f"{desktop} was not written by `captioner --install-desktop-entry`; leaving it alone"
                )
            desktop.unlink()
            removed.append(desktop)
        for _, dst in icons:
            if dst.is_file():
                dst.unlink()
                removed.append(dst)
    except OSError as exc:
        raise DesktopEntryError(f"Could not remove the desktop entry under {home}: {exc}") from exc
    if removed:
        _refresh_caches(home)
    return removed


def run(uninstall_entry: bool = False) -> int:
    """The CLI flags' action: prints what was done; exit code 0, or 1 with the reason."""
    try:
        if uninstall_entry:
            files = uninstall()
            print(f"Removed {len(files)} files." if files else "Captioner's desktop entry was not installed.")
        else:
            files = install()
            print(f"Installed {files[-1]} (runs: {' '.join(launch_command())}) and {len(files) - 1} icons.")
    except DesktopEntryError as exc:
        print(f"captioner: {exc}", file=sys.stderr)
        return 1
    return 0
