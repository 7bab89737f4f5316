"""What goes into the bundled app and what stays out: the rules captioner.spec applies.

Kept apart from the spec so tests can check them without building (a rule that drops the
offscreen platform or the SVG plugin would otherwise only show up in a 2-minute build).

Two reasons to drop a file:

- Size: Qt plugins and libraries for things the app never does (QML, printing, SQL, TLS,
  PDF, embedded-display platforms, input-device plugins for kiosks). PyInstaller's Qt hook
  collects every plugin of an imported module's category; these rules prune them.
- Correctness on other distributions: libraries that must come from the machine the app
  runs on, because they load host plugins or configuration whose version must match them:
  * libasound.so.2: ALSA finds its config (/usr/share/alsa) and its plugins (the `pulse`
    and `pipewire` PCMs, under a distro-specific libdir) by compiled-in paths. Debian's
    copy on Fedora finds no plugins, so no PulseAudio/PipeWire devices. Every desktop
    Linux has libasound; without it the app still starts and says what to install.
  * libmvec.so.1: part of glibc (it calls GLIBC_PRIVATE symbols), so it must be the
    host's; only FFmpeg's x265 wants it.
  * Qt's GTK3 platform theme (libqgtk3.so) with the GTK stack PyInstaller found for it
    (cairo, pango, gdk-pixbuf, atk, harfbuzz, ...): the plugin loads the host's libgtk-3,
    which then got our older copies of its own dependencies (undefined symbols at best).
    Without it Qt draws its own style; portal file dialogs still come through the kept
    xdgdesktopportal theme.
  * libstdc++.so.6 / libgcc_s.so.1: the host's GL driver (Mesa, loaded via the host's
    libGL, which PyInstaller never bundles) needs the host's newer libstdc++; an older
    bundled copy loaded first makes it fail with "GLIBCXX_3.4.3x not found". The build
    needs glibc 2.36+ anyway, so every target's libstdc++ is at least as new as ours.
"""

from __future__ import annotations

import fnmatch
import posixpath
from pathlib import Path

_QT = "PySide6/Qt"

#: Destination paths (inside the bundle's _internal/) that are left out.
DROP = (
    # Platforms for embedded/kiosk displays and remote framebuffers; kept: xcb, wayland,
    # offscreen (self-test, CI) and minimal.
    f"{_QT}/plugins/platforms/libqeglfs.so",
    f"{_QT}/plugins/platforms/libqlinuxfb.so",
    f"{_QT}/plugins/platforms/libqminimalegl.so",
    f"{_QT}/plugins/platforms/libqvnc.so",
    f"{_QT}/plugins/platforms/libqvkkhrdisplay.so",
    f"{_QT}/plugins/egldeviceintegrations/*",
    f"{_QT}/plugins/generic/*",  # evdev/tuio input for kiosks
    # Image formats: the app draws SVG icons and PNGs (PNG is built into QtGui).
    f"{_QT}/plugins/imageformats/libqgif.so",
    f"{_QT}/plugins/imageformats/libqicns.so",
    f"{_QT}/plugins/imageformats/libqjpeg.so",
    f"{_QT}/plugins/imageformats/libqpdf.so",
    f"{_QT}/plugins/imageformats/libqtga.so",
    f"{_QT}/plugins/imageformats/libqtiff.so",
    f"{_QT}/plugins/imageformats/libqwbmp.so",
    f"{_QT}/plugins/imageformats/libqwebp.so",
    f"{_QT}/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",  # needs QML
    f"{_QT}/plugins/platformthemes/libqgtk3.so",
    f"{_QT}/plugins/wayland-graphics-integration-server/*",  # for compositors, not clients
    f"{_QT}/plugins/wayland-shell-integration/libivi-shell.so",
    f"{_QT}/plugins/wayland-shell-integration/libfullscreen-shell-v1.so",
    *(
        f"{_QT}/plugins/{category}/*"
        for category in (
            "designer",
            "qmltooling",
            "qmllint",
            "sqldrivers",
            "printsupport",
            "tls",
            "networkinformation",
            "vectorimageformats",
            "multimedia",
            "position",
        )
    ),
    f"{_QT}/qml/*",
    *(
        f"{_QT}/lib/libQt6{module}.so*"
        for module in (
            "Qml",
            "QmlModels",
            "QmlMeta",
            "QmlWorkerScript",
            "Quick",
            "QuickControls2",
            "QuickTemplates2",
            "QuickWidgets",
            "Pdf",
            "VirtualKeyboard",
            "Sql",
            "Test",
            "Designer",
            "Help",
            "Network",
            "PrintSupport",
            "Concurrent",
            "OpenGLWidgets",
            "Multimedia",
            "Positioning",
            "EglFSDeviceIntegration",
            "EglFsKmsSupport",
            "EglFsKmsGbmSupport",
        )
    ),
    # Host libraries (see the module docstring).
    "libasound.so.2",
    "libstdc++.so.6",
    "libgcc_s.so.1",
    "libmvec.so.1",
    # Only the GTK3 theme plugin needed these ...
    "libcairo.so.*",
    "libcairo-gobject.so.*",
    "libpango-1.0.so.*",
    "libpangocairo-1.0.so.*",
    "libpangoft2-1.0.so.*",
    "libgdk_pixbuf-2.0.so.*",
    "libatk-1.0.so.*",
    "libharfbuzz.so.*",
    "libgraphite2.so.*",
    "libfribidi.so.*",
    "libthai.so.*",
    "libdatrie.so.*",
    "libpixman-1.so.*",
    "libXrender.so.*",
    "libjpeg.so.*",
    # ... and only QtNetwork's GSSAPI authentication these.
    "libgssapi_krb5.so.*",
    "libkrb5.so.*",
    "libk5crypto.so.*",
    "libkrb5support.so.*",
)

