"""route: EnrichedArticle → one topic per route it was given.

The routing decision is made by the pure `newsflow.core.routing` rules during
enrichment (so the stored record says where it went); this stage only fans the
record out, forwarding the validated bytes as they are, and dead-letters a route
that names no declared topic. Its work is a decode and a lookup, so it runs on the
event loop, not in a child process.
"""

from __future__ import annotations

from collections.abc import Collection

import faust

from newsflow.agents.context import AgentContext, peek
from newsflow.agents.outcome import Outcome, Output, article_facts
from newsflow.agents.runner import Stage, register_stage
from newsflow.core.errors import PipelineError
from newsflow.schemas.codec import decode
from newsflow.schemas.records import EnrichedArticle

STAGE = "route"


def handle(value: bytes | None, known: Collection[str]) -> Outcome:
    """One output per route of the record, to ``route:<name>``, keyed by article id."""
    try:
        enriched = decode(EnrichedArticle, value, shared=True)
        routes = enriched["routes"]
        unknown = [r for r in routes if r not in known]
        if unknown or not routes:
            raise PipelineError("route", f"no topic for routes {unknown or '[]'}")
        assert value is not None  # decode refused an empty value
        key = enriched["id"].encode()
        outputs = tuple(Output(f"route:{name}", key, value) for name in routes)
        article = enriched["article"]
        facts = article_facts(article)
        facts["routes"] = list(routes)
        return Outcome(outputs=outputs, source=article["source"], url=article["url"], facts=facts)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
        hint = peek(value, "source", "url")
        return Outcome.failed(exc, source=hint["source"], url=hint["url"])


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the route stage on ``app``."""
    known = frozenset(ctx.topics.routes)
    register_stage(
        app,
        ctx,
        Stage(name=STAGE, input="enriched", handle=handle, args=lambda: (known,)),
    )
