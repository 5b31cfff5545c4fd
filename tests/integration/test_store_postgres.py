"""What only PostgreSQL has: its column types, its reader isolation, its refusals. The
behaviours both back ends share are one suite, ``tests/unit/test_store.py``, run on each.

The server comes from ``NEWSFLOW_TEST_POSTGRES_URL`` (CI sets it; locally
``export NEWSFLOW_TEST_POSTGRES_URL=$(dev/postgres.sh start)``). The tests create a database of
their own next to the one named and drop it at the end; when the role may not create databases
they fall back to the named one and drop only the sink's tables in it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from newsflow.core.errors import PipelineError
from newsflow.core.types import EntityDict
from newsflow.store import (
    Store,
    StoreUnavailable,
    WriteResult,
    article_entities,
    articles,
)
from tests.storage_helpers import (
    POSTGRES_MARKS,
    POSTGRES_URL,
    RIYADH,
    TEHRAN,
    drop_sink_tables,
    fetch,
    make_article,
    postgres_database,
)

PG_URL = POSTGRES_URL
pytestmark = POSTGRES_MARKS


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A database for this module alone."""
    with postgres_database("newsflow_test") as url:
        yield url


@pytest.fixture
def url(database_url: str) -> str:
    """The sink's tables dropped, so that every test starts from an unmigrated database."""
    drop_sink_tables(database_url)
    return database_url


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    async with await Store.open(url) as opened:
        yield opened


async def test_it_is_really_postgres(store: Store, url: str) -> None:
    assert store.dialect == "postgresql"
    (row,) = await fetch(url, sa.text("SELECT version()"))
    assert str(row[0]).startswith("PostgreSQL")


async def test_published_at_is_timestamptz_and_orders_recent(store: Store, url: str) -> None:
    await store.write_articles(
        [
            make_article("undated", published_at=None),
            make_article("tehran", published_at="2024-03-01T10:00:00+03:30"),
            make_article("london", published_at="2024-03-01T08:00:00+00:00", entities=[RIYADH]),
        ]
    )
    recent = await store.recent(10)
    assert [r["id"] for r in recent] == ["london", "tehran", "undated"]
    assert recent[0]["entities"] == ["الرياض"]
    assert recent[1]["published_at"] == "2024-03-01T10:00:00+03:30"
    (kind,) = await fetch(
        url,
        sa.text(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'articles' AND column_name = 'published_at'"
        ),
    )
    assert kind[0] == "timestamp with time zone"


async def test_a_reader_is_not_blocked_by_an_open_write_transaction(store: Store, url: str) -> None:
    await store.write_articles([make_article("a1")])
    engine = create_async_engine(url)
    try:
        async with engine.connect() as writer:
            await writer.execute(article_entities.delete())
            await writer.execute(articles.delete())
            assert await store.count_articles() == 1
            assert [r["id"] for r in await store.recent(5)] == ["a1"]
            await writer.commit()
        assert await store.count_articles() == 0
    finally:
        await engine.dispose()


async def test_a_value_postgres_refuses_is_a_sink_pipeline_error(store: Store) -> None:
    too_big = EntityDict(**{**TEHRAN, "count": 2**40})  # overflows integer
    with pytest.raises(PipelineError) as caught:
        await store.write_articles([make_article("ok"), make_article("bad", entities=[too_big])])
    assert caught.value.kind == "sink"
    assert not isinstance(caught.value, StoreUnavailable)
    assert await store.count_articles() == 0  # one transaction: nothing of the batch written
    assert await store.write_articles([make_article("ok")]) == WriteResult(1, 0, 0)


async def test_a_missing_database_is_not_reported_as_unavailable(url: str) -> None:
    # An unknown database is a configuration error, not an outage: it must not be reported as
    # StoreUnavailable (an agent would retry forever) nor as bad data.
    missing = make_url(url).set(database=f"missing_{uuid.uuid4().hex[:8]}")
    with pytest.raises(Exception) as caught:
        await Store.open(missing.render_as_string(hide_password=False))
    assert not isinstance(caught.value, StoreUnavailable | PipelineError)
