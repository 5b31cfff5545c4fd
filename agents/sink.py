"""sink: persist enriched articles and dead letters, in batches.

Batches come from `Stream.take_events`, which acks a batch only after the loop
body has finished with it, so offsets are never committed for rows not yet
written. A database that is away is retried with capped exponential backoff
(the partition simply waits); a row the database refuses is dead-lettered
alone after the batch is retried row by row.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import faust
from faust.types import EventT

from agents.context import AgentContext, peek
from newsflow.core.storage import Store, StoreUnavailable
from newsflow.core.types import DeadLetterDict, EnrichedArticleDict
from schemas.codec import decode
from schemas.records import DeadLetter, EnrichedArticle

STAGE = "sink"
log = logging.getLogger("newsflow.agents.sink")
T = TypeVar("T")


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
                await self._store.close()
                self._store = None


async def with_backoff(what: str, fn: Callable[[], Awaitable[T]], ceiling: float = 30.0) -> T:
    """Retry ``fn`` while the store is unavailable: waiting beats losing rows."""
    delay = 0.5
    while True:
        try:
            return await fn()
        except StoreUnavailable as exc:
            log.warning("%s: store unavailable (%s); retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, ceiling)


async def _write_rows(
    ctx: AgentContext,
    handle: StoreHandle,
    write: Callable[[Store, Sequence[Any]], Awaitable[Any]],
    rows: list[tuple[EventT[Any], Any]],
    *,
    dead_letter_refused: bool = True,
) -> list[tuple[EventT[Any], Any]]:
    """Write a batch; on a refused batch, retry row by row and dead-letter the refusers.

    Dead letters themselves are never dead-lettered again (that could loop):
    a refused one is logged and stays in the dead-letter topic.
    """
    if not rows:
        return []
    store = await handle.get()
    try:
        await with_backoff("sink", lambda: write(store, [r for _, r in rows]))
        return rows
    except Exception:
        log.exception("sink: batch of %d refused; retrying row by row", len(rows))
    written = []
    for event, row in rows:
        try:
            await with_backoff("sink", functools.partial(write, store, [row]))
            written.append((event, row))
        except Exception as exc:
            if not dead_letter_refused:
                log.exception("sink: row refused at %s", event.message.offset)
                continue
            hint = peek(event.message.value, "source", "url")
            await ctx.dead_letter(STAGE, exc, event.message, source=hint["source"], url=hint["url"])
    return written


def _batches(
    stream: faust.StreamT[bytes], size: int, within: float
) -> AsyncIterator[Sequence[EventT[Any]]]:
    """`take_events` exists on faust.Stream but not on the StreamT interface agents get."""
    return cast(faust.Stream[bytes], stream).take_events(size, within=within)


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the two sink agents (articles, dead letters) on ``app``."""
    handle = StoreHandle(ctx.settings.database)
    batch, within = ctx.settings.sink_batch_size, ctx.settings.sink_flush_seconds

    async def write_articles(store: Store, rows: Sequence[EnrichedArticleDict]) -> Any:
        return await store.write_articles(rows)

    async def write_dead_letters(store: Store, rows: Sequence[DeadLetterDict]) -> Any:
        return await store.write_dead_letters(rows)

    @app.agent(ctx.topics.enriched, name="sink")
    async def sink(stream: faust.StreamT[bytes]) -> None:
        try:
            async for events in _batches(stream, batch, within):
                rows: list[tuple[EventT[Any], Any]] = []
                for event in events:
                    try:
                        rows.append((event, decode(EnrichedArticle, event.message.value)))
                    except Exception as exc:  # noqa: BLE001 - becomes a dead letter
                        hint = peek(event.message.value, "source", "url")
                        await ctx.dead_letter(
                            STAGE, exc, event.message, source=hint["source"], url=hint["url"]
                        )
                for _event, row in await _write_rows(ctx, handle, write_articles, rows):
                    await ctx.count(STAGE, row["article"]["source"], "ok")
        finally:
            await handle.close()

    @app.agent(ctx.topics.dlq, name="sink_dead_letters")
    async def sink_dead_letters(stream: faust.StreamT[bytes]) -> None:
        async for events in _batches(stream, batch, within):
            rows: list[tuple[EventT[Any], Any]] = []
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
            await _write_rows(ctx, handle, write_dead_letters, rows, dead_letter_refused=False)
