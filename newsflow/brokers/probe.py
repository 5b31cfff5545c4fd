"""Probes that need no Kafka client: open ports, a Kafka Metadata request spoken over
a socket, and the tail of a broker's log for error messages.
"""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

from newsflow.brokers.state import HOST, BrokerError

_LOG_TAIL_LINES = 40


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port nothing listens on right now (controller ports, demo and test workers)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Block until a TCP connect to ``host:port`` succeeds, or raise BrokerError."""
    deadline = time.monotonic() + timeout
    while not port_open(host, port):
        if time.monotonic() >= deadline:
            raise BrokerError(f"nothing answered on {host}:{port} within {timeout:g}s")
        time.sleep(0.1)


def metadata_brokers(host: str, port: int, timeout: float = 5.0) -> list[tuple[int, str, int]]:
    """Send a Kafka Metadata v1 request for no topics and return the brokers listed.

    A listening socket is not a ready broker: Kafka accepts connections before its
    metadata log has caught up and then answers with an empty broker list.  A list
    that contains a broker means clients can bootstrap and find a coordinator.
    """
    client_id = b"newsflow-probe"
    correlation_id = 1
    # header: api_key=3 (Metadata), api_version=1, correlation_id, client_id
    # body: topics = empty array (0), i.e. "no topics" -- never auto-creates anything.
    payload = struct.pack(">hhih", 3, 1, correlation_id, len(client_id)) + client_id
    payload += struct.pack(">i", 0)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(struct.pack(">i", len(payload)) + payload)
        size = struct.unpack(">i", _recv_exact(sock, 4))[0]
        body = _recv_exact(sock, size)
    got_id, count = struct.unpack_from(">ii", body, 0)
    if got_id != correlation_id:
        raise BrokerError(f"metadata probe: correlation id {got_id} != {correlation_id}")
    offset = 8
    brokers: list[tuple[int, str, int]] = []
    for _ in range(count):
        node_id, host_len = struct.unpack_from(">ih", body, offset)
        offset += 6
        node_host = body[offset : offset + host_len].decode()
        offset += host_len
        (node_port, rack_len) = struct.unpack_from(">ih", body, offset)
        offset += 6 + max(rack_len, 0)
        brokers.append((node_id, node_host, node_port))
    return brokers


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("broker closed the connection mid-response")
        chunks += chunk
    return bytes(chunks)


def tail_text(text: str, lines: int = _LOG_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def log_tail(log_path: Path, since: int = 0) -> str:
    try:
        with log_path.open("rb") as handle:
            handle.seek(since)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return f"--- last lines of {log_path} ---\n{tail_text(text)}"
