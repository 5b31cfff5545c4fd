"""Publishing pages to news.raw: what `newsflow publish` and the demo do.

One bad input never stops a run: an unreadable or over-size input, a page whose
URL is not http(s), a page too large for one message once encoded, and a send the
broker does not acknowledge are each reported on stderr with their origin and
counted as failed, and the run goes on with the next input.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka.errors import KafkaError, MessageSizeTooLargeError
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from tqdm import tqdm

from newsflow.core.errors import PipelineError
from newsflow.extraction.urls import article_id, page_url
from newsflow.inputs import iter_inputs
from newsflow.kafka import BIG_RECORD_BYTES, ensure_topics, producer
from newsflow.schemas.codec import encode
from newsflow.settings import Settings
from newsflow.streams import RAW, all_specs, topic_name

IN_FLIGHT = 500  # sends awaited together: enough to batch, small enough to bound memory


def _report(origin: str, error: PipelineError) -> None:
    print(f"error: {origin}: {error}", file=sys.stderr)


def _send_error(what: str, exc: BaseException) -> PipelineError:
    return PipelineError("send", f"{what}: {type(exc).__name__}: {exc}")


@dataclass
class _Tally:
    """Deliveries not yet confirmed, and the counts so far."""

    sent: int = 0
    failed: int = 0
    pending: list[tuple[str, Any]] = field(default_factory=list)  # (origin, delivery future)

    def fail(self, origin: str, error: PipelineError) -> None:
        self.failed += 1
        _report(origin, error)

    async def settle(self) -> None:
        """Wait for every pending delivery; a failed one is reported, not raised."""
        results = await asyncio.gather(*(f for _, f in self.pending), return_exceptions=True)
        for (origin, _), result in zip(self.pending, results, strict=True):
            if isinstance(result, BaseException):
                self.fail(origin, _send_error("not delivered", result))
            else:
                self.sent += 1
        self.pending.clear()


def _message(raw: Any, max_message_bytes: int) -> tuple[bytes, bytes]:
    """(key, value) of one page, or ``PipelineError`` when it cannot be one message."""
    key = article_id(page_url(raw["url"])).encode()
    try:
        value = encode(raw)
    except orjson.JSONEncodeError as exc:
        raise PipelineError("schema", f"cannot encode the page as JSON: {exc}") from None
    size = DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, [])
    if size > max_message_bytes:
        raise PipelineError(
            "too_large",
            f"the page is a {size}-byte message once encoded, more than "
            f"{max_message_bytes} (NEWSFLOW_MAX_MESSAGE_BYTES)",
        )
    return key, value


async def publish_paths(
    settings: Settings,
    paths: Sequence[Path],
    *,
    now: datetime,
    url: str | None = None,
    source: str = "cli",
    progress: bool | None = None,
) -> tuple[int, int]:
    """Send every readable page to news.raw keyed by its URL's article id.

    Returns ``(sent, failed)``: ``sent`` counts pages the broker acknowledged,
    ``failed`` the inputs that were unreadable, refused (size, URL) or not
    delivered, each reported on stderr with its origin and reason. A page above
    ``max_page_bytes`` but within ``max_message_bytes`` is sent: the parse stage
    dead-letters it as ``too_large``. ``progress=None`` shows a bar only on a
    terminal. Raises ``PipelineError("usage")`` for ``url`` with several files.
    """
    items = iter_inputs(
        paths, now=now, max_bytes=settings.max_message_bytes, url=url, source=source
    )
    await ensure_topics(settings, all_specs())
    topic = topic_name(RAW, settings.topic_prefix)
    tally = _Tally()
    async with producer(settings) as client:
        disable = None if progress is None else not progress
        for item in tqdm(items, unit="page", disable=disable, file=sys.stderr):
            if item.raw is None:
                tally.fail(item.origin, item.error or PipelineError("input", "unreadable"))
                continue
            try:
                key, value = _message(item.raw, settings.max_message_bytes)
                if len(value) > BIG_RECORD_BYTES:
                    # Alone in flight: two big records in one request would outgrow the
                    # broker's socket.request.max.bytes (see newsflow.kafka).
                    await tally.settle()
                    delivery = await client.send(topic, value, key=key)
                    await asyncio.wait([delivery])
                else:
                    delivery = await client.send(topic, value, key=key)
            except PipelineError as exc:
                tally.fail(item.origin, exc)
                continue
            except MessageSizeTooLargeError as exc:
                tally.fail(item.origin, PipelineError("too_large", str(exc)))
                continue
            except KafkaError as exc:
                tally.fail(item.origin, _send_error("not sent", exc))
                continue
            tally.pending.append((item.origin, delivery))
            if len(tally.pending) >= IN_FLIGHT:
                await tally.settle()
        await tally.settle()
    return tally.sent, tally.failed
