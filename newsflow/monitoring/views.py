"""Table entries folded into what operators read: ``/api/*``, the dashboard, ``/metrics``.

A table holds one entry per input partition (see `newsflow.monitoring`); a view sums
them per stage, per site, per window. The same fold feeds the JSON endpoints and
the Prometheus metrics, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from newsflow.monitoring import quality
from newsflow.monitoring.tables import (
    AGE_BUCKETS,
    LATENCY_BUCKETS,
    MINUTES_KEPT,
    WINDOW_SECONDS,
    WINDOWS_KEPT,
    window_of,
)

TOP = 50  # rows per trending list


def counters(entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``/counters/`` views: per source (``stage.outcome``) and per stage
    (``outcome`` and ``dead.<kind>``)."""
    by_source: dict[str, dict[str, int]] = {}
    by_stage: dict[str, dict[str, int]] = {}
    for entry in entries:
        stage = entry["stage"]
        for source, counts in entry["counts"].items():
            for name, n in counts.items():
                outcome = name.split(".", 1)[0]
                per_source = by_source.setdefault(source, {})
                per_source[f"{stage}.{outcome}"] = per_source.get(f"{stage}.{outcome}", 0) + n
                per_stage = by_stage.setdefault(stage, {})
                per_stage[name] = per_stage.get(name, 0) + n
    return {"by_source": by_source, "by_stage": by_stage}


def merge_histograms(histograms: Iterable[Mapping[str, Any] | None], size: int) -> dict[str, Any]:
    """Bucket counts, sum and count of several histograms with the same bounds."""
    counts = [0] * size
    total, n = 0.0, 0
    for hist in histograms:
        if not hist:
            continue
        for i, c in enumerate(hist.get("counts") or ()):
            if i < size:
                counts[i] += int(c)
        total += float(hist.get("sum", 0.0))
        n += int(hist.get("n", 0))
    return {"counts": counts, "sum": round(total, 4), "n": n}


