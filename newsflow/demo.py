"""`newsflow demo`: the whole pipeline on one machine, in one command.

Each run gets its own app id, topic prefix and database file, so a second run
(or a broker left running) never mixes old results into the table it prints.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from newsflow import brokers
from newsflow.publishing import publish_paths
from newsflow.settings import Settings
from newsflow.store import Store
from newsflow.workers import start_worker, stop_worker

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "pages"
CORPUS_LIST = REPO / "examples" / "corpus.txt"


def demo_inputs(with_corpus: bool) -> list[Path]:
    """The shipped example pages, plus listed corpus pages that exist on this machine."""
    paths = sorted(EXAMPLES.glob("*.html"))
    if with_corpus and CORPUS_LIST.is_file():
        for line in CORPUS_LIST.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and (REPO / line).is_file():
                paths.append(REPO / line)
    return paths


async def wait_persisted(
    url: str, expected: int, wait_s: float, proc: subprocess.Popen[bytes] | None = None
) -> tuple[int, int]:
    """Poll the sink until articles + dead letters account for ``expected`` pages."""
    deadline = time.monotonic() + wait_s
    store = await Store.open(url)
    try:
        while True:
            articles, dead = await store.count_articles(), await store.count_dead_letters()
            if articles + dead >= expected or time.monotonic() > deadline:
                return articles, dead
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the worker exited with status {proc.returncode}")
            await asyncio.sleep(0.5)
    finally:
        await store.close()


async def _recent(url: str, limit: int) -> list[dict[str, Any]]:
    store = await Store.open(url)
    try:
        return await store.recent(limit)
    finally:
        await store.close()


def _cut(text: Any, width: int) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= width else value[: width - 1] + "…"


def print_table(rows: list[dict[str, Any]]) -> None:
    """A short, readable summary: one article a line."""
    print(f"{'published (UTC offset)':26} {'lang':4} {'routes':22} title / entities")
    for row in rows:
        routes = ",".join(row.get("routes") or [])
        entities = ", ".join((row.get("entities") or [])[:5])
        print(
            f"{_cut(row.get('published_at'), 26):26} {_cut(row.get('language'), 4):4} "
            f"{_cut(routes, 22):22} {_cut(row.get('title'), 70)}"
        )
        if entities:
            print(f"{'':54} ↳ {_cut(entities, 90)}")


def _counters(port: int, sink_ok: int, wait_s: float = 15.0) -> dict[str, Any] | None:
    """The stats app's counters, once they have caught up with the sink (or after wait_s)."""
    deadline = time.monotonic() + wait_s
    data: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/counters/", timeout=5) as resp:
                data = orjson.loads(resp.read())
        except OSError:
            data = None
        if data and data.get("by_stage", {}).get("sink", {}).get("ok", 0) >= sink_ok:
            return data
        time.sleep(0.5)
    return data


def run_demo(
    settings: Settings, *, kind: str, timeout: float, keep_running: bool, with_corpus: bool
) -> int:
    """Run the demo; return the process exit status (0 when every page is accounted for)."""
    started = time.monotonic()
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    demo_dir = settings.data_dir / "demo"
    db_path = (demo_dir / f"run-{run_id}.db").resolve()
    settings = dataclasses.replace(
        settings,
        app_id=f"newsflow-demo-{run_id}",
        topic_prefix=f"demo-{run_id}.",
        database_url=settings.database_url or f"sqlite+aiosqlite:///{db_path}",
        web_port=brokers.free_port(),
        sink_flush_seconds=0.5,
    )
    port = int(settings.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])
    home = settings.data_dir / "broker"
    was_running = brokers.status(kind, home=home).running  # type: ignore[arg-type]
    print(f"[1/4] {kind} broker on 127.0.0.1:{port} …", flush=True)
    brokers.start(kind, home=home, port=port)  # type: ignore[arg-type]
    worker_log = demo_dir / f"worker-{run_id}.log"
    print(f"[2/4] worker (log: {worker_log}) …", flush=True)
    proc = start_worker(settings, worker_log)
    try:
        inputs = demo_inputs(with_corpus)
        print(f"[3/4] publishing {len(inputs)} page(s) …", flush=True)
        sent, failed = asyncio.run(
            publish_paths(settings, inputs, now=datetime.now(UTC), source="demo", progress=False)
        )
        articles, dead = asyncio.run(wait_persisted(settings.database, sent, timeout, proc))
        print(
            f"[4/4] persisted {articles} article(s), {dead} dead letter(s) of {sent} published\n",
            flush=True,
        )
        print_table(asyncio.run(_recent(settings.database, 50)))
        counters = _counters(settings.web_port, articles)
        if counters:
            print("\ncounters by stage:", orjson.dumps(counters.get("by_stage")).decode())
        print(f"\ndatabase: {settings.database.split(':///', 1)[-1]}")
        if keep_running:
            print(
                f"topics:   {settings.topic_prefix}news.* (try: newsflow --broker "
                f"{settings.broker} --topic-prefix {settings.topic_prefix} "
                "tail news.topic.politics --idle-timeout 5)"
            )
        complete = articles + dead >= sent and failed == 0
        if not complete:
            print(
                f"incomplete: {sent - articles - dead} page(s) not accounted for after "
                f"{timeout:.0f}s; see {worker_log}",
                file=sys.stderr,
            )
        print(f"done in {time.monotonic() - started:.1f} s (broker start to printed table)")
        return 0 if complete else 1
    finally:
        if not keep_running:
            stop_worker(proc)
            if not was_running:
                brokers.stop(kind, home=home)  # type: ignore[arg-type]
        else:
            print(f"worker pid {proc.pid} and the broker are still running (--keep-running)")
