"""Dead-letter replays: every re-publication of a letter's original, for the audit trail.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08

`newsflow dlq replay` (and the worker's ``POST /api/dlq/replay``) send a dead letter's
original bytes back to its source topic and record here when, to which partition and
offset, by whom and why. The letter's own row is left as it was: its diagnosis stays
the first one, and a letter replayed twice has two rows here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def _instant() -> sa.types.TypeEngine[Any]:
    # timestamptz on PostgreSQL; fixed-width UTC ISO text on SQLite (see store.tables.UtcDateTime).
    return sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dead_letter_replays",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("letter_id", sa.Text, nullable=False),
        sa.Column("replayed_at", _instant(), nullable=False),
        sa.Column("target_topic", sa.Text, nullable=False),
        sa.Column("target_partition", sa.Integer, nullable=False),
        sa.Column("target_offset", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("replayed_by", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letter_replays"),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["dead_letters.id"],
            name="fk_dead_letter_replays_letter_id_dead_letters",
            ondelete="CASCADE",
        ),
    )
    # A letter's history, and the replay count `newsflow dlq list` shows for each letter.
    op.create_index(
        "ix_dead_letter_replays_letter_id", "dead_letter_replays", ["letter_id", "replayed_at"]
    )


def downgrade() -> None:
    op.drop_table("dead_letter_replays")
