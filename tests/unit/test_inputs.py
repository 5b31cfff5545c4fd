from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from newsflow.core.errors import PipelineError
from newsflow.inputs import iter_inputs, url_for

NOW = datetime(2024, 3, 19, tzinfo=UTC)


def test_html_files_travel_as_raw_bytes(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_bytes("<p>سلام</p>".encode("cp1256"))
    (item,) = iter_inputs([page], now=NOW, url="https://x.example/a")
    assert item.raw is not None
    assert base64.b64decode(item.raw["body_b64"] or "") == "<p>سلام</p>".encode("cp1256")
    assert item.raw["url"] == "https://x.example/a" and item.raw["html"] is None


def test_directories_gzip_and_index_files(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "b.html.gz").write_bytes(gzip.compress(b"<p>b</p>"))
    (pages / "a.htm").write_bytes(b"<p>a</p>")
    (pages / "notes.txt").write_text("ignored in a folder")
    (tmp_path / "expected.jsonl").write_text(
        '{"file": "pages/b.html.gz", "url": "https://b.example/"}\n'
    )
    items = list(iter_inputs([tmp_path], now=NOW))
    assert [Path(i.origin).name for i in items] == ["a.htm", "b.html.gz"]
    assert items[1].raw is not None and items[1].raw["url"] == "https://b.example/"
    assert items[0].raw is not None and items[0].raw["url"].startswith("file://")


def test_json_lines_good_and_bad(tmp_path: Path) -> None:
    lines = tmp_path / "pages.jsonl"
    lines.write_bytes(
        b"\n".join(
            [
                orjson.dumps(
                    {"url": "https://x.example/1", "html": "<p>1</p>", "source": "feed-7"}
                ),
                b"{broken",
                orjson.dumps({"html": "<p>no url</p>"}),
                b"",
                orjson.dumps({"url": "https://x.example/2", "html": "<p>2</p>"}),
            ]
        )
    )
    items = list(iter_inputs([lines], now=NOW, source="cli"))
    assert [i.error.kind if i.error else "ok" for i in items] == ["ok", "decode", "schema", "ok"]
    assert items[0].raw is not None and items[0].raw["source"] == "feed-7"
    assert items[3].raw is not None and items[3].raw["source"] == "cli"
    assert items[1].origin.endswith("pages.jsonl:2")


def test_unreadable_input_is_an_error_item_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "broken.html.gz").write_bytes(b"not gzip at all")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    items = list(
        iter_inputs(
            [tmp_path / "broken.html.gz", tmp_path / "x.pdf", tmp_path / "missing.html"], now=NOW
        )
    )
    assert [i.error.kind if i.error else None for i in items] == ["input", "input", "input"]


def test_url_option_needs_exactly_one_file(tmp_path: Path) -> None:
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_text("<p>x</p>")
    with pytest.raises(PipelineError, match="exactly one"):
        list(iter_inputs([tmp_path], now=NOW, url="https://x.example/"))


def test_corpus_pages_get_their_urls_from_the_corpus_index(corpus: Path) -> None:
    page = sorted((corpus / "aeb-dev" / "pages").glob("*.html.gz"))[0]
    assert url_for(page).startswith("http")
