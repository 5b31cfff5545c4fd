"""The package layers, as ARCHITECTURE.md draws them, checked on every import statement.

core (shared shapes and rules) <- extraction, entities, store (side by side, never each
other) <- pipeline, agents, app and command line. The pure packages import no Faust, no
Kafka client and no database driver.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "newsflow"

# package -> the newsflow packages it may import
ALLOWED = {
    "core": {"core"},
    "extraction": {"core", "extraction"},
    "entities": {"core", "entities"},
    "store": {"core", "store"},
    # The tables' pure updates and folds: a site name comes from extraction.urls.
    "monitoring": {"core", "extraction", "monitoring"},
}
PURE = ("core", "extraction", "entities", "monitoring")
IO_LIBRARIES = {"faust", "mode", "aiokafka", "sqlalchemy", "asyncpg", "aiosqlite", "alembic"}


def _imports(package: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path.name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path.name, node.module))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = [
        f"{name}: {module}"
        for name, module in _imports(package)
        if module.startswith("newsflow.") and module.split(".")[1] not in ALLOWED[package]
    ]
    assert wrong == []


@pytest.mark.parametrize("package", PURE)
def test_the_pure_core_does_no_io(package: str) -> None:
    wrong = [
        f"{name}: {module}"
        for name, module in _imports(package)
        if module.split(".")[0] in IO_LIBRARIES
    ]
    assert wrong == []
