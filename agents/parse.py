"""parse: RawPage bytes from crawlers → Article, or a dead letter.

`handle` runs in the parse stage's child process under the parse time limit; the
agent itself is the generic loop of `agents.runner`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsflow.agents.outcome import Outcome, Output, article_facts, peek, quality_of
from newsflow.extraction.parse import ParseOptions, parse_page
from newsflow.schemas.codec import decode, encode
from newsflow.schemas.records import RawPage

if TYPE_CHECKING:  # the stage's child process runs `handle` only: no Faust there
    import faust

    from newsflow.agents.context import AgentContext

STAGE = "parse"


_WARM_PAGE = (
    b'{"url": "https://warm.invalid/a/1", "source": "warm", "html": "<html><head><title>'
    b"Warm</title><meta property='article:published_time' content='2024-03-19'></head>"
    b'<body><article><h1>Warm</h1><p>One paragraph of text to parse.</p></article></body></html>"}'
)


def warm(options: ParseOptions) -> None:
    """Parse one small page when the stage process starts, so the imports and first-use
    set-up (parsers, date and language tables) are not paid by the first real page."""
    handle(_WARM_PAGE, options)


def handle(value: bytes | None, options: ParseOptions) -> Outcome:
    """Decode and validate the raw page, parse it, encode the article."""
    try:
        raw = decode(RawPage, value)
        article = parse_page(raw, options)  # type: ignore[arg-type]
        output = Output("articles", article["id"].encode(), encode(article))
        facts = article_facts(article)
        facts["quality"] = quality_of(article)
        return Outcome(outputs=(output,), source=article["source"], url=raw["url"], facts=facts)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
        hint = peek(value, "source", "url")
        return Outcome.failed(exc, source=hint["source"], url=hint["url"])


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the parse stage on ``app``."""
    from newsflow.agents.runner import Stage, register_stage

    settings = ctx.settings
    options = ParseOptions(
        max_bytes=settings.max_page_bytes,
        site_timezones=dict(settings.site_timezones),
        timeout_s=settings.parse_timeout,
        compiled=settings.compiled_passes,
    )
    register_stage(
        app,
        ctx,
        Stage(
            name=STAGE,
            input="raw",
            handle=handle,
            args=lambda: (options,),
            time_limit=settings.hard_time_limit(settings.parse_timeout),
            warm=warm,
            warm_args=(options,),
        ),
    )
