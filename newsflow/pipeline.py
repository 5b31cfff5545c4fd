"""The whole pure pipeline for one page, in this process: the reference that tests and
benchmarks compare the worker and `newsflow process` (which run the same steps in stage
processes, see `newsflow.offline`) against."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from newsflow.core.types import ArticleDict, EnrichedArticleDict, RawPageDict
from newsflow.entities.enrich import enrich_article
from newsflow.extraction.parse import ParseOptions, parse_page

Stage = Literal["parse", "enrich"]


def process_page(
    raw: RawPageDict, *, options: ParseOptions, now: datetime, stage: Stage = "enrich"
) -> ArticleDict | EnrichedArticleDict:
    """Parse, then (unless ``stage == "parse"``) enrich: the same calls the agents make."""
    article = parse_page(raw, options)
    if stage == "parse":
        return article
    return enrich_article(article, now=now)
