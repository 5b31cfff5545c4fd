"""stats: the operators' counter tables, counting each input message's outcome once.

Every stage sends one `StageEvent` per input message, keyed ``stage|topic|partition``
of that input and carrying its offset. A message processed twice (after a crash, a
rebalance, a replay) sends its event twice; the table entry of its key remembers the
highest offset counted, and an event at or below it is skipped. So the counters
count outcomes, not attempts: ``sink.ok`` is the number of rows written.

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
    """The table entry after ``event``; None when the event was counted already.

    Returns a new dict (Faust tables see assignments, not mutations).
    """
    entry = entry or {}
    offset = event.get("offset")
    last = entry.get("offset")
    if offset is not None and last is not None and offset <= last:
        return None
    name = event["outcome"]
    if event.get("error_kind"):
        name = f"{name}.{event['error_kind']}"
    counts: dict[str, dict[str, int]] = {k: dict(v) for k, v in entry.get("counts", {}).items()}
    by_source = counts.setdefault(event["source"], {})
    by_source[name] = by_source.get(name, 0) + 1
    return {
        "stage": event["stage"],
        "offset": offset if offset is not None else last,
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
