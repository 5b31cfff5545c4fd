"""Pathological pages are refused quickly (``too_complex``) or bounded, never slow.

Outcomes only (the kind raised, the counts, the record field); the times are measured by
``bench/pathological.py``. Each page here is built just past one limit.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow import inputs
from newsflow.core.errors import PipelineError
from newsflow.core.types import ArticleDict
from newsflow.entities import enrich, ner
from newsflow.entities.enrich import bounded_fields, enrich_article, text_prefix
from newsflow.entities.ner import text_mentions, text_windows
from newsflow.extraction import extract as ex
from newsflow.extraction import markup
from newsflow.extraction.markup import MarkupStats, check_markup, markup_stats, markup_stats_python
from newsflow.extraction.parse import parse_page
from newsflow.schemas.records import EnrichedArticle
from tests.articles import make_article

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
NOW = datetime(2024, 3, 19, 12, 0, tzinfo=UTC)
LEAD = "<p>The council met on Tuesday and the minister said the plan would be published.</p>"


def page(body: str, head: str = "") -> str:
    return (
        f"<html><head><title>T</title>{head}</head>"
        f"<body><article>{LEAD}{body}</article></body></html>"
    )


def attrs(n: int, prefix: str = "a") -> str:
    return " ".join(f"{prefix}{i}=1" for i in range(n))


# (case, page, words the message must contain)
REFUSED = [
    (
        "attributes on one element",
        page(f"<div {attrs(markup.MAX_ELEMENT_ATTRIBUTES + 1)}>x</div>"),
        "attributes on one element",
    ),
    (
        "attributes added to <body> by repeated tags",
        page("".join(f"<body b{i}>" for i in range(markup.MAX_ELEMENT_ATTRIBUTES + 1))),
        "<html>/<body>",
    ),
    (
        "attributes of an end tag count too",
        page(f"<div>x</div {attrs(markup.MAX_ELEMENT_ATTRIBUTES + 1)}>"),
        "attributes on one element",
    ),
    (
        "attributes in all",
        page(f"<i {attrs(500)}></i>" * (markup.MAX_ATTRIBUTES // 500 + 1)),
        "attributes in all:",
    ),
    (
        "distinct attribute names",
        page("".join(f"<i n{i}=1></i>" for i in range(markup.MAX_NAMES + 1))),
        "distinct attribute names",
    ),
    (
        "distinct tag names",
        page("".join(f"<t{i}></t{i}>" for i in range(markup.MAX_NAMES + 1))),
        "distinct tag names",
    ),
    (
        "nesting depth",
        page("<div>" * (markup.MAX_DEPTH + 1) + "x" + "</div>" * (markup.MAX_DEPTH + 1)),
        "nesting depth",
    ),
    ("elements", page("<i></i>" * (markup.MAX_ELEMENTS + 1)), "elements:"),
    (
        "options of a select",
        page("<select>" + "<option>x</option>" * (markup.MAX_OPTIONS + 1) + "</select>"),
        "<option> elements",
    ),
    (
        "formatting elements left open",
        page("".join(f"<b c{i}>" for i in range(markup.MAX_FORMATTING + 1)) + "x"),
        "formatting elements open at once",
    ),
    (
        "formatting elements cloned into every paragraph",
        page("<p>" + "".join(f"<font c{i}>" for i in range(100)) + "x" + "<p>y" * 2_600),
        "clones",
    ),
]


@pytest.mark.parametrize(("case", "html", "words"), REFUSED, ids=[c for c, _, _ in REFUSED])
def test_pathological_markup_is_refused_before_the_tree(case: str, html: str, words: str) -> None:
    raw = inputs.raw_page("https://example.org/a", now=NOW, source="test", html=html)
    with pytest.raises(PipelineError) as err:
        parse_page(raw)
    assert err.value.kind == "too_complex", case
    assert words in err.value.message
    assert "over the limit of" in err.value.message
    # the Python scan refuses the same pages
    with pytest.raises(PipelineError) as err:
        check_markup(html.encode(), compiled=False)
    assert err.value.kind == "too_complex"


@pytest.mark.parametrize(
    "html",
    [
        page(f"<div {attrs(markup.MAX_ELEMENT_ATTRIBUTES)}>x</div>"),
        page("<div>" * 1_000 + "x" + "</div>" * 1_000),
        # "Noah's Ark": equal formatting elements are kept three times at most
        page("<p><b class=x>y" * 5_000),
        # closed formatting elements are not cloned, however many
        page("<p><b class=x>bold</b> and <i class=y>italic</i></p>" * 20_000),
        # table cells close the formatting elements opened inside them
        page("<table>" + "<tr><td><b class=c>x<td><i class=d>y" * 5_000 + "</table>"),
        # a large page of ordinary markup
        page("<div class=row><p id=p>text <a href=/x>link</a></p></div>" * 60_000),
    ],
    ids=["attrs-at-limit", "depth-1000", "noahs-ark", "closed", "cells", "large"],
)
def test_large_but_ordinary_markup_is_parsed(html: str) -> None:
    raw = inputs.raw_page("https://example.org/a", now=NOW, source="test", html=html)
    assert parse_page(raw)["title"] == "T"


def _stats(html: str) -> MarkupStats:
    data = html.encode()
    compiled = markup_stats(data, distinct=True)
    assert markup_stats_python(data, distinct=True) == compiled
    return compiled


def test_scan_follows_the_tokenizer() -> None:
    # comments, scripts and <title> hold text, not tags; foreign content has no raw text
    st = _stats(
        '<!-- <div a b c> --><script>if (a<b c d e) x = "<i f g>";</script>'
        "<title><p h i></title><!--> <b j k l>"
        "<svg><title><p m n o></p></title></svg>"
    )
    assert (st.tags, st.attrs, st.max_attrs) == (6, 6, 3)
    # quoted values may hold ">", "<" and spaces; "/" separates attributes
    st = _stats("<div a='x > y' b=\"<c d>\" e=f/g h/i j>z</div>")
    assert (st.tags, st.attrs, st.depth) == (1, 6, 1)
    # void and optional-end elements do not nest; "/>" does not nest
    assert _stats("<p>a<p>b<br><img src=x><span/><li>c").depth == 0
    assert _stats("<html x><body y z>").root_attrs == 3
    assert _stats("<Div A=1 a=2></DIV>").attr_names == 1


def test_formatting_model() -> None:
    assert _stats("<b>" * 10).formatting == 3  # Noah's Ark, no attributes
    assert _stats("".join(f"<b x={i}>" for i in range(10))).formatting == 10
    # an end tag removes its entry; a cell's end clears the entries opened in it
    assert _stats("<b x=1></b>" * 10 + "<p>").clones == 20
    assert _stats("<table><td>" + "<i x=1>" * 3 + "</td></table>" + "<p>" * 10).clones < 20
    # each tag after an open entry counts its weight (1 + attributes)
    assert _stats("<b x=1 y=2>" + "<p>" * 10).clones == 30


@pytest.mark.skipif(not markup.COMPILED_AVAILABLE, reason="compiled scan not built")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_pages_pass_and_both_scans_agree() -> None:
    for path in sorted(CORPUS.glob("*/pages/*.html.gz")):
        data = gzip.decompress(path.read_bytes()).decode("utf-8", "replace").encode()
        st = check_markup(data)
        assert st == markup_stats_python(data), path.name
        # far from every limit: a margin of ten for the counts that grow with a page
        assert st.max_attrs * 5 <= markup.MAX_ELEMENT_ATTRIBUTES
        assert st.root_attrs * 10 <= markup.MAX_ELEMENT_ATTRIBUTES
        assert st.depth * 10 <= markup.MAX_DEPTH
        assert st.clones * 10 <= markup.MAX_CLONES
        assert st.tags * 10 <= markup.MAX_ELEMENTS


def test_parse_tree_builds_the_same_tree_from_text_and_bytes() -> None:
    html = page("<p>نص عربي</p>\udcff")  # a lone surrogate is dropped, as selectolax does
    assert ex.parse_tree(html).html == ex.parse_tree(html, html.encode("utf-8", "ignore")).html


# ------------------------------------------------------------------ enrich


def article(body: str, language: str = "en", title: str = "Oil prices rise") -> ArticleDict:
    return make_article(body=body, language=language, title=title)


STORY = (
    "Oil prices rose on Tuesday after OPEC agreed to extend output cuts, Saudi Arabia and "
    "Russia said in Vienna. President Joe Biden said the United States would respond.\n\n"
)


def test_text_prefix_cuts_at_whitespace() -> None:
    assert text_prefix("short", 10) == "short"
    assert text_prefix("one two three", 9) == "one two"
    assert text_prefix("x" * 30, 10) == "x" * 10
    cut = text_prefix(STORY * 100, 1_000)
    assert len(cut) <= 1_000
    assert (STORY * 100).startswith(cut)
    assert not cut[-1].isspace()


def test_long_body_is_enriched_from_its_first_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enrich, "MAX_ENRICH_CHARS", 2_000)
    long = article(STORY * 200 + "Angela Merkel spoke in Berlin.")
    out = enrich_article(long, now=NOW)
    assert out["enriched_chars"] == 2_000
    assert out["article"]["body"] == long["body"]  # the article itself is kept whole
    mentions = [m for e in out["entities"] for m in e["mentions"] if m["field"] == "body"]
    assert mentions
    assert max(m["end"] for m in mentions) <= 2_000
    assert all("Merkel" not in e["name"] for e in out["entities"])
    # the same as enriching the prefix itself
    prefix = enrich_article(article(text_prefix(long["body"], 2_000)), now=NOW)
    assert out["entities"] == prefix["entities"]
    assert out["keywords"] == prefix["keywords"]
    assert out["categories"] == prefix["categories"]
    assert prefix["enriched_chars"] is None


def test_a_long_title_counts_too() -> None:
    fields, limit = bounded_fields({"title": "word " * 10, "body": "short"}, 20)
    assert limit == 20
    assert fields == {"title": "word word word word", "body": "short"}
    assert bounded_fields({"body": "short"}, 20) == ({"body": "short"}, None)


def test_enriched_record_field() -> None:
    out = enrich_article(article(STORY), now=NOW)
    assert out["enriched_chars"] is None
    record = EnrichedArticle.from_data(dict(out))
    assert record.enriched_chars is None
    older = dict(out)
    del older["enriched_chars"]
    assert EnrichedArticle.from_data(older).enriched_chars is None


# ------------------------------------------------------------------ newsflow entities


def test_text_windows_join_back_and_cut_at_line_breaks() -> None:
    text = STORY * 300
    windows = list(text_windows(text, 5_000))
    assert "".join(w for _, w in windows) == text
    assert all(len(w) <= 5_000 for _, w in windows)
    assert all(text[o : o + len(w)] == w for o, w in windows)
    assert all(w.endswith("\n\n") for _, w in windows[:-1])
    assert [w for _, w in text_windows("x" * 12, 5)] == ["xxxxx", "xxxxx", "xx"]
    assert list(text_windows("short", 5_000)) == [(0, "short")]


def test_long_text_mentions_come_from_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    text = STORY * 60
    whole = text_mentions(text, "en")
    monkeypatch.setattr(ner, "TEXT_WINDOW_CHARS", 1_000)
    windowed = text_mentions(text, "en")
    assert all(text[m["start"] : m["end"]] == m["text"] for m in windowed)
    # every story is read whole in one window: the same mentions
    assert [(m["start"], m["end"], m["id"]) for m in windowed] == [
        (m["start"], m["end"], m["id"]) for m in whole
    ]
