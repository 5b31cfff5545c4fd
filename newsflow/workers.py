"""Running and supervising worker processes (the CLI, the demo and the tests).

``newsflow worker`` first makes sure every topic it reads or writes exists, with
newsflow's partitions and limits (waiting for the broker if it is not up yet), so a
crawler may publish with any client before or after the worker starts. It then
runs the pipeline app in its own process and the stats app in a child process it
starts and stops with itself; both live in one process group, so stopping the
group stops the worker whole. The pipeline app serves the worker's web port; the
stats app listens on a loopback port of its own, relayed by the pipeline's
``/counters/``.
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


def _child_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **settings.to_env()}


def free_port() -> int:
    """A TCP port nobody listens on right now, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_worker(settings: Settings, role: WorkerRole) -> None:
    """Run ``role`` in this process (``all``: pipeline here, stats in a child)."""
    from faust.worker import Worker

    from newsflow.app import create_app
    from newsflow.kafka import prepare_topics
    from newsflow.logs import rate_limit_handlers

    class NewsflowWorker(Worker):
        """Faust's worker with newsflow's log rate limit on every handler."""

        def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
            super().on_setup_root_logger(logger, level)
            rate_limit_handlers(logger)

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
    child: subprocess.Popen[bytes] | None = None
    stats_url = None
    if role == "all":
        stats_port = free_port() if settings.web_port > 0 else 0
        env = {**_child_env(settings), "NEWSFLOW_WEB_HOST": "127.0.0.1"}
        argv = [sys.executable, "-m", "newsflow.cli", "worker", "--role", "stats"]
        child = subprocess.Popen([*argv, "--web-port", str(stats_port)], env=env)
        stats_url = f"http://127.0.0.1:{stats_port}" if stats_port else None
    app = create_app(settings, "stats" if role == "stats" else "pipeline", stats_url=stats_url)
    try:
        NewsflowWorker(app, loglevel=settings.log_level, quiet=True).execute_from_commandline()
    finally:
        if child is not None:
            stop_process(child)


def start_worker(
    settings: Settings, log_path: Path, *extra: str, **popen: Any
) -> subprocess.Popen[bytes]:
    """A real `newsflow worker` (both roles) in a new process group, logging to a file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "newsflow.cli", "worker", *extra],
            env=_child_env(settings),
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
