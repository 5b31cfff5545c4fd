"""Routing: which topic-level routes an enriched article goes to.

The rules are data (`newsflow/data/routes.json`): each names a route and conditions on the
article's categories, its entities (ids or types, with a minimum salience) and its
language. A rule matches when every condition it lists holds (any listed value is enough
inside a condition). Routes come out unique, ordered by the rank of the category that
triggered them (categories arrive ordered by score), then by rule order, and never empty:
"general" when nothing matched. `streams/` maps each route name to its declared topic.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from newsflow.core.types import ArticleDict, EntityDict

#: Categories enrichment can assign; each is also a route of the same name.
CATEGORIES: tuple[str, ...] = (
    "politics",
    "economy",
    "conflict",
    "science_tech",
    "health",
    "sports",
    "culture",
)
FALLBACK_ROUTE = "general"
ROUTES: tuple[str, ...] = (*CATEGORIES, FALLBACK_ROUTE)


@dataclass(frozen=True, slots=True)
class Rule:
    """One routing rule; empty tuples mean "no condition"."""

    route: str
    any_categories: tuple[str, ...] = ()
    any_entity_ids: tuple[str, ...] = ()
    any_entity_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_salience: float = 0.0

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Rule:
        route = str(raw["route"])
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r} in routing rules")
        return cls(
            route=route,
            any_categories=tuple(raw.get("any_categories", ())),
            any_entity_ids=tuple(raw.get("any_entity_ids", ())),
            any_entity_types=tuple(raw.get("any_entity_types", ())),
            languages=tuple(raw.get("languages", ())),
            min_salience=float(raw.get("min_salience", 0.0)),
        )


@functools.lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    """The packaged rules, read and validated on first use."""
    ref = resources.files("newsflow").joinpath("data", "routes.json")
    doc = json.loads(ref.read_text(encoding="utf-8"))
    return tuple(Rule.from_dict(r) for r in doc["rules"])


@functools.lru_cache(maxsize=1)
def rules_version() -> str:
    """The active rule set's version, as operators see it: ``builtin:`` and the first
    hex digits of the packaged rules file's SHA-256 (any edit changes it)."""
    import hashlib

    ref = resources.files("newsflow").joinpath("data", "routes.json")
    return "builtin:" + hashlib.sha256(ref.read_bytes()).hexdigest()[:8]


def _language(article: Mapping[str, Any]) -> str | None:
    lang = article.get("language")
    if not lang:
        return None
    return str(lang).replace("_", "-").split("-")[0].lower()


def _rule_rank(
    rule: Rule,
    article: Mapping[str, Any],
    entities: Sequence[EntityDict],
    category_rank: Mapping[str, int],
) -> int | None:
    """The category rank that fired the rule, a large number without one, None if no match."""
    rank = len(category_rank)
    if rule.any_categories:
        hits = [category_rank[c] for c in rule.any_categories if c in category_rank]
        if not hits:
            return None
        rank = min(hits)
    if rule.languages and _language(article) not in rule.languages:
        return None
    if rule.any_entity_ids or rule.any_entity_types:
        ok = any(
            e["salience"] >= rule.min_salience
            and (not rule.any_entity_ids or e["id"] in rule.any_entity_ids)
            and (not rule.any_entity_types or e["type"] in rule.any_entity_types)
            for e in entities
        )
        if not ok:
            return None
    return rank


def routes_for(
    article: ArticleDict,
    entities: Sequence[EntityDict],
    categories: Sequence[str],
    rules: Sequence[Rule] | None = None,
) -> list[str]:
    """Ordered unique routes for an article; ["general"] when no rule matches."""
    active = default_rules() if rules is None else rules
    category_rank: dict[str, int] = {}
    for i, cat in enumerate(categories):
        category_rank.setdefault(cat, i)
    hits: list[tuple[int, int, str]] = []
    for order, rule in enumerate(active):
        rank = _rule_rank(rule, article, entities, category_rank)
        if rank is not None:
            hits.append((rank, order, rule.route))
    routes: list[str] = []
    for _, _, route in sorted(hits):
        if route not in routes:
            routes.append(route)
    return routes or [FALLBACK_ROUTE]
