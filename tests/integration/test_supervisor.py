"""`newsflow worker --processes N`: several pipeline processes under one supervisor,
through a real broker and a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from newsflow.publishing import publish_paths
from tests.integration.conftest import Pipeline
from tests.integration.test_pipeline import SEED_PAGE, corpus_pages, offline

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def _ready(port: int) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=10) as resp:
            data: dict[str, Any] = orjson.loads(resp.read())
    except urllib.error.HTTPError as exc:
        data = orjson.loads(exc.read())
    except OSError as exc:
        return {"ready": False, "error": repr(exc)}
    return data


async def _until_ready(port: int, wait_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + wait_s
    while True:
        snap = await asyncio.to_thread(_ready, port)
        if snap.get("ready"):
            return snap
        if time.monotonic() > deadline:
            raise AssertionError(f"not ready after {wait_s:.0f} s: {snap}")
        await asyncio.sleep(0.5)


def _get(port: int, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as resp:
        data: dict[str, Any] = orjson.loads(resp.read())
    return data


def _get_text(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as resp:
        text: str = resp.read().decode()
    return text


def _children(pid: int) -> dict[int, str]:
    """Direct children of ``pid``: their command lines."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out[int(entry.name)] = cmdline
    return out


def _pipeline_children(pid: int) -> list[int]:
    return sorted(p for p, cmd in _children(pid).items() if "--role pipeline" in cmd)


async def test_two_processes_share_the_work_survive_a_crash_and_stop_together(
    pipeline: Pipeline, corpus: Path
) -> None:
    paths = [SEED_PAGE, *corpus_pages(corpus, 40)]
    expected, failures = offline(paths, pipeline.settings)
    supervisor = pipeline.start_worker(processes=2)
    port = pipeline.settings.web_port
    snap = await _until_ready(port)
    # The first process's /ready speaks for both, and both hold partitions.
    assert [p["ready"] for p in snap["processes"]] == [True, True]
    for process in snap["processes"]:
        assert sum(len(parts) for parts in process["assigned"].values()) > 0, snap
    first, second = _pipeline_children(supervisor.pid)

    # A pipeline process dies mid-stream: the supervisor starts another, nothing is lost.
    await publish_paths(
        pipeline.settings, paths, now=datetime.now(UTC), source="it", progress=False
    )
    os.kill(second, signal.SIGKILL)
    articles, dead = await pipeline.wait_accounted(len(expected) + failures, wait_s=240)
    assert (articles, dead) == (len(expected), failures)

    # /lag, from committed and end offsets: the raw topic drains to 0, every page committed.
    group = pipeline.settings.app_id
    raw = f"{pipeline.settings.topic_prefix}news.raw"
    deadline = time.monotonic() + 60
    while True:
        lag = await asyncio.to_thread(_get, port, "/lag")
        rows = [r for r in lag[group]["partitions"] if r["topic"] == raw]
        if lag[group]["by_topic"][raw] == 0 and sum(r["committed"] or 0 for r in rows) == len(
            paths
        ):
            break
        assert time.monotonic() < deadline, lag
        await asyncio.sleep(1.0)
    assert sum(r["end"] for r in rows) == len(paths)
    assert f"{group}-stats" in lag

    # /metrics says what /counters/ and /lag say, in Prometheus' text format.
    counts = pipeline.counters()["by_stage"]["parse"]["ok"]
    metrics = await asyncio.to_thread(_get_text, port, "/metrics")
    assert (
        f'newsflow_stage_outcomes_total{{error_kind="",outcome="ok",stage="parse"}} {counts}.0'
        in (metrics)
    )
    assert f'newsflow_consumer_lag_messages{{group="{group}",partition="0",topic="{raw}"}} 0.0' in (
        metrics
    )
    assert "newsflow_ready 1.0" in metrics
    deadline = time.monotonic() + 60
    while len(_pipeline_children(supervisor.pid)) < 2 or second in _pipeline_children(
        supervisor.pid
    ):
        assert time.monotonic() < deadline, "the dead process was not replaced"
        await asyncio.sleep(0.5)
    replacement = next(p for p in _pipeline_children(supervisor.pid) if p != first)
    await _until_ready(port)
    logs = "".join(p.read_text(errors="replace") for p in pipeline.log_dir.glob("*.log"))
    assert "exited with status -9; restarting" in logs

    # SIGTERM to the supervisor stops every process it started, cleanly.
    children = list(_children(supervisor.pid))
    assert replacement in children and first in children and len(children) == 3  # + stats
    assert pipeline.stop_worker(supervisor) == 0
    for pid in children:
        assert _state(pid) in ("gone", "Z (zombie)"), pid


def _state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone"
    return status.split("State:", 1)[1].split("\n", 1)[0].strip()
