"""newsflow.monitoring: the operators' tables as pure functions, and what they show.

Stage events go through the same table updates the stats agent makes, then through
the folds behind /api/* and /metrics, so the numbers checked here are the ones an
operator reads.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.agents.metrics import render
from newsflow.agents.stats import tables_view
from newsflow.monitoring import quality, tables, views
from newsflow.web.routes import overview

NOW = 1_765_137_600.0  # a whole hour


def _quality(date: bool = True, authors: bool = False, body: int = 2000) -> dict[str, Any]:
    return {
        "title": True,
        "date": date,
        "authors": authors,
        "lead": True,
        "body_chars": body,
        "language": "ar",
    }


def _outcome(offset: int, stage: str, outcome: str = "ok", **extra: Any) -> dict[str, Any]:
    return {
        "offset": offset,
        "source": "crawler",
        "outcome": outcome,
        "error_kind": extra.pop("error_kind", None),
        "site": extra.pop("site", "irna.ir"),
        "bytes": 1000,
        **extra,
    }


def _event(stage: str, outcomes: list[dict[str, Any]], at: float = NOW) -> dict[str, Any]:
    return {"stage": stage, "topic": "t", "partition": 0, "outcomes": outcomes, "at": at}


class Tables:
    """The four tables as dicts, updated the way `newsflow.agents.stats` does."""

    def __init__(self) -> None:
        self.counts: dict[str, Any] = {}
        self.sites: dict[str, Any] = {}
        self.trending: dict[str, Any] = {}
        self.dead: dict[str, Any] = {}

    def feed(self, prefix: str, event: dict[str, Any]) -> None:
        entry = tables.stage_entry(self.counts.get(prefix), event)
        if entry is not None:
            self.counts[prefix] = entry
        keys = tables.site_keys(prefix, event)
        self.sites.update(tables.site_entries({k: self.sites.get(k) for k in keys}, prefix, event))
        if tables.carries_trends(event):
            key = f"{prefix}|{tables.window_of(event['at'])}"
            changed = tables.trending_entry(self.trending.get(key), event)
            if changed is not None:
                self.trending[key] = changed
            for old in tables.expired_windows(
                list(self.trending), prefix, tables.window_of(event["at"])
            ):
                del self.trending[old]

    def view(self, now: float = NOW + 30) -> dict[str, Any]:
        return tables_view(
            list(self.counts.values()),
            list(self.sites.values()),
            list(self.trending.values()),
            list(self.dead.values()),
            now,
        )


def test_stage_and_site_tables_count_each_offset_once_with_bytes_and_latency() -> None:
    t = Tables()
    first = [_outcome(o, "parse", latency_s=0.3, quality=_quality()) for o in range(3)]
    t.feed("parse|news.raw|0", _event("parse", first))
    t.feed("parse|news.raw|0", _event("parse", first))  # a replay: nothing new
    dead = _outcome(3, "parse", "dead", error_kind="charset", site="mehrnews.com")
    t.feed("parse|news.raw|0", _event("parse", [dead]))
    view = t.view()
    (parse,) = view["stages"]
    assert (parse["in"], parse["ok"], parse["dead"]) == (4, 3, 1)
    assert parse["dead_by_kind"] == {"charset": 1} and parse["bytes"] == 4000
    assert parse["latency_s"]["count"] == 3 and 0.25 <= parse["latency_s"]["p50"] <= 0.5
    assert parse["per_minute"][-1] == 4 and parse["rate_per_s"] > 0
    sites = {(r["site"], r["stage"]): r for r in view["sites"]}
    assert sites["irna.ir", "parse"]["ok"] == 3
    assert sites["mehrnews.com", "parse"]["dead_by_kind"] == {"charset": 1}
    (irna,) = view["quality"]
    assert irna["site"] == "irna.ir" and irna["fill"]["title"] == 1.0
    assert irna["fill"]["authors"] == 0.0 and irna["languages"] == {"ar": 3}
    assert view["counters"]["by_stage"] == {"parse": {"ok": 3, "dead.charset": 1}}


def test_a_template_change_raises_an_alert_for_the_field_that_went_missing() -> None:
    entry: dict[str, Any] = {}
    for _ in range(60):
        entry = quality.add_page(entry, _quality(date=True))
    assert quality.fold("irna.ir", [entry])["alerts"] == []
    for _ in range(quality.RECENT):
        entry = quality.add_page(entry, _quality(date=False))
    folded = quality.fold("irna.ir", [entry])
    (alert,) = folded["alerts"]
    assert alert["field"] == "date" and alert["recent"] == 0.0 and alert["baseline"] > 0.9
    assert "template change" in alert["message"]


def test_a_field_a_site_never_fills_is_no_alert() -> None:
    entry: dict[str, Any] = {}
    for _ in range(100):
        entry = quality.add_page(entry, _quality(authors=False))
    assert quality.fold("x", [entry])["alerts"] == []


def test_trending_counts_salient_entities_per_hour_and_forgets_after_48_hours() -> None:
    t = Tables()
    iran = {"id": "iso:IR", "name": "إيران", "type": "GPE"}
    russia = {"id": "iso:RU", "name": "روسيا", "type": "GPE"}
    old = NOW - 50 * 3600
    t.feed(
        "enrich|news.articles|0", _event("enrich", [_outcome(0, "enrich", entities=[iran])], at=old)
    )
    t.feed(
        "enrich|news.articles|0",
        _event(
            "enrich",
            [_outcome(1, "enrich", entities=[iran], categories=["politics"])],
            at=NOW - 3600,
        ),
    )
    t.feed(
        "enrich|news.articles|0",
        _event(
            "enrich",
            [
                _outcome(2, "enrich", entities=[iran, russia], categories=["politics"]),
                _outcome(3, "enrich", "dead", error_kind="internal", entities=[russia]),
            ],
        ),
    )
    t.feed("route|news.enriched|0", _event("route", [_outcome(0, "route", routes=["politics"])]))
    assert not any(k.endswith(str(tables.window_of(old))) for k in t.trending)  # expired
    trending = t.view()["trending"]
    assert trending["hours"] == [NOW - 3600, NOW]
    top = trending["entities"][0]
    assert (top["id"], top["name"], top["count"], top["series"]) == ("iso:IR", "إيران", 1, [1, 1])
    assert {e["id"]: e["count"] for e in trending["entities"]} == {"iso:IR": 1, "iso:RU": 1}
    assert trending["categories"][0]["series"] == [1, 1]
    assert trending["routes"][0] == {
        "id": "politics",
        "name": "politics",
        "count": 1,
        "total": 1,
        "series": [0, 1],
    }


def test_recent_dead_letters_keep_the_last_ones_newest_first() -> None:
    entry = None
    for offset in range(tables.DEAD_LETTERS_KEPT + 5):
        letter = {
            "id": f"id{offset}",
            "stage": "parse",
            "error_kind": "parse",
            "message": "no body",
            "source": "c",
            "url": "https://www.irna.ir/news/1",
            "failed_at": f"2026-12-07T20:{offset:02d}:00+00:00",
            "source_topic": "news.raw",
            "source_partition": 0,
            "source_offset": offset,
        }
        entry = tables.dead_letters_entry(entry, letter, offset) or entry
    assert tables.dead_letters_entry(entry, letter, 3) is None  # replayed offset
    assert entry is not None
    letters = views.dead_letters([entry])
    assert len(letters) == tables.DEAD_LETTERS_KEPT and letters[0]["id"] == "id24"
    assert letters[0]["site"] == "irna.ir" and "original_b64" not in letters[0]


def test_metrics_and_json_views_give_the_same_numbers() -> None:
    t = Tables()
    t.feed(
        "sink|news.enriched|0",
        _event("sink", [_outcome(o, "sink", latency_s=0.7 + o, age_s=120.0) for o in range(4)]),
    )
    t.feed("parse|news.raw|0", _event("parse", [_outcome(0, "parse", quality=_quality())]))
    view = t.view()
    text = render(view, None, {"ready": True}).decode()
    assert 'newsflow_stage_latency_seconds_count{stage="sink"} 4.0' in text
    assert 'newsflow_stage_latency_seconds_bucket{le="1.0",stage="sink"} 1.0' in text
    assert 'newsflow_stage_latency_seconds_bucket{le="+Inf",stage="sink"} 4.0' in text
    assert "newsflow_article_age_seconds_count 4.0" in text
    assert (
        'newsflow_site_outcomes_total{error_kind="",outcome="ok",site="irna.ir",stage="sink"} 4.0'
        in text
    )
    assert 'newsflow_site_fill_ratio{field="title",site="irna.ir"} 1.0' in text
    assert 'newsflow_stage_input_bytes_total{stage="sink"} 4000.0' in text
    sink = next(r for r in view["stages"] if r["stage"] == "sink")
    assert sink["ok"] == 4 and sink["latency_s"]["count"] == 4 and sink["age_s"]["count"] == 4


def test_the_overview_joins_tables_readiness_lag_and_rules() -> None:
    ready = {
        "ready": False,
        "reasons": ["process 2: warming up enrich"],
        "processes": [
            {"ready": True, "assigned": {"news.raw": [0, 1], "app-__assignor-__leader": [0]}},
            {"ready": False, "assigned": {"news.raw": [2]}},
        ],
    }
    doc = overview(Tables().view(), ready, None, {"version": "builtin:x", "routes": []})
    assert doc["worker"]["assigned"] == {"news.raw": [0, 1, 2]}
    assert doc["worker"]["ready"] is False and doc["lag"] == {"error": "lag unavailable"}
    assert doc["trending"]["entities"] == [] and doc["rules"]["version"] == "builtin:x"
    broken = overview({"error": "down"}, {"ready": True}, {}, {})
    assert broken["tables_error"] == "down" and broken["stages"] == []


@pytest.mark.parametrize("q", [0.5, 0.95, 0.99])
def test_quantiles_stay_inside_the_bucket_that_holds_them(q: float) -> None:
    hist = {"counts": [0, 0, 10, 0] + [0] * 10, "sum": 2.0, "n": 10}
    value = views.quantile(hist, tables.LATENCY_BUCKETS, q)
    assert value is not None and 0.1 <= value <= 0.25


outcome_strategy = st.fixed_dictionaries(
    {
        "offset": st.one_of(st.none(), st.integers(0, 50)),
        "source": st.sampled_from(["a", "b"]),
        "outcome": st.sampled_from(["ok", "dead", "unchanged"]),
        "error_kind": st.one_of(st.none(), st.sampled_from(["parse", "charset"])),
        "site": st.one_of(st.none(), st.sampled_from(["irna.ir", "x.ir"])),
        "bytes": st.integers(0, 10_000),
        "latency_s": st.one_of(st.none(), st.floats(0, 1e6)),
        "quality": st.one_of(st.none(), st.just(_quality())),
        "entities": st.just([{"id": "iso:IR", "name": "ایران", "type": "GPE"}]),
        "routes": st.lists(st.sampled_from(["politics", "general"]), max_size=2),
    }
).map(lambda o: {**o, "error_kind": o["error_kind"] if o["outcome"] == "dead" else None})


@given(st.lists(st.lists(outcome_strategy, min_size=1, max_size=5), max_size=6))
def test_any_events_fold_without_raising_and_counts_add_up(
    batches: list[list[dict[str, Any]]],
) -> None:
    t = Tables()
    for stage in ("parse", "enrich", "route"):
        for batch in batches:
            t.feed(f"{stage}|t|0", _event(stage, batch))
    view = t.view()
    for row in view["stages"]:
        assert row["in"] == row["ok"] + row["dead"] + row["unchanged"]
    render(view, None, {"ready": True})


def test_the_documented_overview_has_the_keys_the_worker_sends() -> None:
    import json
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "web-api.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)\n```", text, re.S)
    assert block is not None
    documented = json.loads(block.group(1))
    t = Tables()
    t.feed("parse|news.raw|0", _event("parse", [_outcome(0, "parse", quality=_quality())]))
    sent = overview(t.view(), {"ready": True}, {}, {"version": "v", "routes": []})
    assert set(documented) == set(sent)
    assert set(documented["worker"]) == set(sent["worker"])
    assert set(documented["stages"][0]) - {"age_s"} == set(sent["stages"][0])
    assert set(documented["sites"][0]) == set(sent["sites"][0])
    assert set(documented["quality"][0]) == set(sent["quality"][0])
    assert set(documented["trending"]) == set(sent["trending"])
