"""Publishing pages to news.raw: what `newsflow publish` and the demo do."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from newsflow.core.urls import article_id, canonicalize_url
from newsflow.inputs import iter_inputs
from newsflow.kafka import ensure_topics, producer
from newsflow.settings import Settings
from schemas.codec import encode
from streams import RAW, all_specs, topic_name

IN_FLIGHT = 500  # sends awaited together: enough to batch, small enough to bound memory


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

    Returns (sent, unreadable); each unreadable input is reported on stderr
    with its reason. ``progress=None`` shows a bar only on a terminal.
    """
    await ensure_topics(settings, all_specs())
    topic = topic_name(RAW, settings.topic_prefix)
    sent = failed = 0
    items = iter_inputs(paths, now=now, url=url, source=source)
    async with producer(settings) as client:
        pending = []
        disable = None if progress is None else not progress
        for item in tqdm(items, unit="page", disable=disable, file=sys.stderr):
            if item.raw is None:
                failed += 1
                print(f"error: {item.origin}: {item.error}", file=sys.stderr)
                continue
            key = article_id(canonicalize_url(item.raw["url"])).encode()
            pending.append(await client.send(topic, encode(item.raw), key=key))
            sent += 1
            if len(pending) >= IN_FLIGHT:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    return sent, failed
