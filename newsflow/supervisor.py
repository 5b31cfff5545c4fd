"""`newsflow worker`: N pipeline processes and the stats process, kept running.

Why processes: one pipeline process is one Python interpreter, whose event loop (the
Kafka clients, decoding, routing, the sink) runs on one core beside its two stage
processes. More pipeline processes in the same consumer group split the partitions
between them, as separate workers on separate machines would; the partition count
bounds how many of them get work (`Settings.partitions`).

The supervisor itself runs no Faust app and holds no partitions: it starts the
children, restarts one that dies (after a back-off that grows while it keeps dying,
so a worker that cannot start does not spin), and on SIGTERM or SIGINT stops them
all with SIGTERM (each commits what it finished), then SIGKILL after
`STOP_TIMEOUT_S`. Children ask the kernel for SIGKILL when the supervisor dies, so
``kill -9`` of the supervisor leaves no orphan holding partitions.

The first pipeline process serves the worker's web port; its ``/ready`` is ready
only when every pipeline process is, and its ``/counters/`` relays the stats process.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType

from newsflow.settings import Settings
from newsflow.workers import child_env, free_port

log = logging.getLogger("newsflow.supervisor")

STOP_TIMEOUT_S = 30.0
POLL_S = 0.5
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
# A child that ran this long before dying starts again without waiting.
STABLE_S = 60.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the supervisor dies (Linux)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


@dataclass
class Child:
    """One supervised process: how to start it and its restart history."""

    name: str
    argv: list[str]
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = FIRST_BACKOFF_S
    due_at: float = 0.0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, env=self.env, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        log.info("started %s (pid %d)", self.name, self.proc.pid)


class Supervisor:
    """Starts, watches and stops the worker's processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stopping = False
        self.children = self._plan()

    def _plan(self) -> list[Child]:
        """The stats process, then the pipeline processes, with their wiring."""
        settings = self.settings
        base = [sys.executable, "-m", "newsflow.cli", "worker"]
        env = child_env(settings)
        web = settings.web_port > 0
        stats_port = free_port() if web else 0
        loopback = {**env, "NEWSFLOW_WEB_HOST": "127.0.0.1"}
        children = [
            Child(
                "stats",
                [*base, "--role", "stats", "--web-port", str(stats_port)],
                loopback,
            )
        ]
        peer_ports = [free_port() if web else 0 for _ in range(settings.processes - 1)]
        first = [*base, "--role", "pipeline", "--web-port", str(settings.web_port)]
        if web:
            first += ["--stats-url", f"http://127.0.0.1:{stats_port}"]
            for port in peer_ports:
                first += ["--peer-url", f"http://127.0.0.1:{port}"]
        children.append(Child("pipeline-1", first, env))
        for n, port in enumerate(peer_ports, start=2):
            argv = [*base, "--role", "pipeline", "--web-port", str(port)]
            children.append(Child(f"pipeline-{n}", argv, loopback))
        if settings.processes > settings.partitions:
            log.warning(
                "%d pipeline processes but %d partitions per topic: %d of them will idle "
                "(raise NEWSFLOW_PARTITIONS before the topics are created)",
                settings.processes,
                settings.partitions,
                settings.processes - settings.partitions,
            )
        return children

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if not self.stopping:
            log.info("%s: stopping %d processes", signal.Signals(signum).name, len(self.children))
        self.stopping = True

    def run(self) -> int:
        """Until SIGTERM/SIGINT: keep every child running. Returns the exit status."""
        logging.basicConfig(
            level=self.settings.log_level.upper(),
            format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
        )
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            for child in self.children:
                child.start()
            while not self.stopping:
                self._watch(time.monotonic())
                time.sleep(POLL_S)
        finally:
            self._stop_all()
        return 0

    def _watch(self, now: float) -> None:
        """Restart children that died, each after its back-off."""
        for child in self.children:
            proc = child.proc
            if proc is None:
                if now >= child.due_at:
                    child.restarts += 1
                    child.start()
                continue
            code = proc.poll()
            if code is None:
                continue
            child.proc = None
            if now - child.started_at >= STABLE_S:
                child.backoff = FIRST_BACKOFF_S
            child.due_at = now + child.backoff
            log.error(
                "%s (pid %d) exited with status %s; restarting in %.0f s (restart %d)",
                child.name,
                proc.pid,
                code,
                child.backoff,
                child.restarts + 1,
            )
            child.backoff = min(child.backoff * 2, MAX_BACKOFF_S)

    def _stop_all(self) -> None:
        """SIGTERM every child at once, wait for them together, SIGKILL the rest."""
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for proc in running:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("pid %d did not stop in %.0f s: killed", proc.pid, STOP_TIMEOUT_S)
                proc.kill()
                proc.wait()
