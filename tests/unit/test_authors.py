"""Authors and body date lines on synthetic pages, one class of byline per test,
in English, Arabic and Persian (issue 15)."""

from __future__ import annotations

import pytest

from newsflow.core.types import RawPageDict
from newsflow.extraction.authors import split_names
from newsflow.extraction.datelines import drop_date_lines, is_date_line
from newsflow.extraction.parse import ParseOptions, parse_page

_FILLER = (
    "<p>The council met on Tuesday evening to discuss the budget for the coming year, "
    "and members argued for more than three hours about schools and roads.</p>"
    "<p>A second paragraph keeps the article long enough to be read as one, with more "
    "words about the meeting, the vote and what happens next in the city.</p>"
)


def _page(head: str, body: str, url: str = "https://news.example.com/a/1") -> RawPageDict:
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return {"url": url, "html": html, "source": "test"}  # type: ignore[typeddict-item]


def _authors(head: str, body: str, url: str = "https://news.example.com/a/1") -> list[str]:
    return list(parse_page(_page(head, body, url), ParseOptions())["authors"])


def _body(body: str) -> str:
    return str(parse_page(_page("", body), ParseOptions())["body"])


# ------------------------------------------------------------------ byline text


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe, John Roe & Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"]),
        ("By Jane Doe, Staff Writer", ["Jane Doe"]),
        ("Jane Doe Senior Political Correspondent", ["Jane Doe"]),
        ("By Jane Doe, Senior Fellow, Center for Things and Stuff", ["Jane Doe"]),
        ("By Jane Doe | March 5, 2024 10:30 AM", ["Jane Doe"]),
        ("Jane Doe • 8h", ["Jane Doe"]),
        ("Jane Doe (jdo) jane.doe@example.com", ["Jane Doe"]),
        ("Shaun Walker in Kyiv", ["Shaun Walker"]),
        ("Von Erika Mustermann und Max Mustermann", ["Erika Mustermann", "Max Mustermann"]),
        ("Par Marie Dupont et Jean Martin — 24 novembre 2017", ["Marie Dupont", "Jean Martin"]),
        ("Autorin/Autor Roman Beispiel", ["Roman Beispiel"]),
        ("Ana Pérez y Luis Gómez", ["Ana Pérez", "Luis Gómez"]),
        ("Trine Hansen og Nuka Berthelsen", ["Trine Hansen", "Nuka Berthelsen"]),
        ("بقلم: أحمد علي - مراسل الجزيرة", ["أحمد علي"]),
        ("كتب: محمد حسن و سارة خالد", ["محمد حسن", "سارة خالد"]),
        ("نویسنده: علی رضایی و مریم احمدی", ["علی رضایی", "مریم احمدی"]),
        ("به قلم: زهرا کریمی، خبرنگار", ["زهرا کریمی"]),
        ("Staff", []),
        ("Editorial Team", []),
        ("NZZ-Redaktion", []),
        ("CC7567", []),  # a user handle
        ("sophie-foster", []),  # a slug
        ("@janedoe", []),
    ],
)
def test_byline_text(text: str, names: list[str]) -> None:
    assert split_names(text) == names


def test_page_text_needs_capitalised_names_but_declared_names_need_not() -> None:
    assert split_names("by clicking here you agree", strict=True) == []
    assert split_names("viktor hedlund") == ["viktor hedlund"]
    assert split_names("Mary de la Cruz", strict=True) == ["Mary de la Cruz"]


# ------------------------------------------------------------------ sources


def test_byline_paragraph_without_links() -> None:
    # the case: a new user's page with only a byline paragraph
    body = f'<h1>Council passes the budget</h1><p class="byline">By Jane Doe</p>{_FILLER}'
    assert _authors("", body) == ["Jane Doe"]


def test_byline_classes_itemprop_and_rel_author() -> None:
    cases = [
        '<div class="article__author">By Jane Doe</div>',
        '<span class="c-byline__name">Jane Doe</span>',
        '<span itemprop="author"><span itemprop="name">Jane Doe</span></span>',
        '<a rel="author" href="/people/jd">Jane Doe</a>',
        '<p class="meta">von <a href="/autoren/jane-doe">Jane Doe</a></p>',
    ]
    for markup in cases:
        body = f"<article><h1>Council passes the budget</h1>{markup}{_FILLER}</article>"
        assert _authors("", body) == ["Jane Doe"], markup


