"""The log rate limit: a storm of one complaint becomes a few lines and a count."""

from __future__ import annotations

import logging

from newsflow.logs import RateLimit, rate_limit_handlers


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(msg: str, level: int = logging.ERROR, name: str = "aiokafka") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, ("127.0.0.1",), None)


def test_a_storm_is_cut_to_the_burst_and_the_count_is_told_later() -> None:
    clock = Clock()
    limit = RateLimit(burst=3, window=60.0, clock=clock)
    passed = [limit.filter(_record("Unable connect to %s")) for _ in range(2700)]
    assert sum(passed) == 3
    clock.now = 61.0
    record = _record("Unable connect to %s")
    assert limit.filter(record)
    assert "2697 similar message(s) suppressed" in record.getMessage()


def test_kinds_are_counted_apart_and_info_is_never_limited() -> None:
    limit = RateLimit(burst=1, window=60.0, clock=Clock())
    assert limit.filter(_record("one"))
    assert limit.filter(_record("two"))
    assert not limit.filter(_record("one"))
    assert all(limit.filter(_record("progress", logging.INFO)) for _ in range(100))


def test_installed_on_handlers_it_sees_records_of_every_logger() -> None:
    logger = logging.getLogger("newsflow.test.storm")
    parent = logging.getLogger("newsflow.test")
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = Collect()
    parent.addHandler(handler)
    try:
        rate_limit_handlers(parent, burst=2)
        for _ in range(50):
            logger.error("broker away")
    finally:
        parent.removeHandler(handler)
    assert len(seen) == 2
