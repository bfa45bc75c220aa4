"""reactions (Mastodon favourites), muted threads, status edits, polls, scheduled statuses

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:20:00.000000

One reaction per account and status (Misskey's rule; a Mastodon favourite is the default
reaction), paged per status and per account by id. Muted threads are keyed by the thread's
root status. Status edits keep each version of an edited status (the original first).
Polls belong to one status (statuses.poll_id says which carry one, so most statuses cost no
poll query); votes are one row per chosen option, counted when shown. Scheduled statuses keep the
parameters of a post until a job publishes it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pair(name: str, *extra: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        *extra,
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{name}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f(f"fk_{name}_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("account_id", "status_id", name=f"uq_{name}_pair"),
    )


def upgrade() -> None:
    _pair("reactions", sa.Column("reaction", sa.String(length=260), nullable=False))
    op.create_index("ix_reactions_status_id_id", "reactions", ["status_id", "id"])
    op.create_index("ix_reactions_account_id_id", "reactions", ["account_id", "id"])
    _pair("status_mutes")
    op.create_table(
        "status_edits",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("spoiler_text", sa.Text(), server_default="", nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("sensitive", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("media_ids", sa.Text(), server_default="[]", nullable=False),
        sa.Column("poll_options", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_status_edits_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_status_edits_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_edits")),
    )
    op.create_index("ix_status_edits_status_id_id", "status_edits", ["status_id", "id"])
    with op.batch_alter_table("statuses") as batch_op:
        batch_op.add_column(sa.Column("poll_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "polls",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("multiple", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("hide_totals", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_polls_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_polls_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
        sa.UniqueConstraint("status_id", name=op.f("uq_polls_status_id")),
    )
    op.create_table(
        "poll_votes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("poll_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_poll_votes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_votes")),
        sa.UniqueConstraint("poll_id", "account_id", "choice", name="uq_poll_votes_choice"),
    )
    op.create_table(
        "scheduled_statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_scheduled_statuses_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_statuses")),
    )
    op.create_index(
        "ix_scheduled_statuses_account_id_id", "scheduled_statuses", ["account_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_scheduled_statuses_account_id_id", table_name="scheduled_statuses")
    op.drop_table("scheduled_statuses")
    op.drop_table("poll_votes")
    op.drop_table("polls")
    with op.batch_alter_table("statuses") as batch_op:
        batch_op.drop_column("poll_id")
    op.drop_index("ix_status_edits_status_id_id", table_name="status_edits")
    op.drop_table("status_edits")
    op.drop_table("status_mutes")
    op.drop_index("ix_reactions_account_id_id", table_name="reactions")
    op.drop_index("ix_reactions_status_id_id", table_name="reactions")
    op.drop_table("reactions")
