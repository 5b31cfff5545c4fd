"""Alembic environment for the sink's schema.

At run time :func:`newsflow.store.migrate` hands over an open connection (inside a
transaction it has already locked), so nothing here creates engines for the normal path. The two
other paths exist for developers, through ``newsflow/alembic.ini``:

* ``alembic -c newsflow/alembic.ini -x url=postgresql://... upgrade head --sql`` prints the DDL
  for a DBA to review, without connecting;
* ``alembic -c newsflow/alembic.ini -x url=sqlite:///var/x.db upgrade head`` (or ``current``,
  ``downgrade``) connects by itself. Prefer ``migrate()`` in services: it adds the locking that
  makes concurrent starts safe.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

config = context.config


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or call newsflow.store.migrate")
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}.get(backend)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def _main() -> None:
    if context.is_offline_mode():
        context.configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
    else:
        asyncio.run(_run_with_own_engine(_url()))


_main()
