"""How one stage event (or one dead letter) changes each operators' table entry.

Each function takes the current entry (None when the key is new) and returns the new
entry, or None when nothing changed. Entries are new dicts, never mutated in place:
Faust tables write a changelog record on assignment, not on mutation. Every entry
remembers the highest input offset it counted; an outcome at or below it was counted
before (the stage processed the message again after a crash or rebalance) and is
skipped, so each table counts each input message once.

Keys and values are JSON: numbers as dict keys (minutes, hours, buckets) are strings.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from newsflow.monitoring import quality

# Seconds from fetch to the end of each stage (Prometheus-style upper bounds; the last
# slot of a histogram counts everything above the last bound).
LATENCY_BUCKETS: tuple[float, ...] = (
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    900.0,
    3600.0,
)
# Seconds from publication to persisted: minutes for a live feed, days to years for a
# backfill or an archive crawl.
AGE_BUCKETS: tuple[float, ...] = (
    10.0,
    30.0,
    60.0,
    300.0,
    900.0,
    3600.0,
    21600.0,
    86400.0,
    604800.0,
    2592000.0,
    31536000.0,
    315360000.0,
)
MINUTES_KEPT = 60  # per-minute throughput history of each stage
WINDOW_SECONDS = 3600  # trending: tumbling windows of one hour...
WINDOWS_KEPT = 48  # ...kept for 48 hours
DEAD_LETTERS_KEPT = 20  # recent dead letters per dead-letter partition


def fresh(outcomes: Iterable[Mapping[str, Any]], last: int | None) -> list[Mapping[str, Any]]:
    """The outcomes not counted yet by an entry whose highest counted offset is ``last``."""
    if last is None:
        return list(outcomes)
    return [o for o in outcomes if o.get("offset") is None or o["offset"] > last]


def _last_offset(outcomes: Sequence[Mapping[str, Any]], previous: int | None) -> int | None:
    offsets = [o["offset"] for o in outcomes if o.get("offset") is not None]
    return max(offsets) if offsets else previous


def _name(outcome: Mapping[str, Any]) -> str:
    """``ok``, ``unchanged`` or ``dead.<kind>``: the counter an outcome adds to."""
    kind = outcome.get("error_kind")
    return f"{outcome['outcome']}.{kind}" if kind else str(outcome["outcome"])


def _observe(
    histogram: Mapping[str, Any] | None, bounds: Sequence[float], value: float
) -> dict[str, Any]:
    counts = list((histogram or {}).get("counts") or [0] * (len(bounds) + 1))
    counts[bisect.bisect_left(bounds, value)] += 1
    return {
        "counts": counts,
        "sum": round(float((histogram or {}).get("sum", 0.0)) + value, 4),
        "n": int((histogram or {}).get("n", 0)) + 1,
    }


def stage_entry(entry: Mapping[str, Any] | None, event: Mapping[str, Any]) -> dict[str, Any] | None:
    """Per stage and input partition: outcomes by source, bytes, latency, throughput.

    ``counts`` (by source, then ``ok``/``dead.<kind>``...) is what ``/counters/`` has
    always shown; the rest feeds the dashboard's stage table and ``/metrics``.
    """
    entry = entry or {}
    new = fresh(event["outcomes"], entry.get("offset"))
    if not new:
        return None
    counts = {source: dict(names) for source, names in (entry.get("counts") or {}).items()}
    latency = entry.get("latency")
    age = entry.get("age")
    nbytes = int(entry.get("bytes", 0))
    minutes = dict(entry.get("minutes") or {})
    routes = dict(entry.get("routes") or {})
    versions = dict(entry.get("rules_versions") or {})
    at = event.get("at")
    minute = str(int(at // 60 * 60)) if at is not None else None
    for outcome in new:
        by_source = counts.setdefault(outcome["source"], {})
        name = _name(outcome)
        by_source[name] = by_source.get(name, 0) + 1
        nbytes += int(outcome.get("bytes") or 0)
        if outcome["outcome"] != "dead" and outcome.get("latency_s") is not None:
            latency = _observe(latency, LATENCY_BUCKETS, float(outcome["latency_s"]))
        if outcome.get("age_s") is not None:
            age = _observe(age, AGE_BUCKETS, float(outcome["age_s"]))
        for route in outcome.get("routes") or ():
            routes[route] = routes.get(route, 0) + 1
        version = outcome.get("rules_version")
        if version:
            versions[version] = versions.get(version, 0) + 1
    if minute is not None:
        minutes[minute] = minutes.get(minute, 0) + len(new)
        if len(minutes) > MINUTES_KEPT:
            oldest_kept = int(minute) - (MINUTES_KEPT - 1) * 60
            minutes = {m: n for m, n in minutes.items() if int(m) >= oldest_kept}
    updated: dict[str, Any] = {
        "stage": event["stage"],
        "offset": _last_offset(new, entry.get("offset")),
        "counts": counts,
        "last_at": at or entry.get("last_at"),
        "bytes": nbytes,
        "minutes": minutes,
    }
    if routes:
        updated["routes"] = routes
    if versions:
        updated["rules_versions"] = versions
    if latency is not None:
        updated["latency"] = latency
    if age is not None:
        updated["age"] = age
    return updated


def site_entries(
    current: Mapping[str, Mapping[str, Any] | None], prefix: str, event: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per site, stage and input partition: the entries ``event`` changes, by key.

    ``current`` maps the keys ``<prefix>|<site>`` of the event's sites (see
    `site_keys`) to their entries. The parse stage's entries also hold the site's
    extraction quality (`quality.add_page`).
    """
    by_site: dict[str, list[Mapping[str, Any]]] = {}
    for outcome in event["outcomes"]:
        by_site.setdefault(outcome.get("site") or "unknown", []).append(outcome)
    out: dict[str, dict[str, Any]] = {}
    for site, outcomes in by_site.items():
        key = f"{prefix}|{site}"
        entry = current.get(key) or {}
        new = fresh(outcomes, entry.get("offset"))
        if not new:
            continue
        counts = dict(entry.get("counts") or {})
        nbytes = int(entry.get("bytes", 0))
        page_quality = entry.get("quality")
        for outcome in new:
            name = _name(outcome)
            counts[name] = counts.get(name, 0) + 1
            nbytes += int(outcome.get("bytes") or 0)
            if outcome.get("quality"):
                page_quality = quality.add_page(page_quality, outcome["quality"])
        updated: dict[str, Any] = {
            "stage": event["stage"],
            "site": site,
            "offset": _last_offset(new, entry.get("offset")),
            "counts": counts,
            "bytes": nbytes,
            "last_seen": event.get("at") or entry.get("last_seen"),
        }
        if page_quality is not None:
            updated["quality"] = page_quality
        out[key] = updated
    return out


