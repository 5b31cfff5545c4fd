"""The offline commands, run in-process: no broker involved."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from newsflow.cli import main
from schemas.codec import validate
from schemas.records import RECORDS, Article, EnrichedArticle
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
    code, out, err = run("process", str(pages[0]), str(bad), str(pages[1]))
    lines = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and "1 page(s) failed" in err
    assert len(lines) == 3
    validate(EnrichedArticle, lines[0])
    assert lines[1]["error"]["kind"] == "empty" and lines[1]["origin"] == str(bad)
    validate(EnrichedArticle, lines[2])
    assert lines[0]["article"]["url"].endswith(pages[0].name)


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
    code, out, _ = run("process", str(lines))
    assert code == 0
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
