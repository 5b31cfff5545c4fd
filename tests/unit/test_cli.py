"""The offline commands, run in-process: no broker involved."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from click.testing import CliRunner

from newsflow import publishing
from newsflow.cli import main
from newsflow.extraction.urls import article_id
from newsflow.schemas.codec import validate
from newsflow.schemas.records import RECORDS, Article, EnrichedArticle
from tests.conftest import EXAMPLES

COMMANDS = {
    "worker",
    "publish",
    "process",
    "tail",
    "broker",
    "demo",
    "schemas",
    "config",
    "entities",
    "dlq",
    "status",
}


def run(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_every_command_with_help_text() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in COMMANDS:
        assert f"  {command} " in out, command
        sub_code, sub_out, _ = run(command, "--help")
        assert sub_code == 0 and len(sub_out.splitlines()) > 3, command


def test_process_prints_one_enriched_article_per_page_in_input_order(tmp_path: Path) -> None:
    pages = sorted(EXAMPLES.glob("*.html"))
    bad = tmp_path / "empty.html"
    bad.write_bytes(b"")
    (tmp_path / "index.jsonl").write_text('{"file": "empty.html", "url": "https://e.example/1"}')
    code, out, err = run("process", str(pages[0]), str(bad), str(pages[1]))
    lines = [orjson.loads(line) for line in out.splitlines()]
    assert code == 1 and err.splitlines()[-1] == "processed 3 page(s): 2 ok, 1 failed"
    assert len(lines) == 3
    validate(EnrichedArticle, lines[0])
    assert lines[1] == {
        "error": {"kind": "empty", "message": lines[1]["error"]["message"]},
        "origin": str(bad),
        "url": "https://e.example/1",
    }
    validate(EnrichedArticle, lines[2])
    # a page file without --url or index entry is named by its own canonical link
    assert lines[0]["article"]["url"].startswith("https://ar.mehrnews.com/news/1942574/")


def test_process_stage_parse_and_url_option() -> None:
    page = EXAMPLES / "mehrnews-ar-1942574.html"
    code, out, _ = run(
        "process", "--stage", "parse", "--url", "https://ar.mehrnews.com/x", str(page)
    )
    (article,) = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0
    validate(Article, article)
    assert article["url"] == "https://ar.mehrnews.com/x"
    assert "entities" not in article


def test_process_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_bytes(
        orjson.dumps(
            {
                "url": "https://x.example/a",
                "html": "<html><body><h1>T</h1><p>"
                + "Some words of an article body. " * 20
                + "</p></body></html>",
            }
        )
        + b"\n{not json\n"
    )
    code, out, err = run("process", str(lines))
    assert code == 1 and "processed 2 page(s): 1 ok, 1 failed" in err
    first, second = (orjson.loads(line) for line in out.splitlines())
    assert first["article"]["url"] == "https://x.example/a"
    assert second["error"]["kind"] == "decode"


def test_unknown_topic_and_bad_settings_are_usage_errors() -> None:
    result = CliRunner().invoke(main, ["tail", "news.nothing"])
    assert result.exit_code == 2 and "unknown topic" in result.output
    result = CliRunner().invoke(main, ["config"], env={"NEWSFLOW_PARTITIONS": "x"})
    assert result.exit_code == 2 and "NEWSFLOW_PARTITIONS" in result.output


def test_config_masks_secrets() -> None:
    code, out, _ = run("config", env={"NEWSFLOW_DATABASE_URL": "postgresql://u:pw@h/db"})
    assert code == 0 and ":***@" in out and "pw@" not in out


def test_schemas_export_writes_every_record(tmp_path: Path) -> None:
    code, out, _ = run("schemas", "export", "--out", str(tmp_path))
    assert code == 0 and out.count(".schema.json") == len(RECORDS)
    assert {p.name for p in tmp_path.iterdir()} == {f"{r.__name__}.schema.json" for r in RECORDS}


def test_entities_contract_offsets_into_the_text() -> None:
    lines = [
        {
            "id": "ar1",
            "text": "التقى الرئيس الإيراني إبراهيم رئيسي نظيره الروسي فلاديمير بوتين في موسكو",
            "lang": "ar",
        },
        {"id": "en1", "text": "Putin met Raisi in Moscow.", "lang": "en"},
    ]
    stdin = b"".join(orjson.dumps(x) + b"\n" for x in lines) + b"not json\n"
    code, out, err = run("entities", stdin=stdin)
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and "1 line(s) could not be read" in err
    assert [r["id"] for r in rows] == ["ar1", "en1", None] and "error" in rows[2]
    for row, src in zip(rows[:2], lines, strict=True):
        assert row["entities"], row
        for ent in row["entities"]:
            assert src["text"][ent["start"] : ent["end"]] == ent["text"]
            assert set(ent) == {"start", "end", "type", "id", "text"}
    ar_ids = {e["text"]: e["id"] for e in rows[0]["entities"]}
    en_ids = {e["text"]: e["id"] for e in rows[1]["entities"]}
    assert ar_ids["فلاديمير بوتين"] == en_ids["Putin"]
    assert ar_ids["موسكو"] == en_ids["Moscow"]


BOUNDS = {"NEWSFLOW_MAX_PAGE_BYTES": "20000", "NEWSFLOW_MAX_MESSAGE_BYTES": "60000"}


def _page_file(path: Path, url: str, size: int = 0) -> Path:
    head = f'<html><head><link rel="canonical" href="{url}"></head><body><h1>T</h1><p>'
    path.write_bytes(head.encode() + b"word " * (size // 5) + b"</p></body></html>")
    return path


def test_process_reports_every_bad_input_and_goes_on(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(bytes(4 * 1024 * 1024)))
    lines = tmp_path / "in.jsonl"
    lines.write_bytes(
        orjson.dumps({"url": "javascript:alert(1)", "html": "<p>x</p>"})
        + b"\n"
        + orjson.dumps({"url": "https://x.example/" + "a" * 70_000, "html": "<p>x</p>"})
        + b"\n"
    )
    nameless = tmp_path / "nameless.html"
    nameless.write_bytes(b"<p>no url anywhere</p>")
    big = _page_file(tmp_path / "big.html", "https://x.example/big", 30_000)
    good = EXAMPLES / "newsagency-en-20240319.html"
    args = [bomb, lines, nameless, tmp_path / "missing.html", big, good]
    code, out, err = run("process", "--stage", "parse", *map(str, args), env=BOUNDS)
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert [(r["origin"], r["error"]["kind"]) for r in rows[:-1]] == [
        (str(bomb), "too_large"),
        (f"{lines}:1", "url"),
        (f"{lines}:2", "too_large"),
        (str(nameless), "url"),
        (str(tmp_path / "missing.html"), "input"),
        (str(big), "too_large"),  # read, then refused by the parse stage's page limit
    ]
    assert rows[-1]["canonical_url"].startswith("https://en.newsagency.example/news/20240319/")
    assert rows[5]["url"] == "https://x.example/big" and rows[0]["url"] is None
    assert "pass --url or add an index.jsonl" in rows[3]["error"]["message"]
    assert code == 1 and err.splitlines()[-1] == "processed 7 page(s): 1 ok, 6 failed"


def test_process_exits_0_when_every_page_parses() -> None:
    code, out, err = run("process", "--stage", "parse", str(EXAMPLES))
    assert code == 0 and len(out.splitlines()) == 3
    assert err.splitlines()[-1] == "processed 3 page(s): 3 ok, 0 failed"


def test_url_option_with_several_files_is_still_a_usage_error(
    fake_producer: FakeProducer,
) -> None:
    for command in ("process", "publish"):
        code, _, err = run(command, "--url", "https://x.example/a", str(EXAMPLES))
        assert code == 2 and "exactly one page file" in err


class FakeProducer:
    """Stands in for aiokafka: refuses some sends, fails some deliveries, keeps the rest."""

    def __init__(self, refuse: set[str], undeliverable: set[str]) -> None:
        self.refuse = {article_id(u).encode() for u in refuse}
        self.undeliverable = {article_id(u).encode() for u in undeliverable}
        self.delivered: list[dict[str, Any]] = []

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future[None]:
        if key in self.refuse:
            raise KafkaTimeoutError("no metadata for the topic")
        delivery: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key in self.undeliverable:
            delivery.set_exception(KafkaConnectionError("the broker went away"))
        else:
            self.delivered.append({"topic": topic, **orjson.loads(value)})
            delivery.set_result(None)
        return delivery


@pytest.fixture
def fake_producer(monkeypatch: pytest.MonkeyPatch) -> FakeProducer:
    fake = FakeProducer({"https://x.example/unsent"}, {"https://x.example/undelivered"})

    @contextlib.asynccontextmanager
    async def producer(settings: Any) -> AsyncIterator[FakeProducer]:
        yield fake

    async def ensure_topics(settings: Any, specs: Any) -> None:
        return None

    monkeypatch.setattr(publishing, "producer", producer)
    monkeypatch.setattr(publishing, "ensure_topics", ensure_topics)
    return fake


def test_publish_counts_each_failed_input_and_sends_the_rest(
    tmp_path: Path, fake_producer: FakeProducer
) -> None:
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(bytes(4 * 1024 * 1024)))
    big = _page_file(tmp_path / "big.html", "https://x.example/big", 30_000)
    bigger = _page_file(tmp_path / "bigger.html", "https://x.example/bigger", 50_000)
    lines = tmp_path / "in.jsonl"
    lines.write_bytes(
        b"\n".join(
            orjson.dumps({"url": url, "html": "<p>x</p>"})
            for url in (
                "https://x.example/ok",
                "http://[::1",
                "https://x.example/undelivered",
                "https://x.example/unsent",
            )
        )
    )
    good = EXAMPLES / "mehrnews-fa-6062918.html"
    code, _, err = run("publish", *map(str, [bomb, big, bigger, lines, good]), env=BOUNDS)
    assert [(p["topic"], p["url"]) for p in fake_producer.delivered] == [
        ("news.raw", "https://x.example/big"),  # above the page limit: parse dead-letters it
        ("news.raw", "https://x.example/ok"),
        ("news.raw", "https://www.mehrnews.com/news/6062918/" + good_path_tail()),
    ]
    # a failed delivery is reported when its batch settles, after later inputs
    reported = [line.split(": ")[1:3] for line in err.splitlines() if line.startswith("error:")]
    assert sorted(reported) == [
        [str(bigger), "too_large"],
        [str(bomb), "too_large"],
        [f"{lines}:2", "url"],
        [f"{lines}:3", "send"],
        [f"{lines}:4", "send"],
    ]
    assert "once encoded, more than 60000" in err and "the broker went away" in err
    assert code == 1
    assert err.splitlines()[-1] == "published 3 page(s) to news.raw; 5 input(s) failed"


def good_path_tail() -> str:
    return "%D8%B1%D8%A6%DB%8C%D8%B3%DB%8C-%D9%88-%D9%BE%D9%88%D8%AA%DB%8C%D9%86"


def test_publish_exits_0_when_everything_is_delivered(fake_producer: FakeProducer) -> None:
    code, _, err = run("publish", str(EXAMPLES), env={"NEWSFLOW_TOPIC_PREFIX": "t."})
    assert code == 0 and err.splitlines()[-1] == "published 3 page(s) to t.news.raw"
    assert {p["topic"] for p in fake_producer.delivered} == {"t.news.raw"}


def test_a_worker_refuses_to_start_on_an_invalid_rules_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsflow.cli import main

    bad = tmp_path / "routes.yaml"
    bad.write_text("routes:\n  - name: x\n    when: {entitty: iso:IR}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["worker"], env={"NEWSFLOW_ROUTES_FILE": str(bad)})
    assert result.exit_code == 2
    assert "routes.yaml:3" in result.output and "does not start" in result.output
