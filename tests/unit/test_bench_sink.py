"""bench/sink.py: the batch-size measurement stores what it times, under fresh ids."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.sink import enriched_records, rate, renamed
from newsflow.store import Store


def test_each_batch_size_inserts_every_record_under_its_own_ids(tmp_path: Path) -> None:
    records = enriched_records(4)
    assert len(records) == 4
    assert {r["id"] for r in renamed(records, "x")}.isdisjoint(r["id"] for r in records)
    url = f"sqlite+aiosqlite:///{tmp_path / 'sink.db'}"

    async def run() -> int:
        assert await rate(url, records, 3, "a") > 0
        assert await rate(url, records, 1, "b") > 0
        async with await Store.open(url) as store:
            return await store.count_articles()

    assert asyncio.run(run()) == 8
