"""The operators' dashboard (``newsflow/web/static``) in a real browser.

A small aiohttp server stands in for the worker's web port: it serves the packaged
assets through `newsflow.web.asset` (as the worker does) and an overview document built
here after the ``/api/overview`` contract (Arabic and Persian names, a quality alert, dead
letters). Headless Chromium (Debian's, see tests/browser.py) loads ``/`` and the
tests read what a person would see. The server sends a strict Content-Security-Policy,
so any inline script or style the page relied on would show up as a console error.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from newsflow.web import CONTENT_TYPES, HEADERS, INDEX, asset, names
from newsflow.web.routes import overview as server_overview
from tests.browser import chromium_page, save_screenshot

pytestmark = pytest.mark.timeout(120)

TOKEN = "s3cret-token"
HOSTILE = '<img src=x onerror="document.title=1">evil.example'


def overview(now: float) -> dict[str, Any]:
    """An overview as the contract describes it, with right-to-left names and one of each
    thing worth noticing (dead letters, a quality alert, lag, a process not ready)."""
    hours = [int(now // 3600 * 3600) - 3600 * (23 - i) for i in range(24)]
    ramp = [0] * 20 + [2, 5, 9, 31]
    return {
        "generated_at": now,
        "worker": {
            "ready": True,
            "reasons": [],
            "uptime_s": 7384.2,
            "assigned": {"news.raw": [0, 1, 2, 3], "news.articles": [0, 1, 2, 3]},
            "processes": [
                {"ready": True, "assigned": {"news.raw": [0, 1], "news.articles": [0, 1]}},
                {"ready": True, "assigned": {"news.raw": [2, 3], "news.articles": [2, 3]}},
            ],
        },
        "rules": {"version": "builtin:3f2a9c1e", "routes": ["politics", "economy", "general"]},
        "stages": [
            {
                "stage": "parse",
                "in": 1204,
                "ok": 1187,
                "dead": 17,
                "unchanged": 0,
                "dead_by_kind": {"parse": 12, "too_large": 5},
                "bytes": 45678901,
                "last_seen": now - 3.2,
                "rate_per_s": 1.9,
                "per_minute": [0, 0, 12, 40, 68, 71, 66, 90, 84, 77, 102, 95],
                "latency_s": {"count": 1187, "p50": 0.041, "p95": 0.18, "p99": 1.2},
                "age_s": {"count": 1187, "p50": 2.4, "p95": 9.5, "p99": 30.0},
            },
            {
                "stage": "enrich",
                "in": 1187,
                "ok": 1185,
                "dead": 2,
                "unchanged": 0,
                "dead_by_kind": {"enrich": 2},
                "bytes": 9876543,
                "last_seen": now - 4.0,
                "rate_per_s": 1.8,
                "per_minute": [0, 0, 10, 38, 66, 70, 65, 88, 85, 75, 100, 96],
                "latency_s": {"count": 1185, "p50": 0.012, "p95": 0.05, "p99": 0.09},
            },
            {
                "stage": "route",
                "in": 1185,
                "ok": 1185,
                "dead": 0,
                "unchanged": 0,
                "dead_by_kind": {},
                "bytes": 9801234,
                "last_seen": now - 4.1,
                "rate_per_s": 1.8,
                "per_minute": [0, 0, 10, 38, 66, 70, 65, 88, 85, 75, 100, 96],
                "latency_s": {"count": 1185, "p50": 0.001, "p95": 0.002, "p99": 0.004},
            },
            {
                "stage": "sink",
                "in": 1185,
                "ok": 1179,
                "dead": 0,
                "unchanged": 6,
                "dead_by_kind": {},
                "bytes": 9801234,
                "last_seen": now - 5.5,
                "rate_per_s": 1.7,
                "per_minute": [0, 0, 9, 35, 60, 72, 66, 85, 86, 74, 99, 94],
                "latency_s": {"count": 1179, "p50": 0.008, "p95": 0.03, "p99": 0.11},
            },
        ],
        "sites": [
            {
                "site": "ar.example.ir",
                "stage": "parse",
                "in": 400,
                "ok": 391,
                "dead": 9,
                "dead_by_kind": {"parse": 9},
                "bytes": 12345678,
                "last_seen": now - 3.2,
            },
            {
                "site": "www.irna.ir",
                "stage": "parse",
                "in": 650,
                "ok": 645,
                "dead": 5,
                "dead_by_kind": {"parse": 3, "too_large": 2},
                "bytes": 25000000,
                "last_seen": now - 12,
            },
            {
                "site": "news.example.com",
                "stage": "parse",
                "in": 154,
                "ok": 151,
                "dead": 3,
                "dead_by_kind": {"too_large": 3},
                "bytes": 8333223,
                "last_seen": now - 190,
            },
            {
                "site": HOSTILE,
                "stage": "parse",
                "in": 1,
                "ok": 1,
                "dead": 0,
                "dead_by_kind": {},
                "bytes": 2000,
                "last_seen": now - 4000,
            },
        ],
        "quality": [
            {
                "site": "ar.example.ir",
                "pages": 391,
                "fill": {"title": 1.0, "date": 0.97, "authors": 0.41, "lead": 0.95},
                "body_chars": {"p10": 800, "p50": 2400, "p90": 6100},
                "languages": {"ar": 380, "fa": 11},
                "alerts": [
                    {
                        "field": "date",
                        "recent": 0.05,
                        "baseline": 0.97,
                        "message": "date filled on 5% of the last 20 pages, 97% before: "
                        "a template change?",
                    }
                ],
            },
            {
                "site": "www.irna.ir",
                "pages": 645,
                "fill": {"title": 1.0, "date": 0.99, "authors": 0.88, "lead": 0.97},
                "body_chars": {"p10": 950, "p50": 3100, "p90": 7400},
                "languages": {"fa": 645},
                "alerts": [],
            },
            {
                "site": "news.example.com",
                "pages": 151,
                "fill": {"title": 0.99, "date": 0.92, "authors": 0.66, "lead": 0.71},
                "body_chars": {"p10": 1200, "p50": 3900, "p90": 8800},
                "languages": {"en": 151},
                "alerts": [],
            },
        ],
        "trending": {
            "hours": hours,
            "entities": [
                {"id": "iso:IR", "name": "إيران", "type": "LOC", "count": 31, "series": ramp},
                {
                    "id": "per:khamenei",
                    "name": "علی خامنه‌ای",
                    "type": "PER",
                    "count": 12,
                    "series": [1] * 20 + [3, 4, 8, 12],
                },
                {
                    "id": "org:un",
                    "name": "United Nations",
                    "type": "ORG",
                    "count": 7,
                    "series": [0] * 12 + [4] * 8 + [6, 2, 3, 7],
                },
                {
                    "id": "loc:tehran",
                    "name": "تهران",
                    "type": "LOC",
                    "count": 5,
                    "series": [2] * 22 + [4, 5],
                },
            ],
            "categories": [
                {
                    "id": "politics",
                    "name": "politics",
                    "count": 20,
                    "series": [0] * 21 + [3, 5, 20],
                },
                {"id": "economy", "name": "اقتصاد", "count": 8, "series": [1] * 21 + [2, 6, 8]},
            ],
            "routes": [
                {
                    "id": "politics",
                    "name": "politics",
                    "count": 20,
                    "series": [0] * 21 + [3, 5, 20],
                },
                {"id": "general", "name": "general", "count": 11, "series": [5] * 21 + [9, 7, 11]},
            ],
        },
        "lag": {
            "newsflow": {
                "total": 12,
                "partitions": [
                    {"topic": "news.raw", "partition": 0, "committed": 10, "end": 22, "lag": 12},
                    {"topic": "news.raw", "partition": 1, "committed": 31, "end": 31, "lag": 0},
                ],
            }
        },
        "dead_letters": [
            {
                "id": "3b1f0c2a",
                "stage": "parse",
                "error_kind": "parse",
                "message": "no article body found",
                "source": "crawler-a",
                "url": "https://ar.example.ir/news/1",
                "site": "ar.example.ir",
                "failed_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - 42)),
                "topic": "news.raw",
                "partition": 1,
                "offset": 17,
            },
            {
                "id": "77aa9e01",
                "stage": "enrich",
                "error_kind": "enrich",
                "message": "متن مقاله خالی است",
                "source": "crawler-b",
                "url": "https://www.irna.ir/news/2",
                "site": "www.irna.ir",
                "failed_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - 600)),
                "topic": "news.articles",
                "partition": 3,
                "offset": 4410,
            },
        ],
    }


def starting_overview(now: float) -> dict[str, Any]:
    """A worker that just started: nothing seen yet, not ready, the broker away."""
    return {
        "generated_at": now,
        "worker": {
            "ready": False,
            "reasons": ["parse: no partition assigned yet"],
            "uptime_s": 3.5,
            "assigned": {},
            "processes": [],
        },
        "rules": None,
        "stages": [],
        "sites": [],
        "quality": [],
        "trending": {"hours": [], "entities": [], "categories": [], "routes": []},
        "lag": {"error": "lag unavailable: KafkaConnectionError()"},
        "dead_letters": [],
    }


@dataclass
class FakeWorker:
    """What the stand-in worker answers, and what it saw."""

    document: Callable[[float], dict[str, Any]] = overview
    token: str | None = None
    authorizations: list[str | None] = field(default_factory=list)
    served: int = 0


async def _index(request: web.Request) -> web.Response:
    return _asset_response(INDEX)


async def _static(request: web.Request) -> web.Response:
    return _asset_response(request.match_info["name"])


def _asset_response(name: str) -> web.Response:
    """The way a worker handler serves the page: `asset` gives bytes and type, or 404."""
    try:
        body, content_type = asset(name)
    except FileNotFoundError as exc:
        raise web.HTTPNotFound() from exc
    return web.Response(body=body, headers={**HEADERS, "Content-Type": content_type})


@asynccontextmanager
async def fake_worker(worker: FakeWorker) -> AsyncIterator[str]:
    """Serve the dashboard and ``api/overview`` on a free loopback port; yields its URL."""

    async def api_overview(request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization")
        worker.authorizations.append(auth)
        if worker.token is not None and auth != f"Bearer {worker.token}":
            return web.json_response({"error": "token required"}, status=401)
        worker.served += 1
        return web.json_response(worker.document(time.time()))

    app = web.Application()
    app.router.add_get("/", _index)
    app.router.add_get("/static/{name}", _static)
    app.router.add_get("/api/overview", api_overview)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def _watch_errors(page: Any) -> list[str]:
    """Console errors and uncaught exceptions of the page (a CSP violation is one)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    return errors


