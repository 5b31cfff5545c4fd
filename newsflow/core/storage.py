"""The sink's database: enriched articles and dead letters, in SQLite or PostgreSQL.

One code path serves both back ends so that a laptop run (``sqlite+aiosqlite:///var/newsflow.db``,
nothing to install) behaves like production (``postgresql+asyncpg://...``). SQLAlchemy Core rather
than the ORM: the sink writes batches of plain dicts, and an identity map would only cost memory.
The schema belongs to the Alembic migrations in ``newsflow/migrations``; the tables below describe
it for building statements and a unit test keeps the two in step.

Error contract, so that the sink agent can tell "try again later" from "this record is bad":

* :class:`StoreUnavailable` - the database cannot be reached or is busy (PostgreSQL down or
  restarting, network error, SQLite locked past its busy timeout, disk full). Nothing was written.
  Retry the *same* batch with backoff and do not commit the Kafka offsets meanwhile. It
  deliberately does **not** derive from :class:`~newsflow.core.errors.PipelineError`: an agent
  that dead-letters every ``PipelineError`` would otherwise dead-letter the whole stream during
  a database outage.
* ``PipelineError("sink", ...)`` - the database (or the row builder) rejected the content of the
  batch: a malformed dict, a value the column cannot hold. Retrying the batch will fail again;
  write the records one at a time to find the culprit and dead-letter it.
* Anything else (``ProgrammingError``, missing tables with ``migrate=False``...) is a bug or a
  deployment mistake and propagates unchanged.

``published_at`` (and the other instants) are real timestamps, not the ISO text of the message:
``timestamptz`` on PostgreSQL and, on SQLite, fixed-width UTC text
(``2024-03-01T06:30:00.000000+00:00``). Pages carry their own offsets (``+03:30`` for Tehran,
``+03:00`` for Riyadh); compared as text those order wrongly, normalised to UTC they sort and
range-filter correctly on both back ends with one index. The page's own offset is not lost: the
message is also kept whole in ``doc``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from newsflow.core.errors import PipelineError
from newsflow.core.types import DeadLetterDict, EnrichedArticleDict

__all__ = [
    "Store",
    "StoreUnavailable",
    "WriteResult",
    "article_entities",
    "articles",
    "dead_letters",
    "metadata",
    "migrate",
]

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent.parent / "migrations"

# How long a SQLite connection waits for another writer before giving up with StoreUnavailable.
# Override per URL with pysqlite's own parameter, e.g. ``sqlite+aiosqlite:///x.db?timeout=2``.
DEFAULT_SQLITE_BUSY_TIMEOUT_S: Final = 10.0
# asyncpg waits 60 s by default; a retrying agent should learn sooner that PostgreSQL is down.
DEFAULT_PG_CONNECT_TIMEOUT_S: Final = 10.0

# Any constant works as long as every newsflow process uses the same one.
_PG_MIGRATION_LOCK_KEY: Final = 0x6E657773666C6F77  # "newsflow"
_BEGIN_IMMEDIATE: Final = "newsflow_begin_immediate"

# SQLite primary result codes that mean "not now" rather than "never":
# BUSY, LOCKED, NOMEM, READONLY (a file made read-only by an operator), IOERR, FULL,
# CANTOPEN, PROTOCOL.
_SQLITE_TRANSIENT: Final = frozenset({5, 6, 7, 8, 10, 13, 14, 15})
# SQLSTATE classes: connection exception, transaction rollback (serialization failure, deadlock),
# insufficient resources, operator intervention (shutdown, crash recovery), system error.
_PG_TRANSIENT_CLASSES: Final = frozenset({"08", "40", "53", "57", "58"})
# Data exception, integrity constraint violation: the record, not the database, is at fault.
_PG_DATA_CLASSES: Final = frozenset({"22", "23"})

# PostgreSQL text and jsonb cannot hold NUL, and no driver can encode a lone surrogate; both occur
# in text decoded from broken pages. Replaced one for one, so that mention offsets stay valid.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class StoreUnavailable(Exception):
    """The database could not be used right now; retry the same batch later.

    Not a :class:`PipelineError` on purpose (see the module docstring): the records are fine and
    must not be dead-lettered.
    """


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


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware instant that sorts chronologically on both back ends (module docstring)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(32))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store a naive datetime: {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # isoformat pads the year and always writes microseconds: fixed width, so text
            # order is time order.
            return value.isoformat(timespec="microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return cast(datetime, value).astimezone(UTC)


_Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("canonical_url", sa.Text, nullable=False),
    sa.Column("site", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("language", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("lead", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("published_at", UtcDateTime()),
    sa.Column("authors", _Json, nullable=False),
    sa.Column("tags", _Json, nullable=False),
    sa.Column("images", _Json, nullable=False),
    sa.Column("entities", _Json, nullable=False),
    sa.Column("routes", _Json, nullable=False),
    sa.Column("categories", _Json, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("doc", _Json, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("first_seen_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

article_entities = sa.Table(
    "article_entities",
    metadata,
    sa.Column(
        "article_id",
        sa.Text,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("salience", sa.Float, nullable=False),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("error_kind", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("original_b64", sa.Text, nullable=False),
    sa.Column("original_key_b64", sa.Text),
    sa.Column("source_topic", sa.Text, nullable=False),
    sa.Column("source_partition", sa.Integer, nullable=False),
    sa.Column("source_offset", sa.BigInteger, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("failed_at", UtcDateTime()),
    sa.Column("original_size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("original_sha256", sa.Text),
    sa.Column("original_truncated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("original_file", sa.Text),
)


# --------------------------------------------------------------------------------------------
# URLs and engines


def _parse_url(url: str) -> URL:
    """Accept the plain driver names too, so ``sqlite:///x.db`` on a command line just works."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
        database = parsed.database or ""
        if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
            # Every pooled connection would see its own empty database, and migrations run on
            # a separate engine: an in-memory store cannot work.
            raise ValueError("an in-memory SQLite database cannot be used; give a file path")
    elif backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database URL (SQLite or PostgreSQL only): {_redact(url)}")
    return parsed


