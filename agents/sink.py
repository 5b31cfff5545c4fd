"""sink: persist enriched articles and dead letters, in batches, acking only what is written.

Events are read with manual acks and gathered into a batch that is written when it
is full or `NEWSFLOW_SINK_FLUSH_SECONDS` after its first event; only then are its
events counted and acked, so an offset is never committed for a row that is not in
the database. (Faust's ``take_events`` acks its batch even when the loop body
raised or was cancelled.)

Database faults, told apart by `newsflow.store`'s error contract:

* unavailable (PostgreSQL down, SQLite locked or read-only): the sink pauses its
  partitions and retries the same batch with capped backoff — opening the store and
  migrating included — until it is written; nothing is dead-lettered;
* a row the database refuses (``PipelineError("sink")``): the batch is written row by
  row and only the refused rows become dead letters;
* anything else (a missing table, a permission): a fault of the deployment, not of
  the rows. The sink stops writing, says so on ``/ready`` and in the log, and retries
  every 16-30 s, reopening the store, until an operator has fixed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import faust
from faust.types import TP, EventT

from newsflow.agents.context import AgentContext, Stopping, peek
from newsflow.agents.fetching import pause_fetching, resume_fetching
from newsflow.agents.outcome import Facts, Failure, article_facts, url_facts
from newsflow.core.errors import PipelineError
from newsflow.core.types import DeadLetterDict, EnrichedArticleDict
from newsflow.schemas.codec import decode
from newsflow.schemas.records import DeadLetter, EnrichedArticle
from newsflow.store import Store, StoreUnavailable, WriteResult

STAGE = "sink"
# What one input message's outcome is counted as: source, outcome, error kind, facts.
Counted = tuple[str | None, str, str | None, Facts | None]
log = logging.getLogger("newsflow.agents.sink")
T = TypeVar("T")
Row = tuple[EventT[Any], Any]


class StoreHandle:
    """Opens the store on first use, inside the worker's event loop, and closes it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: Store | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Store:
        async with self._lock:
            if self._store is None:
                self._store = await Store.open(self.url)
            return self._store

    async def close(self) -> None:
        async with self._lock:
            if self._store is not None:
                store, self._store = self._store, None
                await store.close()


class Writer:
    """Runs store calls until they succeed, pausing ``topic``'s partitions meanwhile."""

    def __init__(self, ctx: AgentContext, handle: StoreHandle, topic: str) -> None:
        self.ctx = ctx
        self.handle = handle
        self.topic = topic
        self.paused: set[TP] = set()
        self.what = f"sink ({topic})"

    async def _pause(self) -> None:
        # Every retry: partitions assigned by a rebalance meanwhile are paused too. Pausing
        # only lets the worker's other stages go on meanwhile: when it fails the batch is
        # still held and retried, so the failure is logged and the retry goes ahead.
        tps = {tp for tp in self.ctx.app.consumer.assignment() if tp.topic == self.topic}
        try:
            self.paused |= await pause_fetching(self.ctx.app, tps)
        except Exception as exc:  # noqa: BLE001 - see above
            self.ctx.check_running()
            log.warning(
                "%s: could not pause fetching (%r); holding the batch anyway", self.what, exc
            )

    async def _resume(self) -> None:
        # A partition left paused would never deliver again: retried until it works or
        # the worker stops, and said on /ready and in the log meanwhile.
        attempt = 0
        while self.paused:
            try:
                await resume_fetching(self.ctx.app, self.paused)
            except Exception as exc:  # noqa: BLE001 - retried, see above
                await self.ctx.pause(self.what, attempt, f"could not resume fetching: {exc!r}")
                attempt += 1
            else:
                self.paused.clear()

    async def run(self, fn: Callable[[Store], Awaitable[T]]) -> T:
        """``fn(store)``, retried while the database is away or misconfigured.

        ``PipelineError`` (the rows are at fault) is raised to the caller.
        """
        attempt = 0
        while True:
            self.ctx.check_running()
            try:
                result = await fn(await self.handle.get())
            except (PipelineError, Stopping, asyncio.CancelledError):
                raise
            except StoreUnavailable as exc:
                await self._pause()
                await self.ctx.pause(self.what, attempt, f"database unavailable: {exc}")
                attempt += 1
            except Exception as exc:  # noqa: BLE001 - systematic: hold, never dead-letter rows
                await self._pause()
                log.critical(
                    "%s: the database refuses every write (%r); the sink holds its partitions "
                    "until this is fixed, nothing is dead-lettered",
                    self.what,
                    exc,
                )
                with contextlib.suppress(Exception):
                    await self.handle.close()  # reopen (and migrate) on the next try
                await self.ctx.pause(self.what, max(attempt, 5), f"sink halted: {exc!r}")
                attempt += 1
            else:
                await self._resume()
                self.ctx.health.release(self.what)
                return result


