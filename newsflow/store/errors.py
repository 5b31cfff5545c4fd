"""The store's error contract, in one place: which driver failures mean "later"
(`StoreUnavailable`) and which mean "this record" (``PipelineError("sink")``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from newsflow.core.errors import PipelineError

# SQLite primary result codes that mean "not now" rather than "never":
# BUSY, LOCKED, NOMEM, READONLY (a file made read-only by an operator), IOERR, FULL,
# CANTOPEN, PROTOCOL.
_SQLITE_TRANSIENT: Final = frozenset({5, 6, 7, 8, 10, 13, 14, 15})
# SQLSTATE classes: connection exception, transaction rollback (serialization failure, deadlock),
# insufficient resources, operator intervention (shutdown, crash recovery), system error.
_PG_TRANSIENT_CLASSES: Final = frozenset({"08", "40", "53", "57", "58"})
# Data exception, integrity constraint violation: the record, not the database, is at fault.
_PG_DATA_CLASSES: Final = frozenset({"22", "23"})


class StoreUnavailable(Exception):
    """The database could not be used right now; retry the same batch later.

    Not a :class:`PipelineError` on purpose (see the module docstring): the records are fine and
    must not be dead-lettered.
    """


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
async def translated(what: str, url: URL) -> AsyncIterator[None]:
    """Raise driver failures inside the block as the contract's errors."""
    try:
        yield
    except Exception as exc:
        mapped = _translate(exc, what, url)
        if mapped is None:
            raise
        raise mapped from exc
