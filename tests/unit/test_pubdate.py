"""pubdate.py: which date on a page is its publication date, one rule per test."""

from __future__ import annotations

import html
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from newsflow.core.types import RawPageDict
from newsflow.extraction import dates, pubdate
from newsflow.extraction import extract as ex
from newsflow.extraction import selectors as sel
from newsflow.extraction.parse import parse_page
from newsflow.inputs import raw_page

FETCHED = "2024-06-01T12:00:00+00:00"
BODY = "<p>" + "Ein langer Absatz mit genug Text, damit er als Artikel zählt. " * 8 + "</p>"


def _raw(html: str, url: str = "https://news.example.org/story") -> RawPageDict:
    return raw_page(
        url,
        now=datetime.fromisoformat(FETCHED),
        source="test",
        html=html,
        content_type="text/html; charset=utf-8",
    )


def _published(html: str, url: str = "https://news.example.org/story") -> str | None:
    return parse_page(_raw(html, url))["published_at"]


def _page(head: str, body: str) -> str:
    return (
        "<html lang='en'><head><title>The headline here</title>"
        f"{head}</head><body>{body}</body></html>"
    )


def test_sidebar_date_before_the_article_loses_to_the_one_beside_the_headline() -> None:
    html = _page(
        "",
        "<div class='sidebar-wrap'><div><div><ul><li><span class='date'>February 12, 2018</span>"
        " Another story</li></ul></div></div></div>"
        "<div class='story'><h1>The headline here</h1><div class='meta'>"
        f"<span class='date'>April 5, 2018</span></div>{BODY}</div>",
    )
    assert (_published(html) or "").startswith("2018-04-05")


def test_a_date_inside_another_storys_heading_is_a_teaser() -> None:
    html = _page(
        "",
        "<div class='story'><h1>The headline here</h1>"
        "<h2>Other story <span class='date'>24.04.2023</span></h2>"
        f"{BODY}<ul><li><strong>Datum</strong> 28.04.2023</li></ul></div>",
    )
    assert (_published(html) or "").startswith("2023-04-28")


def test_a_permalink_around_the_date_alone_is_no_teaser() -> None:
    html = _page(
        "",
        "<article><h1>The headline here</h1><a href='/story'><span class='date'>"
        f"March 3, 2021</span></a>{BODY}</article>",
    )
    assert (_published(html) or "").startswith("2021-03-03")


def test_a_plain_line_under_the_headline_beats_far_time_elements() -> None:
    html = _page(
        "",
        "<div><div><div><div><div><div><ul>"
        "<li><a href='/a'>Old one</a> <time datetime='2019-07-30'>30 juil.</time></li>"
        "</ul></div></div></div></div></div></div>"
        f"<main><header><h1>The headline here</h1><ul><li>27 June 2019</li></ul></header>"
        f"{BODY}</main>",
    )
    assert (_published(html) or "").startswith("2019-06-27")


def test_a_labelled_line_comes_before_unlabelled_ones_at_the_same_place() -> None:
    html = _page(
        "",
        "<div class='story'><h1>The headline here</h1>"
        "<span class='date'>2023-11-03</span>"
        "<span class='date'>Written: 2023-11-07 15:03:30</span>"
        f"{BODY}</div>",
    )
    assert (_published(html) or "").startswith("2023-11-07T15:03")


def test_fallback_reads_a_date_line_the_markup_does_not_name() -> None:
    html = _page(
        "",
        f"<h1>The headline here</h1>{BODY}"
        "<div class='social-share'><h5>23.01.2019</h5><div>By Someone</div></div>",
    )
    assert (_published(html) or "").startswith("2019-01-23")


def test_fallback_skips_copyright_lines_and_history() -> None:
    html = _page(
        "",
        f"<h1>The headline here</h1>{BODY}<div>Founded 7 May 1856</div>"
        "<div>© 2015 Example Media</div>",
    )
    assert _published(html) is None


def test_fallback_is_not_run_when_a_reliable_candidate_exists() -> None:
    html = _page(
        "<meta property='article:published_time' content='2020-05-05T10:00:00+00:00'>",
        f"<h1>The headline here</h1>{BODY}<div>12.01.2017</div>",
    )
    assert _published(html) == "2020-05-05T10:00:00+00:00"


def test_two_digit_year_on_a_date_line_beside_the_headline() -> None:
    html = _page(
        "",
        f"<article><h1>The headline here</h1><div>Do 25.04.24 | 14:07 Uhr | Von X</div>{BODY}"
        "</article>",
    )
    assert (_published(html) or "").startswith("2024-04-25T14:07")


def test_utc_machine_date_is_shown_in_the_pages_own_offset() -> None:
    html = _page(
        "<meta property='article:published_time' content='2023-11-09T06:35:29+00:00'>",
        "<article><h1>The headline here</h1>"
        f"<time datetime='2023-11-08T22:35:29-08:00'>Nov 8</time>{BODY}</article>",
    )
    assert _published(html) == "2023-11-08T22:35:29-08:00"


def test_naive_machine_wall_clock_gives_the_offset() -> None:
    html = _page(
        "<meta property='article:published_time' content='2023-11-09T06:35:29Z'>"
        "<meta name='sailthru.date' content='2023-11-08 22:35:29'>",
        f"<h1>The headline here</h1>{BODY}",
    )
    assert _published(html) == "2023-11-08T22:35:29-08:00"


def test_utc_kept_when_nothing_shows_another_offset() -> None:
    html = _page(
        "<meta property='article:published_time' content='2023-11-09T06:35:29Z'>",
        f"<h1>The headline here</h1>{BODY}",
    )
    assert _published(html) == "2023-11-09T06:35:29+00:00"


