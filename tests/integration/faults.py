"""Shared pieces of the fault tests: many distinct pages, a plain producer, the tally.

Pages are real corpus pages whose canonical links are neutralised, each published
under its own URL, so N messages are N articles (the article id comes from the
canonical URL, which is then the fetched one).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from newsflow.core.errors import PipelineError
from newsflow.extraction.parse import ParseOptions
from newsflow.extraction.urls import article_id
from newsflow.kafka import BIG_RECORD_BYTES
from newsflow.pipeline import process_page
from newsflow.settings import Settings
from newsflow.streams import ENRICHED, RAW, topic_name
from tests.conftest import EXAMPLES
from tests.integration.conftest import Pipeline, read_topic

LONG = os.environ.get("NEWSFLOW_TEST_TIER") == "long"
_CANONICAL = re.compile(rb"""(rel\s*=\s*["']?)canonical|(property\s*=\s*["']?)og:url""", re.I)
SETS = ("arfa-dev", "fundus-dev", "aeb-dev", "htmldate-dev", "readability-dev")

Message = tuple[bytes, bytes]


def tier(short: Any, long: Any) -> Any:
    """The short figure in `make test`, the long one in `make test-faults`."""
    return long if LONG else short


def _neutralised(html: bytes) -> bytes:
    return _CANONICAL.sub(lambda m: (m.group(1) or m.group(2)) + b"x-ignored", html)


@cache
def bodies(corpus: Path, count: int = 40) -> tuple[bytes, ...]:
    """``count`` corpus pages (plus the examples) that parse, from every set, round robin."""
    per_set = {name: sorted((corpus / name / "pages").glob("*.html.gz")) for name in SETS}
    candidates = [p.read_bytes() for p in sorted(EXAMPLES.glob("*.html"))]
    while len(candidates) < count * 2 and any(per_set.values()):
        for name in SETS:
            if per_set[name]:
                candidates.append(gzip.decompress(per_set[name].pop(0).read_bytes()))
    options = ParseOptions()
    now = datetime.now(UTC)
    good: list[bytes] = []
    for index, html in enumerate(candidates):
        page = _neutralised(html)
        raw: Any = raw_page(f"https://faults.example/check/{index}", page)
        try:
            process_page(raw, options=options, now=now)
        except PipelineError:
            continue
        good.append(page)
        if len(good) == count:
            break
    return tuple(good)


def raw_page(url: str, body: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "url": url,
        "body_b64": base64.b64encode(body).decode("ascii"),
        "fetched_at": datetime.now(UTC).isoformat(),
        "source": "faults",
        **extra,
    }


def messages(corpus: Path, count: int, run: str) -> list[Message]:
    """``count`` RawPage messages with distinct URLs, keyed by their article ids."""
    pages = bodies(corpus)
    out = []
    for i in range(count):
        url = f"https://faults.example/{run}/{i}"
        value = orjson.dumps(raw_page(url, pages[i % len(pages)]))
        out.append((article_id(url).encode(), value))
    return out


def expected_ids(batch: list[Message]) -> set[str]:
    return {key.decode() for key, _ in batch}


async def produce(settings: Settings, batch: list[Message], topic: str | None = None) -> None:
    """Publish with a bare aiokafka producer, as a crawler with its own client would."""
    client = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        max_request_size=settings.max_message_bytes,
        acks="all",
        linger_ms=5,
        request_timeout_ms=120_000,
    )
    await client.start()
    try:
        name = topic or topic_name(RAW, settings.topic_prefix)
        pending: list[asyncio.Future[Any]] = []
        for key, value in batch:
            if len(value) > BIG_RECORD_BYTES:  # alone, or the request outgrows the broker's
                await asyncio.gather(*pending)
                pending.clear()
                await client.send_and_wait(name, value, key=key)
            else:
                pending.append(await client.send(name, value, key=key))
        await asyncio.gather(*pending)
    finally:
        await client.stop()


def http_get(url: str, timeout: float = 5.0) -> tuple[int, Any]:
    """Status and JSON body of a GET (errors included), or (0, reason) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, orjson.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, orjson.loads(err.read() or b"null")
    except OSError as exc:
        return 0, repr(exc)


def wait_ready(pipeline: Pipeline, port: int | None = None, timeout: float = 90.0) -> list[int]:
    """Poll ``/ready`` until it answers 200; return every status seen on the way."""
    url = f"http://127.0.0.1:{port or pipeline.settings.web_port}/ready"
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _body = http_get(url)
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == 200:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"/ready never answered 200 (seen {seen}):\n{pipeline.log()}")


@dataclass
class Tally:
    """What became of the published pages, printed by every fault test."""

    published: int
    persisted: int
    dead_lettered: int
    duplicated: int  # extra copies on news.enriched (replays after faults)

    def line(self, name: str) -> str:
        return (
            f"{name}: published {self.published} / persisted {self.persisted} / "
            f"dead-lettered {self.dead_lettered} / duplicated {self.duplicated}"
        )


async def tally(pipeline: Pipeline, published: int) -> Tally:
    store = await pipeline.store()
    try:
        persisted, dead = await store.count_articles(), await store.count_dead_letters()
    finally:
        await store.close()
    enriched = await read_topic(
        pipeline.settings, topic_name(ENRICHED, pipeline.settings.topic_prefix), idle=2.0
    )
    ids = [record["id"] for record in enriched]
    return Tally(published, persisted, dead, len(ids) - len(set(ids)))


async def wait_ids(pipeline: Pipeline, ids: set[str], wait_s: float) -> float:
    """Wait until every id in ``ids`` is stored; return the seconds it took."""
    started = time.monotonic()
    store = await pipeline.store()
    try:
        while True:
            missing = ids - await store.article_ids()
            if not missing:
                return time.monotonic() - started
            if time.monotonic() - started > wait_s:
                raise AssertionError(
                    f"{len(missing)} of {len(ids)} pages not stored after {wait_s:.0f} s:\n"
                    + pipeline.log()
                )
            for proc in pipeline.procs:
                if proc.poll() not in (None, -9, -15):
                    raise AssertionError(f"worker died:\n{pipeline.log()}")
            await asyncio.sleep(0.3)
    finally:
        await store.close()


async def wait_count(pipeline: Pipeline, more_than: int, wait_s: float = 120.0) -> int:
    """Wait until more than ``more_than`` articles are stored; return how many are."""
    store = await pipeline.store()
    try:
        deadline = time.monotonic() + wait_s
        while True:
            stored = await store.count_articles()
            if stored > more_than or time.monotonic() > deadline:
                return stored
            await asyncio.sleep(0.1)
    finally:
        await store.close()
