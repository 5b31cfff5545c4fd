"""Start and stop a local broker of either kind, and the ``python -m newsflow.brokers``
command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import struct
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from newsflow.brokers.kafka import ensure_kafka_jars, kafka_argv
from newsflow.brokers.probe import free_port, log_tail, metadata_brokers, port_open
from newsflow.brokers.state import (
    DATA_DIR,
    HOST,
    LOG_FILE,
    META_FILE,
    PID_FILE,
    BrokerError,
    BrokerKind,
    BrokerStatus,
    live_pid,
    pid_alive,
    read_meta,
    state_dir,
    status,
)
from newsflow.brokers.tansu import tansu_argv


def _spawn_detached(argv: Sequence[str], *, log_path: Path) -> int:
    """Start ``argv`` in its own session with stdout+stderr appended to ``log_path``.

    posix_spawn (not subprocess.Popen) because no Popen object must outlive this
    call: the broker is meant to keep running, and a collected Popen of a live child
    raises ResourceWarning, which the test suite treats as an error.
    """
    file_actions: list[tuple[int | str, ...]] = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log_path), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    # A daemon must not keep the caller's pipes open (e.g. a CI runner's output
    # pipe), or whoever reads them waits for EOF until the broker exits.
    file_actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inheritable_fds()]
    return os.posix_spawn(argv[0], list(argv), os.environ, file_actions=file_actions, setsid=True)


def _inheritable_fds() -> list[int]:
    """Open descriptors above stderr that a spawned child would inherit."""
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    found = []
    for name in os.listdir(fd_dir):
        fd = int(name)
        if fd > 2:
            with contextlib.suppress(OSError):  # the listing's own, now closed, fd
                if os.get_inheritable(fd):
                    found.append(fd)
    return found


def start(
    kind: BrokerKind,
    *,
    home: Path,
    port: int = 9092,
    timeout: float = 90.0,
    controller_port: int | None = None,
    lib_dir: Path | None = None,
) -> BrokerStatus:
    """Start ``kind`` on 127.0.0.1:``port`` unless it already runs under ``home``.

    Returns once a Kafka Metadata request lists a broker, not merely when the port
    accepts connections.  An already running broker is returned as is (check its
    ``bootstrap``: it keeps the port it was started with).  Kafka's controller
    listens on ``controller_port`` (default ``port + 1``, or a free port if that
    one is taken).  On any failure the
    half-started process is killed and BrokerError carries the log tail.
    """
    state = state_dir(kind, home)
    state.mkdir(parents=True, exist_ok=True)
    current = status(kind, home=home)
    if current.running:
        return current

    ports = [port]
    if kind == "kafka":
        if controller_port is None:
            # Clients never see the controller port, so when port+1 is taken any free
            # port will do; only an explicitly requested one is worth failing for.
            controller_port = port + 1 if not port_open(HOST, port + 1) else free_port()
        ports.append(controller_port)
    for p in ports:
        if port_open(HOST, p):
            raise BrokerError(
                f"port {HOST}:{p} is busy (another broker or program listens there); "
                f"stop it or pick another port for {kind}"
            )

    data_dir = state / DATA_DIR
    data_dir.mkdir(exist_ok=True)
    if kind == "kafka":
        assert controller_port is not None
        argv = kafka_argv(state, port, controller_port, ensure_kafka_jars(lib_dir))
        token = str(state / "server.properties")
    else:
        argv = tansu_argv(port)
        token = f"tcp://{HOST}:{port}"

    log_path = state / LOG_FILE
    with log_path.open("a") as log:
        log.write(f"\n=== newsflow.brokers: starting {kind} on {HOST}:{port} ===\n")
    log_start = log_path.stat().st_size
    meta = {"kind": kind, "port": port, "controller_port": controller_port, "token": token}
    (state / META_FILE).write_text(json.dumps({**meta, "argv": argv}, indent=2) + "\n")
    pid = _spawn_detached(argv, log_path=log_path)
    (state / PID_FILE).write_text(f"{pid}\n")

    try:
        _wait_ready(pid, port, timeout)
    except BrokerError as exc:
        _terminate(pid, None, 5.0)  # our own child: no pid-reuse check needed
        (state / PID_FILE).unlink(missing_ok=True)
        raise BrokerError(f"{kind} {exc}\n{log_tail(log_path, log_start)}") from None
    return status(kind, home=home)


def _wait_ready(pid: int, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "port never opened"
    while time.monotonic() < deadline:
        if not pid_alive(pid, None):
            raise BrokerError(f"exited during startup (pid {pid})")
        if port_open(HOST, port):
            try:
                if metadata_brokers(HOST, port):
                    return
                last_error = "metadata listed no broker yet"
            except (OSError, struct.error, BrokerError) as exc:
                last_error = f"metadata probe failed: {exc!r}"
        time.sleep(0.2)
    raise BrokerError(f"did not answer in {timeout:g}s on {HOST}:{port} ({last_error})")


def _terminate(pid: int, token: str | None, timeout: float) -> None:
    """SIGTERM, wait up to ``timeout``, then SIGKILL; only if ``pid`` is still ours."""
    if not pid_alive(pid, token):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid, token):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while pid_alive(pid, token):
        if time.monotonic() >= deadline:
            raise BrokerError(f"pid {pid} survived SIGKILL")
        time.sleep(0.05)


def stop(kind: BrokerKind, *, home: Path, timeout: float = 30.0) -> BrokerStatus:
    """Stop ``kind`` under ``home`` (SIGTERM, then SIGKILL after ``timeout``).

    Stopping a broker that is not running is not an error, so teardown code can
    call this unconditionally.
    """
    state = state_dir(kind, home)
    pid = live_pid(state)
    if pid is not None:
        token = read_meta(state).get("token")
        _terminate(pid, token if isinstance(token, str) else None, timeout)
        (state / PID_FILE).unlink(missing_ok=True)
    return status(kind, home=home)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m newsflow.brokers {start,stop,status,jars} [kind]`` for shells and CI."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m newsflow.brokers", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status", "jars"])
    parser.add_argument("kind", nargs="?", default="kafka", choices=get_args(BrokerKind))
    parser.add_argument("--home", type=Path, default=Path("var/broker"))
    parser.add_argument("--port", type=int, default=9092)
    parser.add_argument("--timeout", type=float, default=None)
    args = parser.parse_args(argv)
    kind: BrokerKind = args.kind
    try:
        if args.action == "jars":
            print(ensure_kafka_jars())
            return 0
        if args.action == "start":
            result = start(kind, home=args.home, port=args.port, timeout=args.timeout or 90.0)
        elif args.action == "stop":
            result = stop(kind, home=args.home, timeout=args.timeout or 30.0)
        else:
            result = status(kind, home=args.home)
    except BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    state = "running" if result.running else "stopped"
    print(
        f"{result.kind} {state} pid={result.pid} bootstrap={result.bootstrap} log={result.log_path}"
    )
    return 0 if result.running or args.action == "stop" else 3
