"""`newsflow status`: the overview rendered as text, and the errors a script can tell apart.

The HTTP cases use a real local HTTP server of the standard library serving canned
answers: the worker's endpoint is built elsewhere, and the contract
(/api/overview, bearer token, 401) is what is checked here.
"""

from __future__ import annotations

import copy
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from rich.console import Console

from newsflow.cli import main
from newsflow.settings import Settings
from newsflow.status import (
    EXIT_UNAUTHORIZED,
    EXIT_UNREACHABLE,
    StatusError,
    default_url,
    fetch_overview,
    render_status,
    sparkline,
)

pytestmark = pytest.mark.timeout(60)

GENERATED = 1765137000.5

OVERVIEW: dict[str, Any] = {
    "generated_at": GENERATED,
    "worker": {
        "ready": False,
        "reasons": ["sink (news.enriched): database unavailable: connection refused"],
        "uptime_s": 3723.4,
        "assigned": {"news.raw": [0, 1, 2, 3], "news.articles": [0, 1, 2, 3]},
        "processes": [
            {"ready": True, "assigned": {"news.raw": [0, 1]}},
            {"ready": False, "assigned": {"news.raw": [2, 3]}},
        ],
    },
    "rules": {"version": "builtin:3f2a9c1e", "routes": ["politics", "economy", "general"]},
    "stages": [
        {
            "stage": "parse",
            "in": 1200,
            "ok": 1170,
            "dead": 30,
            "unchanged": 0,
            "dead_by_kind": {"parse": 20, "too_large": 10},
            "bytes": 4567890,
            "last_seen": GENERATED - 1.4,
            "rate_per_s": 1.9,
            "per_minute": [0, 0, 12, 40, 68],
            "latency_s": {"count": 1170, "p50": 0.41, "p95": 0.8, "p99": 1.2},
        },
        {
            "stage": "sink",
            "in": 1170,
            "ok": 1100,
            "dead": 0,
            "unchanged": 70,
            "dead_by_kind": {},
            "bytes": 0,
            "last_seen": GENERATED - 600,
            "rate_per_s": 0.0,
            "per_minute": [],
            "latency_s": {"count": 0, "p50": None, "p95": None, "p99": None},
        },
    ],
    "sites": [
        {
            "site": f"site{i}.example",
            "stage": "parse",
            "in": i,
            "ok": i,
            "dead": 0,
            "dead_by_kind": {},
            "bytes": 1000 * i,
            "last_seen": GENERATED - 5,
        }
        for i in range(1, 25)
    ]
    + [
        {
            "site": "ar.example.ir",
            "stage": "parse",
            "in": 400,
            "ok": 399,
            "dead": 1,
            "dead_by_kind": {"parse": 1},
            "bytes": 1234567,
            "last_seen": GENERATED - 7200,
        }
    ],
    "quality": [
        {
            "site": "ar.example.ir",
            "pages": 39,
            "fill": {"title": 1.0, "date": 0.97, "authors": 0.41, "lead": 0.95},
            "body_chars": {"p10": 800, "p50": 2400, "p90": 6100},
            "languages": {"ar": 39},
            "alerts": [
                {
                    "field": "date",
                    "recent": 0.05,
                    "baseline": 0.97,
                    "message": "date filled on 5% of the last 20 pages, 97% before: "
                    "a template change?",
                }
            ],
        }
    ],
    "trending": {
        "hours": [1764964800, 1764968400, 1764972000],
        "entities": [
            {"id": "iso:IR", "name": "إيران", "type": "LOC", "count": 31, "series": [0, 3, 31]},
            {
                "id": "nf:tehran",
                "name": "تهران",
                "type": "LOC",
                "count": 12,
                "series": [1, 2, 12],
            },
        ]
        + [
            {"id": f"e{i}", "name": f"Entity {i}", "type": "ORG", "count": 1, "series": [1]}
            for i in range(12)
        ],
        "categories": [],
        "routes": [],
    },
    "lag": {
        "newsflow": {
            "total": 12,
            "partitions": [
                {"topic": "news.raw", "partition": 0, "committed": 10, "end": 22, "lag": 12},
                {"topic": "news.raw", "partition": 1, "committed": 5, "end": 5, "lag": 0},
                {"topic": "news.dlq", "partition": 0, "committed": 3, "end": 3, "lag": 0},
            ],
        },
        "newsflow-stats": {"total": 0, "partitions": []},
    },
    "dead_letters": [
        {
            "id": "3b1f0c9d8e7f6a5b4c3d2e1f",
            "stage": "parse",
            "error_kind": "parse",
            "message": "no article body found",
            "source": "crawler-a",
            "url": "https://ar.example.ir/news/1",
            "site": "ar.example.ir",
            "failed_at": "2026-12-07T20:01:02+00:00",
            "topic": "news.raw",
            "partition": 1,
            "offset": 17,
        }
    ],
}


def render(overview: dict[str, Any], width: int = 200) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    console.print(render_status(overview))
    return console.export_text()


RED, BOLD_RED = "\x1b[31m", "\x1b[1;31m"


def render_styled(overview: dict[str, Any]) -> str:
    console = Console(record=True, width=200, file=io.StringIO(), color_system="truecolor")
    console.print(render_status(overview))
    return console.export_text(styles=True)  # styles as ANSI escapes


