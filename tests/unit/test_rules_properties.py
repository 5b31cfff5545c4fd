"""Properties of rule evaluation: it never raises, whatever the record holds (fields
missing, None, of the wrong type), and its answer follows the precedence rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.core.rules import RuleSet, default_rules, evaluate, load_text

NOW = datetime(2024, 3, 19, 15, 0, tzinfo=UTC)

EVERY_CONDITION = """
default: rest
routes:
  - name: cats
    when:
      any:
        - category: politics
        - category: {name: [economy, health], min_score: 0.5}
  - name: places
    when:
      all:
        - entity: {id: [iso:IR, iso:RU, nf:caucasus], min_salience: 0.3}
        - entity_type: [GPE, LOC]
        - not: {language: [en]}
  - name: who
    when:
      site: [irna.ir, example.test]
      source: feed
  - name: text
    when:
      any:
        - words: {in: [title, lead], any: [iran, نفط, "crude oil", sanction*]}
        - words: {all: [a, b]}
        - pattern: {in: [body], regex: "\\\\bnucle(ar|us)\\\\b|عاجل"}
  - name: fresh
    when: {age: {min_hours: 1, max_hours: 48}}
  - name: tagged
    action: tag
    tags: [t]
    when: {language: ar}
  - name: dropped
    action: drop
    when: {all: [{source: spam}, {not: {category: politics}}]}
  - name: rest
"""

RULES = load_text(EVERY_CONDITION, "every.yaml")

# Anything JSON can hold, for the fields a record may carry in any shape.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
words = st.sampled_from(["iran", "نفط", "والنفط", "crude", "oil", "nuclear", "عاجل", "a", "b", "x"])
texts = st.lists(words | st.text(max_size=8), max_size=12).map(" ".join)
maybe_text = st.none() | texts | json_values
dates = (
    st.none()
    | st.sampled_from(
        [
            "2024-03-19T14:00:00+03:30",
            "2024-03-18T10:00:00",
            "garbage",
            "",
            "9999-12-31T23:59:59+14:00",
        ]
    )
    | st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
)

entity = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["iso:IR", "iso:RU", "nf:caucasus", "x"]) | json_values,
        "type": st.sampled_from(["GPE", "LOC", "ORG", "PERSON"]) | json_values,
        "salience": st.floats(allow_nan=True) | json_values,
        "name": json_values,
    },
)
article = st.fixed_dictionaries(
    {},
    optional={
        "title": maybe_text,
        "lead": maybe_text,
        "body": maybe_text,
        "language": st.sampled_from(["ar", "fa-IR", "en", "EN_us", ""]) | json_values,
        "site": st.sampled_from(["irna.ir", "en.irna.ir", "x.example.test"]) | json_values,
        "source": st.sampled_from(["feed", "spam"]) | json_values,
        "published_at": dates | json_values,
    },
)
record = st.fixed_dictionaries(
    {},
    optional={
        "article": article | json_values,
        "entities": st.lists(entity | json_values, max_size=5) | json_values,
        "categories": st.lists(
            st.sampled_from(["politics", "economy", "health"]) | json_values, max_size=4
        )
        | json_values,
        "category_scores": st.dictionaries(
            st.sampled_from(["politics", "economy", "health"]), st.floats() | json_values
        )
        | json_values,
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec=record | json_values, explain=st.booleans())
def test_evaluation_never_raises_and_keeps_its_promises(rec: Any, explain: bool) -> None:
    for rules in (RULES, default_rules()):
        d = evaluate(rules, rec, NOW, explain=explain)
        assert d.version == rules.version
        assert len(set(d.routes)) == len(d.routes)
        assert (d.routes == ()) == d.dropped
        if not d.dropped:
            names = [r.name for r in rules.routes]
            assert d.routes == tuple(sorted(d.routes, key=names.index))
            assert d.routes == (rules.default_route,) or rules.default_route not in d.routes
        assert bool(d.explain) == explain


@settings(max_examples=200, deadline=None)
@given(
    rec=record,
    now=st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001 - naive on purpose: taken as UTC
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    ),
)
def test_any_now_aware_or_naive(rec: Any, now: datetime) -> None:
    evaluate(RULES, rec, now)
    evaluate(RULES, rec, now.replace(tzinfo=UTC) + timedelta(0))


def test_wire_form_round_trips_every_condition() -> None:
    again = RuleSet.from_json(RULES.to_json())
    assert again == RULES and again.canonical() == RULES.canonical()
    rec = {"article": {"language": "ar", "title": "نفط", "site": "irna.ir", "source": "feed"}}
    assert evaluate(again, rec, NOW) == evaluate(RULES, rec, NOW)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8")
        | st.sampled_from(list("يیكکةهأإآ ـ\u200c\u064e\u0651،؟٣۴,.!-_ "))
    )
)
def test_the_word_table_gives_the_normalizers_words(text: str) -> None:
    """`Facts.words` (one translate and a split) equals `fold_words` (the shared
    normalizer, then ``\\w+``), so `words` conditions match through the normalizer."""
    from newsflow.core.rules.conditions import Facts, fold_words

    facts = Facts({"article": {"title": text}}, NOW)
    assert facts.words("title") == frozenset(fold_words(text))
