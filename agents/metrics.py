"""Prometheus exposition of what the worker already knows: tables, lag, readiness.

Built per scrape from the same sources as the JSON endpoints (the stats app's tables
as ``/api/tables`` folds them, the groups' lag as ``/lag`` computes it, ``/ready``),
so the dashboard and Prometheus can never disagree. Names follow Prometheus'
conventions: ``newsflow_`` prefix, ``_total`` for counters, ``_seconds`` histograms,
labels for stage, site, source, outcome and error kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from newsflow.monitoring.tables import AGE_BUCKETS, LATENCY_BUCKETS


class _Snapshot(Collector):
    """One scrape's metrics, from plain dicts."""

    def __init__(
        self,
        tables: Mapping[str, Any] | None,
        lag: Mapping[str, Any] | None,
        ready: Mapping[str, Any],
    ) -> None:
        self.tables = tables
        self.counters = tables.get("counters") if tables is not None else None
        self.lag = lag
        self.ready = ready

    def collect(self) -> Iterator[Metric]:
        yield from self._outcomes()
        yield from self._stages()
        yield from self._sites()
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

    def _stages(self) -> Iterator[Metric]:
        if self.tables is None:
            return
        nbytes = CounterMetricFamily(
            "newsflow_stage_input_bytes",
            "bytes of the input messages of each stage",
            labels=["stage"],
        )
        routes = CounterMetricFamily(
            "newsflow_route_articles",
            "articles the route stage sent to each route's topic",
            labels=["route"],
        )
        for row in self.tables.get("stages", []):
            nbytes.add_metric([row["stage"]], float(row.get("bytes", 0)))
            if row["stage"] == "route":
                for name, n in sorted((row.get("routes") or {}).items()):
                    routes.add_metric([name], float(n))
        yield nbytes
        yield routes
        latency = HistogramMetricFamily(
            "newsflow_stage_latency_seconds",
            "seconds from a page's fetch to the end of each stage (outputs confirmed, row written)",
            labels=["stage"],
        )
        age = HistogramMetricFamily(
            "newsflow_article_age_seconds",
            "seconds from an article's publication date to its row being written",
        )
        for stage, hists in sorted(self.tables.get("histograms", {}).items()):
            latency.add_metric(
                [stage], _buckets(hists["latency"], LATENCY_BUCKETS), hists["latency"]["sum"]
            )
            if stage == "sink":
                age.add_metric([], _buckets(hists["age"], AGE_BUCKETS), hists["age"]["sum"])
        yield latency
        yield age

    def _sites(self) -> Iterator[Metric]:
        if self.tables is None:
            return
        outcomes = CounterMetricFamily(
            "newsflow_site_outcomes",
            "input messages by site, stage, outcome and error kind",
            labels=["site", "stage", "outcome", "error_kind"],
        )
        for row in self.tables.get("sites", []):
            site, stage = row["site"], row["stage"]
            outcomes.add_metric([site, stage, "ok", ""], float(row.get("ok", 0)))
            for kind, n in sorted(row.get("dead_by_kind", {}).items()):
                outcomes.add_metric([site, stage, "dead", kind], float(n))
        yield outcomes
        fill = GaugeMetricFamily(
            "newsflow_site_fill_ratio",
            "share of a site's parsed pages with the field filled (title, date, authors, lead)",
            labels=["site", "field"],
        )
        alerts = GaugeMetricFamily(
            "newsflow_site_quality_alerts",
            "fields whose recent fill rate fell far below the site's own history",
            labels=["site"],
        )
        for row in self.tables.get("quality", []):
            for name, ratio in sorted(row["fill"].items()):
                fill.add_metric([row["site"], name], float(ratio))
            alerts.add_metric([row["site"]], float(len(row.get("alerts", []))))
        yield fill
        yield alerts

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


def _buckets(hist: Mapping[str, Any], bounds: tuple[float, ...]) -> list[tuple[str, float]]:
    """Cumulative (le, count) pairs, ending with +Inf, from per-bucket counts."""
    out, seen = [], 0.0
    for i, count in enumerate(hist["counts"]):
        seen += count
        out.append((str(bounds[i]) if i < len(bounds) else "+Inf", seen))
    return out


def render(
    tables: Mapping[str, Any] | None, lag: Mapping[str, Any] | None, ready: Mapping[str, Any]
) -> bytes:
    """The Prometheus text exposition of one scrape; a source that did not answer (None)
    leaves its metrics out rather than reporting zeros."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(tables, lag, ready))
    return generate_latest(registry)
