"""newsflow.brokers without any broker: config, state files, guards and errors."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newsflow import brokers
from newsflow.brokers import BrokerError
from newsflow.brokers import kafka as kafka_assembly


def _props(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")
    return {key: value for key, value in pairs}


def test_kafka_config_is_single_node_kraft(tmp_path: Path) -> None:
    props = _props(
        brokers.kafka_server_properties(port=19092, controller_port=19193, data_dir=tmp_path)
    )
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19193"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19193"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == str(tmp_path)
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    ):
        assert props[key] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "true"
    assert props["num.partitions"] == "4"


def test_cluster_id_is_kafka_format() -> None:
    cluster_id = kafka_assembly._new_cluster_id()
    assert len(cluster_id) == 22
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
    assert cluster_id != kafka_assembly._new_cluster_id()


def test_cluster_ids_never_look_like_options() -> None:
    assert not any(kafka_assembly._new_cluster_id().startswith("-") for _ in range(2000))


def test_status_of_a_fresh_home(tmp_path: Path) -> None:
    current = brokers.status("kafka", home=tmp_path)
    assert not current.running and current.pid is None
    assert current.bootstrap == "127.0.0.1:9092"
    assert current.log_path == tmp_path / "kafka" / "server.log"
    assert current.data_dir == tmp_path / "kafka" / "data"


def test_stale_pid_file_is_removed(tmp_path: Path) -> None:
    state = tmp_path / "tansu"
    state.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (state / "broker.pid").write_text(dead.stdout)
    (state / "broker.json").write_text(json.dumps({"port": 12345, "token": "x"}))
    current = brokers.status("tansu", home=tmp_path)
    assert not current.running and current.pid is None
    assert current.bootstrap == "127.0.0.1:12345"
    assert not (state / "broker.pid").exists()


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="pid-reuse guard reads /proc")
def test_reused_pid_is_neither_reported_nor_killed(tmp_path: Path) -> None:
    """A pid file naming a live but unrelated process (here: pytest) is stale."""
    state = tmp_path / "kafka"
    state.mkdir()
    (state / "broker.pid").write_text(f"{os.getpid()}\n")
    (state / "broker.json").write_text(json.dumps({"port": 1, "token": "/no/such/config"}))
    assert not brokers.stop("kafka", home=tmp_path).running  # and we are still alive
    assert not (state / "broker.pid").exists()


def test_garbage_pid_file(tmp_path: Path) -> None:
    (tmp_path / "kafka").mkdir()
    (tmp_path / "kafka" / "broker.pid").write_text("not a pid")
    assert not brokers.status("kafka", home=tmp_path).running
    assert not (tmp_path / "kafka" / "broker.pid").exists()


def test_stop_is_idempotent(tmp_path: Path) -> None:
    assert not brokers.stop("tansu", home=tmp_path).running
    assert not brokers.stop("tansu", home=tmp_path).running


@pytest.mark.parametrize("kind", ["kafka", "tansu"])
def test_busy_port_is_refused_before_spawning(kind: brokers.BrokerKind, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BrokerError, match="busy"):
            brokers.start(kind, home=tmp_path, port=port, lib_dir=tmp_path / "no-lib")
    assert not brokers.status(kind, home=tmp_path).running
    assert not (tmp_path / "no-lib").exists()  # refused before fetching jars


def test_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="unknown broker kind"):
        brokers.status("redpanda", home=tmp_path)  # type: ignore[arg-type]


def test_wait_for_port_times_out() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(BrokerError, match="within"):
            brokers.wait_for_port("127.0.0.1", port, timeout=0.3)


def test_complete_lib_dir_skips_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in kafka_assembly.REQUIRED_JARS:
        (lib / name).write_bytes(b"")
    (lib / ".complete").write_text(brokers.KAFKA_VERSION)
    monkeypatch.setenv("PATH", str(tmp_path))  # no mvn anywhere
    assert brokers.ensure_kafka_jars(lib) == lib.resolve()


def test_missing_maven_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrokerError, match="mvn"):
        brokers.ensure_kafka_jars(tmp_path / "lib")


def test_failing_maven_shows_its_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "mvn"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Could not resolve dependencies' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(BrokerError, match=r"(?s)exit 1.*Could not resolve dependencies"):
        brokers.ensure_kafka_jars(tmp_path / "lib")
