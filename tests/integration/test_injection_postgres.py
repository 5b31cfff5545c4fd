"""SQL, script and Unicode injections stored verbatim in PostgreSQL: the same pages and the same
checks as the SQLite test (``tests/unit/test_injection_storage.py``; see `tests.injection_pages`).

The server comes from ``NEWSFLOW_TEST_POSTGRES_URL``; the test works in a database of its own,
created next to the named one and dropped at the end (or, when the role may not create databases,
in the named one after dropping the sink's tables).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from newsflow.store import Store
from tests.injection_pages import check_injection_round_trip
from tests.storage_helpers import POSTGRES_MARKS, POSTGRES_URL, postgres_database

PG_URL = POSTGRES_URL
pytestmark = POSTGRES_MARKS


@pytest.fixture
def database_url() -> Iterator[str]:
    with postgres_database("newsflow_injection") as url:
        if url == PG_URL:  # no database of our own: start from an empty sink
            asyncio.run(_drop_sink_tables(url))
        yield url


async def _drop_sink_tables(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for table in ("article_entities", "articles", "dead_letters", "alembic_version"):
                await conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    finally:
        await engine.dispose()


async def test_injections_are_stored_verbatim_in_postgres(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        assert store.dialect == "postgresql"
        await check_injection_round_trip(store, database_url)
    finally:
        await store.close()
