"""Schema migrations at start-up: Alembic, under a lock so that two workers starting
together do not migrate twice.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from newsflow.store.engine import BEGIN_IMMEDIATE, create_engine, ensure_sqlite_parent, parse_url
from newsflow.store.errors import translated

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent.parent / "migrations"

# Any constant works as long as every newsflow process uses the same one.
_PG_MIGRATION_LOCK_KEY: Final = 0x6E657773666C6F77  # "newsflow"


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
    engine = create_engine(url)
    try:
        async with translated("migrate", url):
            async with engine.connect() as conn:
                if await conn.run_sync(_at_head):
                    return
            # On SQLite, BEGIN IMMEDIATE is the cross-process lock: a concurrent migrate waits
            # on the busy timeout, then finds alembic_version at head and does nothing.
            locking = engine.execution_options(**{BEGIN_IMMEDIATE: True})
            async with locking.begin() as conn:
                await conn.run_sync(_upgrade_head)
    finally:
        await engine.dispose()


def migrate_blocking(url: URL) -> None:
    ensure_sqlite_parent(url)
    asyncio.run(_migrate_on_private_loop(url))


async def migrate(url: str) -> None:
    """Bring the schema to the latest revision; cheap and safe to call on every start.

    Alembic reads its scripts from disk and imports them, which is blocking work, so the whole
    upgrade runs in a worker thread on its own event loop and the caller's loop stays responsive.
    Concurrent callers (threads or processes) serialise on a database lock; see the callee.
    Raises :class:`StoreUnavailable` when the database cannot be reached.
    """
    await asyncio.to_thread(migrate_blocking, parse_url(url))
