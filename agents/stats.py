"""stats: the operators' counter tables, counting each input message's outcome once.

Every stage reports each input message's outcome with its offset; the outcomes of
one stage and input partition travel together, one `StageEvent` per flush (see
`agents.context.Tally`), keyed ``stage|topic|partition``. A message processed twice
(after a crash, a rebalance, a replay) is reported twice; the table entry of its key
remembers the highest offset counted, and an outcome at or below it is skipped. So
the counters count outcomes, not attempts: ``sink.ok`` is the number of rows written.

One table, keyed like the stats topic (so each entry lives in the partition that
updates it); ``/counters/`` folds it into the per-source and per-stage views.
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from newsflow.agents.context import AgentContext
from newsflow.schemas.codec import decode
from newsflow.schemas.records import StageEvent

log = logging.getLogger("newsflow.agents.stats")


def apply(entry: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any] | None:
    """The table entry after ``event``'s outcomes; None when all were counted already.

    Outcomes at or below the highest offset counted are skipped (a replay), the rest
    are counted. Returns a new dict (Faust tables see assignments, not mutations).
    """
    entry = entry or {}
    last = entry.get("offset")
    counts: dict[str, dict[str, int]] | None = None
    for outcome in event["outcomes"]:
        offset = outcome.get("offset")
        if offset is not None and last is not None and offset <= last:
            continue
        if counts is None:
            counts = {k: dict(v) for k, v in entry.get("counts", {}).items()}
        name = outcome["outcome"]
        if outcome.get("error_kind"):
            name = f"{name}.{outcome['error_kind']}"
        by_source = counts.setdefault(outcome["source"], {})
        by_source[name] = by_source.get(name, 0) + 1
        if offset is not None:
            last = offset
    if counts is None:
        return None
    return {
        "stage": event["stage"],
        "offset": last,
        "counts": counts,
        "last_at": event.get("at") or entry.get("last_at"),
    }


def fold(entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ``/counters/`` views: per source (``stage.outcome``) and per stage
    (``outcome`` and ``dead.<kind>``)."""
    by_source: dict[str, dict[str, int]] = {}
    by_stage: dict[str, dict[str, int]] = {}
    for entry in entries.values():
        stage = entry["stage"]
        for source, counts in entry["counts"].items():
            for name, n in counts.items():
                outcome = name.split(".", 1)[0]
                per_source = by_source.setdefault(source, {})
                per_source[f"{stage}.{outcome}"] = per_source.get(f"{stage}.{outcome}", 0) + n
                per_stage = by_stage.setdefault(stage, {})
                per_stage[name] = per_stage.get(name, 0) + n
    return {"by_source": by_source, "by_stage": by_stage}


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the counter table, its agent and the web view."""
    counters = app.Table(
        "stage_counts",
        default=dict,
        partitions=ctx.settings.partitions,
        key_type=str,
        help="per stage and input partition: outcome counts by source, last offset counted",
    )

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
            key = (event.message.key or b"").decode("utf-8", "replace") or stage_event["stage"]
            updated = apply(counters[key], stage_event)
            if updated is not None:
                counters[key] = updated

    @app.page("/counters/")
    async def view(web: Any, request: Any) -> Any:
        """Counters held by this worker (its partitions) as JSON, for operators."""
        entries = dict(counters.items())
        return web.json(
            {
                **fold(entries),
                "progress": {key: entry.get("offset") for key, entry in entries.items()},
            }
        )