def test_the_byline_nearest_the_headline_wins_over_related_stories() -> None:
    related = "".join(
        f'<li><a href="/s/{i}">Other story {i}</a> '
        f'<span class="byline">By Other Writer{i}</span></li>'
        for i in "ABC"
    )
    body = (
        f'<main><header><h1>Council passes the budget</h1><span class="byline">By Jane Doe'
        f"</span></header>{_FILLER}</main>"
        f'<aside><ul class="related">{related}</ul></aside>'
    )
    assert _authors("", body) == ["Jane Doe"]


def test_comment_authors_are_not_article_authors() -> None:
    body = (
        f"<h1>Council passes the budget</h1>{_FILLER}"
        '<div class="comments"><span class="comment-author-link">Reader One</span></div>'
    )
    assert _authors("", body) == []


def test_by_line_without_markup_and_author_label_lines() -> None:
    body = f"<h1>Council passes the budget</h1><p>By Jane Doe and John Roe</p>{_FILLER}"
    assert _authors("", body) == ["Jane Doe", "John Roe"]
    body = f"<h1>Council passes the budget</h1>{_FILLER}<ul><li>Autor: Roman Beispiel</li></ul>"
    assert _authors("", body) == ["Roman Beispiel"]
    body = f"<h1>Council passes the budget</h1><p>By the end of the year, it was over.</p>{_FILLER}"
    assert _authors("", body) == []


def test_arabic_and_persian_bylines_in_the_page() -> None:
    body = (
        "<h1>الحكومة تقر الموازنة</h1><div class='post-author'>بقلم: أحمد علي</div>"
        "<p>أقرت الحكومة الموازنة العامة للعام المقبل بعد نقاش طويل في مجلس الوزراء "
        "استمر ساعات، وقال الوزير إن الأولوية للتعليم والصحة.</p>"
    )
    assert _authors("", body) == ["أحمد علي"]
    body = (
        "<h1>دولت بودجه را تصویب کرد</h1><p>نویسنده: مریم احمدی</p>"
        "<p>دولت بودجه سال آینده را پس از بحثی طولانی در هیئت وزیران تصویب کرد و وزیر "
        "گفت که اولویت با آموزش و بهداشت است.</p>"
    )
    assert _authors("", body) == ["مریم احمدی"]


def test_jsonld_people_by_parts_and_by_reference() -> None:
    head = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
        '{"@type":"NewsArticle","headline":"Council passes the budget",'
        '"author":[{"@type":"Person","givenName":"Jane","familyName":"Doe"},'
        '{"@id":"https://news.example.com/#/person/2"}]},'
        '{"@type":"Person","@id":"https://news.example.com/#/person/2","name":"John Roe"}]}'
        "</script>"
    )
    assert _authors(head, f"<h1>Council passes the budget</h1>{_FILLER}") == [
        "Jane Doe",
        "John Roe",
    ]


def test_jsonld_agency_is_kept_but_the_site_is_not() -> None:
    ld = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"H",'
        '"publisher":{"@type":"Organization","name":"Example News"},'
        '"author":[{"@type":"Organization","name":"%s"}]}</script>'
        '<meta property="og:site_name" content="Example News">'
    )
    body = f"<h1>H</h1>{_FILLER}"
    assert _authors(ld % "Reuters", body) == ["Reuters"]
    assert _authors(ld % "Example News", body) == []


def test_jsonld_people_beat_meta_and_meta_beats_the_page() -> None:
    ld = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"H",'
        '"author":{"@type":"Person","name":"Jane Doe"}}</script>'
    )
    meta = '<meta name="author" content="John Roe">'
    byline = '<p class="byline">By Ann Poe</p>'
    body = f"<h1>H</h1>{byline}{_FILLER}"
    assert _authors(ld + meta, body) == ["Jane Doe"]
    assert _authors(meta, body) == ["John Roe"]
    assert _authors("", body) == ["Ann Poe"]


