"""A real broker and real worker processes for the integration tier.

The broker is the one named by ``NEWSFLOW_TEST_BROKER`` (a bootstrap such as
``kafka://127.0.0.1:9092``, started by `.ci/run`), or else one this session
starts itself with `newsflow.brokers` — Apache Kafka unless
``NEWSFLOW_TEST_BROKER_KIND=tansu``. Every test gets its own app id, topic
prefix and SQLite file, so tests never see each other's messages.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from newsflow import brokers
from newsflow.kafka import consumer
from newsflow.settings import Settings
from newsflow.store import Store
from newsflow.workers import start_worker, stop_worker


@pytest.fixture(scope="session")
def broker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap URL of a running broker for the whole session."""
    given = os.environ.get("NEWSFLOW_TEST_BROKER")
    if given:
        yield given
        return
    kind: Any = os.environ.get("NEWSFLOW_TEST_BROKER_KIND", "kafka")
    home = tmp_path_factory.mktemp("broker")
    port = brokers.free_port()
    status = brokers.start(kind, home=home, port=port)
    try:
        yield f"kafka://{status.bootstrap}"
    finally:
        brokers.stop(kind, home=home)


@dataclass
class Pipeline:
    """One isolated deployment: settings plus the worker processes started for it."""

    settings: Settings
    log_dir: Path
    procs: list[subprocess.Popen[bytes]]

    def start_worker(self, **overrides: Any) -> subprocess.Popen[bytes]:
        """A `newsflow worker` of this deployment; ``overrides`` change its settings
        (a second worker needs its own ``web_port``)."""
        settings = replace(self.settings, **overrides)
        proc = start_worker(settings, self.log_dir / f"worker-{len(self.procs)}.log")
        self.procs.append(proc)
        return proc

    def stop_worker(self, proc: subprocess.Popen[bytes]) -> int | None:
        """SIGTERM ``proc`` and forget it (a clean stop is not a death); its exit status."""
        stop_worker(proc, timeout=30)
        self.procs.remove(proc)
        return proc.returncode

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in self.log_dir.glob("*.log"))

    async def store(self) -> Store:
        return await Store.open(self.settings.database)

    async def wait_accounted(self, expected: int, wait_s: float = 180.0) -> tuple[int, int]:
        """Wait until rows + dead letters reach ``expected``, then a little longer for extras."""
        store = await self.store()
        try:
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                articles, dead = await store.count_articles(), await store.count_dead_letters()
                if articles + dead >= expected:
                    await asyncio.sleep(2.0)  # let duplicates, if any, arrive and be counted
                    return await store.count_articles(), await store.count_dead_letters()
                for proc in self.procs:
                    if proc.poll() not in (None, -9, -15):
                        raise AssertionError(f"worker died:\n{self.log()}")
                await asyncio.sleep(0.3)
            raise AssertionError(
                f"only {articles} + {dead} of {expected} accounted for:\n{self.log()}"
            )
        finally:
            await store.close()

    def counters(self, timeout: float = 30.0) -> dict[str, Any]:
        import urllib.request

        url = f"http://127.0.0.1:{self.settings.web_port}/counters/"
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    data: dict[str, Any] = orjson.loads(resp.read())
                    return data
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


@pytest.fixture
def pipeline(broker_url: str, tmp_path: Path) -> Iterator[Pipeline]:
    """A fresh deployment (app id, topics, database) with no worker started yet."""
    run = uuid.uuid4().hex[:10]
    settings = replace(
        Settings.from_env({}),
        broker=broker_url,
        app_id=f"it-{run}",
        topic_prefix=f"it-{run}.",
        data_dir=tmp_path / "data",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'sink.db'}",
        web_port=brokers.free_port(),
        session_timeout=10.0,
        sink_flush_seconds=0.3,
        # One pipeline process: the exactly-once checks of a steady run would see the
        # replays of the rebalance a second process causes when it joins (at-least-once,
        # README "Delivery guarantee"); test_supervisor runs several.
        processes=1,
        log_level=os.environ.get("NEWSFLOW_TEST_LOG_LEVEL", "info"),
    )
    result = Pipeline(settings=settings, log_dir=tmp_path / "logs", procs=[])
    try:
        yield result
    finally:
        for proc in result.procs:
            stop_worker(proc, timeout=20)


async def until(check: Any, what: str, wait_s: float = 120.0, every: float = 0.5) -> Any:
    """The first truthy answer of ``check()`` (run in a thread: it may block on HTTP),
    retrying while it is falsy or raises a connection, assertion or key error."""
    deadline = time.monotonic() + wait_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await asyncio.to_thread(check)
        except (OSError, AssertionError, KeyError) as exc:
            last = exc
        else:
            if last:
                return last
        await asyncio.sleep(every)
    raise AssertionError(f"{what}: not within {wait_s:.0f} s (last: {last!r})")


async def read_topic(settings: Settings, topic: str, idle: float = 3.0) -> list[Any]:
    """Every record of ``topic`` from the beginning until it has been quiet for ``idle`` s."""
    out: list[Any] = []
    async with consumer(settings, [topic]) as client:
        while True:
            batch = await client.getmany(timeout_ms=int(idle * 1000))
            if not batch:
                return out
            for records in batch.values():
                out.extend(orjson.loads(r.value) for r in records)
