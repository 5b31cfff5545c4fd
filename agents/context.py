"""What every agent shares: topics, settings, a CPU executor and the failure path.

Faust acks a message whose handler raised, so an exception that escapes an
agent loses the message. Every agent therefore funnels failures through
`AgentContext.dead_letter`, which sends the original bytes and coordinates to
the dead-letter topic and counts the outcome; processing then goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

import faust
import orjson
from faust.types import Message

from newsflow.core.deadletter import make_dead_letter
from newsflow.core.errors import PipelineError
from newsflow.settings import Settings
from schemas.codec import CODEC_NAME
from streams import Topics

log = logging.getLogger("newsflow.agents")

P = ParamSpec("P")
R = TypeVar("R")


def utcnow() -> datetime:
    """The one clock agents read, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class AgentContext:
    """Shared by the agents of one app; built by `newsflow.app.create_app`."""

    app: faust.App
    settings: Settings
    topics: Topics
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsflow-cpu")
    )

    async def run_cpu(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a pure CPU-bound function off the event loop.

        Parsing a large page takes tens of milliseconds; on the loop it would
        delay heartbeats and fetches of every other agent in the worker.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))

    async def send(self, topic: faust.TopicT, key: str, value: Any) -> None:
        """Send a plain dict through the registered orjson codec."""
        await topic.send(key=key.encode("utf-8"), value=value, value_serializer=CODEC_NAME)

    async def count(
        self, stage: str, source: str | None, outcome: str, error_kind: str | None = None
    ) -> None:
        """Tell the counter tables about one outcome (keyed by source, see agents.stats)."""
        src = source or "unknown"
        await self.send(
            self.topics.stats,
            src,
            {"stage": stage, "source": src, "outcome": outcome, "error_kind": error_kind},
        )

    async def dead_letter(
        self,
        stage: str,
        error: BaseException,
        message: Message,
        *,
        source: str | None = None,
        url: str | None = None,
    ) -> None:
        """Send the failed message, whole, to the dead-letter topic and count it."""
        if not isinstance(error, PipelineError):
            log.exception(
                "stage %s: unexpected error on %s[%s]@%s",
                stage,
                message.topic,
                message.partition,
                message.offset,
                exc_info=error,
            )
        else:
            log.warning(
                "stage %s: %s (%s[%s]@%s)",
                stage,
                error,
                message.topic,
                message.partition,
                message.offset,
            )
        letter = make_dead_letter(
            stage=stage,
            error=error,
            value=message.value,
            key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            now=utcnow(),
            source=source,
            url=url,
        )
        await self.send(self.topics.dlq, letter["id"], letter)
        await self.count(stage, source, "dead", letter["error_kind"])


def peek(value: bytes | None, *fields: str) -> dict[str, str | None]:
    """Best-effort fields of a message that failed validation, for the dead letter."""
    out: dict[str, str | None] = dict.fromkeys(fields)
    if not value:
        return out
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return out
    if isinstance(data, dict) and isinstance(data.get("article"), dict):
        data = {**data["article"], **data}  # enriched records nest the article
    if isinstance(data, dict):
        for name in fields:
            item = data.get(name)
            out[name] = item if isinstance(item, str) else None
    return out
