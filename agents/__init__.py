"""Faust agents, one module each: read, call a pure function, send.

`AGENT_MODULES` is the explicit list `newsflow.app.create_app` registers, in
pipeline order; nothing is discovered by scanning.
"""

from __future__ import annotations

from agents import enrich, parse, route, sink, stats

AGENT_MODULES = (parse, enrich, route, sink, stats)
