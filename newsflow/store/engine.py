"""Database URLs and engines: SQLite and PostgreSQL behind one code path, with busy
and connect timeouts a retrying sink can live with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# How long a SQLite connection waits for another writer before giving up with StoreUnavailable.
# Override per URL with pysqlite's own parameter, e.g. ``sqlite+aiosqlite:///x.db?timeout=2``.
DEFAULT_SQLITE_BUSY_TIMEOUT_S: Final = 10.0
# asyncpg waits 60 s by default; a retrying agent should learn sooner that PostgreSQL is down.
DEFAULT_PG_CONNECT_TIMEOUT_S: Final = 10.0

BEGIN_IMMEDIATE: Final = "newsflow_begin_immediate"


def parse_url(url: str) -> URL:
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
        raise ValueError(f"unsupported database URL (SQLite or PostgreSQL only): {redact(url)}")
    return parsed


def redact(url: str | URL) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "<unparseable URL>"


def ensure_sqlite_parent(url: URL) -> None:
    """Blocking; callers run it in a thread."""
    if url.get_backend_name() != "sqlite" or url.query.get("uri") in ("true", "1"):
        return
    assert url.database is not None  # parse_url rejected the rest
    Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_engine(url: URL) -> AsyncEngine:
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
        immediate = connection.get_execution_options().get(BEGIN_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
