"""Plain aiokafka clients for the CLI (publish, tail), the worker's lag view and the tests.

The worker talks to Kafka through Faust; the command-line tools only publish or
read, so a bare aiokafka producer or consumer is lighter and starts in
milliseconds instead of joining a Faust app.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from newsflow.settings import Settings
from newsflow.streams import (
    ARTICLES,
    DLQ,
    ENRICHED,
    RAW,
    STATS,
    TopicSpec,
    all_specs,
    topic_name,
)

log = logging.getLogger("newsflow.kafka")

# Kafka refuses a request larger than its socket.request.max.bytes (100 MiB by
# default) by closing the connection, and aiokafka puts every ready batch for one
# broker into one request, whatever its size: two records of 60 MB would be
# retried together forever. Records above this size are sent one at a time, each
# confirmed before the next (by the agents and by `newsflow publish`).
BIG_RECORD_BYTES = 32 * 1024 * 1024


@contextlib.asynccontextmanager
async def producer(settings: Settings) -> AsyncIterator[AIOKafkaProducer]:
    """A started producer sized for whole pages; stopped (and flushed) on exit."""
    client = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        max_request_size=settings.max_message_bytes,
        acks="all",
        linger_ms=settings.producer_linger_ms,
        compression_type=None if settings.compression == "none" else settings.compression,
        request_timeout_ms=60_000,
    )
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


@contextlib.asynccontextmanager
async def consumer(
    settings: Settings,
    topics: Iterable[str],
    *,
    from_beginning: bool = True,
    group_id: str | None = None,
) -> AsyncIterator[AIOKafkaConsumer]:
    """A started consumer; without a group it commits nothing and disturbs no one."""
    client = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=group_id,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=group_id is not None,
        fetch_max_bytes=settings.max_message_bytes,
        max_partition_fetch_bytes=settings.max_message_bytes,
    )
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


async def ensure_topics(settings: Settings, specs: Iterable[TopicSpec]) -> list[str]:
    """Create missing topics with newsflow's partitions and limits; return the created ones.

    Publishing before any worker ran would otherwise auto-create ``news.raw``
    with the broker's default partition count.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    created: list[str] = []
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=topic_name(spec, settings.topic_prefix),
                num_partitions=spec.partitions or settings.partitions,
                replication_factor=settings.replication,
                topic_configs=spec.configs(settings.max_message_bytes),
            )
            for spec in specs
            if topic_name(spec, settings.topic_prefix) not in existing
        ]
        for topic in wanted:
            try:
                await admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass
        if created:
            await _wait_for_metadata(admin, created)
    finally:
        await admin.close()
    return created


async def prepare_topics(settings: Settings, *, report_every: float = 10.0) -> list[str]:
    """Create every topic newsflow owns, waiting for the broker as long as it takes.

    A worker calls this before it joins its group: consumers then find their
    topics at once (a consumer that subscribes to a missing topic ignores it until
    its next metadata refresh), and route topics exist before anyone subscribes.
    """
    started = last_report = time.monotonic()
    while True:
        try:
            created = await ensure_topics(settings, all_specs())
        except (TimeoutError, KafkaError, OSError) as exc:
            now = time.monotonic()
            if now - last_report >= report_every or last_report == started:
                log.warning(
                    "waiting for Kafka at %s to create the topics (%.0f s so far): %r",
                    settings.bootstrap_servers,
                    now - started,
                    exc,
                )
                last_report = now
            await asyncio.sleep(1.0)
            continue
        if created:
            log.info("created %d topic(s): %s", len(created), ", ".join(created))
        return created


async def _wait_for_metadata(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    for _ in range(50):
        if set(names) <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.1)


@dataclass(frozen=True)
class PartitionLag:
    """How far a consumer group is behind on one partition."""

    topic: str
    partition: int
    committed: int | None  # None: the group has committed nothing here yet
    end: int
    lag: int


def lag_rows(
    committed: Mapping[tuple[str, int], int | None],
    begins: Mapping[tuple[str, int], int],
    ends: Mapping[tuple[str, int], int],
) -> list[PartitionLag]:
    """Lag per partition: end offset minus the committed one; a partition the group has
    not committed on yet counts from the first offset still in the log (what the worker,
    reading from the earliest, will process), not from 0 (records retention deleted)."""
    rows = []
    for tp in sorted(ends):
        done = committed.get(tp)
        start = done if done is not None else begins.get(tp, 0)
        rows.append(PartitionLag(tp[0], tp[1], done, ends[tp], max(0, ends[tp] - start)))
    return rows


# Topics each group reads: its lag is on these.
PIPELINE_INPUTS = (RAW, ARTICLES, ENRICHED, DLQ)
STATS_INPUTS = (STATS, DLQ)


async def group_lag(
    settings: Settings, group: str, specs: Iterable[TopicSpec]
) -> list[PartitionLag]:
    """The lag of ``group`` on the topics of ``specs``, from its committed offsets and the
    log's end offsets: what `kafka-consumer-groups.sh --describe` shows, without the
    Kafka shell tools."""
    names = [topic_name(spec, settings.topic_prefix) for spec in specs]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    committed: dict[tuple[str, int], int | None] = {
        (tp.topic, tp.partition): meta.offset if meta.offset >= 0 else None
        for tp, meta in offsets.items()
        if tp.topic in names
    }
    tps = [
        TopicPartition(topic["topic"], part["partition"])
        for topic in described
        if not topic.get("error_code") and topic["topic"] in names
        for part in topic["partitions"]
    ]
    async with consumer(settings, ()) as client:
        begins = await client.beginning_offsets(tps)
        ends = await client.end_offsets(tps)
    return lag_rows(
        committed,
        {(tp.topic, tp.partition): o for tp, o in begins.items()},
        {(tp.topic, tp.partition): o for tp, o in ends.items()},
    )


async def worker_lag(
    settings: Settings, groups: Mapping[str, Iterable[TopicSpec]]
) -> dict[str, Any]:
    """Lag per partition and totals of each group on the topics it reads."""
    out: dict[str, Any] = {}
    for group, specs in groups.items():
        rows = await group_lag(settings, group, specs)
        out[group] = {
            "total": sum(r.lag for r in rows),
            "by_topic": {
                name: sum(r.lag for r in rows if r.topic == name)
                for name in dict.fromkeys(r.topic for r in rows)
            },
            "partitions": [dataclasses.asdict(r) for r in rows],
        }
    return out
