"""Readiness: a worker is ready when it can really process, not when its process started.

Ready means: the stage processes are warm (the enrich child has loaded its model),
the consumer group has assigned this worker its partitions and is not rebalancing,
and nothing holds a partition (a broker that refuses sends, a database that is away,
a dead letter that cannot be written). ``GET /ready`` answers 200 with the details
when ready and 503 with the reasons otherwise; ``GET /live`` answers 200 while the
event loop runs. Both are served by the pipeline app on the worker's web port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("newsflow.health")


@dataclass
class Health:
    """Mutable state of one pipeline process, read by ``/ready``."""

    warm: dict[str, bool] = field(default_factory=dict)
    assigned: dict[str, list[int]] | None = None
    rebalancing: bool = True
    holds: dict[str, tuple[str, float]] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    _was_ready: bool = False

    def expect(self, stage: str) -> None:
        """A stage that must warm up before the worker is ready."""
        self.warm.setdefault(stage, False)

    def warmed(self, stage: str) -> None:
        self.warm[stage] = True
        self._log_transition()

    def on_assigned(self, tps: Iterable[Any]) -> None:
        """The group gave this worker ``tps`` (Faust TopicPartitions)."""
        by_topic: dict[str, list[int]] = {}
        for tp in tps:
            by_topic.setdefault(tp.topic, []).append(tp.partition)
        self.assigned = {topic: sorted(parts) for topic, parts in sorted(by_topic.items())}

    def on_rebalance(self, running: bool) -> None:
        self.rebalancing = running
        self._log_transition()

    def hold(self, what: str, reason: str) -> None:
        """Something holds a partition (a retry loop is waiting); shown until released."""
        since = self.holds.get(what, (reason, time.time()))[1]
        self.holds[what] = (reason, since)
        self._log_transition()

    def release(self, what: str) -> None:
        if self.holds.pop(what, None) is not None:
            self._log_transition()

    def reasons(self) -> list[str]:
        """Why the worker is not ready; empty when it is."""
        out = [f"warming up {stage}" for stage, ok in self.warm.items() if not ok]
        if self.assigned is None:
            out.append("waiting for the consumer group to assign partitions")
        elif self.rebalancing:
            out.append("the consumer group is rebalancing")
        now = time.time()
        out.extend(
            f"{what}: {reason} (for {now - since:.0f} s)"
            for what, (reason, since) in self.holds.items()
        )
        return out

    def snapshot(self) -> dict[str, Any]:
        reasons = self.reasons()
        return {
            "ready": not reasons,
            "reasons": reasons,
            "assigned": self.assigned or {},
            "stages_warm": dict(self.warm),
            "uptime_s": round(time.time() - self.started, 1),
        }

    def _log_transition(self) -> None:
        ready = not self.reasons()
        if ready != self._was_ready:
            self._was_ready = ready
            if ready:
                parts = sum(len(p) for p in (self.assigned or {}).values())
                log.info("newsflow: ready (%d partition(s) assigned)", parts)
            else:
                log.warning("newsflow: not ready: %s", "; ".join(self.reasons()))


def register_web(
    app: Any,
    health: Health,
    stats_url: str | None,
    peers: tuple[str, ...] = (),
    lag: Callable[[], Awaitable[dict[str, Any]]] | None = None,
) -> None:
    """``/ready``, ``/live`` and ``/counters/`` on the pipeline app's web port.

    The counter tables live in the stats app (its own consumer group, see `agents`),
    which listens on a loopback port of its own; ``/counters/`` relays its answer so
    operators use one port per worker. With several pipeline processes (``peers``:
    the others' loopback URLs), ``/ready`` is ready only when all of them are, and
    lists each one's answer under ``processes``.
    """

    async def whole() -> dict[str, Any]:
        snap = health.snapshot()
        if peers:
            others = [await _fetch_json(f"{peer}/ready") for peer in peers]
            snap["processes"] = [dict(snap), *others]
            for n, other in enumerate(others, start=2):
                if not other.get("ready"):
                    snap["ready"] = False
                    reasons = other.get("reasons") or [other.get("error", "not ready")]
                    snap["reasons"] = [*snap["reasons"], *(f"process {n}: {r}" for r in reasons)]
        return snap

    @app.page("/ready")  # type: ignore[untyped-decorator]
    async def ready(web: Any, request: Any) -> Any:
        snap = await whole()
        return web.json(snap, status=200 if snap["ready"] else 503)

    @app.page("/metrics")  # type: ignore[untyped-decorator]
    async def metrics(web: Any, request: Any) -> Any:
        """Prometheus text format: the counters, the lag and readiness (`agents.metrics`)."""
        from newsflow.agents.metrics import render

        counters = await _fetch_json(f"{stats_url}/counters/") if stats_url else None
        if counters is not None and "by_stage" not in counters:
            counters = None  # the stats app did not answer: leave its metrics out
        lagging: dict[str, Any] | None = None
        if lag is not None:
            with contextlib.suppress(Exception):
                lagging = await asyncio.wait_for(lag(), timeout=10)
        body = render(counters, lagging, await whole())
        return web.bytes(body, content_type="text/plain")  # exposition format 0.0.4

    @app.page("/lag")  # type: ignore[untyped-decorator]
    async def lag_view(web: Any, request: Any) -> Any:
        """Consumer lag of the worker's groups, computed from committed and end offsets."""
        if lag is None:
            return web.json({"error": "lag is not served here"}, status=404)
        try:
            return web.json(await asyncio.wait_for(lag(), timeout=10))
        except Exception as exc:  # noqa: BLE001 - the broker may be away: say so
            return web.json({"error": f"lag unavailable: {exc!r}"}, status=503)

    @app.page("/live")  # type: ignore[untyped-decorator]
    async def live(web: Any, request: Any) -> Any:
        return web.json({"live": True})

    @app.page("/counters/")  # type: ignore[untyped-decorator]
    async def counters(web: Any, request: Any) -> Any:
        if stats_url is None:
            return web.json({"error": "no stats app runs with this worker"}, status=404)
        import aiohttp

        try:
            timeout = aiohttp.ClientTimeout(total=5)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(f"{stats_url}/counters/") as resp,
            ):
                body = await resp.read()
                return web.bytes(body, content_type="application/json", status=resp.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return web.json({"error": f"the stats app does not answer: {exc!r}"}, status=503)


async def _fetch_json(url: str) -> dict[str, Any]:
    """Another process's JSON answer, or why there is none (it is starting, or died)."""
    import aiohttp

    try:
        timeout = aiohttp.ClientTimeout(total=3)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
            data = await resp.json(content_type=None)
            return data if isinstance(data, dict) else {"ready": False, "error": "bad answer"}
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return {"ready": False, "error": f"{url} does not answer: {exc!r}"}
