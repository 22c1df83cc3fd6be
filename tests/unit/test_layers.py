"""shared/ is layered (shared/README.md): imports run only downwards, and the write and
read sides never import each other. Read from the source with ast, so the test sees
every import, at module scope or inside a function."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

SHARED = ROOT / "shared"

# Lowest first: a package may import its own modules and any package of a lower rank.
RANK = {
    "shared.domain": 0,
    "shared.platform": 1,
    "shared.formats": 1,
    "shared.write": 2,
    "shared.read": 2,
    "shared.entrypoints": 3,
    "shared.simulation": 4,
}
# Callers of shared: each may import any layer, and shared imports none of them.
CALLERS = ("functions", "runtime")


def layer_of(module: str) -> str | None:
    return next((layer for layer in RANK if module == layer or module.startswith(layer + ".")), None)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in a file, `from shared import x` as shared.x."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def violations(module: str, imported: list[tuple[int, str]]) -> list[str]:
    """What module (a shared.* name) may not import, with the reason."""
    here = layer_of(module)
    if here is None:
        return [f"{module} belongs to no layer: put it in one of {', '.join(RANK)}"]
    found = []
    for line, name in imported:
        if name.split(".")[0] in CALLERS:
            found.append(f"{module}:{line} imports {name}: shared never imports its callers")
            continue
        if name.split(".")[0] != "shared":
            continue
        there = layer_of(name)
        if there is None:
            if name != "shared":
                found.append(f"{module}:{line} imports {name}, which belongs to no layer")
        elif there != here and RANK[there] >= RANK[here]:
            found.append(f"{module}:{line} imports {name}: {here} may not import {there}")
    return found


def shared_modules():
    for path in sorted((ROOT / "shared").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1:  # shared/__init__.py itself imports nothing
            yield ".".join(parts), path


def test_imports_in_shared_run_only_downwards():
    found = [problem for module, path in shared_modules() for problem in violations(module, imports(path))]
    assert found == []


def test_the_layers_are_the_packages_of_shared():
    packages = {f"shared.{path.name}" for path in (ROOT / "shared").iterdir() if (path / "__init__.py").exists()}
    assert packages == set(RANK)
    assert [path.name for path in (ROOT / "shared").glob("*.py")] == ["__init__.py"]


def test_an_upward_import_is_reported():
    assert violations("shared.domain.receipts", [(3, "shared.platform.db.write_engine")]) == [
        "shared.domain.receipts:3 imports shared.platform.db.write_engine: shared.domain may not import shared.platform"
    ]
    assert violations("shared.platform.bus", [(5, "shared.write.outbox")]) == [
        "shared.platform.bus:5 imports shared.write.outbox: shared.platform may not import shared.write"
    ]


def test_the_write_and_read_sides_never_import_each_other():
    assert violations("shared.read.views", [(1, "shared.write.repositories.Parties")]) != []
    assert violations("shared.write.lookup", [(1, "shared.read.views.receipt")]) != []
    assert (
        violations("shared.write.lookup", [(1, "shared.write.matching.TOLERANT"), (2, "shared.domain.matching.EXACT")])
        == []
    )


def test_shared_never_imports_a_function_or_the_runtime():
    assert violations("shared.write.services", [(9, "runtime.stack")]) != []
    assert violations("shared.entrypoints.http", [(9, "functions.submit_receipt.main")]) != []


def test_a_module_outside_every_layer_is_reported():
    assert violations("shared.helpers", []) != []
    assert violations("shared.write.services", [(2, "shared.helpers.thing")]) != []


def named_in_the_receipts_path() -> list[tuple[str, str | None]]:
    """(file, name or None) for every file and every function or class after it that
    shared/README.md's "A receipt's path" names, in backticks."""
    guide = (SHARED / "README.md").read_text()
    path = guide.split("## A receipt's path", 1)[1].split("\n## ", 1)[0]
    named, current = [], None
    for token in re.findall(r"`([^`]+)`", path):
        if token.endswith(".py"):
            current = token if token.startswith(("functions/", "runtime/")) else f"shared/{token}"
            named.append((current, None))
        elif current and re.fullmatch(r"[A-Za-z_][\w.]*", token):
            named.append((current, token))
    return named


def test_the_receipts_path_in_shared_readme_names_what_the_code_has():
    named = named_in_the_receipts_path()
    assert len(named) > 20
    for file, name in named:
        source = ROOT / file
        assert source.is_file(), file
        if name is not None:
            *owner, last = name.split(".")
            text = source.read_text()
            assert all(re.search(rf"^class {part}\b", text, re.M) for part in owner), f"{file}: {name}"
            assert re.search(rf"^\s*(def|class) {last}\b", text, re.M), f"{file}: {name}"


def test_no_function_in_shared_or_the_runtime_runs_over_60_lines():
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for folder in ("shared", "runtime")
        for path in (ROOT / folder).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []
