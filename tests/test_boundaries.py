"""Architecture contracts: the engine never imports Qt; the UI never imports torch (it calls the engine)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "inspiration"
RULES = {"engine": {"PySide6", "pyqtgraph", "shiboken6"}, "ui": {"torch"}}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_respect_the_boundary(layer):
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_roots(path) & RULES[layer])
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        if imported_roots(path) & RULES[layer]
    }
    assert not offenders, f"forbidden imports in inspiration/{layer}: {offenders}"


def test_the_engine_has_python_files_to_check():
    assert len(list((PACKAGE / "engine").rglob("*.py"))) > 10
