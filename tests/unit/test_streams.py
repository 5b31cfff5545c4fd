from __future__ import annotations

from newsflow.core.rules import default_rules
from newsflow.schemas.records import EnrichedArticle
from newsflow.streams import ROUTE_TOPICS, all_specs, spec_by_name, topic_name


def test_every_route_has_exactly_one_topic() -> None:
    assert set(ROUTE_TOPICS) == set(default_rules().topics)
    for route, spec in ROUTE_TOPICS.items():
        assert spec.name == f"news.topic.{route}"
        assert spec.value is EnrichedArticle


def test_names_are_unique_and_prefixed_in_one_place() -> None:
    names = [spec.name for spec in all_specs()]
    assert len(names) == len(set(names))
    assert {"news.raw", "news.articles", "news.enriched", "news.dlq"} <= set(names)
    raw = spec_by_name("news.raw")
    assert raw is not None and topic_name(raw, "it-1.") == "it-1.news.raw"
    assert spec_by_name("it-1.news.dlq", "it-1.") is not None
    assert spec_by_name("news.nothing") is None
