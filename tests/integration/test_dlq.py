"""A dead letter replayed after the fix, end to end: real broker, real worker, real SQLite.

A worker whose page limit is too small dead-letters a valid page as ``too_large``; restarted
with the normal limit, ``newsflow dlq replay`` (the command, in its own process) sends the
original back to news.raw and the article reaches the database; the replay is recorded and
``dlq list --replayed`` shows it. The function the web API calls replays it once more.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from newsflow.dlq import replay_letters
from newsflow.publishing import publish_paths
from newsflow.settings import Settings
from newsflow.streams import RAW, topic_name
from tests.conftest import EXAMPLES
from tests.integration.conftest import Pipeline

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
PAGE = EXAMPLES / "mehrnews-ar-1942574.html"


async def newsflow(settings: Settings, *args: str) -> tuple[int, str, str]:
    """Run the `newsflow` command in its own process with ``settings`` as its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env.update(settings.to_env())
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "newsflow.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def listed(settings: Settings, *args: str) -> list[dict[str, Any]]:
    code, out, err = await newsflow(settings, "dlq", "list", "--json", *args)
    assert code == 0, err
    return [orjson.loads(line) for line in out.splitlines()]


async def wait_for_articles(pipeline: Pipeline, count: int, wait_s: float = 180.0) -> None:
    store = await pipeline.store()
    try:
        deadline = time.monotonic() + wait_s
        while await store.count_articles() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no article after the replay:\n{pipeline.log()}")
            await asyncio.sleep(0.3)
    finally:
        await store.close()


async def test_a_page_dead_lettered_too_large_is_replayed_after_the_fix(
    pipeline: Pipeline,
) -> None:
    settings = pipeline.settings
    raw_topic = topic_name(RAW, settings.topic_prefix)
    strict = pipeline.start_worker(max_page_bytes=2000)
    sent, failed = await publish_paths(
        settings, [PAGE], now=datetime.now(UTC), source="it-dlq", progress=False
    )
    assert (sent, failed) == (1, 0)
    assert await pipeline.wait_accounted(1) == (0, 1)
    pipeline.stop_worker(strict)

    (letter,) = await listed(settings)
    assert letter["stage"] == "parse" and letter["error_kind"] == "too_large"
    assert letter["source"] == "it-dlq" and letter["source_topic"] == raw_topic
    assert letter["replays"] == 0
    assert await listed(settings, "--replayed") == []
    code, out, _ = await newsflow(settings, "dlq", "show", letter["id"][:10])
    assert code == 0 and "too_large" in out and "original (JSON):" in out

    pipeline.start_worker()  # the fix: the normal page limit
    code, out, err = await newsflow(
        settings, "dlq", "replay", letter["id"][:12], "--note", "limit raised", "--by", "it"
    )
    assert code == 0, err
    assert f"{letter['id']}  replayed -> {raw_topic}[" in out
    await wait_for_articles(pipeline, 1)

    (again,) = await listed(settings, "--replayed")
    assert again["id"] == letter["id"] and again["replays"] == 1
    assert await listed(settings, "--not-replayed") == []
    store = await pipeline.store()
    try:
        (replay,) = await store.dead_letter_replays([letter["id"]])
        assert (replay["target_topic"], replay["note"], replay["replayed_by"]) == (
            raw_topic,
            "limit raised",
            "it",
        )
        assert replay["target_offset"] >= 1  # after the original, on the same topic
        assert await store.count_dead_letters() == 1  # it did not fail again
    finally:
        await store.close()

    # The function the worker's POST /api/dlq/replay calls: same path, one result per id.
    results = await replay_letters(
        settings, [letter["id"], "0" * 24], note="from the web", by="web"
    )
    assert [r["status"] for r in results] == ["replayed", "not_found"]
    assert results[0]["topic"] == raw_topic and results[0]["offset"] > replay["target_offset"]
    (twice,) = await listed(settings, "--replayed")
    assert twice["replays"] == 2
    await pipeline.wait_accounted(2)  # the same page again: still one article, one letter
    store = await pipeline.store()
    try:
        assert (await store.count_articles(), await store.count_dead_letters()) == (1, 1)
    finally:
        await store.close()
