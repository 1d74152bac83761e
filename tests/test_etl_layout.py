"""The shape of etl/: no import cycles, and one door to the warehouse (etl/warehouse.py)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ETL = Path(__file__).resolve().parent.parent / "etl"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ETL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(ETL.rglob("*.py"))}


def _imported(name: str, path: Path) -> set[str]:
    """The etl modules ``name`` imports anywhere in its text, at the top or inside a function.

    ``from etl.loading import x`` counts as importing etl.loading.x when that is a
    module; importing etl.a.b also runs etl.a's ``__init__``, so it counts too.
    """
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            parts = target.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                if prefix in MODULES and prefix != name:
                    found.add(prefix)
    # A module's own package is initialised before it, but that is no edge of its choosing.
    return found - {name.rpartition(".")[0]}


GRAPH = {name: _imported(name, path) for name, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle among etl's modules, or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_the_graph_is_read_from_the_code() -> None:
    """The parser sees the edges it must (else 'no cycle' would prove nothing)."""
    assert "etl.loading.stage" in GRAPH["etl.validate"]
    assert {"etl.validate", "etl.loading.promote", "etl.steward"} <= GRAPH["etl.load"]
    assert "etl.loading.locks" in GRAPH["etl.steward"]
    assert "etl.warehouse" in GRAPH["etl.loading.recover"]


def test_etl_has_no_import_cycle() -> None:
    assert _cycle() is None, " → ".join(_cycle() or [])


def test_a_cycle_would_be_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GRAPH, "etl.warehouse", GRAPH["etl.warehouse"] | {"etl.load"})
    found = _cycle()
    assert found is not None and found[0] == found[-1] and "etl.warehouse" in found


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_etl_module_imports(name: str) -> None:
    importlib.import_module(name)


# The gateway, the settings (which make the libpq connection the gateway uses)
# and the embedded server's start-up are the only places that may connect.
MAY_CONNECT = {"etl.warehouse", "etl.settings"}


@pytest.mark.parametrize("name", sorted(set(MODULES) - MAY_CONNECT))
def test_every_connection_goes_through_the_gateway(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "etl.settings":
            assert "connect" not in {alias.name for alias in node.names}, name
        if isinstance(node, ast.Attribute) and node.attr == "connect":
            base = node.value
            assert not (isinstance(base, ast.Name) and base.id in ("psycopg", "sqlalchemy")), (
                f"{name} opens a connection of its own at line {node.lineno}"
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "create_engine", f"{name}: an engine of its own"
