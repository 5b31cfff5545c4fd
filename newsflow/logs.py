"""Logs an operator can read during an outage: the same complaint at most a few times a minute.

A broker that is away for 24 s made aiokafka and Faust write 131,000 ERROR lines
(2,700 a second), burying the one line that said what was wrong. `RateLimit` lets
the first few records of each kind (logger, level, message template) through in
every window and counts the rest; the next record of that kind that gets through
says how many were held back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

Key = tuple[str, int, str]


class RateLimit(logging.Filter):
    """At most ``burst`` records per kind per ``window`` seconds; the rest are counted."""

    def __init__(
        self,
        burst: int = 5,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_kinds: int = 10_000,
    ) -> None:
        super().__init__()
        self.burst = burst
        self.window = window
        self.clock = clock
        self.max_kinds = max_kinds
        # kind -> (window start, records let through in it, records held back)
        self._seen: dict[Key, tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True  # only warnings and errors repeat in storms; info is the operator's
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        start, passed, held = self._seen.get(key, (now, 0, 0))
        if now - start >= self.window:
            start, passed = now, 0
        if passed >= self.burst:
            self._seen[key] = (start, passed, held + 1)
            return False
        if held:
            record.msg = f"{record.msg} [{held} similar message(s) suppressed]"
        if len(self._seen) >= self.max_kinds and key not in self._seen:
            self._seen.clear()  # a flood of distinct messages: forget, never grow unbounded
        self._seen[key] = (start, passed + 1, 0)
        return True


def rate_limit_handlers(
    logger: logging.Logger | None = None, *, burst: int = 5, window: float = 60.0
) -> RateLimit:
    """Put one `RateLimit` on every handler of ``logger`` (the root by default).

    A filter on a logger only sees records logged on that very logger; on the
    handlers it sees every record that propagates to them.
    """
    target = logger or logging.getLogger()
    limit = RateLimit(burst=burst, window=window)
    for handler in target.handlers:
        if not any(isinstance(f, RateLimit) for f in handler.filters):
            handler.addFilter(limit)
    return limit
