"""The operator commands the README documents really work against a real broker.

dev/kafka/bin/ runs Kafka's own tool classes (ConsumerGroupCommand, TopicCommand,
ConsoleConsumer) from the jars newsflow assembles from Maven Central. Before
kafka-tools was in dev/kafka/pom.xml they died with ClassNotFoundException; here a
group with known committed offsets must come out of ``--describe`` with the right
offsets and lag, the topic must be listed, and its records printed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        os.environ.get("NEWSFLOW_TEST_BROKER_KIND") == "tansu",
        reason="Tansu answers OffsetFetch malformed (dev/kafka/README.md); the tools need Kafka",
    ),
]

BIN = Path(__file__).resolve().parents[2] / "dev" / "kafka" / "bin"

#: Records produced per partition, and the offset the group commits on each.
PRODUCED = {0: 5, 1: 3}
COMMITTED = {0: 2, 1: 3}


@dataclass(frozen=True)
class Group:
    bootstrap: str
    topic: str
    group: str


def _bootstrap(url: str) -> str:
    """``kafka://host:port`` (the fixture's form) as the tools' ``host:port``."""
    parts = urlsplit(url if "://" in url else f"kafka://{url}")
    return parts.netloc


async def _make_group(bootstrap: str, topic: str, group: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for partition, count in PRODUCED.items():
            for i in range(count):
                await producer.send_and_wait(
                    topic, f"p{partition}-{i}".encode(), partition=partition
                )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in PRODUCED]
        consumer.assign(tps)
        await consumer.commit({tp: COMMITTED[tp.partition] for tp in tps})
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
def group(broker_url: str) -> Group:
    run = uuid.uuid4().hex[:10]
    made = Group(_bootstrap(broker_url), f"tools-{run}", f"tools-test-{run}")
    asyncio.run(_make_group(made.bootstrap, made.topic, made.group))
    return made


def _run(tool: str, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / tool), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"{tool} exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert "ClassNotFoundException" not in done.stderr
    assert "Class path contains multiple SLF4J bindings" not in done.stderr
    return done.stdout


def _table(text: str) -> list[dict[str, str]]:
    """Rows of the whitespace-aligned table ``--describe`` prints, keyed by its header."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    header = next(cols for cols in lines if "LAG" in cols and "PARTITION" in cols)
    return [dict(zip(header, cols, strict=False)) for cols in lines if cols != header]


def test_consumer_groups_describe_shows_offsets_and_lag(group: Group) -> None:
    out = _run(
        "kafka-consumer-groups.sh",
        "--bootstrap-server",
        group.bootstrap,
        "--describe",
        "--group",
        group.group,
    )
    rows = {int(r["PARTITION"]): r for r in _table(out) if r.get("TOPIC") == group.topic}
    assert set(rows) == set(PRODUCED), out
    for partition, row in rows.items():
        assert row["GROUP"] == group.group
        assert int(row["CURRENT-OFFSET"]) == COMMITTED[partition], out
        assert int(row["LOG-END-OFFSET"]) == PRODUCED[partition], out
        assert int(row["LAG"]) == PRODUCED[partition] - COMMITTED[partition], out


def test_consumer_groups_list_shows_the_group(group: Group) -> None:
    out = _run("kafka-consumer-groups.sh", "--bootstrap-server", group.bootstrap, "--list")
    assert group.group in out.split()


def test_topics_list_shows_the_topic(group: Group) -> None:
    out = _run("kafka-topics.sh", "--bootstrap-server", group.bootstrap, "--list")
    assert group.topic in out.split()


def test_console_consumer_prints_the_records(group: Group) -> None:
    total = sum(PRODUCED.values())
    out = _run(
        "kafka-console-consumer.sh",
        "--bootstrap-server",
        group.bootstrap,
        "--topic",
        group.topic,
        "--from-beginning",
        "--max-messages",
        str(total),
        "--timeout-ms",
        "60000",
    )
    expected = {f"p{p}-{i}" for p, count in PRODUCED.items() for i in range(count)}
    assert set(out.split()) == expected
