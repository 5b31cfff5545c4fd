"""Readiness: a worker is ready when it can really process, not when its process started.

Ready means: the stage processes are warm (the enrich child has loaded its model),
the consumer group has assigned this worker its partitions and is not rebalancing,
and nothing holds a partition (a broker that refuses sends, a database that is away,
a dead letter that cannot be written). ``GET /ready`` answers 200 with the details
when ready and 503 with the reasons otherwise; ``GET /live`` answers 200 while the
event loop runs. Both are served by the pipeline app on the worker's web port
(`newsflow.web.routes`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
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
