"""A broker's state on disk (``home/<kind>/``: pid file, ``broker.json``, log, data) and
what it says about the process: running, stale, or gone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

BrokerKind = Literal["kafka", "tansu"]


HOST = "127.0.0.1"


PID_FILE = "broker.pid"


META_FILE = "broker.json"


LOG_FILE = "server.log"


DATA_DIR = "data"


class BrokerError(RuntimeError):
    """A broker could not be provisioned, started or stopped; the message says why."""


@dataclass(frozen=True)
class BrokerStatus:
    """What is known about one broker kind under one home, as of the call."""

    kind: str
    running: bool
    pid: int | None
    bootstrap: str
    log_path: Path
    data_dir: Path


def state_dir(kind: BrokerKind, home: Path) -> Path:
    if kind not in get_args(BrokerKind):
        raise BrokerError(f"unknown broker kind {kind!r}; expected one of {get_args(BrokerKind)}")
    return home / kind


def read_meta(state: Path) -> dict[str, object]:
    try:
        loaded = json.loads((state / META_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _bootstrap_of(state: Path) -> str:
    meta = read_meta(state)
    port = meta.get("port")
    return f"{HOST}:{port if isinstance(port, int) else 9092}"


def _reap(pid: int) -> bool:
    """Collect ``pid`` if it is our exited child; True when it is gone for good."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child: someone else reaps it
        return False
    return done == pid


def _proc_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[0]


def pid_alive(pid: int, token: str | None) -> bool:
    """True if ``pid`` runs and, where /proc exists, its command line holds ``token``.

    The token check guards against pid reuse after a reboot or a crash: a stale pid
    file must never make us report, or signal, some unrelated process.
    """
    if pid <= 0 or _reap(pid):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return token is None
    if _proc_state(pid) in {"Z", "X"}:
        return False
    if token is not None and Path("/proc/self").exists():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return False
        # Empty while the kernel is still exec'ing a just-spawned child: it is alive.
        return not cmdline.strip() or token.encode() in cmdline
    return True


def live_pid(state: Path) -> int | None:
    """The running broker's pid, removing the pid file if it is stale."""
    pid_file = state / PID_FILE
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return None
    token = read_meta(state).get("token")
    if pid_alive(pid, token if isinstance(token, str) else None):
        return pid
    pid_file.unlink(missing_ok=True)
    return None


def status(kind: BrokerKind, *, home: Path) -> BrokerStatus:
    """Report whether ``kind`` runs under ``home``; a stale pid file is removed."""
    state = state_dir(kind, home)
    pid = live_pid(state)
    return BrokerStatus(
        kind=kind,
        running=pid is not None,
        pid=pid,
        bootstrap=_bootstrap_of(state),
        log_path=state / LOG_FILE,
        data_dir=state / DATA_DIR,
    )
