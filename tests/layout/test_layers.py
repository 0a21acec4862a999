"""The package's layering, from its source: every import (lazy ones too) goes down the diagram, never round.

    cli ──> convcalc, convcalc.api ──> render ──> design ──> core
                                 │        └─────> netfile ──> core
                                 └──────────────> sources ──> netfile ──> core
                                                     └──────> importers ──> core

`sources` picks the reader of a path (a network file or a model) above both; `core` is pure and imports nothing of the rest; only `netfile` reads YAML, only `importers`
reads other frameworks' files (onnx), only `render` and `cli` use rich, only `cli` uses Typer.
The top of the package (`convcalc`, `convcalc.api`) is the public API: it may reach
everything, lazily, and the command line reaches the rest only through it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "convcalc"

ALLOWED = {
    "core": {"core"},
    "design": {"core", "design"},
    "importers": {"core", "importers"},
    "netfile": {"core", "netfile"},
    "sources": {"core", "netfile", "importers", "sources"},
    "render": {"core", "design", "netfile", "render"},
    "cli": {"api", "cli"},  # the command line is a client of the public API (convcalc, convcalc.api), nothing else
}
THIRD_PARTY = {
    "onnx": {"importers"},
    "yaml": {"netfile"},
    "rich": {"render", "cli"},
    "typer": {"cli", "__main__"},
    "PIL": {"render"},
}
MAX_TOP_MODULES = 8


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Return every module a file imports, at any depth of its code (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {m for m in _imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_diagram(module: str) -> None:
    layer = _layer(module)
    if layer not in ALLOWED:  # the package's top: convcalc, convcalc.api, convcalc.__main__
        return
    wrong = sorted(m for m in GRAPH[module] if _layer(m) and _layer(m) not in ALLOWED[layer])
    assert not wrong, f"{module} ({layer}) imports {wrong}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_third_party_libraries_stay_in_their_layer(module: str) -> None:
    used = {name.split(".")[0] for name in _imports(MODULES[module])}
    for library, layers in THIRD_PARTY.items():
        if library in used:
            assert _layer(module) in layers or module.rsplit(".", 1)[-1] in layers, f"{module} imports {library}"


def test_no_import_cycle() -> None:
    """Walk the graph depth-first; a module met again on the current path closes a cycle."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(GRAPH[module]):
            if state.get(target) == "open":
                cycle = [*path[path.index(target) :], target] if target in path else [module, target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])


def test_the_top_of_the_package_is_small() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()} == set(
        ALLOWED
    )


def test_the_checker_finds_a_cycle_and_a_wrong_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk itself: a made-up cycle and a made-up upward import are caught."""
    monkeypatch.setitem(GRAPH, "convcalc.core.formulas", {"convcalc.core.windows"})
    with pytest.raises(pytest.fail.Exception, match="import cycle"):
        test_no_import_cycle()
    monkeypatch.setitem(GRAPH, "convcalc.core.formulas", {"convcalc.render.stack"})
    with pytest.raises(AssertionError, match="imports"):
        test_imports_go_down_the_diagram("convcalc.core.formulas")


@pytest.mark.parametrize("script", sorted((PACKAGE.parent / "tools").glob("*.py")), ids=lambda path: path.name)
def test_tools_do_not_import_the_tests(script: Path) -> None:
    """The tools write the fixtures and read them with tools/cases.py; the tests may use the tools, not the reverse."""
    assert not {name for name in _imports(script) if name.split(".")[0] == "tests"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_another_modules_private_names(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text())
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("convcalc")
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "__version__"
    ]
    assert not private, f"{module} imports {private}"


PURE = {
    "__future__",
    "collections",
    "dataclasses",
    "enum",
    "fractions",
    "math",
    "typing",
    "unicodedata",
    "itertools",
    "heapq",
    "re",  # patterns over text in memory (core/text.py's escapes)
    "types",  # MappingProxyType: the kinds registry, read-only
    "functools",  # cache: each kind's file types, made once when first asked
}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) == "core"))
def test_the_core_is_pure(module: str) -> None:
    """The core reads no file, writes nothing and imports no library beyond arithmetic and data classes."""
    source = MODULES[module].read_text()
    outside = {name.split(".")[0] for name in _imports(MODULES[module])} - PURE - {"convcalc"}
    assert not outside, f"{module} imports {sorted(outside)}"
    calls = {
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"print", "open", "input"}, module


COMPUTING = {"network_cost", "layer_cost", "analyze", "layer_shape", "window_output"}
"""What computes a result or its cost: the core does it once, before any renderer runs."""


@pytest.mark.parametrize("path", sorted((PACKAGE / "render").glob("*.py")), ids=lambda p: p.name)
def test_renderers_only_format(path: Path) -> None:
    """A renderer is given the result and its cost; it imports nothing that computes either."""
    tree = ast.parse(path.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert not imported & COMPUTING, f"{path.name} imports {sorted(imported & COMPUTING)}"