@pytest.mark.parametrize(
    ("meta", "site", "url"),
    [
        ("Example Times", "Example Times", "https://www.example.com/a/1"),
        ("Stuttgarter Beispiel", "", "https://www.stuttgarter-beispiel.de/a/1"),
        ("DER BEISPIEL", "beispiel.de", "https://www.beispiel.de/a/1"),
        ("LTO", "Legal Tribune Online", "https://www.lto.example/a/1"),
        ("Deutsche Beispiel (www.db-news.com)", "", "https://www.db-news.com/a/1"),
        ("وكالة مهر للأنباء", "وكالة مهر للأنباء", "https://ar.mehrnews.com/news/1"),
    ],
)
def test_the_site_is_never_an_author(meta: str, site: str, url: str) -> None:
    head = f'<meta name="author" content="{meta}">'
    if site:
        head += f'<meta property="og:site_name" content="{site}">'
    assert _authors(head, f"<h1>H</h1>{_FILLER}", url) == []


def test_a_person_named_like_their_own_blog_is_the_author() -> None:
    head = '<meta name="author" content="Haki Example">'
    assert _authors(head, f"<h1>H</h1>{_FILLER}", "https://hakiexample.com/post") == [
        "Haki Example"
    ]


def test_names_are_deduplicated_across_spellings() -> None:
    head = '<meta name="author" content="Jane Doe"><meta name="author" content="JANE DOE">'
    assert _authors(head, f"<h1>H</h1>{_FILLER}") == ["Jane Doe"]


# ------------------------------------------------------------------ date lines


@pytest.mark.parametrize(
    "line",
    [
        "طهران - 12 مارس 2024",
        "الخميس 14 مارس 2024 - 10:30",
        "آخر تحديث: 14 مارس 2024",
        "تهران - ۲۲ اسفند ۱۴۰۲",
        "۱۴۰۲/۱۲/۲۲ - ۱۰:۳۰",
        "تاریخ انتشار: ۲۲ اسفند ۱۴۰۲ - ۱۰:۳۰",
        "March 12, 2024",
        "Updated: 18 Nov 2019, 19:11",
        "Nov. 19, 2019, 8:41 AM UTC",
        "Stand: 26.04.2024, 20:44 Uhr",
        "London, 5 May 2024",
    ],
)
def test_date_lines(line: str) -> None:
    assert is_date_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "12 March 2024 was a day the country will remember.",
        "In May 2019 we moved.",
        "The 2024 budget",
        "دمشق - أعلنت الحكومة السورية في 12 مارس 2024 عن خطة جديدة",
        "تهران - دولت در ۲۲ اسفند ۱۴۰۲ بودجه را تصویب کرد",
        "In 2019, 12 people died.",
        "Do 25.04.24 | 14:07 Uhr | Von Eva Kirchner-Rätsch",
    ],
)
def test_not_date_lines(line: str) -> None:
    assert not is_date_line(line)


def test_only_date_lines_at_the_start_are_dropped() -> None:
    text = "x" * 130
    paras = ["طهران - 12 مارس 2024", text, "March 12, 2024"]
    assert drop_date_lines(paras) == [text, "March 12, 2024"]
    assert drop_date_lines(["March 12, 2024"]) == ["March 12, 2024"]  # never all of it


def test_arabic_and_english_bodies_do_not_start_with_their_date_line() -> None:
    arabic = (
        "<article><h1>الحكومة تقر الموازنة</h1><p>طهران - 12 مارس 2024</p>"
        "<p>أقرت الحكومة الموازنة العامة للعام المقبل بعد نقاش طويل في مجلس الوزراء "
        "استمر ساعات، وقال الوزير إن الأولوية للتعليم والصحة والطرق.</p></article>"
    )
    body = _body(arabic)
    assert "12 مارس 2024" not in body and "أقرت الحكومة" in body
    english = (
        "<article><h1>Council passes the budget</h1><p>Updated: 18 Nov 2019, 19:11</p>"
        f"{_FILLER}</article>"
    )
    body = _body(english)
    assert "18 Nov 2019" not in body and "The council met" in body
    kept = "<article><h1>Council passes the budget</h1><p>12 March 2024 was a long day.</p>"
    body = _body(kept + _FILLER + "</article>")
    assert body.count("12 March 2024 was a long day.") == 1