def quantile(hist: Mapping[str, Any], bounds: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of a bucketed histogram, interpolated inside its bucket (as
    Prometheus' ``histogram_quantile`` does); the open last bucket answers its lower bound."""
    n = int(hist.get("n", 0))
    if n == 0:
        return None
    rank = q * n
    seen = 0
    lower = 0.0
    for i, raw in enumerate(hist["counts"]):
        count = int(raw)
        upper = float(bounds[i]) if i < len(bounds) else None
        if count and seen + count >= rank:
            if upper is None:
                return lower
            return round(lower + (upper - lower) * (rank - seen) / count, 4)
        seen += count
        lower = upper if upper is not None else lower
    return lower


def _summary(hist: Mapping[str, Any], bounds: Sequence[float]) -> dict[str, Any]:
    return {
        "count": hist["n"],
        "p50": quantile(hist, bounds, 0.5),
        "p95": quantile(hist, bounds, 0.95),
        "p99": quantile(hist, bounds, 0.99),
    }


def stages(entries: Iterable[Mapping[str, Any]], now: float) -> list[dict[str, Any]]:
    """Per stage: outcomes, dead letters by kind, bytes, last seen, throughput, latency."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        grouped.setdefault(entry["stage"], []).append(entry)
    this_minute = int(now // 60 * 60)
    minutes = [this_minute - 60 * i for i in range(MINUTES_KEPT - 1, -1, -1)]
    out = []
    for stage, group in grouped.items():
        totals: dict[str, int] = {}
        for entry in group:
            for names in entry["counts"].values():
                for name, n in names.items():
                    totals[name] = totals.get(name, 0) + n
        per_minute = [sum(int(e.get("minutes", {}).get(str(m), 0)) for e in group) for m in minutes]
        # The last minute is still open: the rate is over it plus the one before.
        elapsed = 60.0 + max(1.0, now - this_minute)
        latency = merge_histograms((e.get("latency") for e in group), len(LATENCY_BUCKETS) + 1)
        age = merge_histograms((e.get("age") for e in group), len(AGE_BUCKETS) + 1)
        dead_by_kind = {
            name.split(".", 1)[1]: n
            for name, n in sorted(totals.items())
            if name.startswith("dead.")
        }
        dead = sum(dead_by_kind.values()) + totals.get("dead", 0)
        row: dict[str, Any] = {
            "stage": stage,
            "in": sum(totals.values()),
            "ok": totals.get("ok", 0),
            "dead": dead,
            "unchanged": totals.get("unchanged", 0),
            "dead_by_kind": dead_by_kind,
            "bytes": sum(int(e.get("bytes", 0)) for e in group),
            "last_seen": max((e.get("last_at") or 0.0 for e in group), default=None) or None,
            "rate_per_s": round(sum(per_minute[-2:]) / elapsed, 2),
            "per_minute": per_minute,
            "latency_s": _summary(latency, LATENCY_BUCKETS),
        }
        if age["n"]:
            row["age_s"] = _summary(age, AGE_BUCKETS)
        routes = _sum_maps(e.get("routes") for e in group)
        if routes:
            row["routes"] = dict(sorted(routes.items(), key=lambda kv: (-kv[1], kv[0])))
        versions = _sum_maps(e.get("rules_versions") for e in group)
        if versions:
            row["rules_versions"] = versions
        out.append(row)
    return sorted(out, key=lambda r: _STAGE_ORDER.get(r["stage"], 99))


def _sum_maps(maps: Iterable[Mapping[str, int] | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for counts in maps:
        for key, n in (counts or {}).items():
            out[key] = out.get(key, 0) + int(n)
    return out


_STAGE_ORDER = {"parse": 0, "enrich": 1, "route": 2, "sink": 3}


def histograms(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per stage, the merged latency (and, for the sink, age) histograms, for /metrics."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        grouped.setdefault(entry["stage"], []).append(entry)
    out: dict[str, dict[str, Any]] = {}
    for stage, group in grouped.items():
        out[stage] = {
            "latency": merge_histograms(
                (e.get("latency") for e in group), len(LATENCY_BUCKETS) + 1
            ),
            "age": merge_histograms((e.get("age") for e in group), len(AGE_BUCKETS) + 1),
        }
    return out


def sites(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per site and stage: pages in, articles out, dead letters by kind, bytes, last seen."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        key = (entry["site"], entry["stage"])
        row = grouped.setdefault(
            key,
            {"site": key[0], "stage": key[1], "counts": {}, "bytes": 0, "last_seen": None},
        )
        for name, n in entry["counts"].items():
            row["counts"][name] = row["counts"].get(name, 0) + n
        row["bytes"] += int(entry.get("bytes", 0))
        seen = entry.get("last_seen")
        if seen is not None and (row["last_seen"] is None or seen > row["last_seen"]):
            row["last_seen"] = seen
    out = []
    for row in grouped.values():
        counts = row.pop("counts")
        dead_by_kind = {
            name.split(".", 1)[1]: n
            for name, n in sorted(counts.items())
            if name.startswith("dead.")
        }
        out.append(
            {
                **row,
                "in": sum(counts.values()),
                "ok": counts.get("ok", 0),
                "dead": sum(dead_by_kind.values()) + counts.get("dead", 0),
                "dead_by_kind": dead_by_kind,
            }
        )
    return sorted(out, key=lambda r: (-r["in"], r["site"], _STAGE_ORDER.get(r["stage"], 99)))


def qualities(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per site: extraction fill rates, body length, languages and template alerts."""
    shards: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        if entry.get("quality"):
            shards.setdefault(entry["site"], []).append(entry["quality"])
    rows = [quality.fold(site, group) for site, group in shards.items()]
    return sorted(rows, key=lambda r: (-len(r["alerts"]), -r["pages"], r["site"]))


def trending(entries: Iterable[Mapping[str, Any]], now: float) -> dict[str, Any]:
    """Top entities, categories and routes of the current window, each with its series
    over the windows kept (oldest first; the last is the open one)."""
    current = window_of(now)
    first = current - (WINDOWS_KEPT - 1) * WINDOW_SECONDS
    counts: dict[str, dict[str, dict[int, int]]] = {"entities": {}, "categories": {}, "routes": {}}
    names: dict[str, list[Any]] = {}
    earliest = current
    for entry in entries:
        window = entry.get("window")
        if window is None or window < first or window > current:
            continue
        earliest = min(earliest, int(window))
        for kind, table in counts.items():
            for ident, n in (entry.get(kind) or {}).items():
                series = table.setdefault(ident, {})
                series[window] = series.get(window, 0) + n
        names.update(entry.get("names") or {})
    windows = list(range(earliest, current + 1, WINDOW_SECONDS))
    out: dict[str, Any] = {"hours": windows}
    for kind, table in counts.items():
        rows = []
        for ident, series in table.items():
            name, etype = (
                (names.get(ident) or [ident, None]) if kind == "entities" else (ident, None)
            )
            row: dict[str, Any] = {
                "id": ident,
                "name": name,
                "count": series.get(current, 0),
                "total": sum(series.values()),
                "series": [series.get(w, 0) for w in windows],
            }
            if kind == "entities":
                row["type"] = etype
            rows.append(row)
        rows.sort(key=lambda r: (-r["count"], -r["total"], r["id"]))
        out[kind] = rows[:TOP]
    return out


def dead_letters(entries: Iterable[Mapping[str, Any]], limit: int = TOP) -> list[dict[str, Any]]:
    """The most recent dead letters of every dead-letter partition, newest first."""
    letters = [letter for entry in entries for letter in entry.get("letters") or ()]
    letters.sort(key=lambda letter: str(letter.get("failed_at") or ""), reverse=True)
    return letters[:limit]
