"""agents/tally.py: outcomes batched per (stage, input partition), in order, confirmed
before the callers go on. The producer here is a list: the batching is what is tested;
tests/integration checks the counters through a real broker."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from faust.types import Message

from newsflow.agents.outcome import Facts
from newsflow.agents.tally import Tally, outcome_record


class Stop(Exception):
    pass


def _message(partition: int, offset: int) -> Any:
    return Message(
        topic="news.raw",
        partition=partition,
        offset=offset,
        timestamp=0.0,
        timestamp_type=0,
        headers=[],
        key=None,
        value=b"",
        checksum=None,
    )


class Sent:
    def __init__(self) -> None:
        self.records: list[tuple[bytes | None, dict[str, Any]]] = []
        self.confirmed = 0

    async def enqueue(self, _topic: Any, key: bytes | None, value: bytes) -> asyncio.Future[Any]:
        self.records.append((key, orjson.loads(value)))
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut

    async def confirm(self, _topic: Any, _key: Any, _value: Any, fut: asyncio.Future[Any]) -> None:
        await fut
        self.confirmed += 1


async def test_outcomes_of_a_partition_travel_together_in_offset_order() -> None:
    sent = Sent()
    tally = Tally(None, sent.enqueue, sent.confirm, stopping=Stop, flush_seconds=0.05)  # type: ignore[arg-type]
    added = [asyncio.Event() for _ in range(5)]
    waits = [
        asyncio.create_task(
            tally.add([("parse", _message(p, o), "s", "ok", None, None)], added=added[i])
        )
        for i, (p, o) in enumerate([(0, 10), (1, 3), (0, 11), (0, 12), (1, 4)])
    ]
    await asyncio.sleep(0)
    assert all(e.is_set() for e in added)  # queued at once, in call order
    assert not any(w.done() for w in waits)  # ...but nobody goes on before the broker has them
    await asyncio.gather(*waits)
    assert len(sent.records) == 2 and sent.confirmed == 2
    by_key = {key: event for key, event in sent.records}
    assert [o["offset"] for o in by_key[b"parse|news.raw|0"]["outcomes"]] == [10, 11, 12]
    assert [o["offset"] for o in by_key[b"parse|news.raw|1"]["outcomes"]] == [3, 4]
    assert by_key[b"parse|news.raw|1"]["partition"] == 1


async def test_a_full_round_is_sent_without_waiting_for_the_timer() -> None:
    sent = Sent()
    tally = Tally(None, sent.enqueue, sent.confirm, stopping=Stop, flush_seconds=60, max_outcomes=3)  # type: ignore[arg-type]
    items = [("sink", _message(0, o), "s", "ok", None, None) for o in range(3)]
    await asyncio.wait_for(tally.add(items), timeout=5)
    assert len(sent.records) == 1 and len(sent.records[0][1]["outcomes"]) == 3


async def test_a_refused_event_is_logged_and_the_callers_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def refuse(_topic: Any, _key: Any, _value: Any) -> asyncio.Future[Any]:
        raise ValueError("record too large")

    tally = Tally(None, refuse, Sent().confirm, stopping=Stop, flush_seconds=0.01)  # type: ignore[arg-type]
    await asyncio.wait_for(tally.add([("parse", _message(0, 1), "s", "ok", None, None)]), timeout=5)
    assert "the counters miss it" in caplog.text


async def test_stopping_reaches_the_callers_so_their_messages_stay_unacked() -> None:
    async def stopping(_topic: Any, _key: Any, _value: Any) -> asyncio.Future[Any]:
        raise Stop()

    tally = Tally(None, stopping, Sent().confirm, stopping=Stop, flush_seconds=0.01)  # type: ignore[arg-type]
    with pytest.raises(Stop):
        await asyncio.wait_for(
            tally.add([("parse", _message(0, 1), "s", "ok", None, None)]), timeout=5
        )


def test_an_outcome_carries_what_the_tables_count() -> None:
    message = _message(2, 7)
    facts: Facts = {
        "site": "irna.ir",
        "fetched_at": 1000.0,
        "published_at": 400.0,
        "quality": {
            "title": True,
            "date": False,
            "authors": False,
            "lead": True,
            "body_chars": 900,
            "language": "ar",
        },
    }
    parse = outcome_record("parse", message, "crawler", "ok", None, facts, now=1001.5)
    assert parse["site"] == "irna.ir" and parse["latency_s"] == 1.5
    assert parse["quality"]["body_chars"] == 900 and "age_s" not in parse
    sink = outcome_record("sink", message, None, "ok", None, facts, now=1001.5)
    assert sink["age_s"] == 601.5 and sink["source"] == "unknown"
    bare = outcome_record("parse", message, "c", "dead", "parse", None, now=5.0)
    assert bare == {
        "offset": 7,
        "source": "c",
        "outcome": "dead",
        "error_kind": "parse",
        "bytes": 0,
    }