#: Python modules never needed at run time (test tools, other Qt bindings, the optional
#: heavy backends some libraries probe for, PySide6 modules the app does not import).
EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "IPython", "matplotlib", "pandas", "scipy", "torch", "tensorflow", "jax",
    "PyQt5", "PyQt6", "PySide2", "pytest", "_pytest", "pytestqt", "hypothesis", "webvtt",
    "dashscope", "pkg_resources", "setuptools",
    # Test doubles and test audio: tests and benchmarks only, never the product.
    "captioner.testing",
    # huggingface_hub's optional extras (its web server, fsspec filesystem, Xet transfers,
    # CLI): faster-whisper only calls it to download a model, which the app never does.
    "fastapi", "starlette", "uvicorn", "opentelemetry", "fsspec", "aiohttp", "yarl", "multidict",
    "frozenlist", "aiosignal", "aiohappyeyeballs", "requests", "hf_xet", "pydantic", "pydantic_core",
    "rich", "typer", "pygments", "markdown_it",
    *(f"PySide6.{m}" for m in (
        "QtNetwork", "QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtQuickTest",
        "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtSql", "QtTest", "QtDesigner", "QtHelp",
        "QtUiTools", "QtConcurrent", "QtPrintSupport", "QtDBus", "QtSvgWidgets", "QtXml",
        "QtMultimedia", "QtWebEngineCore",
    )),
]  # fmt: skip

#: Parts of resources/ that are sources of other files, not run-time resources.
RESOURCE_EXCLUDES = ("*.sh", "*.ts", "*.py", "__pycache__")


def dropped(dest: str) -> bool:
    """Whether the bundle entry at `dest` (a path inside _internal/) is left out."""
    dest = dest.replace("\\", "/")
    return any(fnmatch.fnmatchcase(dest, pattern) for pattern in DROP)


def _entry_dropped(entry: tuple) -> bool:
    """A TOC entry is left out if its destination is, or, for the top-level symlinks
    PyInstaller makes to libraries in sub-folders (typecode SYMLINK, source = the target
    relative to the link), if its target is: no dangling links."""
    dest, source, typecode = entry[0], entry[1], entry[2]
    if dropped(dest):
        return True
    if typecode == "SYMLINK":
        target = posixpath.normpath(
            posixpath.join(posixpath.dirname(dest.replace("\\", "/")), source.replace("\\", "/"))
        )
        return dropped(target)
    return False


def prune(toc: list[tuple]) -> tuple[list[tuple], list[str]]:
    """(kept entries, dropped destination names) of a PyInstaller TOC list."""
    kept: list[tuple] = []
    gone: list[str] = []
    for entry in toc:
        if _entry_dropped(entry):
            gone.append(entry[0])
        else:
            kept.append(entry)
    return kept, gone


def resource_datas(resources: Path) -> list[tuple[str, str]]:
    """(source, destination folder) pairs for resources/, minus RESOURCE_EXCLUDES."""
    pairs = []
    for path in sorted(resources.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(resources)
        if any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in RESOURCE_EXCLUDES):
            continue
        pairs.append((str(path), str(Path("resources") / rel.parent)))
    return pairs
