"""The sink's store, one suite for both back ends: a real SQLite file and a real PostgreSQL
server (``NEWSFLOW_TEST_POSTGRES_URL``, started by ``make test``; the PostgreSQL cases are
skipped without it). Accounting, idempotency, migrations, concurrency, errors.

No mocks: every test opens the database exactly as the worker would, and checks the stored
rows through a separate engine where the store's own answer could hide a bug. What only one
back end has (SQLite's file locks and WAL, PostgreSQL's column types and refusals) is
tested for that back end alone, here or in ``tests/integration/test_store_postgres.py``.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
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
    RIYADH,
    TEHRAN,
    drop_sink_tables,
    fetch,
    make_article,
    make_dead_letter,
    postgres_database,
)

pytestmark = pytest.mark.timeout(120)


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=POSTGRES_MARKS),
]


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database for this module alone (made only when a test asks)."""
    with postgres_database("newsflow_test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty, unmigrated database of ``backend``."""
    if backend == "sqlite":
        return sqlite_path_url(tmp_path)
    database_url = str(request.getfixturevalue("pg_database"))
    drop_sink_tables(database_url)
    return database_url


def sqlite_path_url(tmp_path: Path) -> str:
    # A directory that does not exist yet: the store must create it.
    return f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'sink.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return sqlite_path_url(tmp_path)


@pytest.fixture
async def sqlite_store(sqlite_url: str) -> AsyncIterator[Store]:
    async with await Store.open(sqlite_url) as opened:
        yield opened


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    async with await Store.open(url) as opened:
        yield opened


# ------------------------------------------------------------------------------------------
# Upsert accounting and idempotency


async def test_insert_then_replay_then_change(store: Store, url: str) -> None:
    batch = [make_article("a1"), make_article("a2"), make_article("a3")]
    assert await store.write_articles(batch) == WriteResult(inserted=3, updated=0, unchanged=0)
    assert await store.write_articles(batch) == WriteResult(inserted=0, updated=0, unchanged=3)

    changed = [make_article("a1"), make_article("a2", "h2"), make_article("a4")]
    assert await store.write_articles(changed) == WriteResult(inserted=1, updated=1, unchanged=1)

    rows = await fetch(url, sa.select(articles.c.id, articles.c.version).order_by("id"))
    assert [tuple(r) for r in rows] == [("a1", 1), ("a2", 2), ("a3", 1), ("a4", 1)]
    assert await store.count_articles() == 4
    assert await store.article_ids() == {"a1", "a2", "a3", "a4"}


async def test_replaying_a_message_many_times_never_duplicates_nor_bumps(store: Store) -> None:
    message = make_article("a1")
    await store.write_articles([message])
    for _ in range(5):
        assert await store.write_articles([message]) == WriteResult(0, 0, 1)
    assert await store.count_articles() == 1
    stored = await store.get_article("a1")
    assert stored == message


async def test_an_unchanged_write_says_which_record_is_stored(store: Store) -> None:
    """The sink tells the same message delivered again (``enriched_at`` equal) from another
    enrichment of an unchanged page."""
    first = make_article("a1")
    assert (await store.write_articles([first])).kept == {}
    again = await store.write_articles([first, make_article("a2")])
    assert again.changed == {"a2"}
    assert again.kept == {"a1": first["enriched_at"]}
    later = make_article("a1")
    later["enriched_at"] = "2024-03-01T09:00:00+00:00"
    assert (await store.write_articles([later])).kept == {"a1": first["enriched_at"]}


async def test_version_bumps_only_when_the_content_hash_changes(store: Store, url: str) -> None:
    await store.write_articles([make_article("a1", "h1")])
    (first,) = await fetch(url, sa.select(articles).where(articles.c.id == "a1"))

    # Same hash, different enrichment: ignored on purpose (content did not change).
    await store.write_articles([make_article("a1", "h1", title="other")])
    await store.write_articles([make_article("a1", "h2", title="تیتر تازه")])
    await store.write_articles([make_article("a1", "h2", title="تیتر تازه")])  # replay
    await store.write_articles([make_article("a1", "h3")])
    (last,) = await fetch(url, sa.select(articles).where(articles.c.id == "a1"))

    assert (first.version, last.version) == (1, 3)
    assert last.content_hash == "h3"
    assert last.first_seen_at == first.first_seen_at
    assert last.updated_at >= first.updated_at
    assert last.first_seen_at.tzinfo is not None


async def test_changing_back_to_an_old_hash_is_a_change(store: Store) -> None:
    await store.write_articles([make_article("a1", "h1")])
    await store.write_articles([make_article("a1", "h2")])
    assert await store.write_articles([make_article("a1", "h1")]) == WriteResult(0, 1, 0)


async def test_duplicates_inside_one_batch_last_wins(store: Store, url: str) -> None:
    batch = [make_article("a1", "h1"), make_article("a2"), make_article("a1", "h2", title="last")]
    result = await store.write_articles(batch)
    assert result == WriteResult(inserted=2, updated=0, unchanged=1)
    assert sum((result.inserted, result.updated, result.unchanged)) == len(batch)
    (row,) = await fetch(url, sa.select(articles).where(articles.c.id == "a1"))
    assert (row.content_hash, row.title, row.version) == ("h2", "last", 1)

    # Stored h2 then h1 then h2 again in one batch: the last copy equals the row, unchanged.
    again = [make_article("a1", "h1"), make_article("a1", "h2", title="last")]
    assert await store.write_articles(again) == WriteResult(0, 0, 2)


async def test_entities_are_replaced_on_content_change_only(store: Store, url: str) -> None:
    await store.write_articles([make_article("a1", "h1", entities=[TEHRAN])])
    await store.write_articles([make_article("a2", "h1", entities=[TEHRAN, RIYADH])])

    mentions_tehran = sa.select(article_entities.c.article_id).where(
        article_entities.c.entity_id == TEHRAN["id"]
    )
    assert {r.article_id for r in await fetch(url, mentions_tehran)} == {"a1", "a2"}

    # Same hash: the entity rows stay as they are even if the message lists others.
    await store.write_articles([make_article("a1", "h1", entities=[RIYADH])])
    assert {r.article_id for r in await fetch(url, mentions_tehran)} == {"a1", "a2"}

    await store.write_articles([make_article("a1", "h2", entities=[RIYADH])])
    assert {r.article_id for r in await fetch(url, mentions_tehran)} == {"a2"}
    rows = await fetch(
        url, sa.select(article_entities).where(article_entities.c.article_id == "a1")
    )
    assert [(r.entity_id, r.name, r.type, r._mapping["count"]) for r in rows] == [
        (RIYADH["id"], "الرياض", "GPE", 1)
    ]


async def test_an_entity_listed_twice_adds_up(store: Store, url: str) -> None:
    twice = EntityDict(**{**TEHRAN, "count": 2, "salience": 0.1})
    await store.write_articles([make_article("a1", entities=[TEHRAN, twice])])
    (row,) = await fetch(url, sa.select(article_entities))
    assert (row._mapping["count"], row.salience) == (5, 0.8)


async def test_empty_batches_touch_nothing(store: Store) -> None:
    assert await store.write_articles([]) == WriteResult(0, 0, 0)
    assert await store.write_dead_letters([]) == 0


async def test_a_large_batch_goes_through(store: Store) -> None:
    # More rows than one multi-VALUES page and more bound parameters than old SQLite allowed.
    batch = [make_article(f"a{i:05d}") for i in range(2500)]
    assert await store.write_articles(batch) == WriteResult(2500, 0, 0)
    assert await store.write_articles(batch) == WriteResult(0, 0, 2500)


# ------------------------------------------------------------------------------------------
# Dead letters


async def test_dead_letters_are_idempotent_by_id(store: Store, url: str) -> None:
    assert await store.write_dead_letters([make_dead_letter("d1"), make_dead_letter("d2")]) == 2
    assert await store.write_dead_letters([make_dead_letter("d1", "a later diagnosis")]) == 0
    batch = [make_dead_letter("d3"), make_dead_letter("d3", "dup"), make_dead_letter("d2")]
    assert await store.write_dead_letters(batch) == 1
    assert await store.count_dead_letters() == 3

    rows = await fetch(url, sa.select(dead_letters).order_by(dead_letters.c.id))
    assert [(r.id, r.message) for r in rows] == [
        ("d1", "cannot decode"),
        ("d2", "cannot decode"),
        ("d3", "cannot decode"),
    ]
    assert rows[0].source_offset == 2**40
    assert rows[0].failed_at == datetime(2024, 3, 19, 11, 7, tzinfo=UTC)


# ------------------------------------------------------------------------------------------
# Text, dates and what the CLI reads


async def test_arabic_and_persian_round_trip(store: Store, url: str) -> None:
    persian = make_article(
        "fa1",
        title="رئیس‌جمهور در تهران: «گفت‌وگو» ادامه دارد",  # ZWNJ inside words
        body="پاراگراف یک.\n\nپاراگراف ۲ با ارقام ۱۴۰۲ و ي/ی و ك/ک.",
    )
    arabic = make_article(
        "ar1",
        title="الرئيسُ يَزورُ الرياضَ 🇸🇦",  # diacritics, an astral-plane flag
        body="\u200fفقرة أولى،\u200f الثانية؟ ٢٠٢٤",  # RLM marks, Arabic punctuation and digits
        entities=[RIYADH],
        site="example.sa",
    )
    await store.write_articles([persian, arabic])

    assert await store.get_article("fa1") == persian
    assert await store.get_article("ar1") == arabic
    (row,) = await fetch(url, sa.select(articles.c.title).where(articles.c.id == "ar1"))
    assert row.title == arabic["article"]["title"]
    names = await fetch(url, sa.select(article_entities.c.name).order_by("name"))
    assert [r.name for r in names] == ["الرياض", "تهران"]


async def test_nul_and_lone_surrogates_are_replaced_not_fatal(store: Store) -> None:
    broken = make_article("x1", title="bad\x00title", body="half a pair: \ud83d here")
    assert await store.write_articles([broken]) == WriteResult(1, 0, 0)
    stored = await store.get_article("x1")
    assert stored is not None
    assert stored["article"]["title"] == "bad\ufffdtitle"
    # One for one, so entity mention offsets into the body stay valid.
    assert stored["article"]["body"] == "half a pair: \ufffd here"
    assert len(stored["article"]["body"]) == len(broken["article"]["body"])

    letter = make_dead_letter("d1", message="raw bytes \x00\x01")
    assert await store.write_dead_letters([letter]) == 1


async def test_published_at_is_an_instant_not_text(store: Store, url: str, backend: str) -> None:
    # As text, "10:00+03:30" sorts after "08:00+00:00"; as instants it is 06:30Z, earlier.
    tehran = make_article("tehran", published_at="2024-03-01T10:00:00+03:30")
    london = make_article("london", published_at="2024-03-01T08:00:00+00:00")
    undated = make_article("undated", published_at=None)
    no_offset = make_article("naive", published_at="2024-03-01T09:00:00")
    garbage = make_article("garbage", published_at="last Tuesday")
    await store.write_articles([undated, tehran, london, no_offset, garbage])

    recent = await store.recent(10)
    assert [r["id"] for r in recent][:2] == ["london", "tehran"]
    assert {r["id"] for r in recent[2:]} == {"undated", "naive", "garbage"}
    assert recent[1]["published_at"] == "2024-03-01T10:00:00+03:30"  # the page's own offset

    (row,) = await fetch(url, sa.select(articles.c.published_at).where(articles.c.id == "tehran"))
    assert row.published_at == datetime(2024, 3, 1, 6, 30, tzinfo=UTC)
    (raw,) = await fetch(url, sa.text("SELECT published_at FROM articles WHERE id = 'tehran'"))
    if backend == "sqlite":  # fixed-width UTC text, so that text order is time order
        assert raw[0] == "2024-03-01T06:30:00.000000+00:00"
    else:  # timestamptz
        assert raw[0] == datetime(2024, 3, 1, 6, 30, tzinfo=UTC)
    # The unusable value stays NULL in the column but intact in the document.
    stored = await store.get_article("garbage")
    assert stored is not None and stored["article"]["published_at"] == "last Tuesday"


async def test_recent_lists_what_the_cli_shows(store: Store) -> None:
    await store.write_articles(
        [
            make_article("a1", published_at="2024-03-01T08:00:00+00:00", entities=[RIYADH]),
            make_article("a2", published_at="2024-03-02T08:00:00+00:00", entities=[RIYADH, TEHRAN]),
            make_article("a3", published_at="2024-02-01T08:00:00+00:00", entities=[]),
        ]
    )
    recent = await store.recent(2)
    assert recent == [
        {
            "id": "a2",
            "title": "عنوان خبر",
            "published_at": "2024-03-02T08:00:00+00:00",
            "site": "example.ir",
            "language": "fa",
            "routes": ["news.topic.politics"],
            "entities": ["تهران", "الرياض"],  # most mentioned first
        },
        {
            "id": "a1",
            "title": "عنوان خبر",
            "published_at": "2024-03-01T08:00:00+00:00",
            "site": "example.ir",
            "language": "fa",
            "routes": ["news.topic.politics"],
            "entities": ["الرياض"],
        },
    ]
    assert await store.get_article("missing") is None


# ------------------------------------------------------------------------------------------
# Migrations


async def test_migrate_twice_is_a_no_op(url: str) -> None:
    await migrate(url)
    await migrate(url)
    (version,) = await fetch(url, sa.text("SELECT version_num FROM alembic_version"))
    assert tuple(version) == ("0003",)
    async with await Store.open(url) as store:  # migrates a third time
        assert await store.count_articles() == 0


async def test_concurrent_migrations_in_separate_processes(url: str) -> None:
    code = "import asyncio, sys; from newsflow.store import migrate; " + (
        "asyncio.run(migrate(sys.argv[1]))"
    )
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, url, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(6)
    ]
    results = [await proc.communicate() for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 6, [err for _, err in results]
    await asyncio.gather(migrate(url), migrate(url))
    versions = await fetch(url, sa.text("SELECT version_num FROM alembic_version"))
    assert [tuple(v) for v in versions] == [("0003",)]


async def test_the_migration_builds_what_the_table_definitions_describe(
    url: str, backend: str
) -> None:
    await migrate(url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:

            def reflect(sync_conn: sa.Connection) -> dict[str, Any]:
                inspector = sa.inspect(sync_conn)
                return {
                    table: {
                        "columns": {c["name"]: c["nullable"] for c in inspector.get_columns(table)},
                        "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                        "indexes": {i["name"] for i in inspector.get_indexes(table)},
                    }
                    for table in inspector.get_table_names()
                }

            actual = await conn.run_sync(reflect)
            if backend == "sqlite":
                mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
            else:
                mode = (
                    await conn.exec_driver_sql(
                        "SELECT data_type FROM information_schema.columns "
                        "WHERE table_name = 'articles' AND column_name = 'doc'"
                    )
                ).scalar()
    finally:
        await engine.dispose()

    for table in metadata.sorted_tables:
        assert actual[table.name]["columns"] == {c.name: c.nullable for c in table.columns}
        assert actual[table.name]["pk"] == [c.name for c in table.primary_key.columns]
    assert "ix_articles_published_at" in actual["articles"]["indexes"]
    assert "ix_article_entities_entity_id" in actual["article_entities"]["indexes"]
    assert mode == ("wal" if backend == "sqlite" else "jsonb")


# ------------------------------------------------------------------------------------------
# Concurrency


async def test_a_sqlite_reader_is_not_blocked_by_an_open_write_transaction(
    sqlite_store: Store, sqlite_url: str, tmp_path: Path
) -> None:
    store, url = sqlite_store, sqlite_url
    await store.write_articles([make_article("a1")])
    writer = sqlite3.connect(tmp_path / "nested" / "sink.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM article_entities")
        writer.execute("DELETE FROM articles")
        async with await Store.open(url, migrate=False) as reader:
            assert await reader.count_articles() == 1  # sees the last committed state
            assert [r["id"] for r in await reader.recent(5)] == ["a1"]
            writer.execute("COMMIT")
            assert await reader.count_articles() == 0
    finally:
        writer.close()


async def test_readers_read_while_the_writer_writes(store: Store, url: str) -> None:
    batches, size = 15, 40
    done = asyncio.Event()

    async def write() -> None:
        for b in range(batches):
            batch = [make_article(f"b{b:02d}-{i:02d}") for i in range(size)]
            assert await store.write_articles(batch) == WriteResult(size, 0, 0)
            await asyncio.sleep(0)
        done.set()

    async def read() -> list[int]:
        seen: list[int] = []
        async with await Store.open(url, migrate=False) as reader:
            while not done.is_set():
                seen.append(await reader.count_articles())
                await reader.recent(5)
                await asyncio.sleep(0)
            seen.append(await reader.count_articles())
        return seen

    _, *readers = await asyncio.gather(write(), read(), read())
    for seen in readers:
        assert seen == sorted(seen)
        assert all(n % size == 0 for n in seen), "a reader saw half a batch"
        assert seen[-1] == batches * size
        assert len(set(seen)) > 2, "the reader never ran while the writer was writing"


async def test_two_writers_on_overlapping_ids(url: str) -> None:
    async with await Store.open(url) as one, await Store.open(url, migrate=False) as two:
        batch_one = [make_article(f"a{i:03d}") for i in range(0, 300)]
        batch_two = [make_article(f"a{i:03d}") for i in range(150, 450)]
        first, second = await asyncio.gather(
            one.write_articles(batch_one), two.write_articles(batch_two)
        )
        assert first.inserted + second.inserted == 450
        assert first.unchanged + second.unchanged == 150
        assert await one.count_articles() == 450


# ------------------------------------------------------------------------------------------
# Errors


async def test_a_locked_database_is_unavailable_not_bad_data(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    await migrate(f"sqlite+aiosqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        async with await Store.open(f"sqlite+aiosqlite:///{path}?timeout=0.2") as store:
            with pytest.raises(StoreUnavailable, match="locked"):
                await store.write_articles([make_article("a1")])
            with pytest.raises(StoreUnavailable):
                await store.write_dead_letters([make_dead_letter("d1")])
            holder.execute("ROLLBACK")
            # The same batch succeeds once the lock is gone: retrying is the right reaction.
            assert await store.write_articles([make_article("a1")]) == WriteResult(1, 0, 0)
    finally:
        holder.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_unreachable_postgres_is_unavailable() -> None:
    url = f"postgresql+asyncpg://newsflow:secret@127.0.0.1:{_closed_port()}/newsflow"
    with pytest.raises(StoreUnavailable) as caught:
        await Store.open(url)
    assert "secret" not in str(caught.value)
    assert not isinstance(caught.value, PipelineError)  # must never be dead-lettered
    async with await Store.open(url, migrate=False) as store:
        with pytest.raises(StoreUnavailable):
            await store.write_articles([make_article("a1")])
        with pytest.raises(StoreUnavailable):
            await store.count_articles()


async def test_a_malformed_article_is_a_sink_pipeline_error(store: Store) -> None:
    broken: Any = make_article("a1")
    del broken["article"]["content_hash"]
    with pytest.raises(PipelineError) as caught:
        await store.write_articles([make_article("ok"), broken])
    assert caught.value.kind == "sink"
    assert await store.count_articles() == 0  # nothing of the batch was written


async def test_missing_schema_is_not_reported_as_unavailable(tmp_path: Path) -> None:
    async with await Store.open(f"sqlite:///{tmp_path / 'empty.db'}", migrate=False) as store:
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            await store.count_articles()


@pytest.mark.parametrize(
    "bad", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:", "mysql://x@localhost/db"]
)
async def test_unusable_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        await Store.open(bad)


async def test_plain_driver_names_are_accepted(tmp_path: Path) -> None:
    async with await Store.open(f"sqlite:///{tmp_path / 'plain.db'}") as store:
        assert store.dialect == "sqlite"
        assert await store.write_articles([make_article("a1")]) == WriteResult(1, 0, 0)
