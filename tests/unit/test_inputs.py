from __future__ import annotations

import base64
import gzip
import os
import random
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import orjson
import pytest

from newsflow.core.errors import PipelineError
from newsflow.inputs import CHUNK_BYTES, iter_inputs, own_url, url_for
from tests.conftest import EXAMPLES

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
    (pages / "a.htm").write_bytes(b'<link href="https://a.example/news/1" rel=canonical><p>a</p>')
    (pages / "notes.txt").write_text("ignored in a folder")
    (tmp_path / "expected.jsonl").write_text(
        '{"file": "pages/b.html.gz", "url": "https://b.example/"}\n'
    )
    items = list(iter_inputs([tmp_path], now=NOW))
    assert [Path(i.origin).name for i in items] == ["a.htm", "b.html.gz"]
    assert items[1].raw is not None and items[1].raw["url"] == "https://b.example/"
    assert items[0].raw is not None and items[0].raw["url"] == "https://a.example/news/1"


@pytest.mark.parametrize(
    ("head", "url"),
    [
        (
            b'<link rel="canonical" href="https://x.example/a?b=1&amp;c=2">',
            "https://x.example/a?b=1&c=2",
        ),
        (b"<LINK REL='Canonical' HREF='http://x.example/a'>", "http://x.example/a"),
        (b'<meta property="og:url" content="https://x.example/og">', "https://x.example/og"),
        (  # a canonical link to the site's root is a CMS bug: og:url wins
            b'<link rel="canonical" href="https://x.example/">'
            b'<meta property="og:url" content="https://x.example/og/1">',
            "https://x.example/og/1",
        ),
        (  # relative and non-http links are skipped
            b'<link rel="canonical" href="/news/1"><link rel="canonical" href="javascript:x()">'
            b'<meta name="og:url" content="https://x.example/n/2">',
            "https://x.example/n/2",
        ),
        (b'<link rel="alternate" href="https://x.example/amp/1">', None),
        (b"<p>no head at all</p>", None),
        (b"<meta property=og:url content=https://x.example/a/b>", "https://x.example/a/b"),
        (  # real heads carry the link after up to 900 KB of inline script
            b"<script>" + b"x" * 1_000_000 + b'</script><link rel="canonical" href="/x">'
            b'<meta property="og:url" content="https://x.example/og/2">'
            b'<link rel="canonical" href="https://x.example/late">',
            "https://x.example/late",
        ),
        (
            b'<meta content="https://x.example/a/&#1576;" property="og:url">',
            "https://x.example/a/ب",
        ),
        (b'<link rel="canonical" href="https://x.example/\xff">', None),
    ],
)
def test_a_page_names_itself_by_its_canonical_link_or_og_url(head: bytes, url: str | None) -> None:
    assert own_url(head) == url


