"""SQL, script and Unicode injections stored verbatim in PostgreSQL: the same pages and the same
checks as the SQLite test (``tests/unit/test_injection_storage.py``; see `tests.injection_pages`).

The server comes from ``NEWSFLOW_TEST_POSTGRES_URL``; the test works in a database of its own,
created next to the named one and dropped at the end (or, when the role may not create databases,
in the named one after dropping the sink's tables).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from newsflow.core.storage import Store
from tests.injection_pages import check_injection_round_trip
from tests.storage_helpers import POSTGRES_MARKS, POSTGRES_URL

PG_URL = POSTGRES_URL
pytestmark = POSTGRES_MARKS


async def _autocommit(server_url: str, sql: str) -> bool:
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


@pytest.fixture
def database_url() -> Iterator[str]:
    name = f"newsflow_injection_{uuid.uuid4().hex[:12]}"
    if asyncio.run(_autocommit(PG_URL, f'CREATE DATABASE "{name}"')):
        try:
            yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            asyncio.run(_autocommit(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    for table in ("article_entities", "articles", "dead_letters", "alembic_version"):
        asyncio.run(_autocommit(PG_URL, f"DROP TABLE IF EXISTS {table} CASCADE"))
    yield PG_URL


async def test_injections_are_stored_verbatim_in_postgres(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        assert store.dialect == "postgresql"
        await check_injection_round_trip(store, database_url)
    finally:
        await store.close()
