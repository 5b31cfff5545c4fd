"""Sink batch size by measurement: rows per second that `Store.write_articles` stores for
each batch size, on SQLite and PostgreSQL, with the same enriched records.

Why: the sink writes a batch per transaction (`NEWSFLOW_SINK_BATCH_SIZE`, at most
`NEWSFLOW_SINK_FLUSH_SECONDS` after its first row). Small batches pay a commit (an
fsync on SQLite) per few rows; large ones hold rows back and grow the transaction.
This measures where the gain flattens, on records the pipeline really makes.

    python bench/sink.py [--pages 400] [--sizes 10 25 50 100 200 400]
        [--postgres-url postgresql+asyncpg://...] [--json OUT]

Records: the corpus pages run through `newsflow.pipeline.process_page` once, then
written again under fresh ids for each batch size (every write is an insert, as in a
live stream; no two sizes share a table).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS, SETS, corpus_pages
from newsflow.core.errors import PipelineError
from newsflow.core.types import EnrichedArticleDict
from newsflow.extraction.parse import ParseOptions
from newsflow.pipeline import process_page
from newsflow.store import Store


def enriched_records(pages: int) -> list[EnrichedArticleDict]:
    """Up to ``pages`` enriched records from the corpus (pages that fail are left out)."""
    now = datetime.now(UTC)
    out: list[EnrichedArticleDict] = []
    for page in corpus_pages(DEFAULT_CORPUS, SETS, now=now):
        try:
            record: Any = process_page(page.raw, options=ParseOptions(), now=now)
        except PipelineError:
            continue
        out.append(record)
        if len(out) >= pages:
            break
    return out


def renamed(records: list[EnrichedArticleDict], tag: str) -> list[EnrichedArticleDict]:
    """Copies under ids of their own, so each run inserts."""
    copies = []
    for record in records:
        item = copy.deepcopy(record)
        item["id"] = f"{tag}-{record['id']}"
        copies.append(item)
    return copies


async def rate(url: str, records: list[EnrichedArticleDict], size: int, tag: str) -> float:
    """Rows per second for batches of ``size`` (wall time: the database's own work counts)."""
    rows = renamed(records, tag)
    async with await Store.open(url) as store:
        start = time.perf_counter()
        for i in range(0, len(rows), size):
            await store.write_articles(rows[i : i + size])
        elapsed = time.perf_counter() - start
    return len(rows) / elapsed


async def measure(
    urls: dict[str, str], records: list[EnrichedArticleDict], sizes: list[int]
) -> Any:
    results: dict[str, dict[int, float]] = {}
    for name, url in urls.items():
        results[name] = {}
        for size in sizes:
            results[name][size] = round(await rate(url, records, size, f"{name}{size}"), 1)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pages", type=int, default=400)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50, 100, 200, 400])
    ap.add_argument("--postgres-url", help="also measure this PostgreSQL (async URL)")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    records = enriched_records(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite+aiosqlite:///{tmp}/sink.db"}
        if args.postgres_url:
            urls["postgres"] = args.postgres_url
        results = asyncio.run(measure(urls, records, args.sizes))
    print(f"rows/s by batch size ({len(records)} enriched corpus records, one insert each)")
    print("| sink | " + " | ".join(str(s) for s in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for name, by_size in results.items():
        print(f"| {name} | " + " | ".join(str(by_size[s]) for s in args.sizes) + " |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"records": len(records), "rows_per_s": results}, indent=2))


if __name__ == "__main__":
    main()
