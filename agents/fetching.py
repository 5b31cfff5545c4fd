"""Pause and resume fetching of partitions at the Kafka client, where no record is lost.

Faust's own ``Consumer.pause_partitions`` removes partitions from the live set that
``Consumer.getmany`` checks while it hands out a fetched batch: the batch's remaining
records of a partition paused meanwhile are skipped, although the client's position
has moved past them. When the partition is resumed, the next record shows a gap,
Faust records the gap as acknowledged, and the skipped records' offsets get committed
without ever having been processed (seen in the fault test that renames the articles
table: 2 of 300 pages never stored). Pausing in aiokafka instead stops the fetches and
discards only records not yet handed to Faust, without advancing the position, so
they are fetched again after the resume; records Faust already holds are delivered.

aiokafka's consumer lives on Faust's consumer thread, with futures bound to that
thread's loop, so the calls run there (``call_thread``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import faust
from aiokafka.structs import TopicPartition
from faust.types import TP


async def _on_client(app: faust.App, method: str, tps: Iterable[TP]) -> set[TP]:
    wanted = {TopicPartition(tp.topic, tp.partition) for tp in tps}
    thread: Any = getattr(app.consumer, "_thread", None)
    if thread is None:  # a Faust driver without a client thread: nothing to pause
        return set()

    async def call() -> set[TP]:
        client = thread._ensure_consumer()
        mine = wanted & set(client.assignment())  # the client refuses unassigned ones
        if mine:
            getattr(client, method)(*mine)
        return {TP(tp.topic, tp.partition) for tp in mine}

    done: set[TP] = await thread.call_thread(call)
    return done


async def pause_fetching(app: faust.App, tps: Iterable[TP]) -> set[TP]:
    """Stop fetching ``tps`` (those still assigned); return the ones paused."""
    return await _on_client(app, "pause", tps)


async def resume_fetching(app: faust.App, tps: Iterable[TP]) -> set[TP]:
    """Fetch ``tps`` again from where their records stopped being handed out."""
    return await _on_client(app, "resume", tps)