def test_jsonld_in_cdata_is_read() -> None:
    html = _page(
        '<script type=\'application/ld+json\'><![CDATA[{"@type": "NewsArticle",'
        ' "headline": "The headline here", "datePublished": "2001-10-29T01:59:14Z"}]]></script>',
        f"<h1>The headline here</h1>{BODY}",
    )
    assert _published(html) == "2001-10-29T01:59:14+00:00"


def test_namespaced_meta_with_a_publication_name() -> None:
    html = _page(
        "<meta property='photosite:uploaded' content='2013-02-16T04:36:36-05:00'>",
        f"<h1>The headline here</h1>{BODY}",
    )
    assert _published(html) == "2013-02-16T04:36:36-05:00"


def test_find_anchor_prefers_the_heading_that_prints_the_title() -> None:
    tree = ex.parse_tree(
        "<body><h1>Site name</h1><div><h1>The real headline of the story</h1></div></body>"
    )
    anchor = pubdate.find_anchor(tree.body, "The real headline of the story | Site")
    assert anchor is not None
    assert anchor.text == "The real headline of the story"


def test_fallback_order_after_the_headline_first_labels_before_all() -> None:
    tree = ex.parse_tree(
        "<body><div>1 January 2020</div><h1>The headline of it</h1>"
        "<div>2 February 2021</div><p><b>Datum</b> 3.3.2022</p></body>"
    )
    anchor = pubdate.find_anchor(tree.body, "The headline of it")
    cands = pubdate.fallback_candidates(tree.body, anchor, [])
    assert [c.raw for c in cands] == ["Datum 3.3.2022", "2 February 2021", "1 January 2020"]


def test_short_year_only_when_asked() -> None:
    assert dates.parse_printed("31.10.23", day_first=True) is None
    parsed = dates.parse_printed("31.10.23", day_first=True, short_year=True)
    assert parsed is not None
    assert parsed.value.timetuple()[:3] == (2023, 10, 31)
    assert parsed.value.tzinfo is None
    assert dates.parse_printed("1.2.3", day_first=True, short_year=True) is None


def test_decide_dates_falls_back_only_when_nothing_parses() -> None:
    calls: list[int] = []

    def fallback() -> list[pubdate.DateCandidate]:
        calls.append(1)
        return [pubdate.DateCandidate("text", "Posted 2 May 2022")]

    got = pubdate.decide_dates(
        [pubdate.DateCandidate("meta", "not a date")],
        [],
        site_tz=None,
        fetched_at=None,
        day_first=True,
        fallback=fallback,
    )
    assert calls == [1]
    assert (got.published_at or "").startswith("2022-05-02")
    calls.clear()
    pubdate.decide_dates(
        [pubdate.DateCandidate("meta", "2022-05-01")],
        [],
        site_tz=None,
        fetched_at=None,
        day_first=True,
        fallback=fallback,
    )
    assert calls == []


_LINE_PIECES = [
    "Date", "Datum:", "Posted :", " : ", "Last updated", "آخر تحديث", "تاريخ النشر",
    "28.04.2023", "January 7, 2025", "Home", "x", "published", "Datex", "\n", "\n\n", "  ",
]  # fmt: skip


@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=12))
def test_glue_regex_is_label_fullmatch_or_not_published(pieces: list[str]) -> None:
    line = " ".join(" ".join(pieces).split())
    old = bool(
        pubdate.LABEL_RE.fullmatch(line.rstrip(" :")) or pubdate.NOT_PUBLISHED_RE.search(line)
    )
    assert bool(pubdate._GLUE_RE.match(line)) == old


@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=16), st.integers(1, 4))
def test_limited_head_is_the_head_of_all_lines(pieces: list[str], limit: int) -> None:
    node = LexborHTMLParser(
        "<div>" + "".join(f"<span>{html.escape(p)}</span>" for p in pieces) + "</div>"
    ).css_first("div")
    assert node is not None
    every = pubdate._lines(node)
    assert pubdate._lines(node, limit) == every[:limit]


def _lines_loop(text: str) -> list[str]:
    """The per-text-node loop ``_lines`` replaced, kept as the reference."""
    out: list[str] = []
    glue = False
    for piece in text.split("\n"):
        if not piece or piece.isspace():
            continue
        line = " ".join(piece.split())
        if glue:
            out[-1] = f"{out[-1]} {line}"
            glue = False
            continue
        out.append(line)
        glue = (
            len(line) <= 30
            and not pubdate._HAS_DIGIT.search(line)
            and bool(pubdate._GLUE_RE.match(line))
        )
    return out


@given(st.lists(st.sampled_from([*_LINE_PIECES, "\u00a0", "\x1c", "Date\n"]), max_size=20))
def test_lines_equal_the_per_node_loop(pieces: list[str]) -> None:
    node = LexborHTMLParser(
        "<div>" + "".join(f"<span>{html.escape(p)}</span>" for p in pieces) + "</div>"
    ).css_first("div")
    assert node is not None
    assert pubdate._lines(node) == _lines_loop(node.text(deep=True, separator="\n"))


_YEAR_PIECES = ["2023", "1999", "1989", "12023", "20231", "٢2023", "x2019y", "2019٣", " ", "\n"]


@given(
    st.lists(st.sampled_from([*_YEAR_PIECES, "ab", "Date 2020"]), max_size=12), st.integers(1, 4)
)
def test_year_lines_equal_a_search_per_line(pieces: list[str], cut: int) -> None:
    text = "".join(pieces)
    lines = [x for x in text.split("\n") if x][cut - 1 :]
    want = [i for i, x in enumerate(lines) if sel.DATE_IN_TEXT_RE.search(x)]
    assert pubdate._year_lines(lines) == want