async def _column(page: Any, table: str, key: str) -> list[str]:
    cells = page.locator(f"#{table}-table tbody td[data-key='{key}']")
    return [text.strip() for text in await cells.all_inner_texts()]


# ---------------------------------------------------------------- the asset helper


def test_asset_serves_the_page_and_its_files_with_their_types() -> None:
    body, content_type = asset(INDEX)
    assert content_type == "text/html; charset=utf-8"
    assert b'src="static/dashboard.js"' in body
    assert names() == ["dashboard.css", "dashboard.js", "favicon.svg", "index.html"]
    for name in names():
        data, kind = asset(name)
        assert data and kind == CONTENT_TYPES[name[name.rfind(".") :]]


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../__init__.py",
        "__init__.py",
        "static/index.html",
        "..",
        ".hidden.css",
        "index.html/",
        "/etc/passwd",
        "..%2findex.html",
        "missing.js",
        "index.html\x00.js",
        "dashboard.JS.map",
    ],
)
def test_asset_refuses_anything_but_a_file_of_the_folder(name: str) -> None:
    with pytest.raises(FileNotFoundError):
        asset(name)


def test_the_page_loads_nothing_from_outside() -> None:
    for name in names():
        text = asset(name)[0].decode("utf-8")
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text
        assert "innerHTML" not in text.replace("never innerHTML", "")
        assert "@import" not in text


