"""Faust agents, one module each: a stage declaration and its pure function.

Two explicit lists, one per worker role (nothing is discovered by scanning):
the pipeline agents carry articles; the stats agents keep the operators'
counter tables. They run as two Faust apps with separate consumer groups, so
that table recovery after a restart can never hold up or skip article
partitions (faust-streaming resumes stream partitions while it restores
changelogs; with tables in the same app a hard restart left partitions that had
no committed offset unprocessed — the restart test showed it).

The modules are imported on demand: a stage's child process imports only its own
stage module, not the sink's database stack.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PIPELINE_MODULES = ("rules", "parse", "enrich", "route", "sink")
STATS_MODULES = ("stats",)


def modules(names: tuple[str, ...]) -> list[ModuleType]:
    """The agent modules named, each with a ``register(app, ctx)``."""
    return [importlib.import_module(f"newsflow.agents.{name}") for name in names]
