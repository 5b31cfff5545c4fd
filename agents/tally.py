"""Outcome counting for the operators' tables, in batches.

Every input message's outcome must reach the counters before the message is acked
(else a crash after the commit would lose the count), and in offset order per input
partition (the counters skip an offset already counted). One Kafka record per
outcome did that, at a price: four stages, four records per page, each a produce
request of its own on a quiet producer, and four events for the counter process to
decode and write to its changelog — measured at more CPU, across the broker, the
worker and the counter process, than parsing the page.

A `Tally` gathers the outcomes of each (stage, input partition) and sends them as
one `StageEvent` every `FLUSH_SECONDS`, or at once when `MAX_OUTCOMES` are waiting.
A caller's `add` returns once the event holding its outcomes is confirmed by the
broker, so "counted before acked" still holds; only the ack (the offset commit) waits
the fraction of a second, never the message's outputs, which were sent before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import faust
import orjson
from faust.types import Message

from newsflow.agents.outcome import Facts

log = logging.getLogger("newsflow.agents.tally")

FLUSH_SECONDS = 0.2
MAX_OUTCOMES = 500

# (stage, message, source, outcome, error kind, facts)
Item = tuple[str, Message, str | None, str, str | None, "Facts | None"]
Enqueue = Callable[[faust.TopicT, bytes | None, bytes], Awaitable["asyncio.Future[Any]"]]
Confirm = Callable[[faust.TopicT, bytes | None, bytes, "asyncio.Future[Any]"], Awaitable[None]]


@dataclass
class _Round:
    """The outcomes gathered since the last flush, and the future their callers await."""

    outcomes: dict[str, tuple[str, str, int, list[dict[str, Any]]]] = field(default_factory=dict)
    count: int = 0
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def outcome_record(
    stage: str,
    message: Message,
    source: str | None,
    outcome: str,
    error_kind: str | None,
    facts: Facts | None,
    now: float,
) -> dict[str, Any]:
    """One `StageOutcomeDict`: the outcome plus what the tables count about the message.

    Latency is measured here, when the outcome is settled (its outputs confirmed by
    the broker, or its row written for the sink), from the page's fetch time.
    """
    record: dict[str, Any] = {
        "offset": message.offset,
        "source": source or "unknown",
        "outcome": outcome,
        "error_kind": error_kind,
        "bytes": len(message.value or b""),
    }
    if facts:
        if facts.get("site"):
            record["site"] = facts["site"]
        fetched = facts.get("fetched_at")
        if fetched is not None:
            record["latency_s"] = round(max(0.0, now - fetched), 4)
        published = facts.get("published_at")
        if stage == "sink" and published is not None:
            record["age_s"] = round(max(0.0, now - published), 1)
        for name in ("quality", "entities", "categories", "routes", "rules_version"):
            value = facts.get(name)
            if value:
                record[name] = value
    return record


class Tally:
    """Batches outcome records per (stage, input partition) onto the stats topic."""

    def __init__(
        self,
        topic: faust.TopicT,
        enqueue: Enqueue,
        confirm: Confirm,
        *,
        stopping: type[Exception],
        flush_seconds: float = FLUSH_SECONDS,
        max_outcomes: int = MAX_OUTCOMES,
    ) -> None:
        self.topic = topic
        self.enqueue = enqueue
        self.confirm = confirm
        self.stopping = stopping  # raised by enqueue/confirm once the worker shuts down
        self.flush_seconds = flush_seconds
        self.max_outcomes = max_outcomes
        self._round: _Round | None = None
        self._timer: asyncio.TimerHandle | None = None
        # Hand-over to the producer is one flush at a time, so the events of one key
        # reach the topic in the order their outcomes were added.
        self._sending = asyncio.Lock()
        self._flushes: set[asyncio.Task[None]] = set()

    async def add(self, items: Sequence[Item], *, added: asyncio.Event | None = None) -> None:
        """Count ``items``; return once the broker has them.

        ``added`` is set as soon as they are queued (synchronously, in call order), so
        the next message of the partition may queue its own outcome behind them.
        """
        if self._round is None:
            self._round = _Round()
        current = self._round
        now = time.time()
        for stage, message, source, outcome, error_kind, facts in items:
            key = f"{stage}|{message.topic}|{message.partition}"
            slot = current.outcomes.get(key)
            if slot is None:
                slot = current.outcomes[key] = (stage, message.topic, message.partition, [])
            slot[3].append(outcome_record(stage, message, source, outcome, error_kind, facts, now))
        current.count += len(items)
        if added is not None:
            added.set()
        if current.count >= self.max_outcomes:
            self._flush_now()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_at(loop.time() + self.flush_seconds, self._flush_now)
        await asyncio.shield(current.done)

    def _flush_now(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        current, self._round = self._round, None
        if current is None:
            return
        task = asyncio.ensure_future(self._flush(current))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, current: _Round) -> None:
        try:
            pending = []
            async with self._sending:
                at = time.time()
                for key, (stage, topic, partition, outcomes) in current.outcomes.items():
                    value = orjson.dumps(
                        {
                            "stage": stage,
                            "topic": topic,
                            "partition": partition,
                            "outcomes": outcomes,
                            "at": at,
                        }
                    )
                    raw_key = key.encode()
                    try:
                        fut = await self.enqueue(self.topic, raw_key, value)
                    except (asyncio.CancelledError, self.stopping):
                        raise
                    except Exception:
                        log.exception("stats event for %s was refused; the counters miss it", key)
                        continue
                    pending.append((raw_key, value, fut))
            for raw_key, value, fut in pending:
                try:
                    await self.confirm(self.topic, raw_key, value, fut)
                except (asyncio.CancelledError, self.stopping):
                    raise
                except Exception:
                    # A counter event the broker refuses for good is logged, never
                    # retried: the messages it counts are done, the counters miss them.
                    log.exception("stats event was refused; the counters miss it")
        except BaseException as exc:
            # Stopping or cancelled: the callers abandon their messages unacked.
            if not current.done.done():
                current.done.set_exception(
                    exc if isinstance(exc, Exception) else self.stopping(repr(exc))
                )
            if isinstance(exc, asyncio.CancelledError):
                raise
        else:
            if not current.done.done():
                current.done.set_result(None)
