"""The tables as SQLAlchemy Core sees them, for building statements. The schema itself
belongs to the Alembic migrations in ``newsflow/migrations``; a unit test keeps the two
in step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware instant that sorts chronologically on both back ends (module docstring)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(32))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store a naive datetime: {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # isoformat pads the year and always writes microseconds: fixed width, so text
            # order is time order.
            return value.isoformat(timespec="microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return cast(datetime, value).astimezone(UTC)


_Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("canonical_url", sa.Text, nullable=False),
    sa.Column("site", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("language", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("lead", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("published_at", UtcDateTime()),
    sa.Column("authors", _Json, nullable=False),
    sa.Column("tags", _Json, nullable=False),
    sa.Column("images", _Json, nullable=False),
    sa.Column("entities", _Json, nullable=False),
    sa.Column("routes", _Json, nullable=False),
    sa.Column("categories", _Json, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("doc", _Json, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("first_seen_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

article_entities = sa.Table(
    "article_entities",
    metadata,
    sa.Column(
        "article_id",
        sa.Text,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("salience", sa.Float, nullable=False),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("error_kind", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("original_b64", sa.Text, nullable=False),
    sa.Column("original_key_b64", sa.Text),
    sa.Column("source_topic", sa.Text, nullable=False),
    sa.Column("source_partition", sa.Integer, nullable=False),
    sa.Column("source_offset", sa.BigInteger, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("failed_at", UtcDateTime()),
    sa.Column("original_size", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("original_sha256", sa.Text),
    sa.Column("original_truncated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("original_file", sa.Text),
)

# One row per re-publication of a dead letter's original (`newsflow dlq replay`): when, to
# where, by whom and why. A letter's own row is never changed by a replay.
dead_letter_replays = sa.Table(
    "dead_letter_replays",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "letter_id",
        sa.Text,
        sa.ForeignKey("dead_letters.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("replayed_at", UtcDateTime(), nullable=False),
    sa.Column("target_topic", sa.Text, nullable=False),
    sa.Column("target_partition", sa.Integer, nullable=False),
    sa.Column("target_offset", sa.BigInteger, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("replayed_by", sa.Text),
)
