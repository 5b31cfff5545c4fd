"""Initial schema: articles, their entities, dead letters.

Revision ID: 0001
Revises:
Create Date: 2024-11-29

Migrations are frozen history, so column types are spelled out here rather than imported from
``newsflow.store``; a unit test checks that the two agree.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _instant() -> sa.types.TypeEngine[Any]:
    # timestamptz on PostgreSQL; fixed-width UTC ISO text on SQLite (see storage.UtcDateTime).
    return sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("canonical_url", sa.Text, nullable=False),
        sa.Column("site", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("lead", sa.Text, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("published_at", _instant(), nullable=True),
        sa.Column("authors", _json(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("images", _json(), nullable=False),
        sa.Column("entities", _json(), nullable=False),
        sa.Column("routes", _json(), nullable=False),
        sa.Column("categories", _json(), nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("doc", _json(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("first_seen_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Matches `ORDER BY published_at DESC NULLS LAST` in Store.recent(), which a plain
        # ascending index cannot serve on PostgreSQL. SQLite already sorts NULLs last when
        # descending, so a plain index does there.
        op.create_index(
            "ix_articles_published_at",
            "articles",
            [sa.text("published_at DESC NULLS LAST")],
        )
    else:
        op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.create_index("ix_articles_site_published_at", "articles", ["site", "published_at"])

    op.create_table(
        "article_entities",
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("salience", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "entity_id", name="pk_article_entities"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_entities_article_id_articles",
            ondelete="CASCADE",
        ),
    )
    # "Which articles mention X": the primary key leads with article_id, so this one is needed.
    op.create_index(
        "ix_article_entities_entity_id", "article_entities", ["entity_id", "article_id"]
    )

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("error_kind", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("original_b64", sa.Text, nullable=False),
        sa.Column("original_key_b64", sa.Text, nullable=True),
        sa.Column("source_topic", sa.Text, nullable=False),
        sa.Column("source_partition", sa.Integer, nullable=False),
        sa.Column("source_offset", sa.BigInteger, nullable=False),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("failed_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letters"),
    )
    op.create_index("ix_dead_letters_failed_at", "dead_letters", ["failed_at"])
    op.create_index("ix_dead_letters_stage_error_kind", "dead_letters", ["stage", "error_kind"])


def downgrade() -> None:
    op.drop_table("dead_letters")
    op.drop_table("article_entities")
    op.drop_table("articles")
