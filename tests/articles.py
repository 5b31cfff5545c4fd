"""A parsed article as the enrich stage receives it, for tests that build their own."""

from __future__ import annotations

from typing import Any

from newsflow.core.types import ArticleDict


def make_article(**overrides: Any) -> ArticleDict:
    article: ArticleDict = {
        "schema_version": 1,
        "id": "a1",
        "url": "https://example.test/a1",
        "canonical_url": "https://example.test/a1",
        "site": "example.test",
        "site_name": None,
        "source": "test",
        "language": None,
        "title": None,
        "lead": None,
        "body": "",
        "published_at": None,
        "published_raw": None,
        "published_tz_source": None,
        "calendar": None,
        "date_note": None,
        "modified_at": None,
        "authors": [],
        "tags": [],
        "section": None,
        "external_id": None,
        "images": [],
        "fetched_at": None,
        "content_hash": "h",
    }
    article.update(overrides)  # type: ignore[typeddict-item]
    return article
