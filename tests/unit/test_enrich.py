"""enrich_article on the seed page, an English story and edge cases; throughput floor."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.core.rules import default_rules
from newsflow.core.types import ArticleDict
from newsflow.entities import enrich
from newsflow.entities.enrich import (
    _top,
    _whole_words,
    categorize,
    enrich_article,
    extract_keywords,
)
from newsflow.entities.forms import fold_with_offsets
from newsflow.entities.ner import extract_entities
from tests.articles import make_article

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "000_13aa7759e27f0578.txt"
NOW = datetime(2024, 3, 19, 12, 0, tzinfo=UTC)

ENGLISH = (
    "Oil prices rose on Tuesday after OPEC agreed to extend output cuts, while investors "
    "weighed inflation data and the Federal Reserve's next interest rate decision. Brent "
    "crude gained 2% and the dollar weakened against the euro as markets priced in slower "
    "growth. Saudi Arabia and Russia back the cuts, the oil ministers said in Vienna."
)


def seed_article() -> ArticleDict:
    paragraphs = [p.strip() for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return make_article(
        language="ar",
        title=paragraphs[2],
        lead=paragraphs[4],
        body="\n\n".join(paragraphs[5:-5]),
    )


def test_seed_is_enriched_and_routed_to_politics() -> None:
    out = enrich_article(seed_article(), now=NOW)
    assert out["id"] == "a1"
    assert out["schema_version"] == 1
    assert out["enriched_at"] == "2024-03-19T12:00:00+00:00"
    assert out["categories"][0] == "politics"
    assert out["routes"][0] == "politics"
    ids = {e["id"] for e in out["entities"]}
    assert {"iso:IR", "iso:RU", "nf:ebrahim-raisi", "wikidata:Q7747", "nf:sco"} <= ids
    assert 0 < len(out["keywords"]) <= 10
    assert "تعاون" in out["keywords"] or "التعاون" in out["keywords"]
    # entities are left out of keywords; clitics are stripped from the shown word
    assert not {"إيران", "روسيا", "وروسيا", "لروسيا"} & set(out["keywords"])


def test_empty_article_routes_to_general() -> None:
    out = enrich_article(make_article(), now=NOW)
    assert out["entities"] == []
    assert out["categories"] == []
    assert out["keywords"] == []
    assert out["routes"] == ["general"]


def test_english_economy_story() -> None:
    out = enrich_article(make_article(language="en", title="Oil rises", body=ENGLISH), now=NOW)
    assert out["categories"][0] == "economy"
    assert out["routes"][0] == "economy"
    ids = {e["id"] for e in out["entities"]}
    assert {"nf:opec", "nf:federal-reserve", "iso:SA", "iso:RU"} <= ids


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("قصف صاروخي وغارات جوية على القطاع وسقوط قتلى وجرحى في هجوم جديد", "ar", "conflict"),
        ("بازیکنان تیم ملی فوتبال در مسابقات لیگ قهرمانان به مربی جدید رسیدند", "fa", "sports"),
        (
            "The hospital reported new virus infections and a vaccine shortage for patients",
            "en",
            "health",
        ),
        ("Scientists launched a satellite and new AI software for research", "en", "science_tech"),
        ("جشنواره فیلم و موسیقی با حضور هنرمندان در موزه برگزار شد", "fa", "culture"),
        ("Футбольный клуб выиграл матч чемпионата, тренер доволен игроками", "ru", "sports"),
    ],
)
def test_categories_from_lexicons(text: str, lang: str, category: str) -> None:
    categories, scores = categorize({"body": text}, [])
    assert categories and categories[0] == category, scores


def test_entity_hints_feed_categories() -> None:
    fields = {"title": "Hamas and Hezbollah", "body": "Hamas. Hezbollah."}
    ents = extract_entities(fields, "en")
    categories, _ = categorize(fields, ents)
    assert "conflict" in categories


def test_keywords_are_surface_words() -> None:
    fields = {"title": "Sanctions", "body": "New sanctions hit exports. Sanctions and exports."}
    kws = extract_keywords(fields, [])
    assert kws[0] == "Sanctions"
    assert "exports" in kws


def test_word_tables_reset_between_fields_change_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The per-word tables are emptied when full; an article read while they are (here
    before every field) gets the categories and keywords it gets with them kept."""
    fields = {"title": "Oil prices", "body": ENGLISH + " Hospital patients and vaccines."}
    ents = extract_entities(fields, "en")
    kept = categorize(fields, ents), extract_keywords(fields, ents)
    monkeypatch.setattr(enrich, "_WORD_INFO_LIMIT", 3)
    assert (categorize(fields, ents), extract_keywords(fields, ents)) == kept


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        enrich_article(make_article(), now=datetime(2024, 1, 1))  # noqa: DTZ001


def test_enriched_at_keeps_the_offset() -> None:
    tehran = timezone(timedelta(hours=3, minutes=30))
    out = enrich_article(make_article(), now=datetime(2024, 3, 19, 15, 30, tzinfo=tehran))
    assert out["enriched_at"] == "2024-03-19T15:30:00+03:30"
    assert set(out["routes"]) <= set(default_rules().topics)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab1_ .é\u0628"), max_size=40),
    st.text(alphabet=st.sampled_from("ab1_\u0628"), min_size=1, max_size=3),
)
def test_keyword_forms_are_found_where_a_word_boundary_pattern_finds_them(
    text: str, word: str
) -> None:
    expected = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text)]
    assert list(_whole_words(text, word)) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 6).map(float), max_size=30),
    st.integers(0, 12),
)
def test_top_keywords_are_the_highest_scores_ties_first_seen(
    scores: dict[str, float], limit: int
) -> None:
    ranked = heapq.nsmallest(limit, ((-v, i, k) for i, (k, v) in enumerate(scores.items())))
    assert _top(scores, limit) == [k for _, _, k in ranked]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab Ab_1 .,\u0628\u064e\u0640ß"), max_size=50),
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 8)), max_size=5),
)
def test_blanked_and_kept_words_are_all_the_words(text: str, cuts: list[tuple[int, int]]) -> None:
    """Categories count a field's words as keywords' kept ones plus the blanked ones:
    together they must be every word of the folded text, each once."""
    spans = tuple((a, a + n) for a, n in cuts)
    words = enrich._field_words(text, spans)
    both = Counter(words.counts) + Counter(words.mentioned)
    assert both == Counter(re.findall(r"\w+", fold_with_offsets(text)[0]))
    assert len(words.clean) == len(fold_with_offsets(text)[0])
