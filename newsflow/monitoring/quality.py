"""Extraction quality per site, and the alert when a site's template changes.

A site's pages come out of one template; when the site redesigns it, the fields a
rule used to find (the date, the byline) go missing on every page from then on,
while the page still parses. Counters of dead letters never see it. So the table
keeps, per site, the fill flags of its last `RECENT` pages next to a decayed history
of the pages before them, and the view raises an alert when a field that the history
says is usually there is missing from most recent pages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

FIELDS = ("title", "date", "authors", "lead")
RECENT = 20  # pages in the "recent" window of each site (per shard)
DECAY = 0.995  # weight kept per page by the history (about the last 200 pages count)
# An alert needs a history worth the name and a recent window full enough to judge.
MIN_HISTORY = 30.0
MIN_RECENT = 10
# ...and a drop both large (absolute) and real (the field was usually there).
MIN_DROP = 0.4
MIN_BASELINE = 0.6
# Body length buckets: powers of two from 64 characters (the last is open-ended).
BODY_BUCKETS = tuple(64 * 2**i for i in range(12))


def _flags(quality: Mapping[str, Any]) -> int:
    return sum(1 << i for i, name in enumerate(FIELDS) if quality.get(name))


def _bucket(chars: int) -> str:
    for bound in BODY_BUCKETS:
        if chars < bound:
            return str(bound)
    return "inf"


def add_page(entry: Mapping[str, Any] | None, quality: Mapping[str, Any]) -> dict[str, Any]:
    """The site's quality entry after one more parsed page (a new dict)."""
    entry = entry or {}
    recent = [*entry.get("recent", []), _flags(quality)]
    history = dict(entry.get("history") or {"n": 0.0, **dict.fromkeys(FIELDS, 0.0)})
    if len(recent) > RECENT:
        leaving = recent.pop(0)
        history = {key: value * DECAY for key, value in history.items()}
        history["n"] += 1.0
        for i, name in enumerate(FIELDS):
            if leaving & (1 << i):
                history[name] += 1.0
    totals = dict(entry.get("totals") or {"n": 0, **dict.fromkeys(FIELDS, 0)})
    totals["n"] += 1
    for name in FIELDS:
        if quality.get(name):
            totals[name] += 1
    body = dict(entry.get("body") or {})
    key = _bucket(int(quality.get("body_chars") or 0))
    body[key] = body.get(key, 0) + 1
    languages = dict(entry.get("languages") or {})
    lang = quality.get("language") or "unknown"
    languages[lang] = languages.get(lang, 0) + 1
    return {
        "recent": recent,
        "history": history,
        "totals": totals,
        "body": body,
        "languages": languages,
    }


def _percentile(buckets: Mapping[str, int], q: float) -> int | None:
    """An upper bound of the body length at quantile ``q`` from the power-of-two buckets."""
    total = sum(buckets.values())
    if not total:
        return None
    seen = 0
    for bound in (*BODY_BUCKETS, math.inf):
        seen += buckets.get("inf" if bound == math.inf else str(bound), 0)
        if seen >= q * total:
            return int(bound) if bound != math.inf else BODY_BUCKETS[-1] * 2
    return None


def fold(site: str, shards: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One site's quality view from its entries (one per input partition), with alerts."""
    totals = {"n": 0, **dict.fromkeys(FIELDS, 0)}
    history = {"n": 0.0, **dict.fromkeys(FIELDS, 0.0)}
    recent: list[int] = []
    body: dict[str, int] = {}
    languages: dict[str, int] = {}
    for shard in shards:
        for key, value in (shard.get("totals") or {}).items():
            totals[key] = totals.get(key, 0) + value
        for key, value in (shard.get("history") or {}).items():
            history[key] = history.get(key, 0.0) + value
        recent.extend(shard.get("recent") or [])
        for key, value in (shard.get("body") or {}).items():
            body[key] = body.get(key, 0) + value
        for key, value in (shard.get("languages") or {}).items():
            languages[key] = languages.get(key, 0) + value
    pages = totals["n"]
    fill = {name: round(totals[name] / pages, 3) if pages else 0.0 for name in FIELDS}
    return {
        "site": site,
        "pages": pages,
        "fill": fill,
        "body_chars": {
            "p10": _percentile(body, 0.1),
            "p50": _percentile(body, 0.5),
            "p90": _percentile(body, 0.9),
        },
        "languages": dict(sorted(languages.items(), key=lambda kv: -kv[1])),
        "alerts": alerts(history, recent),
    }


def alerts(history: Mapping[str, float], recent: list[int]) -> list[dict[str, Any]]:
    """Fields whose recent fill rate fell far below the site's own history."""
    if history.get("n", 0.0) < MIN_HISTORY or len(recent) < MIN_RECENT:
        return []
    out = []
    for i, name in enumerate(FIELDS):
        baseline = history.get(name, 0.0) / history["n"]
        now = sum(1 for flags in recent if flags & (1 << i)) / len(recent)
        if baseline >= MIN_BASELINE and baseline - now >= MIN_DROP:
            out.append(
                {
                    "field": name,
                    "recent": round(now, 3),
                    "baseline": round(baseline, 3),
                    "message": (
                        f"{name} filled on {now:.0%} of the last {len(recent)} pages, "
                        f"{baseline:.0%} before: a template change?"
                    ),
                }
            )
    return out
