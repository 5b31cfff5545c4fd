"""The one stage runner: a stage is a declaration, this module is the loop that runs it.

For every message of the stage's input topic, in order:

1. run the stage's pure function on the raw bytes (it decodes, validates, does the
   work and encodes its outputs) — in the stage's child process when the stage has
   a time limit (`newsflow.isolation`), else inline;
2. hand its outputs to the producer, in order;
3. once the broker has confirmed every output — or, on any failure (the function's,
   a time limit, a crash, a record the broker refuses), once the dead letter is
   confirmed — count the outcome and ack the message.

Acks are manual (``stream.noack()``): Faust's automatic ack would mark a message
done when its handler raised or was cancelled, and the offset would be committed
with nothing written anywhere. A message that is not acked is processed again
after a restart or rebalance. Up to `MAX_IN_FLIGHT` messages wait for their
confirmations at once, so the broker's round trip does not pace the stage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import faust
from faust.types import EventT, Message

from newsflow.agents.context import AgentContext, Stopping, peek
from newsflow.agents.outcome import Failure, Outcome, Output, url_facts
from newsflow.core.errors import PipelineError
from newsflow.isolation import PoolBroken, StagePool

log = logging.getLogger("newsflow.agents.runner")

MAX_IN_FLIGHT = 64
# Messages handed to a stage's process ahead of the one whose outputs are being sent.
AHEAD = 2


@dataclass(frozen=True)
class Stage:
    """A pipeline stage as data: what it reads, what it runs, how long it may take.

    ``handle(value, *args())`` must be a module-level function (it is pickled by
    name into the child process) that returns an `Outcome` and never raises.
    ``time_limit`` None runs it on the event loop: only for cheap, bounded work.
    ``warm(*warm_args)`` runs once in each new child before its first message.
    """

    name: str
    input: str
    handle: Callable[..., Outcome]
    args: Callable[[], tuple[Any, ...]] = tuple
    time_limit: float | None = None
    warm: Callable[..., object] | None = None
    warm_args: tuple[Any, ...] = ()
    # awaited before ``args()`` is read for a message (enrich: the rule set is loaded)
    wait: Callable[[], Awaitable[object]] | None = None


Sent = tuple[faust.TopicT, Output, "asyncio.Future[Any]"]


def register_stage(app: faust.App, ctx: AgentContext, stage: Stage) -> None:
    """Declare ``stage`` on ``app``: its agent, its child process and its warm-up."""
    pool: StagePool | None = None
    if stage.time_limit is not None:
        pool = StagePool(
            stage.name,
            time_limit=stage.time_limit,
            memory_mb=ctx.settings.stage_memory_mb,
            log_level=ctx.settings.log_level,
            warm=stage.warm,
            warm_args=stage.warm_args,
        )
        ctx.health.expect(stage.name)

        async def warm_up() -> None:
            """Start the child and let it load what it needs before the first message."""
            assert pool is not None
            await _until_started(ctx, stage, pool)
            ctx.health.warmed(stage.name)

        async def close_pool(*_args: Any, **_kwargs: Any) -> None:
            assert pool is not None
            await asyncio.to_thread(pool.close)

        warm_up.__name__ = warm_up.__qualname__ = f"warm_{stage.name}"
        app.task(warm_up)
        app.on_before_shutdown.connect(close_pool, weak=False)

    async def agent(stream: faust.StreamT[bytes]) -> None:
        await _Runner(ctx, stage, pool).run(stream)

    agent.__name__ = agent.__qualname__ = stage.name
    app.agent(ctx.topic(stage.input), name=stage.name)(agent)


async def _until_started(ctx: AgentContext, stage: Stage, pool: StagePool) -> None:
    """Start ``pool``'s child, retrying (and reporting the hold) while its warm-up fails."""
    attempt = 0
    what = f"{stage.name} process"
    while True:
        try:
            await pool.warm()
        except PoolBroken as exc:
            log.critical("%s; retrying", exc)
            await ctx.pause(what, attempt, str(exc))
            attempt += 1
            pool.reset()
        else:
            ctx.health.release(what)
            return


