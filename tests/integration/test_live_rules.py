"""Routing rules changed live: `newsflow routes apply` while pages stream, through a real
broker, a real worker and a real SQLite file."""

from __future__ import annotations

import asyncio
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from newsflow.core.rules import load_file
from newsflow.publishing import publish_paths
from newsflow.rules_config import apply_rules
from newsflow.streams import ENRICHED, topic_name
from tests.integration.conftest import Pipeline, read_topic, until
from tests.integration.test_dlq import newsflow
from tests.integration.test_pipeline import SEED_PAGE, corpus_pages, offline
from tests.unit.test_rules import ISSUE_EXAMPLE  # the issue's file, as a user wrote it

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def _get(port: int, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as resp:
        data: dict[str, Any] = orjson.loads(resp.read())
    return data


async def test_a_rule_set_applied_mid_stream_routes_every_later_article_and_loses_none(
    pipeline: Pipeline, corpus: Path, tmp_path: Path
) -> None:
    settings = pipeline.settings
    paths = [SEED_PAGE, *corpus_pages(corpus, 30)]
    expected, _failures = offline(paths, settings)
    pipeline.start_worker()
    port = settings.web_port
    await until(lambda: _get(port, "/ready")["ready"], "the worker ready", 180)
    first = _get(port, "/api/overview")["rules"]
    rules_file = tmp_path / "iran-russia.yaml"
    rules_file.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    new_rules = load_file(rules_file)
    assert new_rules.version != first["version"]

    # Pages stream in two rounds (each under its own URLs); the rule set changes between.
    async def stream(round_: int) -> None:
        for n, path in enumerate(paths):
            await publish_paths(
                settings,
                [path],
                now=datetime.now(UTC),
                url=f"https://round{round_}.example/{n}/{path.name.split('.')[0][:16]}",
                source=f"round-{round_}",
                progress=False,
            )

    def routed_by(version: str) -> int:
        stages = {r["stage"]: r for r in _get(port, "/api/overview")["stages"]}
        return int(stages.get("route", {}).get("rules_versions", {}).get(version, 0))

    publishing = asyncio.create_task(stream(1))
    await until(lambda: routed_by(first["version"]) >= 3, "articles routed by the first rules")
    applied = await apply_rules(settings, new_rules, by="test")
    assert applied["version"] == new_rules.version
    assert any(t.endswith("news.topic.iran-russia") for t in applied["created_topics"])
    await publishing
    await until(
        lambda: _get(port, "/api/overview")["rules"]["version"] == new_rules.version,
        "the worker follows the applied rules",
    )
    await stream(2)

    # (The corpus pages name their canonical URL: the second round's rows are the
    # first round's, unchanged, so rows in the database do not count the rounds.)
    def counted() -> dict[str, Any] | None:
        stages = {r["stage"]: r for r in _get(port, "/api/overview")["stages"]}
        row = stages.get("route", {})
        return row if row.get("in") == 2 * len(expected) else None

    route_row = await until(counted, "every article counted by the route stage", 240)

    # Every enriched record says which rule set routed it; each went to exactly the
    # topics of its routes under that rule set, none lost, none elsewhere.
    prefix = settings.topic_prefix
    enriched = await read_topic(settings, topic_name(ENRICHED, prefix))
    assert len({(e["article"]["url"]) for e in enriched}) == 2 * len(expected)
    versions = {e["routing"]["version"] for e in enriched}
    assert versions == {first["version"], new_rules.version}  # the switch was mid-stream
    wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for record in enriched:
        routing = record["routing"]
        if record["article"]["source"] == "round-2":
            assert routing["version"] == new_rules.version
        for route in record["routes"]:
            wanted[routing["topics"][route]].add((record["article"]["url"], routing["version"]))
    assert any(t == "news.topic.iran-russia" for t in wanted)
    for topic, pairs in wanted.items():
        got = {
            (r["article"]["url"], r["routing"]["version"])
            for r in await read_topic(settings, f"{prefix}{topic}", idle=2.0)
        }
        assert got == pairs, topic
    seed = [e for e in enriched if e["article"]["url"].startswith("https://round2.example/0/")]
    assert seed and all(e["routes"] == ["iran-russia"] for e in seed), [e["routes"] for e in seed]

    # The tables count per route and per rule version.
    assert route_row["routes"]["iran-russia"] >= len(seed)
    assert set(route_row["rules_versions"]) == versions

    # The command line does the same, and refuses an invalid file naming its line.
    bad = tmp_path / "bad.yaml"
    bad.write_text("routes:\n  - name: x\n    when:\n      entitty: iso:IR\n", encoding="utf-8")
    code, _out, err = await newsflow(settings, "routes", "apply", str(bad))
    assert code != 0 and "bad.yaml:4" in err, err
    code, out, err = await newsflow(settings, "routes", "apply", str(rules_file))
    assert code == 0 and new_rules.version in out, err
