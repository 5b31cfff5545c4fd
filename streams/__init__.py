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

from newsflow.core.rules import default_rules
from newsflow.schemas.records import (
    Article,
    DeadLetter,
    EnrichedArticle,
    RawPage,
    RulesMessage,
    StageEvent,
)

if TYPE_CHECKING:
    from newsflow.settings import Settings

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    """A topic as the design names it: base name, value record, key meaning, purpose.

    ``partitions`` None takes the deployment's NEWSFLOW_PARTITIONS; a compacted topic
    keeps the last record of each key for ever instead of ``retention_days``.
    """

    name: str
    value: type[faust.Record]
    key: str
    doc: str
    retention_days: int = 7
    partitions: int | None = None
    compacted: bool = False

    def configs(self, max_message_bytes: int) -> dict[str, str]:
        """The topic-level settings newsflow creates it with."""
        if self.compacted:
            return {"max.message.bytes": str(max_message_bytes), "cleanup.policy": "compact"}
        return {
            "max.message.bytes": str(max_message_bytes),
            "retention.ms": str(self.retention_days * DAY_MS),
        }


RAW = TopicSpec("news.raw", RawPage, "article id of the fetched URL", "pages from crawlers")
ARTICLES = TopicSpec("news.articles", Article, "article id", "parsed articles")
ENRICHED = TopicSpec("news.enriched", EnrichedArticle, "article id", "articles with entities")
DLQ = TopicSpec("news.dlq", DeadLetter, "dead-letter id", "anything a stage could not handle", 30)
STATS = TopicSpec(
    "news.stats", StageEvent, "source (crawler or feed id)", "stage outcomes for counters"
)
# The routing rule set every worker follows, as `newsflow routes apply` published it:
# one partition (one order for everyone), compacted (the latest set stays for ever).
CONFIG = TopicSpec(
    "news.config",
    RulesMessage,
    '"routing"',
    "the active routing rules (newsflow routes apply)",
    partitions=1,
    compacted=True,
)
CONFIG_KEY = b"routing"


def route_spec(route: str, topic: str, partitions: int | None = None) -> TopicSpec:
    """The topic of a route a rule set declares (``topic`` without the prefix)."""
    return TopicSpec(
        topic,
        EnrichedArticle,
        "article id",
        f"enriched articles routed {route}",
        partitions=partitions,
    )


# The routes of the shipped rule set: created with the other topics before any worker
# starts; routes a later rule set adds are created by `newsflow routes apply` and again
# by each worker before it switches (`newsflow.agents.rules`).
ROUTE_TOPICS: Mapping[str, TopicSpec] = {
    name: route_spec(name, topic, default_rules().route(name).partitions)
    for name, topic in default_rules().topics.items()
}


def all_specs() -> Iterator[TopicSpec]:
    """Every topic newsflow owns, in pipeline order."""
    yield from (RAW, ARTICLES, ENRICHED)
    yield from ROUTE_TOPICS.values()
    yield from (DLQ, STATS, CONFIG)


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
    # by topic name without the prefix; routes added by a new rule set join at run time
    routes: dict[str, faust.TopicT] = field(default_factory=dict)


def declare_one(app: faust.App, settings: Settings, spec: TopicSpec) -> faust.TopicT:
    """One topic on ``app``, as raw bytes with its partitions and limits."""
    return app.topic(
        topic_name(spec, settings.topic_prefix),
        key_serializer="raw",
        value_serializer="raw",
        partitions=spec.partitions or settings.partitions,
        replicas=settings.replication,
        config=spec.configs(settings.max_message_bytes),
    )


def declare(app: faust.App, settings: Settings) -> Topics:
    """Declare every topic on ``app`` with the settings' partitions and size limits."""

    def make(spec: TopicSpec) -> faust.TopicT:
        return declare_one(app, settings, spec)

    return Topics(
        raw=make(RAW),
        articles=make(ARTICLES),
        enriched=make(ENRICHED),
        dlq=make(DLQ),
        stats=make(STATS),
        routes={spec.name: make(spec) for spec in ROUTE_TOPICS.values()},
    )
