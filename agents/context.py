"""What every agent shares: topics, settings, health, and delivery that is awaited.

Faust acks a message whose handler raised, and commits offsets after flushing the
producer whether or not each send succeeded. So nothing here lets a failure pass
silently: every send is awaited until the broker confirms it; a send the broker
refuses for good (a record too large, an invalid topic) becomes a dead letter for
the input; a send that fails because the broker is away is retried, holding the
partition, for as long as it takes. A dead letter that cannot be written holds the
partition too (no commit past it) and says so on every retry, rate-limited, and on
``/ready``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import faust
from aiokafka import errors as kafka_errors
from faust.types import Message

from newsflow.agents.health import Health
from newsflow.agents.outcome import Facts, Failure
from newsflow.agents.outcome import peek as peek  # moved there; importers of context keep it
from newsflow.agents.tally import Item, Tally
from newsflow.core.deadletter import make_dead_letter, needs_file
from newsflow.kafka import BIG_RECORD_BYTES
from newsflow.schemas.codec import encode
from newsflow.settings import Settings
from newsflow.streams import Topics

if TYPE_CHECKING:
    from newsflow.agents.rules import RulesState

log = logging.getLogger("newsflow.agents")

# The broker refused the record itself: sending it again cannot succeed.
_PERMANENT: tuple[type[BaseException], ...] = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidTopicError,
    kafka_errors.CorruptRecordException,
    kafka_errors.InvalidTimestampError,
    kafka_errors.UnsupportedForMessageFormatError,
)
RETRY_FIRST_S = 0.5
RETRY_CEILING_S = 30.0


def utcnow() -> datetime:
    """The one clock agents read, timezone-aware."""
    return datetime.now(UTC)


def is_permanent(exc: BaseException) -> bool:
    """True when a failed send must not be retried: the record, not the broker, is at fault.

    Everything Kafka reports about connections, leaders, timeouts, authorisation or
    a closed producer is worth waiting out; errors that are not Kafka's (a value that
    cannot be serialised) are permanent.
    """
    if isinstance(exc, _PERMANENT):
        return True
    return not isinstance(exc, kafka_errors.KafkaError | OSError | asyncio.TimeoutError)


class Stopping(Exception):
    """The worker is shutting down: abandon the message unacked (it is redelivered)."""


@dataclass
class AgentContext:
    """Shared by the agents of one app; built by `newsflow.app.create_app`."""

    app: faust.App
    settings: Settings
    topics: Topics
    health: Health
    rules: RulesState | None = None  # the pipeline app's routing rules (agents.rules)
    big_sends: asyncio.Lock = field(default_factory=asyncio.Lock)

    # ------------------------------------------------------------------ sends

    def topic(self, role: str) -> faust.TopicT:
        """The declared topic of an output role (``articles``, ``enriched``...)."""
        topic: faust.TopicT = getattr(self.topics, role)
        return topic

    async def resolve(self, role: str) -> faust.TopicT:
        """The topic of an output: a role, or ``topic:<name>`` (a route's topic, without
        the prefix). A route topic this process has not declared yet (a rule set another
        process switched to first) is created and declared here, waiting out a broker
        that is away; the topic exists before the first record is sent to it."""
        if not role.startswith("topic:"):
            return self.topic(role)
        name = role.split(":", 1)[1]
        known = self.topics.routes.get(name)
        if known is not None:
            return known
        from newsflow.kafka import ensure_topics
        from newsflow.streams import declare_one, route_spec

        spec = route_spec(name, name)
        attempt = 0
        while name not in self.topics.routes:
            self.check_running()
            try:
                await ensure_topics(self.settings, [spec])
            except (TimeoutError, kafka_errors.KafkaError, OSError) as exc:
                await self.pause(f"create topic {name}", attempt, repr(exc))
                attempt += 1
                continue
            self.health.release(f"create topic {name}")
            self.topics.routes[name] = declare_one(self.app, self.settings, spec)
        return self.topics.routes[name]

    def check_running(self) -> None:
        """Raise `Stopping` once the app has begun to shut down."""
        if self.app.should_stop:
            raise Stopping()

    async def pause(self, what: str, attempt: int, reason: str) -> None:
        """Sleep before retry ``attempt`` (capped exponential backoff), reporting the hold."""
        self.health.hold(what, reason)
        delay = min(RETRY_FIRST_S * 2**attempt, RETRY_CEILING_S)
        log.warning("%s: %s; retrying in %.1f s", what, reason, delay)
        await asyncio.sleep(delay)
        self.check_running()

    async def enqueue(
        self, topic: faust.TopicT, key: bytes | None, value: bytes
    ) -> asyncio.Future[Any]:
        """Hand one record to the producer; return the future of its delivery.

        Waits (holding the stage) while the broker is away; raises the broker's error
        when the record itself is refused (`is_permanent`).
        """
        attempt = 0
        while True:
            self.check_running()
            try:
                if len(value) > BIG_RECORD_BYTES:
                    return await self._send_alone(topic, key, value)
                fut = await topic.send(key=key, value=value)
                return asyncio.ensure_future(fut)
            except Exception as exc:
                if is_permanent(exc):
                    raise
                await self.pause(f"send to {topic.get_topic_name()}", attempt, repr(exc))
                attempt += 1

    async def _send_alone(
        self, topic: faust.TopicT, key: bytes | None, value: bytes
    ) -> asyncio.Future[Any]:
        """A big record, alone in flight: returns its delivery future once it is done."""
        async with self.big_sends:
            fut = asyncio.ensure_future(await topic.send(key=key, value=value))
            await asyncio.wait([fut])
            return fut

    async def confirm(
        self, topic: faust.TopicT, key: bytes | None, value: bytes, fut: asyncio.Future[Any]
    ) -> None:
        """Wait until the broker has the record; resend it while failures are transient."""
        attempt = 0
        while True:
            try:
                await fut
            except Exception as exc:
                if is_permanent(exc):
                    raise
                what = f"delivery to {topic.get_topic_name()}"
                await self.pause(what, attempt, repr(exc))
                attempt += 1
                fut = await self.enqueue(topic, key, value)
            else:
                self.health.release(f"send to {topic.get_topic_name()}")
                self.health.release(f"delivery to {topic.get_topic_name()}")
                return

    async def deliver(self, topic: faust.TopicT, key: bytes | None, value: bytes) -> None:
        """`enqueue` then `confirm`: one record, on the broker, or an exception."""
        await self.confirm(topic, key, value, await self.enqueue(topic, key, value))

    # ------------------------------------------------------------ dead letters

    def _spill(self, letter_id: str, value: bytes) -> str:
        """Write an original too large to travel inline; returns ``host:path``."""
        folder = self.settings.data_dir / "dead-letters"
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / f"{letter_id}.bin").resolve()
        if not path.exists() or path.stat().st_size != len(value):
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as handle:
                handle.write(value)
                handle.flush()
                os.fsync(handle.fileno())
            tmp.replace(path)
        return f"{socket.gethostname()}:{path}"

    async def dead_letter(
        self,
        stage: str,
        failure: Failure,
        message: Message,
        *,
        source: str | None = None,
        url: str | None = None,
    ) -> None:
        """Write the failed message to the dead-letter topic, and only return once it is there.

        An original too large to fit inline goes whole to a file first. When the
        letter can be neither written nor sent, this keeps retrying (the offset is
        not committed): losing the message is never the way out.
        """
        where = f"{message.topic}[{message.partition}]@{message.offset}"
        if failure.kind == "internal":
            log.error("stage %s: bug on %s: %s\n%s", stage, where, failure.message, failure.detail)
        else:
            log.warning("stage %s: %s: %s (%s)", stage, failure.kind, failure.message, where)
        what = f"dead letter for {stage} {where}"
        limit = self.settings.max_message_bytes
        attempt = 0
        while True:
            self.check_running()
            try:
                original_file = None
                if needs_file(message.value, limit):
                    letter_id = make_dead_letter(
                        stage=stage,
                        error=failure.error(),
                        value=b"",
                        key=None,
                        topic=message.topic,
                        partition=message.partition,
                        offset=message.offset,
                        now=utcnow(),
                    )["id"]
                    original_file = await asyncio.to_thread(
                        self._spill, letter_id, message.value or b""
                    )
                letter = make_dead_letter(
                    stage=stage,
                    error=failure.error(),
                    value=message.value,
                    key=message.key,
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    now=utcnow(),
                    source=source,
                    url=url,
                    max_message_bytes=limit,
                    original_file=original_file,
                )
                await self.deliver(self.topics.dlq, letter["id"].encode(), encode(letter))
            except (Stopping, asyncio.CancelledError):
                raise
            except Exception as exc:  # noqa: BLE001 - nothing may drop this message
                if limit > 0 and is_permanent(exc):
                    # The topic takes less than our limit says (created by someone
                    # else?): send only the head, the whole goes to a file.
                    log.warning(
                        "%s refused (%r); sending it with the original in a file", what, exc
                    )
                    limit = 0
                    continue
                # A letter that cannot be written (no disk for the file, the broker
                # refuses even the head): the partition stops here, loudly, and retries.
                log.critical(
                    "%s cannot be written (%r): the partition holds at this offset until it can",
                    what,
                    exc,
                )
                await self.pause(what, attempt, f"cannot write the dead letter: {exc!r}")
                attempt += 1
            else:
                self.health.release(what)
                return

    # --------------------------------------------------------------- counters

    @functools.cached_property
    def tally(self) -> Tally:
        """The outcome batcher of this worker process (built in the event loop)."""
        return Tally(self.topics.stats, self.enqueue, self.confirm, stopping=Stopping)

    async def count(
        self,
        stage: str,
        message: Message,
        source: str | None,
        outcome: str,
        error_kind: str | None = None,
        *,
        facts: Facts | None = None,
        enqueued: asyncio.Event | None = None,
    ) -> None:
        """Tell the counter tables about one outcome of one input message.

        ``enqueued`` is set once the outcome is queued, before its confirmation: the
        next message's outcome may then follow it in order.
        """
        try:
            await self.counts(
                [(stage, message, source, outcome, error_kind, facts)], enqueued=enqueued
            )
        finally:
            if enqueued is not None:
                enqueued.set()

    async def counts(
        self,
        items: Sequence[Item],
        *,
        enqueued: asyncio.Event | None = None,
    ) -> None:
        """Outcomes for (stage, message, source, outcome, error kind, facts) items, in order;
        returns once the broker has them (`agents.tally`). An outcome event the broker
        refuses for good is logged, never retried."""
        await self.tally.add(items, added=enqueued)
