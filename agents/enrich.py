"""enrich: Article → EnrichedArticle (entities, categories, keywords, routes)."""

from __future__ import annotations

import faust

from agents.context import AgentContext, peek, utcnow
from newsflow.core.enrich import enrich_article
from newsflow.core.ner import warm_up
from schemas.codec import decode
from schemas.records import Article

STAGE = "enrich"


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the enrich agent on ``app``."""

    @app.task  # type: ignore[untyped-decorator]
    async def warm_entities() -> None:
        """Load the gazetteer and the tagger at start, off the event loop, so the first
        article is not the one that waits a second for them."""
        await ctx.run_cpu(warm_up)

    @app.agent(ctx.topics.articles, name="enrich")
    async def enrich(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            try:
                article = decode(Article, message.value)
                enriched = await ctx.run_cpu(
                    enrich_article,
                    article,  # type: ignore[arg-type]
                    now=utcnow(),
                )
            except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
                hint = peek(message.value, "source", "url")
                await ctx.dead_letter(STAGE, exc, message, source=hint["source"], url=hint["url"])
                continue
            await ctx.send(ctx.topics.enriched, enriched["id"], enriched)
            await ctx.count(STAGE, enriched["article"]["source"], "ok")