# ---------------------------------------------------------------- in Chromium


async def test_the_dashboard_shows_the_overview() -> None:
    worker = FakeWorker()
    async with fake_worker(worker) as url, chromium_page(color_scheme="dark") as page:
        errors = _watch_errors(page)
        await page.goto(url + "/")
        await page.wait_for_selector("#stages-table tbody tr[class] td, #stages-table tbody td")
        assert await page.title() == "newsflow worker"
        assert await page.inner_text("#worker-state") == "ready"
        assert await page.inner_text("#rules-version") == "builtin:3f2a9c1e"

        # Stage counts and figures.
        parse = page.locator("#stages-table tbody tr", has_text="parse").first
        cells = [t.strip() for t in await parse.locator("td").all_inner_texts()]
        assert cells[:4] == ["parse", "1,204", "1,187", "17"]
        assert "parse 12" in cells[4] and "too_large 5" in cells[4]
        assert "45.7 MB" in cells
        assert any(c.endswith("s ago") for c in cells)
        assert "1.90/s" in cells and "41 ms" in cells and "1.20 s" in cells
        assert await parse.locator("svg.spark polyline").count() == 1
        assert await page.inner_text("#kpi-in") == "1,204"
        assert await page.inner_text("#kpi-dead") == "19"
        assert await page.inner_text("#kpi-lag") == "12"

        # Worker: assignment and processes.
        assignment = await page.inner_text("#assignment-table")
        assert "news.raw" in assignment and "0–3" in assignment
        assert await page.locator("#processes-table tbody tr").count() == 2

        # Trending entity with its sparkline, one point per hour.
        iran = page.locator("#trending-entities-table tbody tr", has_text="إيران")
        assert await iran.count() == 1
        spark = iran.locator("svg.spark")
        assert await spark.count() == 1
        points = await spark.locator("polyline").get_attribute("points")
        assert points is not None and len(points.split()) == 24
        assert "LOC" in await iran.inner_text()

        # The quality alert, above the table and on its row.
        alerts = await page.inner_text("#quality-alerts")
        assert "date filled on 5% of the last 20 pages" in alerts
        alert_row = page.locator("#quality-table tbody tr.row-alert")
        assert await alert_row.count() == 1
        assert "ar.example.ir" in await alert_row.inner_text()
        assert await alert_row.locator("td.cell-alert").count() == 1

        # Dead letters with their reasons.
        dead = await page.inner_text("#dead-letters-table")
        assert "no article body found" in dead
        assert "متن مقاله خالی است" in dead
        assert "news.raw / 1 @ 17" in dead

        # Lag.
        assert "12" in await page.inner_text("#lag-table")

        # Right-to-left names: computed direction rtl, text against the right edge.
        for table, key, text in [
            ("trending-entities", "name", "إيران"),
            ("trending-entities", "name", "علی خامنه‌ای"),
            ("trending-categories", "name", "اقتصاد"),
            ("dead-letters", "message", "متن مقاله خالی است"),
        ]:
            cell = page.locator(f"#{table}-table tbody td[data-key='{key}']", has_text=text)
            layout = await cell.evaluate(
                """td => {
                    const range = document.createRange();
                    range.selectNodeContents(td);
                    const text = range.getBoundingClientRect();
                    const box = td.getBoundingClientRect();
                    const style = getComputedStyle(td);
                    return {dir: style.direction,
                            right: box.right - parseFloat(style.paddingRight) - text.right,
                            left: text.left - box.left - parseFloat(style.paddingLeft)};
                }"""
            )
            assert layout["dir"] == "rtl", (table, text, layout)
            assert abs(layout["right"]) < 2 and layout["left"] > 2, (table, text, layout)
        latin = page.locator(
            "#trending-entities-table tbody td[data-key='name']", has_text="United Nations"
        )
        assert await latin.evaluate("td => getComputedStyle(td).direction") == "ltr"

        # Data are text, never markup.
        assert HOSTILE in await page.inner_text("#sites-table")
        assert await page.locator("#sites-table img").count() == 0
        assert await page.title() == "newsflow worker"

        await save_screenshot(page, "dashboard-dark")
        await page.emulate_media(color_scheme="light")
        await save_screenshot(page, "dashboard-light")
        assert errors == []