class _Runner:
    """One agent instance of a stage: the loop of the module docstring."""

    def __init__(self, ctx: AgentContext, stage: Stage, pool: StagePool | None) -> None:
        self.ctx = ctx
        self.stage = stage
        self.pool = pool
        self.tasks: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def run(self, stream: faust.StreamT[bytes]) -> None:
        manual = cast(faust.Stream[bytes], stream).noack()
        # Up to AHEAD messages are handed to the stage process before the one being
        # sent is done, so the child never waits for the event loop's round trip (the
        # hand-over through pebble's threads measured longer than parsing a page).
        # Outcomes are still sent, counted and acked in offset order.
        queue: asyncio.Queue[tuple[EventT[Any], asyncio.Future[Outcome]]] = asyncio.Queue(
            maxsize=AHEAD
        )
        sender = asyncio.create_task(self._send_in_order(manual, queue))
        try:
            async for event in manual.events():
                if sender.done():
                    sender.result()  # the sender stopped: raise its reason here
                    return
                await queue.put((event, asyncio.ensure_future(self.compute(event.message))))
        finally:
            sender.cancel()
            while not queue.empty():
                queue.get_nowait()[1].cancel()
            with contextlib.suppress(asyncio.CancelledError, Stopping):
                await sender
            await self._drain()

    async def _send_in_order(
        self,
        manual: faust.StreamT[bytes],
        queue: asyncio.Queue[tuple[EventT[Any], asyncio.Future[Outcome]]],
    ) -> None:
        counted: asyncio.Event | None = None
        while True:
            event, computing = await queue.get()
            try:
                outcome = await computing
            except BaseException:
                computing.cancel()
                raise
            sent, failure = await self.send(outcome)
            await self.slots.acquire()
            mine = asyncio.Event()
            task = asyncio.create_task(
                self.settle(manual, event, outcome, sent, failure, counted, mine)
            )
            counted = mine
            self.tasks.add(task)
            task.add_done_callback(self._settled)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.slots.release()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and not isinstance(exc, Stopping):
            log.critical(
                "stage %s: a message could not be settled and stays unacked: %r",
                self.stage.name,
                exc,
                exc_info=exc,
            )

    async def _drain(self) -> None:
        """On the way out, let confirmations that are nearly there finish (fewer replays)."""
        if not self.tasks:
            return
        _done, pending = await asyncio.wait(set(self.tasks), timeout=5.0)
        for task in pending:
            task.cancel()

    async def compute(self, message: Message) -> Outcome:
        """The stage function's outcome for ``message``; never raises but to stop."""
        stage = self.stage
        if stage.wait is not None:
            await stage.wait()
        if self.pool is None:
            return stage.handle(message.value, *stage.args())
        attempt = 0
        while True:
            try:
                result: Outcome = await self.pool.run(stage.handle, message.value, *stage.args())
                self.ctx.health.release(f"{stage.name} process")
                return result
            except PipelineError as exc:  # the time limit, or the child died
                hint = peek(message.value, "source", "url")
                return Outcome(
                    failure=Failure(exc.kind, exc.message), source=hint["source"], url=hint["url"]
                )
            except PoolBroken as exc:  # not this message's fault: hold, do not dead-letter
                log.critical("%s; holding %s until it starts", exc, stage.name)
                await self.ctx.pause(f"{stage.name} process", attempt, str(exc))
                attempt += 1
                self.pool.reset()
            except (asyncio.CancelledError, Stopping):
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. a result that did not pickle
                hint = peek(message.value, "source", "url")
                return Outcome.failed(exc, source=hint["source"], url=hint["url"])

    async def send(self, outcome: Outcome) -> tuple[list[Sent], Failure | None]:
        """Hand the outputs to the producer in order; the first refused one stops the rest."""
        sent: list[Sent] = []
        if outcome.failure is not None:
            return sent, None
        for output in outcome.outputs:
            try:
                topic = await self.ctx.resolve(output.topic)
                fut = await self.ctx.enqueue(topic, output.key, output.value)
            except (asyncio.CancelledError, Stopping):
                raise
            except Exception as exc:  # noqa: BLE001 - refused for good: a dead letter
                return sent, Failure("send", f"{output.topic} refused the record: {exc!r}")
            sent.append((topic, output, fut))
        return sent, None

    async def settle(
        self,
        stream: faust.StreamT[bytes],
        event: EventT[Any],
        outcome: Outcome,
        sent: list[Sent],
        failure: Failure | None,
        before: asyncio.Event | None,
        counted: asyncio.Event,
    ) -> None:
        """Confirm the outputs (or write the dead letter), count, ack."""
        ctx, message = self.ctx, event.message
        try:
            failure = outcome.failure or failure
            for topic, output, fut in sent:
                try:
                    await ctx.confirm(topic, output.key, output.value, fut)
                except (asyncio.CancelledError, Stopping):
                    raise
                except Exception as exc:  # noqa: BLE001 - refused for good: a dead letter
                    name = topic.get_topic_name()
                    failure = failure or Failure("send", f"{name} refused the record: {exc!r}")
            if failure is not None:
                await ctx.dead_letter(
                    self.stage.name, failure, message, source=outcome.source, url=outcome.url
                )
            # Counter events of one input partition go out in offset order (the stats
            # agent drops an offset it has already counted).
            if before is not None:
                await before.wait()
            await ctx.count(
                self.stage.name,
                message,
                outcome.source,
                "dead" if failure else "ok",
                failure.kind if failure else None,
                facts=outcome.facts or url_facts(outcome.url),
                enqueued=counted,
            )
        finally:
            counted.set()
        await stream.ack(event)
