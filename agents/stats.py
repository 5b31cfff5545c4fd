"""stats: the operators' counter tables, per source and per stage.

Every agent sends one `StageEvent` per outcome to the stats topic, keyed by
source. Tables must be written by one agent, keyed like the stream that feeds
them: `counts_by_source` is fed straight from that topic, `counts_by_stage`
from the same events re-keyed by stage with `group_by`.
"""

from __future__ import annotations

import logging
from typing import Any

import faust
import orjson

from agents.context import AgentContext
from schemas.codec import decode
from schemas.records import StageEvent

log = logging.getLogger("newsflow.agents.stats")


def _stage_key(value: bytes) -> bytes:
    """Partition key for the per-stage re-keying; unreadable events count as 'invalid'."""
    try:
        data = orjson.loads(value)
        return str(data["stage"]).encode()
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return b"invalid"


def _bump(counts: dict[str, int] | None, name: str) -> dict[str, int]:
    """A new dict (tables only see assignments, not mutations)."""
    out = dict(counts or {})
    out[name] = out.get(name, 0) + 1
    return out


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the counter tables, the two counting agents and the web view."""
    by_source = app.Table(
        "counts_by_source",
        default=dict,
        partitions=ctx.settings.partitions,
        key_type=str,
        help="stage.outcome counts per source",
    )
    by_stage = app.Table(
        "counts_by_stage",
        default=dict,
        partitions=ctx.settings.partitions,
        key_type=str,
        help="outcome counts per stage, dead letters split by error kind",
    )

    @app.agent(ctx.topics.stats, name="count_by_source")
    async def count_by_source(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            try:
                stage_event = decode(StageEvent, event.message.value)
            except Exception:
                log.exception("stats: unreadable stage event at offset %s", event.message.offset)
                continue
            key = stage_event["source"]
            name = f"{stage_event['stage']}.{stage_event['outcome']}"
            by_source[key] = _bump(by_source[key], name)

    @app.agent(ctx.topics.stats, name="count_by_stage")
    async def count_by_stage(stream: faust.StreamT[bytes]) -> None:
        async for value in stream.group_by(_stage_key, name="by-stage"):
            try:
                stage_event = decode(StageEvent, value)
            except Exception:  # noqa: BLE001 - a counter must never stop the worker
                continue
            key = stage_event["stage"]
            name = stage_event["outcome"]
            if stage_event["error_kind"]:
                name = f"{name}.{stage_event['error_kind']}"
            by_stage[key] = _bump(by_stage[key], name)

    @app.page("/counters/")
    async def counters(web: Any, request: Any) -> Any:
        """Counters held by this worker (its partitions) as JSON, for operators."""
        return web.json(
            {
                "by_source": dict(by_source.items()),
                "by_stage": dict(by_stage.items()),
            }
        )
