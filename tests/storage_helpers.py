"""Records and a read-back helper shared by the SQLite and PostgreSQL store tests.

Both suites check the same behaviours on two databases; they build the same rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from newsflow.core.types import DeadLetterDict, EnrichedArticleDict, EntityDict

TEHRAN = EntityDict(
    id="Q3616", name="تهران", name_en="Tehran", type="GPE", mentions=[], count=3, salience=0.8
)
RIYADH = EntityDict(
    id="Q3692", name="الرياض", name_en="Riyadh", type="GPE", mentions=[], count=1, salience=0.2
)


def make_article(
    article_id: str,
    content_hash: str = "h1",
    *,
    title: str | None = "عنوان خبر",
    body: str = "متن خبر",
    published_at: str | None = "2024-03-01T10:00:00+03:30",
    entities: list[EntityDict] | None = None,
    site: str = "example.ir",
) -> EnrichedArticleDict:
    return {
        "schema_version": 1,
        "id": article_id,
        "article": {
            "schema_version": 1,
            "id": article_id,
            "url": f"https://{site}/news/{article_id}?utm=x",
            "canonical_url": f"https://{site}/news/{article_id}",
            "site": site,
            "site_name": None,
            "source": "test-crawler",
            "language": "fa",
            "title": title,
            "lead": None,
            "body": body,
            "published_at": published_at,
            "published_raw": "۱۱ اسفند ۱۴۰۲",
            "published_tz_source": "page",
            "calendar": "jalali",
            "date_note": None,
            "modified_at": None,
            "authors": ["نویسنده"],
            "tags": ["سیاست"],
            "section": None,
            "external_id": None,
            "images": [],
            "fetched_at": "2024-03-01T07:00:00+00:00",
            "content_hash": content_hash,
        },
        "entities": [TEHRAN] if entities is None else entities,
        "categories": ["politics"],
        "keywords": ["تهران"],
        "routes": ["news.topic.politics"],
        "enriched_at": "2024-03-01T07:00:01+00:00",
        "extractor_version": "test",
        "enriched_chars": None,
    }


def make_dead_letter(letter_id: str, message: str = "cannot decode") -> DeadLetterDict:
    return {
        "schema_version": 1,
        "id": letter_id,
        "stage": "parse",
        "error_kind": "charset",
        "message": message,
        "original_b64": "//4=",
        "original_key_b64": None,
        "source_topic": "news.raw",
        "source_partition": 2,
        "source_offset": 2**40,  # offsets are 64-bit
        "source": "crawler-1",
        "url": "https://example.ir/x",
        "failed_at": "2024-03-19T11:07:00+00:00",
        "original_size": 2,
        "original_sha256": None,
        "original_truncated": False,
        "original_file": None,
    }


POSTGRES_URL = os.environ.get("NEWSFLOW_TEST_POSTGRES_URL", "")
# The marks of every test that needs the PostgreSQL server `make test` starts.
POSTGRES_MARKS = [
    pytest.mark.integration,
    pytest.mark.timeout(180),
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="NEWSFLOW_TEST_POSTGRES_URL is not set "
        "(start a server with: export NEWSFLOW_TEST_POSTGRES_URL=$(dev/postgres.sh start))",
    ),
]


async def _autocommit(server_url: str, sql: str) -> bool:
    """Run ``sql`` outside a transaction; False when the role may not (no CREATEDB)."""
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
        return True
    except sa.exc.DBAPIError as exc:
        if "permission denied" not in str(exc):
            raise
        return False
    finally:
        await engine.dispose()


@contextlib.contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A database of its own on the test server (dropped after), so a shared server and
    parallel jobs are fine; the server's own database when the role may not create one."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    if not asyncio.run(_autocommit(POSTGRES_URL, f'CREATE DATABASE "{name}"')):
        yield POSTGRES_URL
        return
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_autocommit(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def fetch(url: str, query: sa.Executable) -> list[sa.Row[Any]]:
    """Read through an engine of our own, independent of the store under test."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(query)).all())
    finally:
        await engine.dispose()


SINK_TABLES = (
    "article_entities",
    "articles",
    "dead_letter_replays",
    "dead_letters",
    "alembic_version",
)


def drop_sink_tables(url: str) -> None:
    """Drop the sink's tables, so that a test starts from an unmigrated database."""

    async def drop() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                for table in SINK_TABLES:
                    await conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        finally:
            await engine.dispose()

    asyncio.run(drop())
