"""parse: RawPage bytes from crawlers → Article, or a dead letter."""

from __future__ import annotations

import logging

import faust

from agents.context import AgentContext, peek
from newsflow.core.parse import ParseOptions, parse_page
from schemas.codec import decode
from schemas.records import RawPage

STAGE = "parse"
log = logging.getLogger("newsflow.agents.parse")


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the parse agent on ``app``."""
    options = ParseOptions(
        max_bytes=ctx.settings.max_page_bytes,
        site_timezones=ctx.settings.site_timezones,
        timeout_s=ctx.settings.parse_timeout,
        compiled=ctx.settings.compiled_passes,
    )

    @app.agent(ctx.topics.raw, name="parse")
    async def parse(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            try:
                raw = decode(RawPage, message.value)
                article = await ctx.run_cpu(parse_page, raw, options)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
                hint = peek(message.value, "source", "url")
                await ctx.dead_letter(STAGE, exc, message, source=hint["source"], url=hint["url"])
                continue
            log.debug(
                "parse %s[%s]@%s -> %s",
                message.topic,
                message.partition,
                message.offset,
                article["id"],
            )
            await ctx.send(ctx.topics.articles, article["id"], article)
            await ctx.count(STAGE, article["source"], "ok")
