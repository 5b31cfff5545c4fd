"""The whole pure pipeline for one page, as `newsflow process` runs it without Kafka."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from newsflow.core.enrich import enrich_article
from newsflow.core.parse import ParseOptions, parse_page
from newsflow.core.types import ArticleDict, EnrichedArticleDict, RawPageDict

Stage = Literal["parse", "enrich"]


def process_page(
    raw: RawPageDict, *, options: ParseOptions, now: datetime, stage: Stage = "enrich"
) -> ArticleDict | EnrichedArticleDict:
    """Parse, then (unless ``stage == "parse"``) enrich: the same calls the agents make."""
    article = parse_page(raw, options)
    if stage == "parse":
        return article
    return enrich_article(article, now=now)
