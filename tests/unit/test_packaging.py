"""What `pip install newsflow` puts into site-packages: one top-level name, ``newsflow``.

The repository keeps ``agents/``, ``streams/`` and ``schemas/`` at its top (the
project's declared layout); ``newsflow/agents`` and friends are symbolic links to them,
so they install as ``newsflow.agents``... A generic top-level ``agents`` package would
collide with other distributions in a user's environment.

The dashboard's page, script and style (newsflow/web/static) are not Python: they reach
a wheel only through ``package-data``, checked here too.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

import newsflow.agents
import newsflow.schemas
import newsflow.streams
import newsflow.web

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = ("agents", "streams", "schemas")


def test_only_the_newsflow_namespace_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = find_packages(str(ROOT), include=include)
    assert {p.split(".", 1)[0] for p in packages} == {"newsflow"}
    for name in LAYOUT:
        assert f"newsflow.{name}" in packages


def test_the_namespace_links_are_the_repository_folders() -> None:
    for module, name in zip(
        (newsflow.agents, newsflow.streams, newsflow.schemas), LAYOUT, strict=True
    ):
        link = ROOT / "newsflow" / name
        assert link.is_symlink() and link.resolve() == ROOT / name
        assert module.__file__ is not None
        assert Path(module.__file__).resolve().parent == ROOT / name


def test_no_code_imports_the_layout_folders_as_top_level_packages() -> None:
    offenders: list[str] = []
    for folder in ("newsflow", "agents", "streams", "schemas", "tests", "bench", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    if name.split(".", 1)[0] in LAYOUT:
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_the_worker_does_not_import_local_development_tooling() -> None:
    code = (
        "import sys, newsflow.app, newsflow.agents\n"
        "from newsflow.agents import PIPELINE_MODULES, STATS_MODULES, modules\n"
        "modules(PIPELINE_MODULES + STATS_MODULES)\n"
        "print(sorted(m for m in sys.modules if m.startswith('newsflow.brokers')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_the_dashboard_assets_are_package_data() -> None:
    """The page is not Python: only ``package-data`` gets it into a wheel. Every file of
    newsflow/web/static must match one of its globs, which setuptools expands relative to
    the package folder (as here)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["newsflow.web"]
    package = ROOT / "newsflow" / "web"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    present = {path for path in (package / "static").rglob("*") if path.is_file()}
    assert present and present <= shipped
    assert {"index.html", "dashboard.js", "dashboard.css"} <= {p.name for p in present}
    assert set(newsflow.web.names()) == {p.name for p in present}


@pytest.mark.skipif(
    not os.environ.get("NEWSFLOW_TEST_WHEEL"),
    reason="builds a real wheel (build requirements from PyPI, ~20 s): set NEWSFLOW_TEST_WHEEL=1",
)
def test_the_wheel_holds_the_dashboard_assets(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=900,
    )
    (wheel,) = tmp_path.glob("newsflow-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        members = set(archive.namelist())
    for name in newsflow.web.names():
        assert f"newsflow/web/static/{name}" in members
    assert "newsflow/web/__init__.py" in members
