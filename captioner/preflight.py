"""First-run problems, found before they become a traceback or a silent abort.

Each check returns None when all is well, or a message for a person: what is wrong and
what to do about it. The window shows them in a dialog, the CLI prints them, and
`captioner --self-test` reports them. No Qt here, and nothing is imported at module level,
so a broken native library cannot stop this module itself from loading.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Where an FHS distribution's libasound finds its configuration.
ALSA_CONF = Path("/usr/share/alsa/alsa.conf")


def _linux_install_hint(debian: str, fedora: str, arch: str) -> str:
    return f"Debian/Ubuntu: sudo apt install {debian}; Fedora: sudo dnf install {fedora}; Arch: sudo pacman -S {arch}"


def _alsa_config_missing() -> bool:
    """libasound aborts the whole process (SIGABRT, no message) inside Pa_Initialize when
    its configuration file is missing, so this is checked before PortAudio is loaded.
    Only on FHS systems: NixOS and Guix keep the file in their store, where libasound's
    own compiled-in path points."""
    if not sys.platform.startswith("linux") or os.environ.get("ALSA_CONFIG_PATH"):
        return False
    if Path("/nix/store").is_dir() or Path("/gnu/store").is_dir():
        return False
    return not ALSA_CONF.is_file()


def check_portaudio() -> str | None:
    """Whether sound devices can be used: PortAudio (and on Linux, ALSA) loads.

    Captioning media files works without it, so callers should offer that instead of
    refusing to start.
    """
    if "sounddevice" not in sys.modules and _alsa_config_missing():
        return (
            f"Captioner cannot use sound devices: the ALSA configuration ({ALSA_CONF}) is missing. "
            f"Install it ({_linux_install_hint('libasound2-data', 'alsa-lib', 'alsa-lib')}), then restart "
            "Captioner. Captioning media files works without it."
        )
    try:
        import sounddevice  # noqa: F401  (loading it is the check: it initialises PortAudio)
    except OSError as exc:
        if sys.platform.startswith("linux"):
            how = (
                f"Install it ({_linux_install_hint('libportaudio2', 'portaudio', 'portaudio')}) and restart Captioner."
            )
            if getattr(sys, "frozen", False):
                how = (
                    "This bundled app carries PortAudio but needs the system's ALSA library: "
                    f"install it ({_linux_install_hint('libasound2', 'alsa-lib', 'alsa-lib')}) and restart Captioner."
                )
        else:
            how = "Reinstall Captioner (or, from source: pip install --force-reinstall sounddevice)."
        return f"Captioner cannot use sound devices: the PortAudio library could not be loaded ({exc}). {how} Captioning media files works without it."
    except Exception as exc:  # e.g. PortAudio loads but fails to initialise
        return f"Captioner cannot use sound devices: PortAudio failed to start ({type(exc).__name__}: {exc})."
    return None


def check_model(model_dir: str | Path | None = None) -> str | None:
    """Whether the on-device engine can run: its libraries load and a complete model folder
    is found (`model_dir`, else the one a package ships). Does not load the model (that
    takes a second and is the engine's job); `captioner --self-test` does."""
    try:
        from captioner.recognition.local.models import ModelNotFoundError, resolve_model_dir
    except (ImportError, OSError) as exc:  # a missing wheel, or a native library that does not load
        return (
            f"The on-device speech engine cannot start: {type(exc).__name__}: {exc}. "
            "Reinstall Captioner; from source: pip install -e . (in the project's environment)."
        )
    try:
        resolve_model_dir(model_dir)
    except ModelNotFoundError as exc:
        return f"The on-device speech engine has no model. {exc}"
    return None


#: Shared libraries Qt loads from the system, and the packages that provide them.
_QT_SYSTEM_LIBRARIES = {
    "libGL.so": ("libgl1", "mesa-libGL", "libglvnd"),
    "libEGL.so": ("libegl1", "mesa-libEGL", "libglvnd"),
    "libOpenGL.so": ("libopengl0", "libglvnd-opengl", "libglvnd"),
    "libxkbcommon.so": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libfontconfig.so": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libglib-2.0.so": ("libglib2.0-0", "glib2", "glib2"),
    "libdbus-1.so": ("libdbus-1-3", "dbus-libs", "dbus"),
}


def qt_import_problem(exc: ImportError) -> str:
    """What to tell a person when Qt's GUI modules do not import (captioner/ui/qt_check.py
    tries; this module never imports Qt). Without the system's OpenGL library (never
    bundled: it must match the graphics driver) `import PySide6.QtGui` fails before any
    window could say so, so the CLI prints this instead of a traceback."""
    text = str(exc)
    for library, (debian, fedora, arch) in _QT_SYSTEM_LIBRARIES.items():
        if library in text:
            return (
                f"Captioner's window cannot start: the system library {library.split('.so')[0]} is missing "
                f"({text}). Install it ({_linux_install_hint(debian, fedora, arch)}). "
                "The command-line tools (captioner transcribe, captioner devices) work without it."
            )
    return f"Captioner's window cannot start: Qt does not load ({text}). Reinstall Captioner."


def problems(model_dir: str | Path | None = None) -> list[str]:
    """Every first-run problem of the engine and the sound devices, in the order a user
    should fix them (whether the window can open: captioner.ui.qt_check)."""
    return [p for p in (check_model(model_dir), check_portaudio()) if p]