async def test_sorting_a_column_reorders_rows_and_survives_a_refresh() -> None:
    worker = FakeWorker()
    async with fake_worker(worker) as url, chromium_page() as page:
        errors = _watch_errors(page)
        await page.goto(url + "/")
        await page.wait_for_selector("#sites-table tbody td")
        assert await _column(page, "sites", "in") == ["400", "650", "154", "1"]

        await page.click("#sites-table th[data-key='in'] button")  # numbers: largest first
        assert await _column(page, "sites", "in") == ["650", "400", "154", "1"]
        header = page.locator("#sites-table th[data-key='in']")
        assert await header.get_attribute("aria-sort") == "descending"
        await page.click("#sites-table th[data-key='in'] button")
        assert await _column(page, "sites", "in") == ["1", "154", "400", "650"]
        assert await header.get_attribute("aria-sort") == "ascending"

        for _ in range(2):  # two refreshes later the order holds
            async with page.expect_response("**/api/overview"):
                pass
        await page.wait_for_timeout(200)
        assert await _column(page, "sites", "in") == ["1", "154", "400", "650"]

        await page.click("#sites-table th[data-key='site'] button")  # text: a to z
        sites = await _column(page, "sites", "site")
        assert sites == sorted(sites, key=str.lower)

        # Numbers sort as numbers, not as text ("1,204" after "17" would be text order).
        await page.click("#stages-table th[data-key='dead'] button")
        assert await _column(page, "stages", "dead") == ["17", "2", "0", "0"]
        await page.click("#stages-table th[data-key='in'] button")
        assert (await _column(page, "stages", "in"))[0] == "1,204"
        assert errors == []


