"""The single registry of topics: the only place a topic name is written.

Every topic carries JSON (orjson) whose shape is the named record's JSON Schema,
keyed by the article id (UTF-8), so all versions of one page share a partition.
Agents consume the bytes and validate them themselves (see `schemas.codec`):
that is how a message that cannot be decoded still becomes a dead letter
instead of being logged and skipped inside Faust.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import faust

from newsflow.core.routing import ROUTES
from newsflow.schemas.records import Article, DeadLetter, EnrichedArticle, RawPage, StageEvent

if TYPE_CHECKING:
    from newsflow.settings import Settings

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    """A topic as the design names it: base name, value record, key meaning, purpose."""

    name: str
    value: type[faust.Record]
    key: str
    doc: str
    retention_days: int = 7


RAW = TopicSpec("news.raw", RawPage, "article id of the fetched URL", "pages from crawlers")
ARTICLES = TopicSpec("news.articles", Article, "article id", "parsed articles")
ENRICHED = TopicSpec("news.enriched", EnrichedArticle, "article id", "articles with entities")
DLQ = TopicSpec("news.dlq", DeadLetter, "dead-letter id", "anything a stage could not handle", 30)
STATS = TopicSpec(
    "news.stats", StageEvent, "source (crawler or feed id)", "stage outcomes for counters"
)
ROUTE_TOPICS: Mapping[str, TopicSpec] = {
    route: TopicSpec(
        f"news.topic.{route}", EnrichedArticle, "article id", f"enriched articles routed {route}"
    )
    for route in ROUTES
}


def all_specs() -> Iterator[TopicSpec]:
    """Every topic newsflow owns, in pipeline order."""
    yield from (RAW, ARTICLES, ENRICHED)
    yield from ROUTE_TOPICS.values()
    yield from (DLQ, STATS)


def topic_name(spec: TopicSpec, prefix: str = "") -> str:
    """The real topic name, with the deployment's prefix (empty by default)."""
    return f"{prefix}{spec.name}"


def spec_by_name(name: str, prefix: str = "") -> TopicSpec | None:
    """Look a topic up by its real or base name (for `newsflow tail`)."""
    for spec in all_specs():
        if name in (spec.name, topic_name(spec, prefix)):
            return spec
    return None


@dataclass
class Topics:
    """The declared Faust topics of one app, looked up by role."""

    raw: faust.TopicT
    articles: faust.TopicT
    enriched: faust.TopicT
    dlq: faust.TopicT
    stats: faust.TopicT
    routes: dict[str, faust.TopicT] = field(default_factory=dict)


def declare(app: faust.App, settings: Settings) -> Topics:
    """Declare every topic on ``app`` with the settings' partitions and size limits."""

    def make(spec: TopicSpec) -> faust.TopicT:
        return app.topic(
            topic_name(spec, settings.topic_prefix),
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.partitions,
            replicas=settings.replication,
            config={
                "max.message.bytes": str(settings.max_message_bytes),
                "retention.ms": str(spec.retention_days * DAY_MS),
            },
        )

    return Topics(
        raw=make(RAW),
        articles=make(ARTICLES),
        enriched=make(ENRICHED),
        dlq=make(DLQ),
        stats=make(STATS),
        routes={route: make(spec) for route, spec in ROUTE_TOPICS.items()},
    )
