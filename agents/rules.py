"""rules: the routing rule set this worker process follows, switched live.

`newsflow routes apply FILE` validates a rules file, creates its route topics and
publishes the rule set to ``news.config`` (one partition, compacted). Every pipeline
process reads that topic from the start, without a consumer group (each process must
see every rule set, not a share of them), and follows the latest valid one:

1. it validates the rule set again (a worker never runs on rules it cannot read; an
   invalid one is logged and reported, the current set stays);
2. it creates the route topics the set names (idempotent: `apply` did already) and
   declares them for sending;
3. it switches `RulesState.current` in one assignment on the event loop. The enrich
   stage reads it once per message when it hands the message to its process, so each
   article is routed by exactly one rule set, and says which (``routing.version``).

Before the first message the process reads ``news.config`` to its end, so a restarted
worker never routes with older rules than the ones applied. With nothing applied yet it
follows NEWSFLOW_ROUTES_FILE, or the shipped rules.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import faust
from aiokafka import TopicPartition

from newsflow.agents.context import AgentContext
from newsflow.core.rules import (
    RuleIssue,
    RulesError,
    RuleSet,
    default_rules,
    load_file,
    load_wire,
)
from newsflow.schemas.codec import decode
from newsflow.schemas.records import RulesMessage
from newsflow.settings import Settings
from newsflow.streams import CONFIG, declare_one, route_spec, topic_name

log = logging.getLogger("newsflow.agents.rules")

RETRY_S = 2.0


@dataclass
class RulesState:
    """The rule set a process routes with, and what it knows about the others."""

    current: RuleSet
    source: str  # where `current` came from: "shipped", a file, or "news.config@<offset>"
    applied_at: str | None = None
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None  # the last rule set refused, and why
    _payload: tuple[str, bytes] | None = None

    def payload(self) -> tuple[str, bytes]:
        """What the enrich process needs to route with `current`: its version and its
        JSON (the child compiles it once per version)."""
        if self._payload is None or self._payload[0] != self.current.version:
            self._payload = (self.current.version, self.current.to_json())
        return self._payload

    def switch(self, rules: RuleSet, source: str, applied_at: str | None) -> None:
        """Route every message handed over from now on with ``rules``."""
        if rules.version != self.current.version:
            log.info(
                "routing rules %s (%d routes, from %s) replace %s",
                rules.version,
                len(rules.routes),
                source,
                self.current.version,
            )
        self.current, self.source, self.applied_at = rules, source, applied_at

    def info(self) -> dict[str, Any]:
        """The active rule set as the web port and the tables show it."""
        return {
            "version": self.current.version,
            "source": self.source,
            "applied_at": self.applied_at,
            "routes": [route.name for route in self.current.routes],
            "default": self.current.default_route,
            "topics": self.current.topics,
            "error": self.error,
        }


def initial_rules(settings: Settings) -> tuple[RuleSet, str]:
    """The rule set before anything is applied: NEWSFLOW_ROUTES_FILE, or the shipped one.

    Raises `RulesError` (naming the file and the line) when the file is invalid: the
    worker refuses to start rather than run on half-valid rules.
    """
    if settings.routes_file:
        return load_file(settings.routes_file), settings.routes_file
    return default_rules(), "shipped"


async def adopt(ctx: AgentContext, rules: RuleSet) -> None:
    """Create and declare the topics of ``rules`` (before any article is routed there)."""
    from newsflow.kafka import ensure_topics

    specs = [
        route_spec(name, topic, rules.route(name).partitions)
        for name, topic in rules.topics.items()
    ]
    created = await ensure_topics(ctx.settings, specs)
    if created:
        log.info("created route topic(s): %s", ", ".join(created))
    for spec in specs:
        if spec.name not in ctx.topics.routes:
            ctx.topics.routes[spec.name] = declare_one(ctx.app, ctx.settings, spec)


def parse_message(value: bytes | None) -> tuple[RuleSet, dict[str, Any]]:
    """A ``news.config`` record's rule set, validated again; raises on anything wrong."""
    message = decode(RulesMessage, value)
    rules = load_wire(message["rules"])
    if rules.version != message["version"]:
        why = f"stated version {message['version']} is not the version of its rules"
        raise RulesError([RuleIssue(message["source_name"], None, why)])
    return rules, dict(message)


async def watch(ctx: AgentContext, state: RulesState) -> None:
    """Follow ``news.config`` for the life of the process (reconnecting as needed)."""
    from newsflow.kafka import consumer

    name = topic_name(CONFIG, ctx.settings.topic_prefix)
    tp = TopicPartition(name, 0)
    while not ctx.app.should_stop:
        try:
            async with consumer(ctx.settings, []) as client:
                client.assign([tp])
                await client.seek_to_beginning(tp)
                end = (await client.end_offsets([tp]))[tp]
                latest: tuple[int, bytes | None] | None = None
                while await client.position(tp) < end:  # the backlog: only the last counts
                    for record in (await client.getmany(tp, timeout_ms=1000)).get(tp, []):
                        latest = (record.offset, record.value)
                if latest is not None:
                    await _apply(ctx, state, *latest)
                _loaded(ctx, state)
                while not ctx.app.should_stop:
                    batch = await client.getmany(tp, timeout_ms=1000)
                    for record in batch.get(tp, []):
                        await _apply(ctx, state, record.offset, record.value)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the broker may be away: retry
            log.warning("reading %s failed (%r); retrying in %.0f s", name, exc, RETRY_S)
            await asyncio.sleep(RETRY_S)


async def _apply(ctx: AgentContext, state: RulesState, offset: int, value: bytes | None) -> None:
    try:
        rules, message = parse_message(value)
    except Exception as exc:  # noqa: BLE001 - refused: say why, keep the current set
        state.error = f"news.config@{offset} refused: {exc}"
        log.error(
            "routing rules at news.config@%d refused, keeping %s: %s",
            offset,
            state.current.version,
            exc,
        )
        return
    await adopt(ctx, rules)
    state.switch(rules, f"news.config@{offset}", message.get("applied_at"))
    state.error = None


def _loaded(ctx: AgentContext, state: RulesState) -> None:
    if not state.loaded.is_set():
        state.loaded.set()
        ctx.health.warmed("rules")


def register(app: faust.App, ctx: AgentContext) -> None:
    """Start following ``news.config`` with this process (the enrich stage waits for it)."""
    state = ctx.rules
    assert state is not None, "create_app gives the pipeline app its rules state"
    ctx.health.expect("rules")

    async def follow_rules() -> None:
        started = time.monotonic()
        await adopt(ctx, state.current)
        log.debug(
            "initial rule set %s adopted in %.2f s",
            state.current.version,
            time.monotonic() - started,
        )
        await watch(ctx, state)

    app.task(follow_rules)
