"""route: EnrichedArticle → the topic of each route it was given.

The routing decision is made during enrichment by the rule set the worker followed
at that moment (so the stored record says where it went and by which rules:
``routing``); this stage only fans the record out, forwarding the validated bytes as
they are, to the topic the rule set named for each route. A record a ``drop`` rule
matched goes nowhere (counted ``ok``). Its work is a decode and a lookup, so it runs
on the event loop, not in a child process.
"""

from __future__ import annotations

import faust

from newsflow.agents.context import AgentContext, peek
from newsflow.agents.outcome import Outcome, Output, article_facts
from newsflow.agents.runner import Stage, register_stage
from newsflow.core.errors import PipelineError
from newsflow.schemas.codec import decode
from newsflow.schemas.records import EnrichedArticle

STAGE = "route"
LEGACY_TOPIC = "news.topic.{route}"  # records from before `routing`: the fixed topics


def handle(value: bytes | None) -> Outcome:
    """One output per route of the record, to ``topic:<name>``, keyed by article id."""
    try:
        enriched = decode(EnrichedArticle, value, shared=True)
        routes = enriched["routes"]
        routing = enriched.get("routing")
        if routing is not None and routing.get("dropped"):
            routes = []
        elif not routes:
            raise PipelineError("route", "the record has no route (and no drop rule matched)")
        topics = (routing or {}).get("topics") or {}
        missing = [r for r in routes if routing is not None and r not in topics]
        if missing:
            raise PipelineError(
                "route", f"no topic for routes {missing} in rules {routing and routing['version']}"
            )
        assert value is not None  # decode refused an empty value
        key = enriched["id"].encode()
        outputs = tuple(
            Output(f"topic:{topics.get(name) or LEGACY_TOPIC.format(route=name)}", key, value)
            for name in routes
        )
        article = enriched["article"]
        facts = article_facts(article)
        facts["routes"] = list(routes)
        if routing is not None:
            facts["rules_version"] = routing["version"]
        return Outcome(outputs=outputs, source=article["source"], url=article["url"], facts=facts)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
        hint = peek(value, "source", "url")
        return Outcome.failed(exc, source=hint["source"], url=hint["url"])


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the route stage on ``app``."""
    register_stage(app, ctx, Stage(name=STAGE, input="enriched", handle=handle))
