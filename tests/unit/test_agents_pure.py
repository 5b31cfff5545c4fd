"""The pure parts of the agents: stage functions, outcomes, counters, health, errors."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiokafka import errors as kafka_errors

from newsflow.agents import enrich, parse, route
from newsflow.agents.context import is_permanent
from newsflow.agents.health import Health
from newsflow.agents.outcome import Failure
from newsflow.agents.sink import _stored_copies
from newsflow.core.deadletter import HEAD_BYTES, make_dead_letter, max_inline_original
from newsflow.core.errors import PipelineError
from newsflow.core.rules import default_rules, load_text
from newsflow.extraction.parse import ParseOptions
from newsflow.monitoring.tables import stage_entry
from newsflow.monitoring.views import counters
from newsflow.schemas.codec import decode, validate
from newsflow.schemas.records import Article, DeadLetter, EnrichedArticle
from newsflow.store import WriteResult
from tests.conftest import EXAMPLES

NOW = datetime(2024, 3, 19, 11, 7, tzinfo=UTC)
SEED = EXAMPLES / "mehrnews-ar-1942574.html"


def _raw(**fields: Any) -> bytes:
    return orjson.dumps({"source": "t", **fields})


def test_the_three_stages_chain_as_the_agents_run_them() -> None:
    page = _raw(url="https://ar.mehrnews.com/news/1942574/", html=SEED.read_text())
    parsed = parse.handle(page, ParseOptions())
    assert parsed.failure is None and parsed.source == "t"
    (article,) = parsed.outputs
    assert article.topic == "articles" and article.key is not None
    assert decode(Article, article.value)["id"] == article.key.decode()
    enriched = enrich.handle(article.value, NOW)
    assert enriched.failure is None
    (record,) = enriched.outputs
    decoded = decode(EnrichedArticle, record.value)
    routes, routing = decoded["routes"], decoded["routing"]
    assert routing is not None and routing["version"] == default_rules().version
    routed = route.handle(record.value)
    assert [o.topic for o in routed.outputs] == [f"topic:{routing['topics'][r]}" for r in routes]
    assert all(o.value == record.value and o.key == record.key for o in routed.outputs)
    assert routed.facts is not None and routed.facts["rules_version"] == routing["version"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "empty"),
        (b"{not json", "decode"),
        (_raw(html="<p>no url</p>"), "schema"),
        (_raw(url="javascript:alert(1)", html="<p>x</p>"), "url"),
        (_raw(url="https://a.example/1", html=""), "empty"),
    ],
)
def test_stage_functions_return_failures_as_data(value: bytes | None, kind: str) -> None:
    outcome = parse.handle(value, ParseOptions())
    assert outcome.outputs == () and outcome.failure is not None
    assert outcome.failure.kind == kind


def test_a_route_without_a_topic_is_a_route_failure_with_the_source_kept() -> None:
    page = _raw(url="https://ar.mehrnews.com/news/1942574/", html=SEED.read_text())
    article = parse.handle(page, ParseOptions()).outputs[0].value
    record = orjson.loads(enrich.handle(article, NOW).outputs[0].value)
    record["routing"]["topics"] = {}
    outcome = route.handle(orjson.dumps(record))
    assert outcome.failure is not None and outcome.failure.kind == "route"
    assert outcome.source == "t"


def test_a_dropped_article_goes_to_no_route_and_is_not_a_failure() -> None:
    page = _raw(url="https://ar.mehrnews.com/news/1942574/", html=SEED.read_text())
    article = parse.handle(page, ParseOptions()).outputs[0].value
    dropping = load_text("routes:\n  - name: gone\n    action: drop\n")
    record = enrich.handle(article, NOW, (dropping.version, dropping.to_json())).outputs[0].value
    decoded = decode(EnrichedArticle, record)
    assert decoded["routing"] is not None and decoded["routing"]["dropped"]
    outcome = route.handle(record)
    assert outcome.failure is None and outcome.outputs == ()


def test_a_bug_keeps_its_traceback_and_memory_has_its_own_kind() -> None:
    try:
        raise KeyError("title")
    except KeyError as exc:
        bug = Failure.of(exc)
    assert bug.kind == "internal" and "KeyError" in bug.message
    assert bug.detail is not None and "raise KeyError" in bug.detail
    wrapped = PipelineError("internal", "KeyError: 'x'")
    wrapped.__cause__ = KeyError("x")
    assert Failure.of(wrapped).detail is not None
    assert Failure.of(MemoryError()).kind == "memory"
    assert Failure.of(PipelineError("charset", "no")) == Failure("charset", "no")


def _letter(value: bytes, limit: int | None, file: str | None = None) -> Any:
    return make_dead_letter(
        stage="parse",
        error=PipelineError("too_large", "big"),
        value=value,
        key=b"k",
        topic="news.raw",
        partition=0,
        offset=7,
        now=NOW,
        max_message_bytes=limit,
        original_file=file,
    )


def test_a_dead_letter_that_fits_carries_the_whole_original() -> None:
    value = b"x" * 1000
    letter = _letter(value, 1024 * 1024)
    assert base64.b64decode(letter["original_b64"]) == value
    assert (letter["original_size"], letter["original_truncated"]) == (1000, False)
    assert letter["original_sha256"] == hashlib.sha256(value).hexdigest()
    validate(DeadLetter, dict(letter))


def test_a_dead_letter_never_exceeds_the_message_limit() -> None:
    limit = 2 * 1024 * 1024
    value = b"y" * (max_inline_original(limit) + 1)
    with pytest.raises(ValueError, match="file"):
        _letter(value, limit)
    letter = _letter(value, limit, "host:/data/dead-letters/x.bin")
    assert letter["original_truncated"] and letter["original_file"]
    assert base64.b64decode(letter["original_b64"]) == value[:HEAD_BYTES]
    assert letter["original_size"] == len(value)
    assert len(orjson.dumps(letter)) < limit
    fits = _letter(b"z" * max_inline_original(limit), limit)
    assert not fits["original_truncated"] and len(orjson.dumps(fits)) < limit


def _event(*outcomes: tuple[str, int | None] | tuple[str, int | None, str]) -> Any:
    return {
        "stage": "parse",
        "topic": "news.raw",
        "partition": 0,
        "outcomes": [
            {
                "offset": o[1],
                "source": "s",
                "outcome": o[0],
                "error_kind": o[2] if len(o) > 2 else None,
            }
            for o in outcomes
        ],
        "at": 1.0,
    }


def test_counters_count_each_input_offset_once() -> None:
    entry = stage_entry(None, _event(("ok", 0), ("ok", 1)))
    assert entry is not None
    # 1 and 0 again (a replay after a crash), then 2: only 2 is new.
    entry = stage_entry(entry, _event(("ok", 1), ("ok", 0), ("ok", 2))) or entry
    assert stage_entry(entry, _event(("ok", 2))) is None  # all counted already
    entry = stage_entry(entry, _event(("dead", 3, "charset")))
    assert entry is not None
    assert entry["counts"] == {"s": {"ok": 3, "dead.charset": 1}} and entry["offset"] == 3
    views = counters([entry])
    assert views["by_stage"] == {"parse": {"ok": 3, "dead.charset": 1}}
    assert views["by_source"] == {"s": {"parse.ok": 3, "parse.dead": 1}}


def test_outcomes_without_an_offset_are_always_counted() -> None:
    entry = stage_entry(None, _event(("ok", None)))
    entry = stage_entry(entry, _event(("ok", None), ("ok", None)))
    assert entry is not None and entry["counts"]["s"]["ok"] == 3


def test_the_sink_counts_the_last_copy_of_each_changed_id() -> None:
    rows: Any = [(None, {"id": "a"}), (None, {"id": "b"}), (None, {"id": "a"})]
    assert _stored_copies(rows, WriteResult(1, 0, 2, frozenset({"a"}))) == {2}
    assert _stored_copies(rows, WriteResult(0, 0, 3)) == set()


def test_a_message_delivered_again_counts_as_its_first_delivery() -> None:
    """After a crash between the write and the ack, the same message comes back: its row is
    stored already, and its first count may have died with the crash. Another enrichment of
    an unchanged page (a different ``enriched_at``) stays ``unchanged``."""
    rows: Any = [
        (None, {"id": "a", "enriched_at": "t1"}),  # the stored record, delivered again
        (None, {"id": "b", "enriched_at": "t3"}),  # b re-enriched, content unchanged
    ]
    result = WriteResult(0, 0, 2, frozenset(), {"a": "t1", "b": "t2"})
    assert _stored_copies(rows, result) == {0}


def test_readiness_waits_for_warm_stages_an_assignment_and_no_hold() -> None:
    health = Health()
    health.expect("enrich")
    assert not health.snapshot()["ready"]
    health.warmed("enrich")
    health.on_assigned([])
    health.on_rebalance(False)
    assert health.snapshot() == {**health.snapshot(), "ready": True, "reasons": []}
    health.hold("sink", "database unavailable")
    assert any("database unavailable" in r for r in health.reasons())
    health.release("sink")
    health.on_rebalance(True)
    assert health.reasons() == ["the consumer group is rebalancing"]


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (kafka_errors.MessageSizeTooLargeError(), True),
        (kafka_errors.InvalidTopicError(), True),
        (TypeError("not serialisable"), True),
        (kafka_errors.KafkaTimeoutError(), False),
        (kafka_errors.KafkaConnectionError(), False),
        (kafka_errors.NotLeaderForPartitionError(), False),
        (kafka_errors.TopicAuthorizationFailedError(), False),
        (ConnectionResetError(), False),
    ],
)
def test_only_a_refused_record_is_a_permanent_send_failure(
    exc: BaseException, permanent: bool
) -> None:
    assert is_permanent(exc) is permanent


async def test_the_sink_retries_resuming_until_its_partitions_fetch_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A partition left paused would never deliver again: a failed resume is retried."""
    from types import SimpleNamespace

    from faust.types import TP

    from newsflow.agents import sink

    calls: list[set[TP]] = []

    async def flaky_resume(app: Any, tps: set[TP]) -> set[TP]:
        calls.append(set(tps))
        if len(calls) == 1:
            raise RuntimeError("consumer thread busy")
        return set(tps)

    holds: list[str] = []

    async def pause(what: str, attempt: int, reason: str) -> None:
        holds.append(reason)

    monkeypatch.setattr(sink, "resume_fetching", flaky_resume)
    ctx: Any = SimpleNamespace(app=None, pause=pause)
    writer = sink.Writer(ctx, sink.StoreHandle("sqlite:///unused.db"), topic="t")
    writer.paused = {TP("t", 0)}
    await writer._resume()
    assert writer.paused == set() and len(calls) == 2
    assert holds and "could not resume fetching" in holds[0]
