"""Architecture contracts over the whole import graph, indirect imports included.

- the engine imports no Qt, and nothing from the UI or the CLI;
- the UI imports no torch (directly, or through the engine at import time) and nothing from the CLI;
- the engine's torch-free packages and modules load no torch;
- the engine's packages form layers: each imports only from the shared plumbing and the layers below it.
Each rule is also shown to fail when a wrong import is added.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.import_graph import ImportGraph, read_graph

ROOT = Path(__file__).resolve().parent.parent
ENGINE = "inspiration.engine"
QT = {"PySide6", "pyqtgraph", "shiboken6"}
#: The shared plumbing at the engine's top: importable from every layer, importing only each other.
SHARED = {"errors", "atomic", "limits", "places", "settings", "timefmt"}
#: The engine's packages, lowest layer first; packages in one layer do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("audio", "curves"),
    ("model", "library", "composition"),
    ("lineage",),
    ("generation",),
    ("training",),
)
#: Packages that use torch; all others are torch-free, and so are these modules of theirs.
TORCH_PACKAGES = {"model", "generation", "training"}
TORCH_FREE_MODULES = {
    "model.config",
    "model.train_config",
    "model.presets",
    "model.folder",
    "model.weights_file",
    "model.catalog",
    "model.truncation",
    "training.batches",
    "training.events",
    "training.log",
    "training.schedule",
}


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return read_graph(ROOT, "inspiration")


def part(name: str, layer: str) -> bool:
    return name == f"inspiration.{layer}" or name.startswith(f"inspiration.{layer}.")


def engine_package(name: str) -> str | None:
    """`audio` for inspiration.engine.audio.files, `errors` for a shared module, None for the engine itself."""
    rest = name.removeprefix(ENGINE).lstrip(".")
    return rest.split(".")[0] or None


def torch_free(name: str) -> bool:
    """Whether an engine module is meant to load no torch."""
    rest = name.removeprefix(ENGINE).lstrip(".")
    return engine_package(name) not in TORCH_PACKAGES or rest in TORCH_FREE_MODULES or "." not in rest


def qt_in_engine(graph: ImportGraph) -> dict[str, set[str]]:
    return {
        name: (module.imports & QT) | graph.loads(name, QT)
        for name, module in graph.modules.items()
        if part(name, "engine") and ((module.imports & QT) or graph.loads(name, QT))
    }


def imports_from(graph: ImportGraph, importers: str, layers: tuple[str, ...]) -> dict[str, set[str]]:
    """Modules of the `importers` layer that import (now or later) anything of `layers`."""
    found = {
        name: {i for i in module.imports if any(part(i, layer) for layer in layers)}
        for name, module in graph.modules.items()
        if part(name, importers)
    }
    return {name: bad for name, bad in found.items() if bad}


def torch_chain(graph: ImportGraph, name: str) -> list[str] | None:
    """How importing `name` loads torch, or how it imports torch later; None when it does neither."""
    if "torch" in graph.modules[name].imports:
        return [name, "torch"]
    return graph.chain(name, "torch") if graph.loads(name, {"torch"}) else None


def app_layers_in_engine(graph: ImportGraph) -> dict[str, set[str]]:
    return imports_from(graph, "engine", ("ui", "cli"))


def cli_in_ui(graph: ImportGraph) -> dict[str, set[str]]:
    return imports_from(graph, "ui", ("cli",))


def torch_in_ui(graph: ImportGraph) -> dict[str, list[str]]:
    """UI modules that load torch when imported (the chain that does it), or import it even later."""
    chains = {name: torch_chain(graph, name) for name in graph.modules if part(name, "ui")}
    return {name: chain for name, chain in chains.items() if chain}


def torch_in_torch_free_engine(graph: ImportGraph) -> dict[str, list[str]]:
    """Torch-free engine modules that load torch, or import (even later) a module that uses it."""
    found = {}
    for name, module in graph.modules.items():
        if not part(name, "engine") or not torch_free(name):
            continue
        users = sorted(i for i in module.imports if part(i, "engine") and not torch_free(i))
        chain = torch_chain(graph, name) or ([name, users[0]] if users else None)
        if chain:
            found[name] = chain
    return found


def layer_violations(graph: ImportGraph) -> list[str]:
    """'importer -> imported' for every engine import that reaches sideways or up the layers."""
    rank = {package: level for level, packages in enumerate(LAYERS) for package in packages}
    bad = []
    for name, module in graph.modules.items():
        own = engine_package(name)
        if not part(name, "engine") or own is None:
            continue
        for imported in sorted(module.imports):
            other = engine_package(imported) if part(imported, "engine") else None
            if other is None or other == own or other in SHARED:
                continue
            if own in SHARED or other not in rank or own not in rank or rank[other] >= rank[own]:
                bad.append(f"{name} -> {imported}")
    return bad


def test_the_graph_covers_the_whole_package(graph):
    assert len([n for n in graph.modules if part(n, "engine")]) > 40
    assert len([n for n in graph.modules if part(n, "ui")]) > 40


def test_every_engine_package_is_placed_in_a_layer(graph):
    packages = {engine_package(n) for n in graph.modules if part(n, "engine")} - {None}
    placed = {p for layer in LAYERS for p in layer}
    assert packages - SHARED == placed, "place each engine package in LAYERS (and its docstring) or in SHARED"


def test_the_engine_imports_no_qt_and_nothing_from_the_app(graph):
    assert not qt_in_engine(graph)
    assert not app_layers_in_engine(graph)


def test_the_ui_loads_no_torch_and_imports_nothing_from_the_cli(graph):
    assert not torch_in_ui(graph), "import torch-using engine modules inside functions (jobs), not at the top"
    assert not cli_in_ui(graph)


def test_torch_free_engine_packages_load_no_torch(graph):
    assert not torch_in_torch_free_engine(graph)


def test_engine_packages_form_layers_without_cycles(graph):
    assert not layer_violations(graph)


def with_import(graph: ImportGraph, importer: str, imported: str, eager: bool = True) -> ImportGraph:
    """A copy of the graph where `importer` also imports `imported`."""
    changed = copy.deepcopy(graph)
    module = changed.modules[importer]
    (module.eager if eager else module.deferred).add(imported)
    return changed


def test_each_contract_fails_when_a_wrong_import_is_added(graph):
    assert qt_in_engine(with_import(graph, f"{ENGINE}.audio.files", "PySide6"))
    # indirect: the engine module imports a UI module, which imports Qt
    assert qt_in_engine(with_import(graph, f"{ENGINE}.audio.files", "inspiration.ui.theme"))
    # indirect: a timeline module imports a torch-free-looking engine module that loads the model
    assert torch_in_ui(with_import(graph, "inspiration.ui.timeline.view", f"{ENGINE}.model.samplernn"))
    assert torch_in_ui(with_import(graph, "inspiration.ui.timeline.view", "torch", eager=False))
    assert cli_in_ui(with_import(graph, "inspiration.ui.main_window", "inspiration.cli.render", eager=False))
    assert torch_in_torch_free_engine(with_import(graph, f"{ENGINE}.model.config", f"{ENGINE}.model.samplernn"))
    assert torch_in_torch_free_engine(
        with_import(graph, f"{ENGINE}.library.clip_library", f"{ENGINE}.generation.job", eager=False)
    )
    assert layer_violations(with_import(graph, f"{ENGINE}.audio.quantize", f"{ENGINE}.training.trainer", False))
    assert layer_violations(with_import(graph, f"{ENGINE}.library.quality", f"{ENGINE}.composition.mix"))
    assert layer_violations(with_import(graph, f"{ENGINE}.errors", f"{ENGINE}.audio.files"))


def test_the_reader_follows_imports_through_files_and_tells_eager_from_deferred(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "import json\nfrom pkg.c import thing\n",
        "pkg/c.py": textwrap.dedent(
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                import numpy
            try:
                import torch
            except ImportError:
                torch = None
            def later():
                import PySide6.QtCore
            class Holder:
                import platform
            thing = 1
            """
        ),
        "pkg/sub/__init__.py": "from . import d\n",
        "pkg/sub/d.py": "from ..a import *\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = read_graph(tmp_path, "pkg")
    assert graph.modules["pkg.c"].eager == {"typing", "torch", "platform"}
    assert graph.modules["pkg.c"].deferred == {"PySide6"}
    assert graph.loads("pkg.a", {"torch", "numpy", "PySide6", "json"}) == {"torch", "json"}
    assert graph.chain("pkg.a", "torch") == ["pkg.a", "pkg.b", "pkg.c", "torch"]
    assert "pkg.a" in graph.eager_closure("pkg.sub")  # relative imports resolved


@pytest.mark.slow
def test_the_command_line_and_the_window_start_without_torch(tmp_path):
    """In a fresh interpreter: the parser (every subcommand registered) and the main window load no torch."""
    script = textwrap.dedent(
        """
        import sys
        from inspiration.cli import build_parser
        build_parser()
        assert "torch" not in sys.modules, "the parser loaded torch"
        from inspiration.ui.app import make_application
        from inspiration.ui.main_window import MainWindow
        from inspiration.engine.places import Places
        from pathlib import Path
        root = Path(sys.argv[1])
        app = make_application()
        places = Places(**{name: root / name for name in Places.__dataclass_fields__})
        window = MainWindow(places, library_folder=root / "library")
        window.show()
        app.processEvents()
        assert "torch" not in sys.modules, "showing the window loaded torch"
        print("ok")
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout + done.stderr
    version = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "inspiration", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.startswith("inspiration ")
    assert not [line for line in version.stderr.splitlines() if line.rstrip().endswith("| torch")]
