"""SQL, script and Unicode injections in every field, through parse, enrich and a real SQLite
file, stored verbatim (see `tests.injection_pages`; the PostgreSQL twin is in
``tests/integration/test_injection_postgres.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.store import Store
from tests.injection_pages import check_injection_round_trip

pytestmark = pytest.mark.timeout(180)


async def test_injections_are_stored_verbatim_in_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'sink.db'}"
    store = await Store.open(url)
    try:
        await check_injection_round_trip(store, url)
    finally:
        await store.close()
