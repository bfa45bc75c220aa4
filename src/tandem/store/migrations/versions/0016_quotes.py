"""quote posts (Mastodon 4.5 quotes, Misskey quote renotes)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 01:00:00.000000

A status may quote another: `statuses.quote_of_id` names it (no foreign key, so a quote of a
deleted status stays a quote in the "deleted" state), `quote_state` is "accepted" or
"revoked", `quote_policy` says who may quote the status ("public", "followers", "nobody";
NULL, as for every existing status, lets only its author quote it) and `quotes_count` counts
its accepted quotes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("statuses") as batch_op:
        batch_op.add_column(sa.Column("quote_of_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("quote_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("quote_policy", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("quotes_count", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_index(
        "ix_statuses_quote_of_id",
        "statuses",
        ["quote_of_id"],
        sqlite_where=sa.text("quote_of_id IS NOT NULL"),
        postgresql_where=sa.text("quote_of_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_statuses_quote_of_id", table_name="statuses")
    with op.batch_alter_table("statuses") as batch_op:
        batch_op.drop_column("quotes_count")
        batch_op.drop_column("quote_policy")
        batch_op.drop_column("quote_state")
        batch_op.drop_column("quote_of_id")
