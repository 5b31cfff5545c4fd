"""Categories from the page's own section labels, combined with the text classifier."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from newsflow.core.routing import CATEGORIES
from newsflow.core.types import ArticleDict
from newsflow.entities.enrich import categorize, combine_category_scores, enrich_article
from newsflow.entities.sections import (
    SIGNAL_WEIGHTS,
    build_vocabulary,
    categories_of_words,
    label_categories,
    page_signals,
    url_labels,
)
from newsflow.extraction.parse import parse_page
from newsflow.inputs import raw_page

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        # English
        ("Politics", ("politics",)),
        ("Business News", ("economy",)),
        ("Science & Technology", ("science_tech",)),
        ("science-tech", ("science_tech",)),
        ("Health, Science, World", ("health", "science_tech")),
        ("World", ()),
        ("Opinion", ()),
        # Arabic, with and without the article, hamza and teh marbuta folded
        ("السياسة", ("politics",)),
        ("اقتصاد", ("economy",)),
        ("الرياضة", ("sports",)),
        ("ثقافة وفنون", ("culture",)),
        ("الصحة", ("health",)),
        ("عربي ودولي", ()),
        # Persian: Persian yeh/keheh/gaf, ZWNJ, a trail in one label
        ("سیاست > انتخابات", ("politics",)),
        ("اقتصادی", ("economy",)),
        ("ورزش", ("sports",)),
        ("فرهنگ و هنر", ("culture",)),
        ("علمی و فناوری", ("science_tech",)),
        ("سلامت", ("health",)),
        # transliterated Persian URL sections; German compounds; other languages
        ("siasi", ("politics",)),
        ("eqtesadi", ("economy",)),
        ("Innenpolitik", ("politics",)),
        ("Wirtschaft", ("economy",)),
        ("Deportes", ("sports",)),
        ("Économie", ("economy",)),
    ],
)
def test_label_categories(label: str, expected: tuple[str, ...]) -> None:
    assert label_categories(label) == expected


def test_a_headline_in_article_section_is_no_label() -> None:
    headline = "Russian Prime Minister Says Impossible to Say When Sport Restrictions End Politics"
    assert label_categories(headline) == ()


def test_url_labels_decode_and_skip_ids_and_slugs() -> None:
    url = (
        "https://www.example.ir/fa/news/%D9%88%D8%B1%D8%B2%D8%B4/2024/12345/"
        "a-long-slug-of-the-article-title"
    )
    assert url_labels(url) == ["fa", "news", "ورزش"]
    assert url_labels("https://sport.example.com/football/a-b-c-d-e/9") == ["sport", "football"]
    assert url_labels("https://www.example.com/x") == []
    assert url_labels("not a url") == []


def _article(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "url": "https://example.org/a/1",
        "canonical_url": "https://example.org/a/1",
        "section": None,
        "breadcrumbs": [],
        "tags": [],
    }
    base.update(fields)
    return base


def test_page_signals_weigh_each_source_once() -> None:
    art = _article(
        url="https://example.com/eqtesadi/123/slug",
        canonical_url="https://example.com/eqtesadi/123/slug",
        section="اقتصاد",
        breadcrumbs=["خانه", "اقتصاد", "بورس"],
        tags=["بورس", "Football"],
    )
    signals = page_signals(art)
    w = SIGNAL_WEIGHTS
    assert signals == {
        "economy": w["section"] + w["breadcrumbs"] + w["url"] + w["tags"],
        "sports": w["tags"],
    }


def test_older_records_without_breadcrumbs() -> None:
    art = _article(section="Sport")
    del art["breadcrumbs"]
    assert page_signals(art) == {"sports": SIGNAL_WEIGHTS["section"]}
    assert page_signals({"url": "https://example.org/1"}) == {}


def test_vocabulary_phrases_prefixes_suffixes() -> None:
    vocab = build_vocabulary(
        {
            "words": {
                "science_tech": {"en": ["artificial intelligence", "robot*"]},
                "politics": {"de": ["*politik"]},
            }
        }
    )
    assert categories_of_words(["artificial", "intelligence"], vocab) == ("science_tech",)
    assert categories_of_words(["robotics"], vocab) == ("science_tech",)
    assert categories_of_words(["landespolitik"], vocab) == ("politics",)
    assert categories_of_words(["politik"], vocab) == ()  # "*x" needs a stem before it
    with pytest.raises(ValueError, match="unknown category"):
        build_vocabulary({"words": {"weather": {"en": ["weather"]}}})


def test_packaged_section_words_are_valid() -> None:
    doc = json.loads(
        resources.files("newsflow").joinpath("data", "sections.json").read_text("utf-8")
    )
    assert set(doc["words"]) == set(CATEGORIES)
    assert "provenance" in doc
    for cat, langs in doc["words"].items():
        for lang in ("en", "ar", "fa"):
            assert langs.get(lang), (cat, lang)


# ------------------------------------------------------------------ the combination


def test_text_alone_decides_without_signals() -> None:
    body = "The central bank raised interest rates as inflation and oil prices climbed. " * 3
    cats, scores = categorize({"body": body}, [])
    assert cats[0] == "economy"
    assert list(scores)[: len(cats)] == cats
    assert all(0 < v <= 1 for v in scores.values())


def test_signal_is_a_strong_prior_over_the_text() -> None:
    body = "The minister said the government and parliament will vote on the budget. " * 2
    text_only, _ = categorize({"body": body}, [])
    assert text_only[0] == "politics"
    cats, scores = categorize({"body": body}, [], {"sports": 1.0})
    assert cats[0] == "sports"
    assert scores["sports"] >= 0.7


def test_text_adds_a_category_it_strongly_supports() -> None:
    cats, scores = combine_category_scores({"health": 30.0}, {"politics": 1.0})
    assert cats == ["politics", "health"]
    assert scores == {"politics": 0.7, "health": 0.3}


def test_weak_text_evidence_gives_a_low_score_and_no_category() -> None:
    cats, scores = combine_category_scores({"culture": 1.0}, {})
    assert cats == []
    assert scores == {"culture": round(1 / 6, 4)}
    assert combine_category_scores({}, {}) == ([], {})


def test_scores_keep_the_categories_first_and_in_order() -> None:
    cats, scores = combine_category_scores({"economy": 10.0, "politics": 8.0, "health": 2.0}, {})
    assert cats == ["economy", "politics"]
    assert list(scores) == ["economy", "politics", "health"]
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)


def _page(html: str, url: str) -> ArticleDict:
    return parse_page(
        raw_page(url, now=NOW, source="test", body=html.encode(), content_type="text/html")
    )


def test_enriched_record_persian_section_page() -> None:
    html = """<html lang="fa"><head><meta charset="utf-8">
    <script type="application/ld+json">{"@context":"https://schema.org","@type":"BreadcrumbList",
    "itemListElement":[{"@type":"ListItem","position":1,"name":"خانه"},
    {"@type":"ListItem","position":2,"name":"ورزش"}]}</script></head><body><article>
    <h1>دیدار دو وزیر در تهران</h1>
    <p>وزیر امور خارجه و وزیر اقتصاد امروز در تهران درباره روابط دو کشور گفتگو کردند و
    بر گسترش همکاری تاکید کردند. این دیدار در ادامه سفرهای اخیر انجام شد.</p>
    </article></body></html>"""
    art = _page(html, "https://www.example.ir/news/12345/slug")
    assert art.get("breadcrumbs") == ["ورزش"]
    out = enrich_article(art, now=NOW)
    assert out["categories"][0] == "sports"  # the page files it under sport
    assert list(out["category_scores"])[: len(out["categories"])] == out["categories"]


def test_enriched_record_arabic_url_section() -> None:
    html = """<html lang="ar"><head><meta charset="utf-8"></head><body><article>
    <h1>ارتفاع أسعار النفط</h1><p>ارتفعت أسعار النفط في الأسواق العالمية اليوم مع تراجع
    المخزونات وزيادة الطلب، وقال محللون إن الأسعار قد تواصل الصعود.</p>
    </article></body></html>"""
    art = _page(html, "https://www.example.com/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF/2024/1")
    out = enrich_article(art, now=NOW)
    assert out["categories"][0] == "economy"
    assert out["category_scores"]["economy"] > 0.7


def test_older_records_decode_with_the_new_fields_defaulted() -> None:
    import orjson

    from newsflow.schemas.codec import decode
    from newsflow.schemas.records import Article, EnrichedArticle

    art = _page(
        "<html><body><article><h1>Title here</h1><p>Some words of a body.</p></article>"
        "</body></html>",
        "https://example.org/politics/1",
    )
    old_article: dict[str, Any] = {k: v for k, v in art.items() if k != "breadcrumbs"}
    assert decode(Article, orjson.dumps(old_article))["breadcrumbs"] == []
    record: dict[str, Any] = dict(enrich_article(art, now=NOW))
    del record["category_scores"]
    record["article"] = old_article
    assert decode(EnrichedArticle, orjson.dumps(record))["category_scores"] == {}
    # and enrichment reads an article without breadcrumbs (nested, not defaulted)
    assert enrich_article(old_article, now=NOW)["categories"][0] == "politics"  # type: ignore[arg-type]
