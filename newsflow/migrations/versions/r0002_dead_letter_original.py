"""Dead letters say how long the original was, its SHA-256, and where a cut original lives.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

A dead letter whose original would not fit under the broker's message limit carries only
the head of it; the whole is written to a file on the worker (see
``newsflow.core.deadletter``). Rows written before this revision get size 0, no hash and
``original_truncated`` false: their ``original_b64`` is complete.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.add_column(
            sa.Column("original_size", sa.BigInteger, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("original_sha256", sa.Text, nullable=True))
        batch.add_column(
            sa.Column("original_truncated", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("original_file", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dead_letters") as batch:
        batch.drop_column("original_file")
        batch.drop_column("original_truncated")
        batch.drop_column("original_sha256")
        batch.drop_column("original_size")
