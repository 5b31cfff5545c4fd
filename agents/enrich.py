"""enrich: Article → EnrichedArticle (entities, categories, keywords, routes).

`handle` runs in the enrich stage's child process, which loads the gazetteer and
the tagger once when it starts (`warm`), under the enrich time limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import faust

from newsflow.agents.context import AgentContext, peek, utcnow
from newsflow.agents.outcome import Outcome, Output, article_facts, salient_entities
from newsflow.agents.runner import Stage, register_stage
from newsflow.entities.enrich import enrich_article
from newsflow.entities.gazetteer import use_cache_dir
from newsflow.entities.ner import use_tagger_models, warm_up
from newsflow.schemas.codec import decode, encode
from newsflow.schemas.records import Article

STAGE = "enrich"


def warm(cache_dir: Path, tagger_models: Mapping[str, str]) -> None:
    """Load the gazetteer (built once per version into ``cache_dir``) and the tagger
    models (the shipped ones, or those NEWSFLOW_TAGGER_MODELS names)."""
    use_cache_dir(cache_dir)
    use_tagger_models(tagger_models)
    warm_up()


def handle(value: bytes | None, now: datetime) -> Outcome:
    """Decode and validate the article, enrich it, encode the enriched record."""
    try:
        article = decode(Article, value)
        enriched = enrich_article(article, now=now)  # type: ignore[arg-type]
        output = Output("enriched", enriched["id"].encode(), encode(enriched))
        facts = article_facts(article)
        facts["entities"] = salient_entities(enriched["entities"])  # type: ignore[arg-type]
        facts["categories"] = list(enriched["categories"])
        return Outcome(outputs=(output,), source=article["source"], url=article["url"], facts=facts)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
        hint = peek(value, "source", "url")
        return Outcome.failed(exc, source=hint["source"], url=hint["url"])


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the enrich stage on ``app``."""
    settings = ctx.settings
    register_stage(
        app,
        ctx,
        Stage(
            name=STAGE,
            input="articles",
            handle=handle,
            args=lambda: (utcnow(),),
            time_limit=settings.hard_time_limit(settings.enrich_timeout),
            warm=warm,
            warm_args=(settings.cache_dir, dict(settings.tagger_models)),
        ),
    )