async def test_a_token_is_asked_for_then_sent_as_a_bearer_header() -> None:
    worker = FakeWorker(token=TOKEN)
    async with fake_worker(worker) as url, chromium_page() as page:
        await page.goto(url + "/")
        banner = page.locator("#banner-token")
        await banner.wait_for(state="visible")
        assert "needs an access token" in await banner.inner_text()
        assert "#token=" in await banner.inner_text()
        assert worker.authorizations[0] is None

        await page.goto(url + f"/#token={TOKEN}")  # same document: the fragment changes
        await page.wait_for_selector("#stages-table tbody td")
        assert f"Bearer {TOKEN}" in worker.authorizations
        await banner.wait_for(state="hidden")
        assert "token" not in page.url  # not left in the address bar

        await page.reload()  # the tab keeps it
        await page.wait_for_selector("#stages-table tbody td")
        assert worker.authorizations[-1] == f"Bearer {TOKEN}"

        worker.token = "rotated"
        await banner.wait_for(state="visible")
        assert "was refused" in await banner.inner_text()
        await page.fill("#token-input", "rotated")
        await page.click("#token-form button")
        await banner.wait_for(state="hidden")
        assert worker.authorizations[-1] == "Bearer rotated"


async def test_a_worker_not_answering_is_said_and_the_last_data_stay() -> None:
    worker = FakeWorker()
    async with fake_worker(worker) as url, chromium_page() as page:
        await page.goto(url + "/")
        await page.wait_for_selector("#stages-table tbody td")
        await page.route("**/api/overview", lambda route: route.abort())
        banner = page.locator("#banner-down")
        await banner.wait_for(state="visible", timeout=10_000)
        assert "Worker not answering" in await banner.inner_text()
        assert "1,204" in await page.inner_text("#stages-table")
        await save_screenshot(page, "dashboard-down", full_page=False)

        await page.unroute("**/api/overview")
        await banner.wait_for(state="hidden", timeout=10_000)


async def test_a_starting_worker_with_nothing_to_show() -> None:
    worker = FakeWorker(document=starting_overview)
    async with fake_worker(worker) as url, chromium_page() as page:
        errors = _watch_errors(page)
        await page.goto(url + "/")
        await page.wait_for_selector("#stages-table tbody td")
        assert await page.inner_text("#worker-state") == "not ready"
        assert "no partition assigned yet" in await page.inner_text("#worker-reasons")
        assert "No stage has seen a page yet." in await page.inner_text("#stages-table")
        assert "KafkaConnectionError" in await page.inner_text("#lag")
        assert await page.inner_text("#kpi-lag") == "–"
        assert await page.locator("#quality-alerts").is_hidden()
        await save_screenshot(page, "dashboard-starting", full_page=False)
        assert errors == []


async def test_the_servers_own_document_draws_when_its_tables_are_away() -> None:
    def document(now: float) -> dict[str, Any]:
        ready = {
            "ready": True,
            "reasons": [],
            "processes": [
                {"ready": True, "assigned": {"news.raw": [0, 1]}},
                {"ready": True, "assigned": {"news.raw": [2, 3]}},
            ],
        }
        return server_overview(
            {"error": "stats app does not answer"}, ready, None, {"version": "builtin:x"}
        )

    async with fake_worker(FakeWorker(document=document)) as url, chromium_page() as page:
        errors = _watch_errors(page)
        await page.goto(url + "/")
        await page.wait_for_selector("#stages-table tbody td")
        banner = page.locator("#banner-tables")
        assert await banner.is_visible()
        assert "stats app does not answer" in await banner.inner_text()
        assert "0–3" in await page.inner_text("#assignment-table")
        assert "lag unavailable" in await page.inner_text("#lag")
        assert errors == []
