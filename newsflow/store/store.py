"""`Store`: the sink's handle on its database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from newsflow.core.errors import PipelineError
from newsflow.core.types import DeadLetterDict, EnrichedArticleDict
from newsflow.store.engine import BEGIN_IMMEDIATE, create_engine, ensure_sqlite_parent, parse_url
from newsflow.store.errors import translated
from newsflow.store.letters import (
    LetterQuery,
    ids_with_prefix,
    letter_query,
    replays_query,
    summaries_query,
)
from newsflow.store.migrate import migrate_blocking
from newsflow.store.rows import (
    article_row,
    article_upsert,
    dead_letter_insert,
    dead_letter_row,
    entity_rows,
    storable_article,
)
from newsflow.store.tables import (
    article_entities,
    articles,
    dead_letter_replays,
    dead_letters,
)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a batch did, so the sink can report progress and replays show up as ``unchanged``.

    ``inserted + updated + unchanged == len(batch)``: an earlier copy of an id that a later one in
    the same batch superseded counts as unchanged, because it did not change the stored row.
    """

    inserted: int
    updated: int
    unchanged: int
    # Ids whose row this batch inserted or changed; the others were already stored as they are.
    changed: frozenset[str] = field(default=frozenset(), compare=False)
    # For the ids it did not change: the `enriched_at` of the record already stored. A copy
    # with that same value is the same message delivered again (after a crash between the
    # write and its ack), not another enrichment of an unchanged page.
    kept: Mapping[str, str | None] = field(default_factory=dict, compare=False)


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A result row as a dict with plain ``str`` keys (SQLAlchemy's column names are a str
    subclass that JSON encoders such as orjson refuse)."""
    return {str(key): value for key, value in row.items()}


class Store:
    """The sink's handle on its database; one per process, shared by the agent's coroutines."""

    def __init__(self, engine: AsyncEngine, url: URL) -> None:
        """Use :meth:`open`, which also migrates and validates the URL."""
        self._engine = engine
        self._url = url
        # Writers start with BEGIN IMMEDIATE on SQLite (a no-op option on PostgreSQL).
        self._write_engine = engine.execution_options(**{BEGIN_IMMEDIATE: True})
        dialect = engine.dialect.name
        self._upsert_articles = article_upsert(dialect)
        self._insert_dead_letters = dead_letter_insert(dialect)

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect lazily; with ``migrate`` the schema is brought to head first.

        Without ``migrate`` (a read-only CLI) an unreachable database shows up as
        :class:`StoreUnavailable` on the first call instead.
        """
        parsed = parse_url(url)
        if migrate:
            await asyncio.to_thread(migrate_blocking, parsed)
        else:
            await asyncio.to_thread(ensure_sqlite_parent, parsed)
        return cls(create_engine(parsed), parsed)

    async def close(self) -> None:
        await self._engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``, for log lines and tests."""
        return self._engine.dialect.name

    @asynccontextmanager
    async def _write(self, what: str) -> AsyncIterator[AsyncConnection]:
        async with translated(what, self._url), self._write_engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _read(self, what: str) -> AsyncIterator[AsyncConnection]:
        async with translated(what, self._url), self._engine.connect() as conn:
            yield conn

    async def write_articles(self, batch: Sequence[EnrichedArticleDict]) -> WriteResult:
        """Upsert a batch in one transaction; see :func:`article_upsert` for idempotency.

        Duplicated ids inside the batch: the last copy wins. Entity rows of an article are
        replaced whenever its content changes, and only then.
        """
        if not batch:
            return WriteResult(0, 0, 0)
        now = datetime.now(UTC)
        latest: dict[str, EnrichedArticleDict] = {}
        try:
            for item in batch:
                latest[item["id"]] = storable_article(item)
            # Sorted ids: concurrent writers lock rows in the same order and cannot deadlock.
            ids = sorted(latest)
            rows = [article_row(latest[i], now) for i in ids]
            entities_of = {i: entity_rows(latest[i]) for i in ids}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PipelineError("sink", f"malformed enriched article: {exc!r}") from exc

        async with self._write("write_articles") as conn:
            result = await conn.execute(self._upsert_articles, rows)
            written: dict[str, int] = {row.id: row.version for row in result}
            kept: dict[str, str | None] = {}
            if len(written) < len(ids):
                stored_at = articles.c.doc["enriched_at"].as_string()
                query = sa.select(articles.c.id, stored_at).where(
                    articles.c.id.in_([i for i in ids if i not in written])
                )
                kept = {row[0]: row[1] for row in await conn.execute(query)}
            if written:
                changed = sorted(written)
                await conn.execute(
                    article_entities.delete().where(article_entities.c.article_id.in_(changed))
                )
                new_entities = [row for i in changed for row in entities_of[i]]
                if new_entities:
                    await conn.execute(article_entities.insert(), new_entities)

        inserted = sum(1 for version in written.values() if version == 1)
        updated = len(written) - inserted
        return WriteResult(
            inserted, updated, len(batch) - inserted - updated, frozenset(written), kept
        )

    async def write_dead_letters(self, batch: Sequence[DeadLetterDict]) -> int:
        """Insert the dead letters not stored yet; returns how many were new.

        The id is derived from the source coordinates, so the first copy stored is kept and a
        replayed dead letter is ignored rather than overwriting the original diagnosis.
        """
        if not batch:
            return 0
        first: dict[str, dict[str, Any]] = {}
        try:
            for item in batch:
                if item["id"] not in first:
                    first[item["id"]] = dead_letter_row(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PipelineError("sink", f"malformed dead letter: {exc!r}") from exc
        rows = [first[i] for i in sorted(first)]
        async with self._write("write_dead_letters") as conn:
            result = await conn.execute(self._insert_dead_letters, rows)
            return len(result.all())

    async def count_articles(self) -> int:
        return await self._count(articles)

    async def count_dead_letters(self) -> int:
        return await self._count(dead_letters)

    async def _count(self, table: sa.Table) -> int:
        async with self._read(f"count {table.name}") as conn:
            return int(await conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)

    async def article_ids(self) -> set[str]:
        async with self._read("article_ids") as conn:
            return set((await conn.scalars(sa.select(articles.c.id))).all())

    async def get_article(self, article_id: str) -> EnrichedArticleDict | None:
        """The message as it was stored (NUL characters and lone surrogates replaced)."""
        async with self._read("get_article") as conn:
            doc = await conn.scalar(sa.select(articles.c.doc).where(articles.c.id == article_id))
        return cast(EnrichedArticleDict | None, doc)

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        """A CLI summary: newest published first, undated articles after all dated ones.

        Keys: ``id``, ``title``, ``published_at`` (the page's ISO text with its own offset, so a
        Tehran article shows Tehran time), ``site``, ``language``, ``routes`` and ``entities``
        (entity names, most mentioned first).
        """
        published_text = articles.c.doc[("article", "published_at")].as_string()
        query = (
            sa.select(
                articles.c.id,
                articles.c.title,
                published_text.label("published_text"),
                articles.c.site,
                articles.c.language,
                articles.c.routes,
            )
            .order_by(articles.c.published_at.desc().nulls_last(), articles.c.id)
            .limit(limit)
        )
        async with self._read("recent") as conn:
            rows = (await conn.execute(query)).all()
            names: dict[str, list[str]] = {row.id: [] for row in rows}
            if names:
                entity_query = (
                    sa.select(article_entities.c.article_id, article_entities.c.name)
                    .where(article_entities.c.article_id.in_(list(names)))
                    .order_by(
                        article_entities.c.article_id,
                        article_entities.c.count.desc(),
                        article_entities.c.salience.desc(),
                        article_entities.c.name,
                    )
                )
                for article_id, name in (await conn.execute(entity_query)).all():
                    names[article_id].append(name)
        return [
            {
                "id": row.id,
                "title": row.title,
                "published_at": row.published_text,
                "site": row.site,
                "language": row.language,
                "routes": list(row.routes),
                "entities": names[row.id],
            }
            for row in rows
        ]

    # ------------------------------------------------------------ dead letters, for operators

    async def dead_letter_summaries(self, query: LetterQuery) -> list[dict[str, Any]]:
        """Letters matching ``query``, newest failure first, without their original bytes.

        Each dict has the letter's columns but ``original_b64`` and ``original_key_b64``,
        plus ``replays`` (how many times it was replayed) and ``last_replayed_at``.
        """
        async with self._read("dead_letter_summaries") as conn:
            rows = (await conn.execute(summaries_query(query))).mappings().all()
        return [_plain(row) for row in rows]

    async def dead_letter_ids(self, prefix: str, limit: int = 2) -> list[str]:
        """Ids beginning with ``prefix``, at most ``limit``: an operator may type a short one."""
        async with self._read("dead_letter_ids") as conn:
            return list((await conn.scalars(ids_with_prefix(prefix, limit))).all())

    async def get_dead_letter(self, letter_id: str) -> dict[str, Any] | None:
        """Every column of one letter (original included), ``replays`` and ``last_replayed_at``."""
        async with self._read("get_dead_letter") as conn:
            row = (await conn.execute(letter_query(letter_id))).mappings().first()
        return None if row is None else _plain(row)

    async def dead_letter_replays(self, letter_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The replays of these letters, oldest first per letter."""
        if not letter_ids:
            return []
        async with self._read("dead_letter_replays") as conn:
            rows = (await conn.execute(replays_query(sorted(set(letter_ids))))).mappings().all()
        return [_plain(row) for row in rows]

    async def record_replays(self, replays: Sequence[Mapping[str, Any]]) -> int:
        """Add replay rows (``letter_id``, ``replayed_at``, ``target_topic``,
        ``target_partition``, ``target_offset``, ``note``, ``replayed_by``) in one transaction.

        Called after the broker confirmed each re-publication, so a row always names a record
        that exists; returns how many were written.
        """
        if not replays:
            return 0
        async with self._write("record_replays") as conn:
            await conn.execute(dead_letter_replays.insert(), [dict(r) for r in replays])
        return len(replays)
