"""The layout in docs/architecture.md is the layout of the code: every import points down.

The layer table is read from the document itself, so the two cannot drift apart: a new
module that no row covers fails here, and so does an import (a lazy one inside a function
too) from a lower layer to a higher one, a circle between packages, or the product
importing the test helpers.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "captioner"
DOC = ROOT / "docs" / "architecture.md"
TESTING = "captioner.testing"
#: Files allowed over the size rule only with a stated reason near their top.
MAX_LINES = 500


def layer_table() -> dict[str, int]:
    """{module or package name: layer} from the document's table."""
    layers: dict[str, int] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        row = re.match(r"^\|\s*(\d+)\s*\|([^|]*)\|", line)
        if row:
            for name in re.findall(r"`([\w.]+)`", row.group(2)):
                layers[name] = int(row.group(1))
    return layers


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if not module_name(p).startswith(TESTING)}


def imports_of(path: Path) -> set[str]:
    """Every captioner module `path` imports, anywhere in the file, except under
    `if TYPE_CHECKING:` (annotations only, never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    me = module_name(path).split(".")
    package = me if path.name == "__init__.py" else me[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            found.add(target)
            # `from captioner.protocol import realtime` imports the module realtime.
            found.update(
                f"{target}.{a.name}"
                for a in node.names
                if (PACKAGE.parent / f"{target}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
            )
    return {f for f in found if f == "captioner" or f.startswith("captioner.")}


def layer_of(module: str, table: dict[str, int]) -> int | None:
    """The layer of the longest table entry that is `module` or a package holding it."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        if name in table:
            return table[name]
    return None


def package_of(module: str) -> str:
    """captioner.recognition.local.vad -> captioner.recognition (the unit of the table)."""
    return ".".join(module.split(".")[:2])


def test_the_document_has_a_layer_table():
    table = layer_table()
    assert len(table) >= 15, table
    assert table["captioner.errors"] == 0
    assert table["captioner.ui"] > table["captioner.pipeline"] > table["captioner.recognition"]


def test_every_product_module_has_a_layer():
    table = layer_table()
    missing = sorted(m for m in product_modules() if layer_of(m, table) is None)
    assert not missing, f"add these to the table in docs/architecture.md: {missing}"


def test_every_import_points_down_or_sideways():
    table = layer_table()
    up = []
    for module, path in sorted(product_modules().items()):
        mine = layer_of(module, table)
        assert mine is not None
        for target in imports_of(path):
            theirs = layer_of(target, table)
            if target.startswith(TESTING):
                up.append(f"{module} -> {target} (the product never imports captioner.testing)")
            elif theirs is not None and theirs > mine:
                up.append(f"{module} (layer {mine}) -> {target} (layer {theirs})")
    assert not up, "imports that point up:\n" + "\n".join(up)


def test_no_circle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in product_modules().items():
        for target in imports_of(path):
            a, b = package_of(module), package_of(target)
            if a != b and b != "captioner":
                graph[a].add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and (seen.add(nxt) or reaches(nxt, goal, seen))):
                return True
        return False

    circles = sorted(f"{a} <-> {b}" for a in list(graph) for b in graph[a] if reaches(b, a, set()))
    assert not circles, circles


def test_ui_and_commands_do_not_import_each_other():
    for module, path in product_modules().items():
        targets = {package_of(t) for t in imports_of(path)}
        if module.startswith("captioner.ui"):
            assert "captioner.commands" not in targets, module
        if module.startswith("captioner.commands"):
            assert "captioner.ui" not in targets, module


def test_qt_only_in_ui():
    for module, path in product_modules().items():
        if module.startswith("captioner.ui") or module == "captioner.cli":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(n.startswith(("PySide6", "qasync")) for n in names), module


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_long_module_says_why_it_is_one_piece(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) <= MAX_LINES:
        return
    head = "\n".join(lines[:40])
    assert "One piece:" in head, (
        f"{path.relative_to(ROOT)} has {len(lines)} lines: split it, or say near its top, "
        "after 'One piece:', why it reads better whole"
    )
