"""`newsflow routes apply`: a validated rule set onto ``news.config``, its topics first.

The order is what makes a live change safe: the route topics the rule set names are
created (with their partitions) before the rule set is published, so no worker can
route an article to a topic that does not exist yet; the record is published with
acks from all replicas, and only then does the command report the version. Workers
follow it within a second or so (`newsflow.agents.rules`).
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from typing import Any

from newsflow.core.rules import RuleSet
from newsflow.settings import Settings
from newsflow.streams import CONFIG, CONFIG_KEY, route_spec, topic_name


def message(
    rules: RuleSet, *, by: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The ``news.config`` record of ``rules`` (a `RulesMessageDict`)."""
    return {
        "version": rules.version,
        "source_name": rules.source_name,
        "rules": rules.to_json().decode(),
        "applied_at": (now or datetime.now(UTC)).isoformat(),
        "applied_by": by or os.environ.get("USER") or getpass.getuser(),
    }


async def apply_rules(
    settings: Settings, rules: RuleSet, *, by: str | None = None
) -> dict[str, Any]:
    """Create the route topics of ``rules`` and ``news.config``, then publish ``rules``.

    Returns the version, the topics created and where the record landed.
    """
    import orjson

    from newsflow.kafka import ensure_topics, producer

    specs = [
        route_spec(name, topic, rules.route(name).partitions)
        for name, topic in rules.topics.items()
    ]
    created = await ensure_topics(settings, [*specs, CONFIG])
    record = message(rules, by=by)
    async with producer(settings) as client:
        sent = await client.send_and_wait(
            topic_name(CONFIG, settings.topic_prefix), orjson.dumps(record), key=CONFIG_KEY
        )
    return {
        "version": rules.version,
        "routes": [r.name for r in rules.routes],
        "created_topics": created,
        "topic": sent.topic,
        "offset": sent.offset,
        "applied_at": record["applied_at"],
    }
