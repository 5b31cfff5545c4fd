"""The sink's store against a real PostgreSQL server: the SQLite behaviours must hold here too.

The server comes from ``NEWSFLOW_TEST_POSTGRES_URL`` (CI sets it; locally
``export NEWSFLOW_TEST_POSTGRES_URL=$(dev/postgres.sh start)``). The tests create a database of
their own next to the one named and drop it at the end; when the role may not create databases
they fall back to the named one and drop only the sink's tables in it.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

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
    dead_letters,
    metadata,
    migrate,
)
from tests.storage_helpers import (
    POSTGRES_MARKS,
    POSTGRES_URL,
    RIYADH,
    TEHRAN,
    fetch,
    make_article,
    make_dead_letter,
    postgres_database,
)

PG_URL = POSTGRES_URL
pytestmark = POSTGRES_MARKS

SINK_TABLES = ("article_entities", "articles", "dead_letters", "alembic_version")


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A database for this module alone."""
    with postgres_database("newsflow_test") as url:
        yield url


@pytest.fixture
async def url(database_url: str) -> str:
    """The sink's tables dropped, so that every test starts from an unmigrated database."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            for table in SINK_TABLES:
                await conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    finally:
        await engine.dispose()
    return database_url


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    opened = await Store.open(url)
    try:
        yield opened
    finally:
        await opened.close()


async def test_it_is_really_postgres(store: Store, url: str) -> None:
    assert store.dialect == "postgresql"
    (row,) = await fetch(url, sa.text("SELECT version()"))
    assert str(row[0]).startswith("PostgreSQL")


async def test_insert_then_replay_then_change(store: Store, url: str) -> None:
    batch = [make_article("a1"), make_article("a2"), make_article("a3")]
    assert await store.write_articles(batch) == WriteResult(3, 0, 0)
    assert await store.write_articles(batch) == WriteResult(0, 0, 3)
    changed = [make_article("a1"), make_article("a2", "h2"), make_article("a4")]
    assert await store.write_articles(changed) == WriteResult(1, 1, 1)
    assert await store.write_articles(changed) == WriteResult(0, 0, 3)

    rows = await fetch(url, sa.select(articles.c.id, articles.c.version).order_by("id"))
    assert [tuple(r) for r in rows] == [("a1", 1), ("a2", 2), ("a3", 1), ("a4", 1)]
    assert await store.count_articles() == 4
    assert await store.article_ids() == {"a1", "a2", "a3", "a4"}
    assert await store.get_article("a2") == changed[1]


async def test_version_and_timestamps(store: Store, url: str) -> None:
    await store.write_articles([make_article("a1", "h1")])
    (first,) = await fetch(url, sa.select(articles).where(articles.c.id == "a1"))
    await store.write_articles([make_article("a1", "h2")])
    await store.write_articles([make_article("a1", "h2")])
    await store.write_articles([make_article("a1", "h3")])
    (last,) = await fetch(url, sa.select(articles).where(articles.c.id == "a1"))
    assert (first.version, last.version) == (1, 3)
    assert last.first_seen_at == first.first_seen_at
    assert last.updated_at >= first.updated_at


async def test_duplicates_inside_one_batch_last_wins(store: Store, url: str) -> None:
    batch = [make_article("a1", "h1"), make_article("a1", "h2", title="last")]
    assert await store.write_articles(batch) == WriteResult(1, 0, 1)
    (row,) = await fetch(url, sa.select(articles).where(articles.c.id == "a1"))
    assert (row.content_hash, row.title, row.version) == ("h2", "last", 1)


async def test_entities_are_replaced_on_content_change_only(store: Store, url: str) -> None:
    await store.write_articles([make_article("a1", "h1", entities=[TEHRAN, RIYADH])])
    await store.write_articles([make_article("a1", "h1", entities=[])])
    query = sa.select(article_entities.c.entity_id).order_by("entity_id")
    assert [r.entity_id for r in await fetch(url, query)] == ["Q3616", "Q3692"]
    await store.write_articles([make_article("a1", "h2", entities=[RIYADH])])
    assert [r.entity_id for r in await fetch(url, query)] == ["Q3692"]


async def test_dead_letters_are_idempotent_by_id(store: Store, url: str) -> None:
    assert await store.write_dead_letters([make_dead_letter("d1"), make_dead_letter("d2")]) == 2
    assert await store.write_dead_letters([make_dead_letter("d1", "later")]) == 0
    assert await store.write_dead_letters([make_dead_letter("d3"), make_dead_letter("d3")]) == 1
    assert await store.count_dead_letters() == 3
    (row,) = await fetch(url, sa.select(dead_letters).where(dead_letters.c.id == "d1"))
    assert (row.message, row.source_offset) == ("cannot decode", 2**40)
    assert row.failed_at == datetime(2024, 3, 19, 11, 7, tzinfo=UTC)


async def test_arabic_persian_and_unstorable_characters(store: Store) -> None:
    persian = make_article("fa1", title="رئیس‌جمهور در تهران: «گفت‌وگو»", body="۱۴۰۲ ی ک")
    arabic = make_article("ar1", title="الرئيسُ يَزورُ الرياضَ 🇸🇦", body="\u200fفقرة، ٢٠٢٤؟")
    # PostgreSQL rejects NUL in text and jsonb outright; the store must not let that poison a batch.
    broken = make_article("x1", title="nul\x00here", body="lone \udc80 surrogate")
    assert await store.write_articles([persian, arabic, broken]) == WriteResult(3, 0, 0)
    assert await store.get_article("fa1") == persian
    assert await store.get_article("ar1") == arabic
    stored = await store.get_article("x1")
    assert stored is not None
    assert stored["article"]["title"] == "nul\ufffdhere"
    assert stored["article"]["body"] == "lone \ufffd surrogate"
    assert await store.write_dead_letters([make_dead_letter("d1", "bytes \x00\x01")]) == 1


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


async def test_migrate_twice_and_concurrently(url: str) -> None:
    code = "import asyncio, sys; from newsflow.store import migrate; " + (
        "asyncio.run(migrate(sys.argv[1]))"
    )
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, url, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(4)
    ]
    results = [await proc.communicate() for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, [err for _, err in results]
    await asyncio.gather(migrate(url), migrate(url))
    await migrate(url)
    versions = await fetch(url, sa.text("SELECT version_num FROM alembic_version"))
    assert [tuple(v) for v in versions] == [("0002",)]


async def test_the_migration_builds_what_the_table_definitions_describe(url: str) -> None:
    await migrate(url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            def reflect(sync_conn: sa.Connection) -> dict[str, Any]:
                inspector = sa.inspect(sync_conn)
                return {
                    table: {c["name"]: c["nullable"] for c in inspector.get_columns(table)}
                    for table in inspector.get_table_names()
                }

            actual = await conn.run_sync(reflect)
            doc_type = (
                await conn.exec_driver_sql(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'articles' AND column_name = 'doc'"
                )
            ).scalar()
    finally:
        await engine.dispose()
    for table in metadata.sorted_tables:
        assert actual[table.name] == {c.name: c.nullable for c in table.columns}
    assert doc_type == "jsonb"


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


async def test_two_writers_on_overlapping_ids(url: str) -> None:
    async with await Store.open(url) as one, await Store.open(url, migrate=False) as two:
        for round_ in range(3):
            batch_one = [make_article(f"a{i:03d}", f"h{round_}") for i in range(0, 300)]
            batch_two = [make_article(f"a{i:03d}", f"h{round_}") for i in range(299, -1, -2)]
            first, second = await asyncio.gather(
                one.write_articles(batch_one), two.write_articles(batch_two)
            )
            # Whoever got there first wrote the shared ids; the other saw them unchanged.
            assert first.inserted + first.updated + second.inserted + second.updated == 300
        assert await one.count_articles() == 300


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