def test_a_page_without_index_entry_or_canonical_link_is_a_url_error(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>a page that does not say where it lives</p>")
    (tmp_path / "b.html").write_bytes(b'<link rel="canonical" href="ftp://x.example/b"><p>b</p>')
    a, b = iter_inputs([tmp_path], now=NOW)
    for item in (a, b):
        assert item.raw is None and item.error is not None and item.error.kind == "url"
        assert "pass --url or add an index.jsonl" in item.error.message
    with pytest.raises(PipelineError, match="pass --url"):
        url_for(tmp_path / "a.html")


def test_page_urls_from_an_index_or_url_option_must_be_http(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>a</p>")
    (tmp_path / "index.jsonl").write_text('{"file": "a.html", "url": "mailto:x@y.z"}\n')
    ((item,),) = [list(iter_inputs([tmp_path], now=NOW))]
    assert item.error is not None and item.error.kind == "url"
    assert "index" in item.error.message and "mailto" in item.error.message
    (item,) = iter_inputs([tmp_path / "a.html"], now=NOW, url="javascript:alert(1)")
    assert item.error is not None and item.error.kind == "url"


def test_examples_name_themselves() -> None:
    items = list(iter_inputs(sorted(EXAMPLES.glob("*.html")), now=NOW))
    assert len(items) == 3
    for item in items:
        assert item.raw is not None, item.error
        assert item.raw["url"].startswith("https://")


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


T = TypeVar("T")
GOOD_PAGE = b'<link rel="canonical" href="https://x.example/news/1"><p>a good page</p>'


def _traced_peak(run: Callable[[], T]) -> tuple[T, int]:
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_refused_while_decompressing_and_the_next_file_is_read(
    tmp_path: Path,
) -> None:
    expanded = 32 * 1024 * 1024
    bomb = tmp_path / "a-bomb.html.gz"
    bomb.write_bytes(gzip.compress(bytes(expanded), 9))  # 32 MiB of zeros in ~32 KiB
    (tmp_path / "b-good.html").write_bytes(GOOD_PAGE)
    limit = 512 * 1024
    items, peak = _traced_peak(lambda: list(iter_inputs([tmp_path], now=NOW, max_bytes=limit)))
    bad, good = items
    assert bad.error is not None and bad.error.kind == "too_large" and bad.raw is None
    assert "decompresses to more than 524288 bytes" in bad.error.message
    assert good.raw is not None and good.raw["url"] == "https://x.example/news/1"
    # the limit, a chunk in flight and the decompressor's buffers (~1.6 MiB here), nowhere
    # near the 32 MiB the file expands to
    assert peak < limit + 6 * CHUNK_BYTES < expanded // 8, peak


def test_a_plain_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # sparse: 8 GiB by stat, nothing on disk
    (tmp_path / "small.html").write_bytes(GOOD_PAGE)
    items, peak = _traced_peak(lambda: list(iter_inputs([tmp_path], now=NOW, max_bytes=4096)))
    assert [i.error.kind if i.error else "ok" for i in items] == ["too_large", "ok"]
    assert "8589934592 bytes, more than 4096" in str(items[0].error)
    assert peak < 1024 * 1024


def test_a_json_line_over_the_cap_is_one_error_and_reading_resumes(tmp_path: Path) -> None:
    lines = tmp_path / "pages.jsonl.gz"
    long_line = b'{"url": "https://x.example/2", "html": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    with gzip.open(lines, "wb") as out:
        out.write(orjson.dumps({"url": "https://x.example/1", "html": "<p>1</p>"}) + b"\n")
        out.write(long_line + b"\n")
        out.write(orjson.dumps({"url": "https://x.example/3", "html": "<p>3</p>"}) + b"\n")
        out.write(long_line)  # the last line has no newline
    cap = 64 * 1024
    items, peak = _traced_peak(lambda: list(iter_inputs([lines], now=NOW, max_bytes=cap)))
    assert [(i.origin.rsplit(":", 1)[1], i.error.kind if i.error else "ok") for i in items] == [
        ("1", "ok"),
        ("2", "too_large"),
        ("3", "ok"),
        ("4", "too_large"),
    ]
    assert "the line has more than 65536 bytes" in str(items[1].error)
    assert peak < 2 * 1024 * 1024, peak  # the 8 MiB lines were never held


def test_corrupt_and_truncated_gzip_are_error_items(tmp_path: Path) -> None:
    page = gzip.compress(GOOD_PAGE * 1000)
    (tmp_path / "a.html.gz").write_bytes(page[: len(page) // 2])
    (tmp_path / "b.html.gz").write_bytes(page[:-8] + b"\0" * 8)  # wrong CRC and size
    noise = random.Random(0)
    lines = gzip.compress(
        b"".join(
            orjson.dumps({"url": f"https://x.example/{n}", "html": noise.randbytes(32).hex()})
            + b"\n"
            for n in range(5000)
        )
    )
    (tmp_path / "c.jsonl.gz").write_bytes(lines[: len(lines) - 100])
    (tmp_path / "d.html").write_bytes(GOOD_PAGE)
    items = list(iter_inputs([tmp_path], now=NOW))
    errors = [(Path(i.origin).name, i.error.kind, i.error.message[:29]) for i in items if i.error]
    assert errors == [
        ("a.html.gz", "input", "truncated gzip: the compresse"),
        ("b.html.gz", "input", "corrupt gzip: CRC check faile"),
        ("c.jsonl.gz", "input", "truncated gzip: the compresse"),
    ]
    ok = [i for i in items if i.raw]
    assert len(ok) > 4000 and ok[-1].origin.endswith("d.html")  # lines before the damage count


def test_json_lines_with_urls_that_are_not_http_are_url_errors(tmp_path: Path) -> None:
    lines = tmp_path / "pages.jsonl"
    urls = ["javascript:alert(1)", "javascript:void(0)", "mailto:x@y.z", "", "http://[::1"]
    lines.write_bytes(
        b"\n".join(orjson.dumps({"url": u, "html": "<p>x</p>"}) for u in urls)
        + b"\n"
        + orjson.dumps({"url": "https://x.example/ok", "html": "<p>x</p>"})
    )
    items = list(iter_inputs([lines], now=NOW))
    assert [i.error.kind if i.error else "ok" for i in items] == ["url"] * 5 + ["ok"]


def test_something_that_is_not_a_regular_file_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.html"
    os.mkfifo(fifo)  # opening it would block until a writer came
    (item,) = iter_inputs([fifo], now=NOW)
    assert item.error is not None and item.error.message == "not a regular file"
