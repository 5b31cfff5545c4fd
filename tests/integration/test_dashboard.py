"""The operators' view of a live worker: tables, JSON endpoints, metrics, the token and
the dashboard in a real headless Chromium, through a real broker and SQLite file."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from newsflow.core.rules import default_rules
from newsflow.publishing import publish_paths
from tests.browser import chromium_page, save_screenshot
from tests.integration.conftest import Pipeline, until
from tests.integration.test_dlq import newsflow
from tests.integration.test_pipeline import SEED_PAGE, _send_raw, corpus_pages, offline

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

TOKEN = "dashboard-test-token"


def _request(
    port: int, path: str, *, token: str | None = TOKEN, body: bytes | None = None
) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _json(port: int, path: str) -> dict[str, Any]:
    status, body = _request(port, path)
    assert status == 200, (path, status, body[:500])
    data: dict[str, Any] = orjson.loads(body)
    return data


async def test_a_live_worker_shows_its_tables_everywhere_behind_its_token(
    pipeline: Pipeline, corpus: Path
) -> None:
    paths = [SEED_PAGE, *corpus_pages(corpus, 12)]
    expected, failures = offline(paths, pipeline.settings)
    pipeline.start_worker(web_token=TOKEN)
    port = pipeline.settings.web_port
    await until(lambda: _request(port, "/ready", token=None)[0] == 200, "ready")
    await publish_paths(
        pipeline.settings, paths, now=datetime.now(UTC), source="it", progress=False
    )
    await _send_raw(pipeline, [(b"broken", b"{this is not json")])
    await pipeline.wait_accounted(len(expected) + failures + 1)

    # The token: probes and the static page are open; data and replay are not.
    assert _request(port, "/live", token=None)[0] == 200
    assert _request(port, "/", token=None)[0] == 200
    for path in ("/api/overview", "/metrics", "/counters/", "/lag", "/api/stages"):
        assert _request(port, path, token=None)[0] == 401, path
        assert _request(port, path, token="wrong")[0] == 401, path
    replay = orjson.dumps({"ids": ["nope"]})
    assert _request(port, "/api/dlq/replay", token=None, body=replay)[0] == 401

    def settled() -> dict[str, Any] | None:
        doc = _json(port, "/api/overview")
        stages = {row["stage"]: row for row in doc["stages"]}
        if stages.get("sink", {}).get("ok") != len(expected) or not doc["dead_letters"]:
            return None
        return doc

    doc = await until(settled, "every page counted in the overview")
    stages = {row["stage"]: row for row in doc["stages"]}
    assert stages["parse"]["in"] == len(paths) + 1
    assert stages["parse"]["dead_by_kind"].get("decode") == 1
    assert stages["sink"]["latency_s"]["count"] == len(expected)
    assert 0 < stages["sink"]["latency_s"]["p50"] < 120
    entities = {row["id"]: row for row in doc["trending"]["entities"]}
    assert entities["iso:IR"]["count"] >= 1 and entities["iso:IR"]["name"] == "إيران"
    assert any(row["id"] == "politics" for row in doc["trending"]["routes"])
    (broken,) = [d for d in doc["dead_letters"] if d["error_kind"] == "decode"]
    assert broken["stage"] == "parse" and broken["message"]
    sites = {(row["site"], row["stage"]) for row in doc["sites"]}
    assert ("ar.mehrnews.com", "sink") in sites
    assert any(row["site"] == "ar.mehrnews.com" for row in doc["quality"])
    assert doc["rules"]["version"] == default_rules().version
    assert doc["rules"]["source"] == "shipped" and doc["rules"]["error"] is None
    assert {p["rules_version"] for p in doc["worker"]["processes"]} == {default_rules().version}
    assert doc["worker"]["ready"] and doc["worker"]["assigned"]
    group = pipeline.settings.app_id
    assert group in doc["lag"] and f"{group}-stats" in doc["lag"]

    # The parts and the metrics give the same numbers as the overview.
    # (rate and the per-minute series move with the clock between two requests)
    steady = ("stage", "in", "ok", "dead", "unchanged", "dead_by_kind", "bytes", "latency_s")

    def counts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{key: row.get(key) for key in steady} for row in rows]

    assert counts(_json(port, "/api/stages")["stages"]) == counts(doc["stages"])
    status, metrics = _request(port, "/metrics")
    assert status == 200
    text = metrics.decode()
    sink_ok = stages["sink"]["ok"]
    assert (
        f'newsflow_stage_outcomes_total{{error_kind="",outcome="ok",stage="sink"}} {sink_ok}.0'
        in text
    )
    assert f'newsflow_stage_latency_seconds_count{{stage="sink"}} {sink_ok}.0' in text
    assert (
        'newsflow_stage_outcomes_total{error_kind="decode",outcome="dead",stage="parse"} 1.0'
        in text
    )
    # Replay over the web, with the token: an unknown id is said, not a crash; the
    # broken page's letter is sent back to news.raw (it fails again: a new letter).
    status, body = _request(port, "/api/dlq/replay", body=replay)
    assert status == 200 and orjson.loads(body)["results"][0]["status"] == "not_found", body
    status, body = _request(
        port, "/api/dlq/replay", body=orjson.dumps({"ids": [broken["id"]], "note": "test"})
    )
    assert status == 200, body
    (result,) = orjson.loads(body)["results"]
    assert result["status"] == "replayed" and result["topic"].endswith("news.raw"), result

    def replay_counted() -> int | None:
        rows = {row["stage"]: row for row in _json(port, "/api/stages")["stages"]}
        parsed = int(rows["parse"]["in"])
        return parsed if parsed == len(paths) + 2 else None

    parsed = await until(replay_counted, "the replayed page parsed (and failed) again")

    # `newsflow status` prints the same overview in the terminal.
    url = f"http://127.0.0.1:{port}"
    code, _out, err = await newsflow(pipeline.settings, "status", "--url", url, "--token", "wrong")
    assert code == 3, err
    code, out, err = await newsflow(pipeline.settings, "status", "--url", url, "--token", TOKEN)
    assert code == 0, err
    top = doc["trending"]["entities"][0]["name"]
    assert top in out and "decode" in out, out
    assert str(parsed) in out

    # The dashboard in a real headless Chromium, with the token in the URL fragment.
    async with chromium_page() as page:
        await page.goto(f"{url}/#token={TOKEN}")
        parse = page.locator("#stages-table tbody tr", has_text="parse").first
        await parse.wait_for(timeout=30_000)
        cells = [t.strip() for t in await parse.locator("td").all_inner_texts()]
        assert str(parsed) in cells, cells
        iran = page.locator("#trending-entities-table tbody tr", has_text="إيران")
        await iran.wait_for(timeout=30_000)
        assert await iran.locator("svg.spark").count() == 1
        letter = page.locator("#dead-letters-table tbody tr", has_text="decode").first
        await letter.wait_for(timeout=30_000)
        assert await page.locator("#worker-state").inner_text() != "connecting…"
        shot = await save_screenshot(page, "dashboard-live")
    assert shot.stat().st_size > 10_000
