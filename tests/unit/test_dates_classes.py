"""The five classes of date misses of issue 15, each on synthetic pages written for these
tests (several languages and scripts), plus the Jalali and Hijri cases that must keep
working beside the new CLDR month names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsflow.core.types import ArticleDict
from newsflow.extraction import dates, pubdate
from newsflow.extraction.parse import ParseOptions, parse_page
from newsflow.inputs import raw_page

_BODY = "<p>" + "A paragraph of the article that is long enough to be its body. " * 12 + "</p>"


def _page(
    head: str = "",
    header: str = "",
    body: str = _BODY,
    *,
    lang: str = "en",
    url: str = "https://news.example/story",
    fetched_at: str | None = None,
    title: str = "The headline of the story",
) -> ArticleDict:
    html = (
        f'<html lang="{lang}"><head><title>{title}</title>{head}</head><body>'
        f"<article><h1>{title}</h1>{header}{body}</article></body></html>"
    )
    raw = raw_page(url, now=datetime(2024, 1, 1, tzinfo=UTC), source="t", html=html)
    raw["fetched_at"] = fetched_at
    return parse_page(raw, ParseOptions())


def _ld(published: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"headline": "The headline of the story", "datePublished": "{published}"}}</script>'
    )


def _day(article: ArticleDict) -> str | None:
    return article["published_at"][:10] if article["published_at"] else None


# --- class 1: the day in the page's own zone ----------------------------------------


def test_printed_day_without_time_is_the_readers_day() -> None:
    a = _page(_ld("2020-02-18T02:18:11Z"), "<time>| 17 de febrero 2020</time>", lang="es")
    assert _day(a) == "2020-02-17"
    assert a["published_tz_source"] == "printed-day"
    # the instant is kept: only the offset it is shown in changes
    assert a["published_at"] is not None
    assert datetime.fromisoformat(a["published_at"]) == datetime(2020, 2, 18, 2, 18, 11, tzinfo=UTC)
    assert a["published_raw"] == "| 17 de febrero 2020"


def test_printed_next_day_east_of_utc() -> None:
    a = _page(_ld("2020-07-12T20:30:00Z"), "<time>13. 7. 2020</time>", lang="cs")
    assert _day(a) == "2020-07-13"
    assert a["published_at"] == "2020-07-13T00:30:00+04:00"  # smallest offset to that day


def test_printed_wall_clock_gives_the_exact_offset() -> None:
    a = _page(_ld("2020-02-18T02:18:11Z"), '<div class="date">17.02.2020, 21:18</div>', lang="de")
    assert a["published_at"] == "2020-02-17T21:18:11-05:00"
    assert a["published_tz_source"] == "page"


def test_persian_printed_time_gives_tehran_offset() -> None:
    a = _page(
        _ld("2020-02-18T03:25:00Z"),
        '<div class="date">۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵</div>',
        lang="fa",
        title="عنوان خبر برای آزمون تاریخ",
    )
    assert a["published_at"] == "2020-02-18T06:55:00+03:30"
    assert a["calendar"] == "jalali"


def test_agreeing_printed_day_changes_nothing() -> None:
    a = _page(_ld("2020-02-18T02:18:11Z"), "<time>18 Feb 2020</time>")
    assert a["published_at"] == "2020-02-18T02:18:11+00:00"
    assert a["published_tz_source"] == "page"


def test_url_day_is_no_witness_of_the_readers_day() -> None:
    # permalinks often carry the day the story was filed, not the day it appeared
    a = _page(_ld("2020-07-09T10:04:04Z"), url="https://news.example/politics/2020/07/08/story")
    assert _day(a) == "2020-07-09"


def test_wall_clock_off_by_no_real_offset_is_another_moment() -> None:
    p = pubdate.decide_dates(
        [
            pubdate.DateCandidate("jsonld", "2025-02-11T23:55:00Z"),
            pubdate.DateCandidate("printed", "12.2.2025 7:25"),
        ],
        [],
        site_tz=None,
        fetched_at=None,
        day_first=True,
    )
    assert p.published_at == "2025-02-11T23:55:00+00:00"  # +7:30 is no zone in use


# --- class 2: relative dates need fetched_at ------------------------------------------


@pytest.mark.parametrize(
    ("line", "lang", "title"),
    [
        ("3 hours ago", "en", "The headline of the story"),
        ("منذ ساعتين", "ar", "عنوان الخبر في هذه الصفحة"),
        ("۲ ساعت پیش", "fa", "عنوان خبر برای آزمون تاریخ"),
    ],
)
def test_relative_date_needs_fetched_at(line: str, lang: str, title: str) -> None:
    header = f'<span class="date">{line}</span>'
    assert _page(header=header, lang=lang, title=title)["published_at"] is None
    fetched = "2024-05-01T12:00:00+00:00"
    a = _page(header=header, lang=lang, title=title, fetched_at=fetched)
    assert _day(a) == "2024-05-01"


def test_relative_date_gives_way_to_the_next_candidate() -> None:
    header = '<span class="date">2 hours ago</span><p>Posted 5 May 2021</p>'
    assert _day(_page(header=header)) == "2021-05-05"


def test_future_date_refused_without_fetched_at() -> None:
    ahead = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
    a = _page(_ld(ahead))
    assert a["published_at"] is None
    assert a["date_note"] is not None and "current time" in a["date_note"]


# --- class 3: numbers in URLs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://x.example/news/202006151234567", None),  # an article id
        ("https://x.example/story-20200615123.html", None),
        ("https://x.example/2020/06/151234/", None),  # a day followed by more digits
        ("https://x.example/2020/061512/x", None),
        ("https://x.example/2020/06/15/title", "2020-06-15"),
        ("https://x.example/2020-06-15-title", "2020-06-15"),
        ("https://x.example/n1/2020/0615/c1002-31748.html", "2020-06-15"),  # /YYYY/MMDD/
        ("https://x.example/2020-06/15/c_1126113.htm", "2020-06-15"),
        ("https://x.example/gn/2020/06-15/9212345.shtml", "2020-06-15"),
    ],
)
def test_url_dates_need_separators_or_a_date_shape(url: str, day: str | None) -> None:
    assert pubdate.url_date(url) == day


def test_page_with_numeric_id_url_has_no_date() -> None:
    assert _page(url="https://x.example/news/202006151234567")["published_at"] is None


# --- class 4: more languages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("Publicado el 5 de mayo del 2020", "es", "2020-05-05"),
        ("12 de julio de 2020, 14:30", "es", "2020-07-12T14:30"),
        ("Publicat: 12 iulie 2020", "ro", "2020-07-12"),
        ("פורסם: 12 ביולי 2020", "he", "2020-07-12"),
        ("发布时间：2020年7月12日 10:30", "zh", "2020-07-12T10:30"),
        ("2020年07月12日", "ja", "2020-07-12"),
        ("2020년 7월 12일", "ko", "2020-07-12"),
        ("১২ জুলাই ২০২০", "bn", "2020-07-12"),
        ("জুলাই ১২, ২০২০", "bn", "2020-07-12"),
        ("१२ जुलाई २०२०", "hi", "2020-07-12"),
        ("12 กรกฎาคม 2563", "th", "2020-07-12"),  # Buddhist era
        ("12 июля 2020 г.", "ru", "2020-07-12"),
        ("12 Ιουλίου 2020", "el", "2020-07-12"),
        ("2020. július 12.", "hu", "2020-07-12"),
        ("15 Ekim 2020", "tr", "2020-10-15"),
        ("12. listopada 2020.", "hr", "2020-10-12"),  # Croatian: October
        ("12 listopada 2020", "pl", "2020-11-12"),  # Polish: November
    ],
)
def test_cldr_month_names(text: str, lang: str, want: str) -> None:
    parsed = dates.parse_printed(text, day_first=True, context=lang)
    assert parsed is not None
    assert parsed.value.isoformat().startswith(want)


def test_name_of_two_months_needs_the_page_language() -> None:
    assert dates.parse_printed("12 listopada 2020", day_first=True, context=None) is None


@pytest.mark.parametrize(
    ("text", "lang", "want", "calendar"),
    [
        ("۱۲ اسفند ۱۴۰۲", "fa", "2024-03-02", dates.JALALI),
        ("۲۶ اردیبهشت ۱۴۰۳ - ۱۴:۳۰", "fa", "2024-05-15T14:30", dates.JALALI),
        ("1403/02/26", "fa", "2024-05-15", dates.JALALI),
        ("9 رمضان 1445 هـ", "ar", "2024-03-19", dates.HIJRI),
        ("9 رمضان 1445 الموافق 19 مارس 2024", "ar", "2024-03-19", dates.GREGORIAN),
        ("١٩ مارس ٢٠٢٤", "ar", "2024-03-19", dates.GREGORIAN),
        ("12 ژوئیه 2020", "fa", "2020-07-12", dates.GREGORIAN),
    ],
)
def test_jalali_and_hijri_keep_working(text: str, lang: str, want: str, calendar: str) -> None:
    parsed = dates.parse_printed(text, day_first=True, context=lang)
    assert parsed is not None
    assert parsed.value.isoformat().startswith(want)
    assert parsed.calendar == calendar


def test_bare_14xx_year_is_still_refused_not_guessed() -> None:
    with pytest.raises(dates.AmbiguousDate):
        dates.parse_printed("1403/02/26", day_first=True, context=None)


@pytest.mark.parametrize(
    ("header", "lang", "title", "want"),
    [
        (
            '<span class="entry-time">2020年07月12日</span>',
            "ja",
            "記事の見出しのテスト",
            "2020-07-12",
        ),
        ("<p>পোস্ট: ১২ জুলাই ২০২০</p>", "bn", "প্রবন্ধের শিরোনাম এখানে", "2020-07-12"),
        ("<p>פורסם: 12 ביולי 2020</p>", "he", "כותרת הכתבה לבדיקה", "2020-07-12"),
        (
            '<div class="meta">Publicat: 12 iulie 2020</div>',
            "ro",
            "Titlul articolului",
            "2020-07-12",
        ),
    ],
)
def test_pages_in_more_languages(header: str, lang: str, title: str, want: str) -> None:
    assert _day(_page(header=header, lang=lang, title=title)) == want


def test_date_handed_to_a_script_when_nothing_else_shows_one() -> None:
    head = '<script>var publication_date = "2020-02-17 21:18:11";</script>'
    assert _day(_page(head)) == "2020-02-17"
    head = '<script>x = {"mod_date": "2020-08-18 13:14:26"}</script>'
    assert _page(head)["published_at"] is None  # a modification date is no publication date


def test_masthead_today_box_is_not_the_publication_date() -> None:
    html = (
        '<html lang="en"><head><title>Story</title></head><body>'
        '<div class="masthead"><div class="today">Wednesday, August 19, 2020</div></div>'
        '<article><h1>The headline of the story</h1><span class="date">May 2, 2020</span>'
        f"{_BODY}</article></body></html>"
    )
    raw = raw_page(
        "https://news.example/s", now=datetime(2024, 1, 1, tzinfo=UTC), source="t", html=html
    )
    raw["fetched_at"] = None
    assert _day(parse_page(raw, ParseOptions())) == "2020-05-02"


@pytest.mark.parametrize(
    ("language", "hint", "want"),
    [
        ("en", "en-US", False),
        ("en", "en-GB", True),
        ("en", "en-IN", True),
        ("en", None, None),
        ("en", "en-CA", None),  # CLDR: year first; Canadian pages print both orders
        ("fil", None, False),
        ("es", "es-MX", True),
        ("fa", "fa-IR", True),
        ("ar", None, True),
    ],
)
def test_numeric_order_from_cldr(language: str, hint: str | None, want: bool | None) -> None:
    assert pubdate.day_first(language, hint) is want


def test_labels_in_more_languages() -> None:
    assert pubdate.LABEL_RE.match("Publicat: 12 iulie 2020")
    assert pubdate.LABEL_RE.match("发布时间：2020年7月12日")
    assert pubdate.NOT_PUBLISHED_RE.search("更新日 2020年7月12日")
    assert pubdate.NOT_PUBLISHED_RE.search("Atualizado em 12/07/2020")
    assert not pubdate.LABEL_RE.match("Le président a parlé")


# --- class 5: history and diff pages ------------------------------------------------


_DIFF = (
    '<table class="diff"><tr><td class="diff-otitle"><div id="mw-diff-otitle1"><strong>'
    "<a>Revision as of 14:52, 3 March 2005</a></strong></div></td>"
    '<td class="diff-ntitle"><div id="mw-diff-ntitle1"><strong>'
    "<a>Latest revision as of 05:33, 7 April 2020</a></strong></div></td></tr></table>"
)


def test_diff_page_takes_the_newest_revision() -> None:
    url = "https://wiki.example/index.php?title=Page&diff=123&oldid=100"
    assert _day(_page(header=_DIFF, url=url)) == "2020-04-07"


def test_diff_page_told_by_its_markup() -> None:
    head = '<meta name="generator" content="MediaWiki 1.35.0">'
    assert _day(_page(head, _DIFF, url="https://wiki.example/wiki/Page")) == "2020-04-07"


def test_history_page_ignores_an_old_creation_date() -> None:
    history = (
        '<ul id="pagehistory"><li>09:10, 17 August 2020 Editor</li>'
        "<li>10:00, 2 May 2012 Other</li><li>08:00, 1 January 2006 First</li></ul>"
    )
    url = "https://wiki.example/index.php?title=Page&action=history"
    assert _day(_page(_ld("2006-01-01T08:00:00Z"), history, url=url)) == "2020-08-17"
