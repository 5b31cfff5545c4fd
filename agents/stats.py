"""stats: the operators' tables, counting each input message's outcome once.

Every stage reports each input message's outcome with its offset and what the tables
need to know about it (site, size, latency, fill flags, entities, routes); the
outcomes of one stage and input partition travel together, one `StageEvent` per
flush (see `agents.tally`), keyed ``stage|topic|partition``. Every table key starts
with that key, so each entry is written from one stats partition only and recovers
whole from that partition's changelog; the offset an entry remembers makes an
outcome reported twice (after a crash, a rebalance, a replay) count once. The pure
updates and folds live in `newsflow.monitoring`.

Tables (Faust, changelog-backed):

- ``stage_counts``: per stage and input partition — outcomes by source, bytes,
  latency since fetch, per-minute throughput (``/counters/``, ``/api/stages``).
- ``site_stats``: per site, stage and input partition — pages in, out, dead by
  kind, bytes, last seen; the parse stage's also extraction quality (``/api/sites``,
  ``/api/quality``).
- ``trending``: per input partition and one-hour window — entities, categories,
  routes; windows older than 48 hours are deleted (``/api/trending``).
- ``recent_dead_letters``: per dead-letter partition, the last letters' summaries
  (``/api/dead-letters``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import faust
from faust.exceptions import PartitionsMismatch

from newsflow.agents.context import AgentContext
from newsflow.monitoring import tables, views
from newsflow.schemas.codec import decode
from newsflow.schemas.records import DeadLetter, StageEvent

log = logging.getLogger("newsflow.agents.stats")


# A table's changelog topic is created when the stats app starts; until the consumer's
# metadata shows its partitions (up to METADATA_MAX_AGE_MS), Faust refuses a write with
# PartitionsMismatch. Raised inside the agent, that would restart it and Faust would
# ack the event: its outcomes would be lost to the tables. So a write waits instead.
WRITE_RETRY_S = 0.5
WRITE_PATIENCE_S = 120.0


async def _write(table: Any, key: str, value: dict[str, Any] | None) -> None:
    """``table[key] = value`` (``del`` for None), waiting out a changelog topic whose
    partitions the consumer does not know yet."""
    waited = 0.0
    while True:
        try:
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
            return
        except PartitionsMismatch:
            if waited >= WRITE_PATIENCE_S:
                raise
            if waited == 0.0:
                log.info("stats: waiting for the changelog topics' metadata before writing")
            await asyncio.sleep(WRITE_RETRY_S)
            waited += WRITE_RETRY_S


def tables_view(
    stage_counts: list[dict[str, Any]],
    site_stats: list[dict[str, Any]],
    trending: list[dict[str, Any]],
    dead: list[dict[str, Any]],
    now: float,
) -> dict[str, Any]:
    """Every table folded: what the stats app answers on ``/api/tables``."""
    return {
        "generated_at": now,
        "counters": views.counters(stage_counts),
        "stages": views.stages(stage_counts, now),
        "histograms": views.histograms(stage_counts),
        "sites": views.sites(site_stats),
        "quality": views.qualities(site_stats),
        "trending": views.trending(trending, now),
        "dead_letters": views.dead_letters(dead),
    }


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the tables, their agents and the stats app's web views."""
    partitions = ctx.settings.partitions

    def table(name: str, help: str) -> Any:
        return app.Table(name, default=dict, partitions=partitions, key_type=str, help=help)

    counters = table("stage_counts", "per stage and input partition: outcomes, bytes, latency")
    site_stats = table("site_stats", "per site, stage and input partition: outcomes, quality")
    trending = table("trending", "per input partition and hour: entities, categories, routes")
    recent_dead = table("recent_dead_letters", "per dead-letter partition: the last letters")
    pruned: dict[str, int] = {}  # per key prefix: the window its old windows were pruned at

    @app.agent(ctx.topics.stats, name="count")
    async def count(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            try:
                stage_event = decode(StageEvent, event.message.value)
            except Exception:
                log.exception(
                    "stats: unreadable stage event at %s[%s]@%s not counted",
                    event.message.topic,
                    event.message.partition,
                    event.message.offset,
                )
                continue
            prefix = (event.message.key or b"").decode("utf-8", "replace") or stage_event["stage"]
            updated = tables.stage_entry(counters[prefix], stage_event)
            if updated is not None:
                await _write(counters, prefix, updated)
            keys = tables.site_keys(prefix, stage_event)
            for key, entry in tables.site_entries(
                {key: site_stats.get(key) for key in keys}, prefix, stage_event
            ).items():
                await _write(site_stats, key, entry)
            if tables.carries_trends(stage_event) and stage_event.get("at") is not None:
                window = tables.window_of(stage_event["at"])
                key = f"{prefix}|{window}"
                changed = tables.trending_entry(trending.get(key), stage_event)
                if changed is not None:
                    await _write(trending, key, changed)
                if pruned.get(prefix) != window:
                    for old in tables.expired_windows(list(trending.keys()), prefix, window):
                        await _write(trending, old, None)
                    pruned[prefix] = window

    @app.agent(ctx.topics.dlq, name="recent_dead_letters")
    async def remember(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            try:
                letter = decode(DeadLetter, message.value)
            except Exception:
                log.exception(
                    "stats: unreadable dead letter at %s[%s]@%s not listed",
                    message.topic,
                    message.partition,
                    message.offset,
                )
                continue
            key = f"{message.topic}|{message.partition}"
            changed = tables.dead_letters_entry(recent_dead.get(key), letter, message.offset)
            if changed is not None:
                await _write(recent_dead, key, changed)

    @app.page("/counters/")
    async def view(web: Any, request: Any) -> Any:
        """Counters held by this worker (its partitions) as JSON, for operators."""
        entries = dict(counters.items())
        return web.json(
            {
                **views.counters(entries.values()),
                "progress": {key: entry.get("offset") for key, entry in entries.items()},
            }
        )

    @app.page("/api/tables")
    async def all_tables(web: Any, request: Any) -> Any:
        """Every table folded (the pipeline app's ``/api/*`` and dashboard read this)."""
        return web.json(
            tables_view(
                list(counters.values()),
                list(site_stats.values()),
                list(trending.values()),
                list(recent_dead.values()),
                time.time(),
            )
        )
