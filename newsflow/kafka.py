"""Plain aiokafka clients for the CLI (publish, tail) and the tests.

The worker talks to Kafka through Faust; the command-line tools only publish or
read, so a bare aiokafka producer or consumer is lighter and starts in
milliseconds instead of joining a Faust app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from newsflow.settings import Settings
from newsflow.streams import DAY_MS, TopicSpec, all_specs, topic_name

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
                num_partitions=settings.partitions,
                replication_factor=settings.replication,
                topic_configs={
                    "max.message.bytes": str(settings.max_message_bytes),
                    "retention.ms": str(spec.retention_days * DAY_MS),
                },
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
