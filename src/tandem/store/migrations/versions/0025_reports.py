"""reports: users' reports of accounts (and their posts), local or arriving as Flag

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 13:00:00.000000

One row per reported account: filed by a local user (Mastodon `POST /api/v1/reports`,
Misskey `users/report-abuse`) or received from another server as a Flag (then `uri` is the
Flag's id, unique per target so a redelivered Flag stores nothing twice). `status_ids` and
`rule_ids` are JSON lists; the action and assignment columns wait for the moderation queue.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=16), server_default="other", nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("status_ids", tandem.store.types.JSONText(), server_default="[]", nullable=False),
        sa.Column("rule_ids", tandem.store.types.JSONText(), server_default="[]", nullable=False),
        sa.Column("forwarded", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("assigned_account_id", sa.BigInteger(), nullable=True),
        sa.Column("action_taken_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("action_taken_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_reports_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_reports_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_account_id"],
            ["accounts.id"],
            name=op.f("fk_reports_assigned_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["action_taken_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_reports_action_taken_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("uri", "target_account_id", name=op.f("uq_reports_uri")),
    )
    op.create_index("ix_reports_target_account", "reports", ["target_account_id"])
    op.create_index("ix_reports_account", "reports", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_reports_account", table_name="reports")
    op.drop_index("ix_reports_target_account", table_name="reports")
    op.drop_table("reports")
