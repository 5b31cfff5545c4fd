"""Running and supervising worker processes (the CLI, the demo and the tests).

``newsflow worker`` runs the pipeline app in its own process and the stats app
in a child process it starts and stops with itself; both live in one process
group, so stopping the group stops the worker whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Literal

from newsflow.settings import Settings

WorkerRole = Literal["all", "pipeline", "stats"]


def _child_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **settings.to_env()}


def run_worker(settings: Settings, role: WorkerRole) -> None:
    """Run ``role`` in this process (``all``: pipeline here, stats in a child)."""
    from faust.worker import Worker

    from newsflow.app import create_app

    child: subprocess.Popen[bytes] | None = None
    if role == "all":
        child = subprocess.Popen(
            [sys.executable, "-m", "newsflow.cli", "worker", "--role", "stats"],
            env=_child_env(settings),
        )
    app = create_app(settings, "stats" if role == "stats" else "pipeline")
    try:
        Worker(app, loglevel=settings.log_level, quiet=True).execute_from_commandline()
    finally:
        if child is not None:
            stop_process(child)


def start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    """A real `newsflow worker` (both roles) in a new process group, logging to a file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "newsflow.cli", "worker"],
            env=_child_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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
