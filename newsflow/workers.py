"""Running and supervising worker processes (the CLI, the demo and the tests).

``newsflow worker`` first makes sure every topic it reads or writes exists, with
newsflow's partitions and limits (waiting for the broker if it is not up yet), so a
crawler may publish with any client before or after the worker starts. It then
supervises its processes (`newsflow.supervisor`): `Settings.processes` pipeline
processes in one consumer group and the stats process, all in one process group,
so stopping the group stops the worker whole. The first pipeline process serves
the worker's web port; the others and the stats app listen on loopback ports of
their own, relayed by the first one's ``/ready`` and ``/counters/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

from newsflow.settings import Settings

WorkerRole = Literal["all", "pipeline", "stats"]
log = logging.getLogger("newsflow.workers")


def child_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **settings.to_env()}


def free_port() -> int:
    """A TCP port nobody listens on right now, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(settings: Settings) -> None:
    """Create or check the topics, waiting for the broker, with early logging."""
    from newsflow.kafka import prepare_topics
    from newsflow.logs import rate_limit_handlers

    # Faust sets up logging only once its worker starts; until then, a broker that is
    # not up yet would make aiokafka print a line a second without a handler of ours.
    early = logging.StreamHandler()
    early.setFormatter(logging.Formatter("[%(asctime)s] [%(levelname)s] %(name)s: %(message)s"))
    logging.getLogger().addHandler(early)
    rate_limit_handlers(window=60.0)
    try:
        asyncio.run(prepare_topics(settings))
    finally:
        logging.getLogger().removeHandler(early)


def run_worker(
    settings: Settings,
    role: WorkerRole,
    *,
    stats_url: str | None = None,
    peers: tuple[str, ...] = (),
) -> None:
    """Run ``role``: ``all`` supervises `Settings.processes` pipeline processes and
    the stats process (`newsflow.supervisor`); ``pipeline`` or ``stats`` runs that
    app in this process. ``stats_url`` and ``peers`` are the supervisor's wiring for
    the first pipeline process: where the counters and the other processes' ``/ready``
    answer."""
    _prepare(settings)
    if role == "all":
        from newsflow.supervisor import Supervisor

        raise SystemExit(Supervisor(settings).run())
    run_app(settings, role, stats_url=stats_url, peers=peers)


def run_app(
    settings: Settings,
    role: Literal["pipeline", "stats"],
    *,
    stats_url: str | None = None,
    peers: tuple[str, ...] = (),
) -> None:
    """One Faust app in this process, until SIGTERM."""
    from faust.worker import Worker

    from newsflow.app import create_app
    from newsflow.logs import rate_limit_handlers

    class NewsflowWorker(Worker):
        """Faust's worker with newsflow's log rate limit on every handler."""

        def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
            super().on_setup_root_logger(logger, level)
            rate_limit_handlers(logger)

    app = create_app(settings, role, stats_url=stats_url, peers=peers)
    NewsflowWorker(app, loglevel=settings.log_level, quiet=True).execute_from_commandline()


def start_worker(
    settings: Settings, log_path: Path, *extra: str, **popen: Any
) -> subprocess.Popen[bytes]:
    """A real `newsflow worker` (both roles) in a new process group, logging to a file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "newsflow.cli", "worker", *extra],
            env=child_env(settings),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen,
        )


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGTERM (Faust shuts down cleanly, committing what is done), then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def stop_worker(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Stop a worker started by `start_worker`, children included."""
    stop_process(proc, timeout)
    kill_group(proc, signal.SIGKILL)  # anything the worker left behind


def kill_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Signal the worker's whole process group (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