def _redact(url: str | URL) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "<unparseable URL>"


def _ensure_sqlite_parent(url: URL) -> None:
    """Blocking; callers run it in a thread."""
    if url.get_backend_name() != "sqlite" or url.query.get("uri") in ("true", "1"):
        return
    assert url.database is not None  # _parse_url rejected the rest
    Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _create_engine(url: URL) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        timeout_s = float(str(url.query.get("timeout", DEFAULT_SQLITE_BUSY_TIMEOUT_S)))
        engine = create_async_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"timeout": timeout_s},
        )
        _install_sqlite_hooks(engine, busy_timeout_ms=int(timeout_s * 1000))
        return engine
    return create_async_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=True,  # a connection that outlived a PostgreSQL restart is replaced
        connect_args={"timeout": DEFAULT_PG_CONNECT_TIMEOUT_S},
    )


def _install_sqlite_hooks(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    """WAL so a reader CLI never blocks the worker, and BEGIN issued by us.

    The sqlite3 driver's own transaction handling skips BEGIN before DDL, which would make
    migrations non-atomic; taking it over also lets writers start with ``BEGIN IMMEDIATE`` so that
    they queue on the busy timeout instead of failing on a lock upgrade, and lets two processes
    running :func:`migrate` at once serialise on the write lock.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get(_BEGIN_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# --------------------------------------------------------------------------------------------
# Errors


def _translate(exc: BaseException, what: str, url: URL) -> Exception | None:
    """Map a driver failure onto the module's error contract; None means "let it propagate"."""
    where = url.render_as_string(hide_password=True)
    if isinstance(exc, sa_exc.DBAPIError):
        orig = exc.orig
        detail = f"{type(orig).__name__}: {orig}"
        if exc.connection_invalidated:
            return StoreUnavailable(f"{what}: lost the connection to {where} ({detail})")
        sqlite_code = getattr(orig, "sqlite_errorcode", None)
        if isinstance(sqlite_code, int) and sqlite_code & 0xFF in _SQLITE_TRANSIENT:
            return StoreUnavailable(f"{what}: {where} is not usable right now ({detail})")
        sqlstate = getattr(orig, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate[:2] in _PG_TRANSIENT_CLASSES:
            return StoreUnavailable(f"{what}: {where} is not usable right now ({detail})")
        if (isinstance(sqlstate, str) and sqlstate[:2] in _PG_DATA_CLASSES) or isinstance(
            exc, sa_exc.IntegrityError | sa_exc.DataError
        ):
            return PipelineError("sink", f"{what}: the database rejected the batch ({detail})")
        if isinstance(exc, sa_exc.InterfaceError):
            return StoreUnavailable(f"{what}: cannot talk to {where} ({detail})")
        return None
    if isinstance(exc, OSError | sa_exc.TimeoutError | sa_exc.DisconnectionError):
        # OSError covers connection refused / unreachable / DNS, and TimeoutError.
        return StoreUnavailable(f"{what}: cannot reach {where} ({type(exc).__name__}: {exc})")
    return None


@asynccontextmanager
async def _translated(what: str, url: URL) -> AsyncIterator[None]:
    try:
        yield
    except Exception as exc:
        translated = _translate(exc, what, url)
        if translated is None:
            raise
        raise translated from exc


# --------------------------------------------------------------------------------------------
# Migrations


def _alembic_config() -> Config:
    """Configured in code, so migrations run from an installed wheel without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _at_head(connection: sa.Connection) -> bool:
    """Checked before taking any lock, so a routine start does not queue behind a writer."""
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(heads)


def _upgrade_head(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Transactional DDL plus this lock: a second process waits, then finds the head applied.
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY}
        )
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def _migrate_on_private_loop(url: URL) -> None:
    engine = _create_engine(url)
    try:
        async with _translated("migrate", url):
            async with engine.connect() as conn:
                if await conn.run_sync(_at_head):
                    return
            # On SQLite, BEGIN IMMEDIATE is the cross-process lock: a concurrent migrate waits
            # on the busy timeout, then finds alembic_version at head and does nothing.
            locking = engine.execution_options(**{_BEGIN_IMMEDIATE: True})
            async with locking.begin() as conn:
                await conn.run_sync(_upgrade_head)
    finally:
        await engine.dispose()


def _migrate_blocking(url: URL) -> None:
    _ensure_sqlite_parent(url)
    asyncio.run(_migrate_on_private_loop(url))


async def migrate(url: str) -> None:
    """Bring the schema to the latest revision; cheap and safe to call on every start.

    Alembic reads its scripts from disk and imports them, which is blocking work, so the whole
    upgrade runs in a worker thread on its own event loop and the caller's loop stays responsive.
    Concurrent callers (threads or processes) serialise on a database lock; see the callee.
    Raises :class:`StoreUnavailable` when the database cannot be reached.
    """
    await asyncio.to_thread(_migrate_blocking, _parse_url(url))


# --------------------------------------------------------------------------------------------
# Row building

_T = TypeVar("_T")


def _scrub(value: _T) -> _T:
    if isinstance(value, str):
        return cast(_T, _UNSTORABLE.sub("\ufffd", value))
    if isinstance(value, dict):
        return cast(_T, {_scrub(k): _scrub(v) for k, v in value.items()})
    if isinstance(value, list):
        return cast(_T, [_scrub(v) for v in value])
    return value


def _storable_article(item: EnrichedArticleDict) -> EnrichedArticleDict:
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


def _article_row(item: EnrichedArticleDict, now: datetime) -> dict[str, Any]:
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


def _entity_rows(item: EnrichedArticleDict) -> list[dict[str, Any]]:
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


def _dead_letter_row(item: DeadLetterDict) -> dict[str, Any]:
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


def _article_upsert(dialect_name: str) -> Any:
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


def _dead_letter_insert(dialect_name: str) -> Any:
    stmt = _insert_for(dialect_name)(dead_letters)
    return stmt.on_conflict_do_nothing(index_elements=[dead_letters.c.id]).returning(
        dead_letters.c.id
    )


# --------------------------------------------------------------------------------------------
# The store


class Store:
    """The sink's handle on its database; one per process, shared by the agent's coroutines."""

    def __init__(self, engine: AsyncEngine, url: URL) -> None:
        """Use :meth:`open`, which also migrates and validates the URL."""
        self._engine = engine
        self._url = url
        # Writers start with BEGIN IMMEDIATE on SQLite (a no-op option on PostgreSQL).
        self._write_engine = engine.execution_options(**{_BEGIN_IMMEDIATE: True})
        dialect = engine.dialect.name
        self._upsert_articles = _article_upsert(dialect)
        self._insert_dead_letters = _dead_letter_insert(dialect)

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect lazily; with ``migrate`` the schema is brought to head first.

        Without ``migrate`` (a read-only CLI) an unreachable database shows up as
        :class:`StoreUnavailable` on the first call instead.
        """
        parsed = _parse_url(url)
        if migrate:
            await asyncio.to_thread(_migrate_blocking, parsed)
        else:
            await asyncio.to_thread(_ensure_sqlite_parent, parsed)
        return cls(_create_engine(parsed), parsed)

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
        async with _translated(what, self._url), self._write_engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _read(self, what: str) -> AsyncIterator[AsyncConnection]:
        async with _translated(what, self._url), self._engine.connect() as conn:
            yield conn

    async def write_articles(self, batch: Sequence[EnrichedArticleDict]) -> WriteResult:
        """Upsert a batch in one transaction; see :func:`_article_upsert` for idempotency.

        Duplicated ids inside the batch: the last copy wins. Entity rows of an article are
        replaced whenever its content changes, and only then.
        """
        if not batch:
            return WriteResult(0, 0, 0)
        now = datetime.now(UTC)
        latest: dict[str, EnrichedArticleDict] = {}
        try:
            for item in batch:
                latest[item["id"]] = _storable_article(item)
            # Sorted ids: concurrent writers lock rows in the same order and cannot deadlock.
            ids = sorted(latest)
            rows = [_article_row(latest[i], now) for i in ids]
            entity_rows = {i: _entity_rows(latest[i]) for i in ids}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PipelineError("sink", f"malformed enriched article: {exc!r}") from exc

        async with self._write("write_articles") as conn:
            result = await conn.execute(self._upsert_articles, rows)
            written: dict[str, int] = {row.id: row.version for row in result}
            if written:
                changed = sorted(written)
                await conn.execute(
                    article_entities.delete().where(article_entities.c.article_id.in_(changed))
                )
                new_entities = [row for i in changed for row in entity_rows[i]]
                if new_entities:
                    await conn.execute(article_entities.insert(), new_entities)

        inserted = sum(1 for version in written.values() if version == 1)
        updated = len(written) - inserted
        return WriteResult(inserted, updated, len(batch) - inserted - updated, frozenset(written))

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
                    first[item["id"]] = _dead_letter_row(item)
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
