"""agents/rules.py and rules_config.py without Kafka: the news.config record, its
validation by a worker, and the switch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from newsflow.agents.rules import RulesState, initial_rules, parse_message
from newsflow.core.rules import RulesError, default_rules, load_text
from newsflow.rules_config import message
from newsflow.schemas.codec import validate
from newsflow.schemas.records import RulesMessage
from newsflow.settings import Settings

RULES = load_text(
    "routes:\n  - name: iran-russia\n    when:\n      any:\n        - entity: iso:IR\n",
    "iran.yaml",
)


def test_a_published_rule_set_is_read_back_by_a_worker_as_the_same_rules() -> None:
    record = message(RULES, by="ops", now=datetime(2026, 12, 7, tzinfo=UTC))
    validate(RulesMessage, record)
    rules, meta = parse_message(orjson.dumps(record))
    assert rules == RULES and rules.version == record["version"]
    assert meta["applied_by"] == "ops" and meta["source_name"] == "iran.yaml"


def test_a_record_whose_version_does_not_match_its_rules_is_refused() -> None:
    record = message(RULES, by="ops")
    record["version"] = default_rules().version
    with pytest.raises(RulesError, match="not the version"):
        parse_message(orjson.dumps(record))
    with pytest.raises(Exception):  # noqa: B017 - any decode or schema error
        parse_message(b'{"version": 1}')


def test_switching_changes_what_the_next_message_is_routed_with() -> None:
    state = RulesState(default_rules(), "shipped")
    first = state.payload()
    assert first[0] == default_rules().version and state.payload() is first  # cached
    state.switch(RULES, "news.config@3", "2026-12-07T00:00:00+00:00")
    assert state.payload()[0] == RULES.version
    info = state.info()
    assert info["version"] == RULES.version and info["source"] == "news.config@3"
    assert "iran-russia" in info["routes"] and info["topics"]["iran-russia"]


def test_the_initial_rules_come_from_the_file_setting_or_the_package(tmp_path: Path) -> None:

    assert initial_rules(Settings.from_env({}))[1] == "shipped"
    path = tmp_path / "r.yaml"
    path.write_text("routes:\n  - name: x\n    when: {entitty: iso:IR}\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"r\.yaml:3"):
        initial_rules(Settings.from_env({"NEWSFLOW_ROUTES_FILE": str(path)}))