def site_keys(prefix: str, event: Mapping[str, Any]) -> set[str]:
    """The site table keys an event may touch."""
    return {f"{prefix}|{o.get('site') or 'unknown'}" for o in event["outcomes"]}


def window_of(at: float) -> int:
    """The start (Unix seconds) of the tumbling window holding time ``at``."""
    return int(at // WINDOW_SECONDS * WINDOW_SECONDS)


def trending_entry(
    entry: Mapping[str, Any] | None, event: Mapping[str, Any]
) -> dict[str, Any] | None:
    """One input partition's counts of entities, categories and routes in one window.

    Only outcomes that went through (``ok``) count: a dead letter names nothing.
    """
    entry = entry or {}
    unseen = fresh(event["outcomes"], entry.get("offset"))
    if not unseen:
        return None
    new = [o for o in unseen if o["outcome"] == "ok"]
    entities = dict(entry.get("entities") or {})
    names = dict(entry.get("names") or {})
    categories = dict(entry.get("categories") or {})
    routes = dict(entry.get("routes") or {})
    for outcome in new:
        for item in outcome.get("entities") or ():
            entities[item["id"]] = entities.get(item["id"], 0) + 1
            names[item["id"]] = [item.get("name") or item["id"], item.get("type")]
        for name in outcome.get("categories") or ():
            categories[name] = categories.get(name, 0) + 1
        for name in outcome.get("routes") or ():
            routes[name] = routes.get(name, 0) + 1
    return {
        "offset": _last_offset(unseen, entry.get("offset")),
        "window": window_of(event["at"]) if event.get("at") is not None else entry.get("window"),
        "entities": entities,
        "names": names,
        "categories": categories,
        "routes": routes,
    }


def carries_trends(event: Mapping[str, Any]) -> bool:
    """Whether an event's stage reports entities, categories or routes at all."""
    return event["stage"] in ("enrich", "route")


def expired_windows(keys: Iterable[str], prefix: str, window: int) -> list[str]:
    """Keys ``<prefix>|<window start>`` older than the windows kept, as of ``window``."""
    oldest_kept = window - (WINDOWS_KEPT - 1) * WINDOW_SECONDS
    out = []
    for key in keys:
        head, _, start = key.rpartition("|")
        if head == prefix and start.isdigit() and int(start) < oldest_kept:
            out.append(key)
    return out


def letter_summary(letter: Mapping[str, Any]) -> dict[str, Any]:
    """What the dashboard lists of a dead letter (never its original bytes)."""
    return {
        "id": letter["id"],
        "stage": letter["stage"],
        "error_kind": letter["error_kind"],
        "message": str(letter["message"])[:500],
        "source": letter.get("source"),
        "url": letter.get("url"),
        "site": _site(letter.get("url")),
        "failed_at": letter["failed_at"],
        "topic": letter["source_topic"],
        "partition": letter["source_partition"],
        "offset": letter["source_offset"],
    }


def _site(url: object) -> str | None:
    if not isinstance(url, str) or not url:
        return None
    from newsflow.extraction.urls import site_of

    try:
        return site_of(url) or None
    except Exception:  # noqa: BLE001 - a URL too broken to name a site
        return None


def dead_letters_entry(
    entry: Mapping[str, Any] | None, letter: Mapping[str, Any], offset: int
) -> dict[str, Any] | None:
    """The last `DEAD_LETTERS_KEPT` dead letters of one dead-letter partition."""
    entry = entry or {}
    if entry.get("offset") is not None and offset <= entry["offset"]:
        return None
    letters = [*(entry.get("letters") or []), letter_summary(letter)]
    return {"offset": offset, "letters": letters[-DEAD_LETTERS_KEPT:]}
