"""Faust agents, one module each: read, call a pure function, send.

Two explicit lists, one per worker role (nothing is discovered by scanning):
the pipeline agents carry articles; the stats agents keep the operators'
counter tables. They run as two Faust apps with separate consumer groups, so
that table recovery after a restart can never hold up or skip article
partitions (faust-streaming resumes stream partitions while it restores
changelogs; with tables in the same app a hard restart left partitions that had
no committed offset unprocessed — the restart test showed it).
"""

from __future__ import annotations

from agents import enrich, parse, route, sink, stats

PIPELINE_MODULES = (parse, enrich, route, sink)
STATS_MODULES = (stats,)
