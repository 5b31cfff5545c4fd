"""From pipeline records to table rows: scrubbing what the databases cannot hold, and
the upsert statements of each back end.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeVar, cast

import orjson
from sqlalchemy.dialects import postgresql, sqlite

from newsflow.core.errors import PipelineError
from newsflow.core.types import DeadLetterDict, EnrichedArticleDict
from newsflow.store.tables import articles, dead_letters

# PostgreSQL text and jsonb cannot hold NUL, and no driver can encode a lone surrogate; both occur
# in text decoded from broken pages. Replaced one for one, so that mention offsets stay valid.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


_T = TypeVar("_T")


def _scrub(value: _T) -> _T:
    if isinstance(value, str):
        return cast(_T, _UNSTORABLE.sub("\ufffd", value))
    if isinstance(value, dict):
        return cast(_T, {_scrub(k): _scrub(v) for k, v in value.items()})
    if isinstance(value, list):
        return cast(_T, [_scrub(v) for v in value])
    return value


def storable_article(item: EnrichedArticleDict) -> EnrichedArticleDict:
    """Fast path: one orjson pass tells whether the (rare) recursive scrub is needed."""
    try:
        encoded = orjson.dumps(item)
    except orjson.JSONEncodeError:
        pass  # lone surrogates, or something that is not JSON at all: checked below
    else:
        if b"\\u0000" not in encoded:
            return item
    scrubbed = _scrub(item)
    try:
        orjson.dumps(scrubbed)
    except orjson.JSONEncodeError as exc:
        raise PipelineError(
            "sink", f"article {item.get('id')!r} cannot be stored as JSON: {exc}"
        ) from exc
    return scrubbed


def _parse_instant(value: str | None) -> datetime | None:
    """None for a missing, unparseable or offset-less value: the raw text survives in ``doc``."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def article_row(item: EnrichedArticleDict, now: datetime) -> dict[str, Any]:
    article = item["article"]
    return {
        "id": item["id"],
        "url": article["url"],
        "canonical_url": article["canonical_url"],
        "site": article["site"],
        "source": article["source"],
        "language": article["language"],
        "title": article["title"],
        "lead": article["lead"],
        "body": article["body"],
        "published_at": _parse_instant(article["published_at"]),
        "authors": article["authors"],
        "tags": article["tags"],
        "images": article["images"],
        "entities": item["entities"],
        "routes": item["routes"],
        "categories": item["categories"],
        "content_hash": article["content_hash"],
        "doc": item,
        "version": 1,
        "first_seen_at": now,
        "updated_at": now,
    }


def entity_rows(item: EnrichedArticleDict) -> list[dict[str, Any]]:
    """One row per entity id; should the enricher list an id twice, counts add up."""
    rows: dict[str, dict[str, Any]] = {}
    for entity in item["entities"]:
        row = rows.get(entity["id"])
        if row is None:
            rows[entity["id"]] = {
                "article_id": item["id"],
                "entity_id": entity["id"],
                "type": entity["type"],
                "name": entity["name"],
                "count": entity["count"],
                "salience": entity["salience"],
            }
        else:
            row["count"] += entity["count"]
            row["salience"] = max(row["salience"], entity["salience"])
    return list(rows.values())


def dead_letter_row(item: DeadLetterDict) -> dict[str, Any]:
    item = _scrub(item)
    return {
        "id": item["id"],
        "stage": item["stage"],
        "error_kind": item["error_kind"],
        "message": item["message"],
        "original_b64": item["original_b64"],
        "original_key_b64": item["original_key_b64"],
        "source_topic": item["source_topic"],
        "source_partition": item["source_partition"],
        "source_offset": item["source_offset"],
        "source": item["source"],
        "url": item["url"],
        "failed_at": _parse_instant(item["failed_at"]),
        # .get: letters written before these fields existed validate without them
        "original_size": item.get("original_size", 0),
        "original_sha256": item.get("original_sha256"),
        "original_truncated": item.get("original_truncated", False),
        "original_file": item.get("original_file"),
    }


def _insert_for(dialect_name: str) -> Any:
    """The dialect's INSERT, the only one with ON CONFLICT."""
    if dialect_name == "postgresql":
        return postgresql.insert
    if dialect_name == "sqlite":
        return sqlite.insert
    raise ValueError(f"no upsert for dialect {dialect_name!r}")


def article_upsert(dialect_name: str) -> Any:
    """Idempotent by id and content hash; RETURNING tells inserted (version 1) from updated.

    Rows whose hash did not change fail the DO UPDATE WHERE, so they are neither touched nor
    returned: a replay costs no write and bumps no version, and the count stays exact even with
    another writer racing on the same ids.
    """
    stmt = _insert_for(dialect_name)(articles)
    excluded = stmt.excluded
    keep = {"id", "version", "first_seen_at"}
    updates: dict[str, Any] = {
        c.name: excluded[c.name] for c in articles.columns if c.name not in keep
    }
    updates["version"] = articles.c.version + 1
    return stmt.on_conflict_do_update(
        index_elements=[articles.c.id],
        set_=updates,
        where=articles.c.content_hash != excluded.content_hash,
    ).returning(articles.c.id, articles.c.version)


def dead_letter_insert(dialect_name: str) -> Any:
    stmt = _insert_for(dialect_name)(dead_letters)
    return stmt.on_conflict_do_nothing(index_elements=[dead_letters.c.id]).returning(
        dead_letters.c.id
    )
