"""The package's import graph, read from its source: which module imports what, at import time or later.

An import at a module's top level (also inside `try` or a plain `if`, and in class bodies) runs when the module is
imported: *eager*. One inside a function runs when the function is called: *deferred*, the way the app reaches
torch-using code from jobs without loading torch at start-up. Imports under `if TYPE_CHECKING:` never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Module:
    """One module: its eager and deferred imports, as dotted names (ours resolved to modules, others as roots)."""

    name: str
    path: Path
    eager: set[str] = field(default_factory=set)
    deferred: set[str] = field(default_factory=set)

    @property
    def imports(self) -> set[str]:
        return self.eager | self.deferred


@dataclass
class ImportGraph:
    """Every module of one top-level package, by dotted name."""

    package: str
    modules: dict[str, Module]

    def eager_closure(self, name: str) -> set[str]:
        """Everything importing `name` loads: our modules and the external roots they import, transitively."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            module = self.modules.get(current)
            if module is not None:
                todo.extend(module.eager)
        seen.discard(name)
        return seen

    def loads(self, name: str, roots: Iterable[str]) -> set[str]:
        """Which of the external `roots` importing `name` loads (directly or through our modules)."""
        wanted = set(roots)
        return {n.split(".")[0] for n in self.eager_closure(name)} & wanted

    def chain(self, start: str, target_root: str) -> list[str]:
        """One eager import chain from `start` to the external root `target_root`, for error messages."""
        paths = {start: [start]}
        todo = [start]
        while todo:
            current = todo.pop(0)
            module = self.modules.get(current)
            for nxt in sorted(module.eager) if module else ():
                if nxt.split(".")[0] == target_root:
                    return [*paths[current], nxt]
                if nxt not in paths:
                    paths[nxt] = [*paths[current], nxt]
                    todo.append(nxt)
        return []


def read_graph(source_root: Path, package: str) -> ImportGraph:
    """The import graph of `source_root / package` (a folder of .py files)."""
    names = {}
    for path in sorted((source_root / package).rglob("*.py")):
        parts = path.relative_to(source_root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        names[name] = path
    modules = {name: Module(name, path) for name, path in names.items()}
    for module in modules.values():
        is_package = module.path.name == "__init__.py"
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
        _collect(tree.body, module, names, is_package, deferred=False)
    return ImportGraph(package, modules)


def _collect(body: list[ast.stmt], module: Module, names: dict[str, Path], is_package: bool, deferred: bool) -> None:
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            target = module.deferred if deferred else module.eager
            target.update(_targets(node, module.name, names, is_package))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _collect(node.body, module, names, is_package, deferred=True)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            _collect(node.orelse, module, names, is_package, deferred)
        else:
            for child_body in _bodies(node):
                _collect(child_body, module, names, is_package, deferred)


def _bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists nested in a compound statement (class bodies, if/try/with/for/while branches)."""
    bodies = [
        getattr(node, attr) for attr in ("body", "orelse", "finalbody") if isinstance(getattr(node, attr, None), list)
    ]
    bodies += [handler.body for handler in getattr(node, "handlers", [])]
    bodies += [case.body for case in getattr(node, "cases", [])]
    return bodies


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, current: str, names: dict[str, Path], is_package: bool) -> set[str]:
    """What one import statement loads: our modules (with their parent packages) and external roots."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            found |= _with_parents(alias.name, names)
        return found
    base = node.module or ""
    if node.level:
        anchor = current.split(".") if is_package else current.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    found |= _with_parents(base, names)
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        if candidate in names:
            found.add(candidate)
    return found


def _with_parents(dotted: str, names: dict[str, Path]) -> set[str]:
    """`a.b.c` loads `a`, `a.b` and `a.b.c`: those of ours, or the external root `a`."""
    parts = dotted.split(".")
    ours = {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & set(names)
    return ours if ours else {parts[0]}