class Batcher:
    """Events in, batches out: full, or ``within`` seconds after the first event."""

    def __init__(
        self, size: int, within: float, flush: Callable[[list[EventT[Any]]], Awaitable[None]]
    ) -> None:
        self.size = size
        self.within = within
        self.flush = flush
        self.events: list[EventT[Any]] = []
        self.first_at = 0.0
        self.lock = asyncio.Lock()

    async def add(self, event: EventT[Any]) -> None:
        async with self.lock:
            if not self.events:
                self.first_at = time.monotonic()
            self.events.append(event)
            if len(self.events) >= self.size:
                await self._flush()

    async def _flush(self) -> None:
        events, self.events = self.events, []
        await self.flush(events)

    async def tick(self) -> None:
        """Write a partial batch once it is old enough (runs beside the agent's loop)."""
        while True:
            await asyncio.sleep(self.within / 4)
            async with self.lock:
                if self.events and time.monotonic() - self.first_at >= self.within:
                    await self._flush()

    async def run(self, stream: faust.StreamT[bytes]) -> None:
        ticker = asyncio.create_task(self.tick())
        try:
            async for event in stream.events():
                await self.add(event)
                if ticker.done():  # the timer's flush failed: surface it here
                    ticker.result()
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await ticker


def _stored_copies(rows: Sequence[Row], result: WriteResult) -> set[int]:
    """Indexes of the rows whose record is the stored one: the last copy of each id the
    batch changed, and a copy identical to a record stored before (same ``enriched_at``).

    The second kind is the same message delivered again after a crash between the write
    and the ack: it counts ``ok`` like its first delivery, whose count may have been lost
    with the crash (the counters skip an input offset they have counted already). Another
    enrichment of an unchanged page has its own ``enriched_at`` and counts ``unchanged``.
    """
    last: dict[str, int] = {}
    for index, (_event, row) in enumerate(rows):
        last[row["id"]] = index
    stored = {index for article_id, index in last.items() if article_id in result.changed}
    for index, (_event, row) in enumerate(rows):
        kept = result.kept.get(row["id"])
        if kept is not None and kept == row.get("enriched_at"):
            stored.add(index)
    return stored


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the two sink agents (articles, dead letters) on ``app``."""
    handle = StoreHandle(ctx.settings.database)
    size, within = ctx.settings.sink_batch_size, ctx.settings.sink_flush_seconds
    articles = Writer(ctx, handle, ctx.topics.enriched.get_topic_name())
    letters = Writer(ctx, handle, ctx.topics.dlq.get_topic_name())

    async def close_store(*_args: Any, **_kwargs: Any) -> None:
        await handle.close()

    app.on_before_shutdown.connect(close_store, weak=False)

    async def dead_letter(event: EventT[Any], exc: BaseException) -> Counted:
        hint = peek(event.message.value, "source", "url")
        failure = Failure.of(exc)
        await ctx.dead_letter(STAGE, failure, event.message, source=hint["source"], url=hint["url"])
        return hint["source"], "dead", failure.kind, url_facts(hint["url"])

    async def write_articles(stream: faust.StreamT[bytes], events: list[EventT[Any]]) -> None:
        # Outcome per event: (source, outcome, error kind); counted in offset order at
        # the end, after every row of the batch is written or dead-lettered.
        outcomes: dict[int, Counted] = {}
        rows: list[Row] = []
        positions: list[int] = []
        for index, event in enumerate(events):
            try:
                rows.append((event, decode(EnrichedArticle, event.message.value, shared=True)))
                positions.append(index)
            except Exception as exc:  # noqa: BLE001 - an unreadable record: a dead letter
                outcomes[index] = await dead_letter(event, exc)
        if rows:

            async def batch(store: Store) -> WriteResult:
                items: list[EnrichedArticleDict] = [row for _, row in rows]
                return await store.write_articles(items)

            try:
                result = await articles.run(batch)
            except PipelineError:
                log.warning("sink: a batch of %d was refused; writing it row by row", len(rows))
                for index, (event, row) in zip(positions, rows, strict=True):

                    async def one(store: Store, row: EnrichedArticleDict = row) -> WriteResult:
                        return await store.write_articles([row])

                    try:
                        single = await articles.run(one)
                    except PipelineError as exc:
                        outcomes[index] = await dead_letter(event, exc)
                        continue
                    source = row["article"]["source"]
                    ok = _stored_copies([(event, row)], single)
                    facts = article_facts(row["article"])
                    outcomes[index] = (source, "ok" if ok else "unchanged", None, facts)
            else:
                stored = _stored_copies(rows, result)
                for n, (index, (_event, row)) in enumerate(zip(positions, rows, strict=True)):
                    source = row["article"]["source"]
                    facts = article_facts(row["article"])
                    outcomes[index] = (source, "ok" if n in stored else "unchanged", None, facts)
        await ctx.counts(
            [(STAGE, event.message, *outcomes[index]) for index, event in enumerate(events)]
        )
        for event in events:
            await stream.ack(event)

    async def write_letters(stream: faust.StreamT[bytes], events: list[EventT[Any]]) -> None:
        rows: list[Row] = []
        for event in events:
            try:
                rows.append((event, decode(DeadLetter, event.message.value)))
            except Exception:
                log.exception(
                    "sink: unreadable dead letter at %s[%s]@%s kept in the topic only",
                    event.message.topic,
                    event.message.partition,
                    event.message.offset,
                )
        if rows:

            async def batch(store: Store) -> int:
                items: list[DeadLetterDict] = [row for _, row in rows]
                return await store.write_dead_letters(items)

            try:
                await letters.run(batch)
            except PipelineError:
                # Dead letters are never dead-lettered again (that could loop): a letter
                # the database refuses is logged and stays in the dead-letter topic.
                for event, row in rows:

                    async def one(store: Store, row: DeadLetterDict = row) -> int:
                        return await store.write_dead_letters([row])

                    try:
                        await letters.run(one)
                    except PipelineError:
                        log.exception(
                            "sink: dead letter %s refused by the database; kept in %s@%s",
                            row["id"],
                            event.message.topic,
                            event.message.offset,
                        )
        for event in events:
            await stream.ack(event)

    def batch_agent(
        topic: faust.TopicT,
        name: str,
        write: Callable[[faust.StreamT[bytes], list[EventT[Any]]], Awaitable[None]],
    ) -> None:
        async def agent(stream: faust.StreamT[bytes]) -> None:
            manual = cast(faust.Stream[bytes], stream).noack()

            async def flush(events: list[EventT[Any]]) -> None:
                await write(manual, events)

            await Batcher(size, within, flush).run(manual)

        agent.__name__ = agent.__qualname__ = name
        app.agent(topic, name=name)(agent)

    batch_agent(ctx.topics.enriched, "sink", write_articles)
    batch_agent(ctx.topics.dlq, "sink_dead_letters", write_letters)
