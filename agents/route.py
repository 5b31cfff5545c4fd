"""route: EnrichedArticle → one topic per route it was given.

The routing decision is made by the pure `newsflow.core.routing` rules during
enrichment (so the stored record says where it went); this agent only fans the
record out, and dead-letters a route that names no declared topic.
"""

from __future__ import annotations

import faust

from agents.context import AgentContext, peek
from newsflow.core.errors import PipelineError
from schemas.codec import decode
from schemas.records import EnrichedArticle

STAGE = "route"


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the route agent on ``app``."""

    @app.agent(ctx.topics.enriched, name="route")
    async def route(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            try:
                enriched = decode(EnrichedArticle, message.value)
                unknown = [r for r in enriched["routes"] if r not in ctx.topics.routes]
                if unknown or not enriched["routes"]:
                    raise PipelineError("route", f"no topic for routes {unknown or '[]'}")
            except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
                hint = peek(message.value, "source", "url")
                await ctx.dead_letter(STAGE, exc, message, source=hint["source"], url=hint["url"])
                continue
            for name in enriched["routes"]:
                # Forward the validated bytes as they are: no second serialization.
                await ctx.topics.routes[name].send(key=message.key, value=message.value)
            await ctx.count(STAGE, enriched["article"]["source"], "ok")
