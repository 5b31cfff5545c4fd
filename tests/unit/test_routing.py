"""Routing rules as data: ordering, conditions, fallback."""

from __future__ import annotations

from typing import Any

import pytest

from newsflow.core.routing import ROUTES, Rule, default_rules, routes_for
from newsflow.core.types import ArticleDict, EntityDict


def article(language: str | None = None) -> ArticleDict:
    return {"language": language, "id": "x"}  # type: ignore[typeddict-item]


def entity(eid: str, etype: str = "ORG", salience: float = 0.9) -> EntityDict:
    return {
        "id": eid,
        "name": eid,
        "name_en": None,
        "type": etype,
        "mentions": [],
        "count": 1,
        "salience": salience,
    }


def test_routes_constant() -> None:
    assert ROUTES == (
        "politics",
        "economy",
        "conflict",
        "science_tech",
        "health",
        "sports",
        "culture",
        "general",
    )


def test_packaged_rules_are_valid() -> None:
    rules = default_rules()
    assert rules
    assert all(r.route in ROUTES for r in rules)


def test_nothing_matches_gives_general() -> None:
    assert routes_for(article(), [], []) == ["general"]


def test_routes_follow_category_order_and_are_unique() -> None:
    cats = ["economy", "politics", "economy"]
    assert routes_for(article(), [], cats) == ["economy", "politics"]


def test_entity_rule_needs_salience() -> None:
    assert routes_for(article(), [entity("nf:hamas", salience=0.9)], []) == ["conflict"]
    assert routes_for(article(), [entity("nf:hamas", salience=0.1)], []) == ["general"]
    # category-triggered routes come before entity-triggered ones
    assert routes_for(article(), [entity("nf:hamas")], ["politics"]) == ["politics", "conflict"]


@pytest.mark.parametrize(
    ("rule", "lang", "ents", "cats", "expected"),
    [
        ({"route": "culture", "languages": ["fa"]}, "fa-IR", [], [], ["culture"]),
        ({"route": "culture", "languages": ["fa"]}, "ar", [], [], ["general"]),
        (
            {"route": "health", "any_entity_types": ["PERSON"]},
            None,
            [entity("p", "PERSON")],
            [],
            ["health"],
        ),
        ({"route": "health", "any_entity_types": ["PERSON"]}, None, [entity("o")], [], ["general"]),
        (
            {"route": "sports", "any_categories": ["sports"], "languages": ["en"]},
            "en",
            [],
            ["sports"],
            ["sports"],
        ),
        (
            {"route": "sports", "any_categories": ["sports"], "languages": ["en"]},
            "ru",
            [],
            ["sports"],
            ["general"],
        ),
    ],
)
def test_custom_rules(
    rule: dict[str, Any],
    lang: str | None,
    ents: list[EntityDict],
    cats: list[str],
    expected: list[str],
) -> None:
    assert routes_for(article(lang), ents, cats, rules=[Rule.from_dict(rule)]) == expected


def test_unknown_route_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown route"):
        Rule.from_dict({"route": "weather"})
