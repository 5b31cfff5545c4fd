"""Statements over the stored dead letters and their replays, for the operators' tools
(`newsflow dlq`, the worker's dead-letter API). Building them apart from `Store` keeps the
filters testable as SQL without a connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from newsflow.store.tables import dead_letter_replays, dead_letters

# Everything of a letter but its original bytes: a listing of thousands of letters must not
# pull megabytes of base64 it does not show.
SUMMARY_COLUMNS = (
    dead_letters.c.id,
    dead_letters.c.stage,
    dead_letters.c.error_kind,
    dead_letters.c.message,
    dead_letters.c.source_topic,
    dead_letters.c.source_partition,
    dead_letters.c.source_offset,
    dead_letters.c.source,
    dead_letters.c.url,
    dead_letters.c.failed_at,
    dead_letters.c.original_size,
    dead_letters.c.original_sha256,
    dead_letters.c.original_truncated,
    dead_letters.c.original_file,
)


@dataclass(frozen=True, slots=True)
class LetterQuery:
    """What the database can filter on by itself; ``None`` everywhere means every letter.

    ``url_contains`` is a case-insensitive substring of the URL: it narrows a site filter
    cheaply, and the caller checks the host exactly on the rows that come back.
    """

    stage: str | None = None
    error_kind: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    replayed: bool | None = None
    url_contains: str | None = None
    limit: int | None = None


def _replay_count() -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.count())
        .where(dead_letter_replays.c.letter_id == dead_letters.c.id)
        .scalar_subquery()
    )


def _last_replayed_at() -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.max(dead_letter_replays.c.replayed_at))
        .where(dead_letter_replays.c.letter_id == dead_letters.c.id)
        .scalar_subquery()
    )


def summaries_query(query: LetterQuery) -> sa.Select[Any]:
    """Newest failure first (letters without a time last), with each letter's replay count."""
    replayed = sa.exists().where(dead_letter_replays.c.letter_id == dead_letters.c.id)
    conditions: list[sa.ColumnElement[bool]] = []
    if query.stage is not None:
        conditions.append(dead_letters.c.stage == query.stage)
    if query.error_kind is not None:
        conditions.append(dead_letters.c.error_kind == query.error_kind)
    if query.source is not None:
        conditions.append(dead_letters.c.source == query.source)
    if query.since is not None:
        conditions.append(dead_letters.c.failed_at >= query.since)
    if query.until is not None:
        conditions.append(dead_letters.c.failed_at < query.until)
    if query.replayed is True:
        conditions.append(replayed)
    elif query.replayed is False:
        conditions.append(~replayed)
    if query.url_contains:
        conditions.append(
            sa.func.lower(dead_letters.c.url).contains(query.url_contains.lower(), autoescape=True)
        )
    statement = (
        sa.select(
            *SUMMARY_COLUMNS,
            _replay_count().label("replays"),
            _last_replayed_at().label("last_replayed_at"),
        )
        .where(*conditions)
        .order_by(dead_letters.c.failed_at.desc().nulls_last(), dead_letters.c.id)
    )
    if query.limit is not None:
        statement = statement.limit(query.limit)
    return statement


def ids_with_prefix(prefix: str, limit: int) -> sa.Select[Any]:
    """Up to ``limit`` ids starting with ``prefix`` (two are enough to call it ambiguous)."""
    return (
        sa.select(dead_letters.c.id)
        .where(dead_letters.c.id.startswith(prefix, autoescape=True))
        .order_by(dead_letters.c.id)
        .limit(limit)
    )


def letter_query(letter_id: str) -> sa.Select[Any]:
    return sa.select(
        dead_letters,
        _replay_count().label("replays"),
        _last_replayed_at().label("last_replayed_at"),
    ).where(dead_letters.c.id == letter_id)


def replays_query(letter_ids: list[str]) -> sa.Select[Any]:
    """Oldest first, so a history reads top to bottom."""
    return (
        sa.select(dead_letter_replays)
        .where(dead_letter_replays.c.letter_id.in_(letter_ids))
        .order_by(
            dead_letter_replays.c.letter_id,
            dead_letter_replays.c.replayed_at,
            dead_letter_replays.c.id,
        )
    )
