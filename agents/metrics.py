"""Prometheus exposition of what the worker already knows: outcome counters, lag, readiness.

Built per scrape from the same sources as the JSON endpoints (the stats app's counter
table as ``/counters/`` folds it, the groups' lag as ``/lag`` computes it, ``/ready``),
so a dashboard and Prometheus can never disagree with them. Names follow Prometheus'
conventions: ``newsflow_`` prefix, ``_total`` for counters, labels for stage, source,
outcome and error kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class _Snapshot(Collector):
    """One scrape's metrics, from plain dicts."""

    def __init__(
        self,
        counters: Mapping[str, Any] | None,
        lag: Mapping[str, Any] | None,
        ready: Mapping[str, Any],
    ) -> None:
        self.counters = counters
        self.lag = lag
        self.ready = ready

    def collect(self) -> Iterator[Metric]:
        yield from self._outcomes()
        yield from self._lag()
        up = GaugeMetricFamily(
            "newsflow_ready",
            "1 when every pipeline process of the worker is ready (/ready answers 200)",
        )
        up.add_metric([], 1.0 if self.ready.get("ready") else 0.0)
        yield up
        processes = GaugeMetricFamily(
            "newsflow_pipeline_processes", "pipeline processes of the worker", labels=["ready"]
        )
        answers = self.ready.get("processes") or [self.ready]
        for state in ("true", "false"):
            n = sum(1 for p in answers if bool(p.get("ready")) == (state == "true"))
            processes.add_metric([state], float(n))
        yield processes

    def _outcomes(self) -> Iterator[Metric]:
        if self.counters is None:
            return
        by_stage = CounterMetricFamily(
            "newsflow_stage_outcomes",
            "input messages by stage and outcome (ok, dead, unchanged), each counted once",
            labels=["stage", "outcome", "error_kind"],
        )
        for stage, counts in sorted(self.counters.get("by_stage", {}).items()):
            for name, n in sorted(counts.items()):
                outcome, _, kind = name.partition(".")
                by_stage.add_metric([stage, outcome, kind], float(n))
        yield by_stage
        by_source = CounterMetricFamily(
            "newsflow_source_outcomes",
            "input messages by source (crawler or feed), stage and outcome",
            labels=["source", "stage", "outcome"],
        )
        for source, counts in sorted(self.counters.get("by_source", {}).items()):
            for name, n in sorted(counts.items()):
                stage, _, outcome = name.partition(".")
                by_source.add_metric([source, stage, outcome], float(n))
        yield by_source

    def _lag(self) -> Iterator[Metric]:
        if self.lag is None:
            return
        lag = GaugeMetricFamily(
            "newsflow_consumer_lag_messages",
            "messages between a group's committed offset and the end of the partition",
            labels=["group", "topic", "partition"],
        )
        for group, view in sorted(self.lag.items()):
            for row in view.get("partitions", []):
                lag.add_metric([group, row["topic"], str(row["partition"])], float(row["lag"]))
        yield lag


def render(
    counters: Mapping[str, Any] | None, lag: Mapping[str, Any] | None, ready: Mapping[str, Any]
) -> bytes:
    """The Prometheus text exposition of one scrape; a source that did not answer (None)
    leaves its metrics out rather than reporting zeros."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(counters, lag, ready))
    return generate_latest(registry)