def test_the_overview_renders_every_section() -> None:
    text = render(OVERVIEW)
    assert "NOT READY" in text
    assert "database unavailable: connection refused" in text
    assert "up 1h02m" in text and "processes 1/2 ready" in text
    assert "rules builtin:3f2a9c1e: politics, economy, general" in text
    # stages: counts, latency, age, the per-minute bars, the kinds of failures
    parse_line = next(line for line in text.splitlines() if line.strip().startswith("parse "))
    for part in ("1,200", "1,170", "30", "1.9", "410ms", "800ms", "1.20s", "1s ago"):
        assert part in parse_line, part
    assert "parse:20 too_large:10" in parse_line
    assert sparkline([0, 0, 12, 40, 68]) in parse_line
    assert "10m ago" in text
    # sites: the top 20 by pages in, the busiest first
    assert "Sites (top 20 of 25)" in text
    assert text.index("ar.example.ir") < text.index("site24.example")
    assert "site24.example" in text and "site6.example" in text
    assert "site5.example" not in text
    assert "1.2 MB" in text and "2h ago" in text
    # quality and its alert
    assert "97%" in text and "41%" in text and "800/2,400/6,100" in text
    assert "⚠ ar.example.ir: date filled on 5% of the last 20 pages" in text
    # trending: Arabic and Persian names, top 10 only
    assert "إيران" in text and "تهران" in text
    assert "Entity 7" in text and "Entity 8" not in text
    # lag: group totals, topic totals, the worst partitions
    assert "newsflow-stats" in text
    raw_line = next(line for line in text.splitlines() if "news.raw" in line and "[0]" in line)
    assert "[0]:12" in raw_line and "[1]" not in raw_line
    # dead letters
    assert "2026-12-07 20:01:02" in text and "3b1f0c9d8e7f" in text
    assert "no article body found" in text


def test_alerts_and_their_fields_are_red() -> None:
    styled = render_styled(OVERVIEW)
    alert_line = next(line for line in styled.splitlines() if "a template change?" in line)
    assert alert_line.startswith(RED)
    date_cell = next(line for line in styled.splitlines() if "800/2,400/6,100" in line)
    assert BOLD_RED + " 97%" in date_cell
    assert BOLD_RED + "100%" not in date_cell  # only the alerted field


def test_an_empty_or_partial_overview_still_renders() -> None:
    text = render({})
    assert "readiness unknown" in text
    for section in ("Stages", "Sites", "Quality", "Trending entities", "Consumer lag"):
        assert section in text
    text = render({"worker": {"ready": True, "reasons": []}, "lag": {"error": "broker away"}})
    assert "READY" in text and "NOT READY" not in text
    assert "not available: broker away" in text
    broken = copy.deepcopy(OVERVIEW)
    broken["stages"] = [{"stage": "parse"}, "junk"]
    broken["trending"] = None
    broken["sites"][0] = {"site": "x"}
    assert "parse" in render(broken)


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([0, 5, 10]) == "▁▄█"
    assert sparkline([None, 1]) == "▁█"


def test_the_default_url_comes_from_the_worker_settings() -> None:
    settings = Settings.from_env({"NEWSFLOW_WEB_PORT": "7000"})
    assert default_url(settings) == "http://127.0.0.1:7000"
    wildcard = Settings.from_env({"NEWSFLOW_WEB_HOST": "0.0.0.0"})
    assert default_url(wildcard) == "http://127.0.0.1:6066"
    assert default_url(Settings.from_env({"NEWSFLOW_WEB_HOST": "::1"})) == "http://[::1]:6066"


# ------------------------------------------------------------------ over HTTP


class _Handler(BaseHTTPRequestHandler):
    token = "s3cret"

    def do_GET(self) -> None:
        if self.path != "/api/overview":
            self.send_error(404)
            return
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_error(401, "Unauthorized")
            return
        body = orjson.dumps(OVERVIEW)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def worker_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_fetch_sends_the_token_and_tells_the_failures_apart(worker_url: str) -> None:
    assert fetch_overview(worker_url + "/", "s3cret")["generated_at"] == GENERATED
    with pytest.raises(StatusError, match="pass --token or set NEWSFLOW_WEB_TOKEN") as info:
        fetch_overview(worker_url, None)
    assert info.value.exit_code == EXIT_UNAUTHORIZED
    with pytest.raises(StatusError, match="token was refused") as info:
        fetch_overview(worker_url, "wrong")
    assert info.value.exit_code == EXIT_UNAUTHORIZED
    with pytest.raises(StatusError, match="answered 404") as info:
        fetch_overview(worker_url + "/nothing", "s3cret")
    assert info.value.exit_code == EXIT_UNREACHABLE
    with pytest.raises(StatusError, match="cannot reach the worker") as info:
        fetch_overview(closed_port_url(), None, timeout=2)
    assert info.value.exit_code == EXIT_UNREACHABLE


def test_the_command_prints_the_tables_and_exits_2_or_3(worker_url: str) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["status", "--url", worker_url, "--token", "s3cret"])
    assert ok.exit_code == 0, ok.output
    assert "إيران" in ok.stdout and "NOT READY" in ok.stdout
    env_token = runner.invoke(
        main, ["status", "--url", worker_url], env={"NEWSFLOW_WEB_TOKEN": "s3cret"}
    )
    assert env_token.exit_code == 0
    refused = runner.invoke(main, ["status", "--url", worker_url], env={"NEWSFLOW_WEB_TOKEN": ""})
    assert refused.exit_code == 3 and "NEWSFLOW_WEB_TOKEN" in refused.stderr
    away = runner.invoke(main, ["status", "--url", closed_port_url(), "--timeout", "2"])
    assert away.exit_code == 2 and "cannot reach the worker" in away.stderr
