"""push: Web Push subscriptions

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 08:00:00.000000

One table for both dialects' subscriptions: Misskey's `sw/register` rows (per account,
unique per endpoint and keys) and Mastodon's `/api/v1/push/subscription` (one per access
token, gone with it). `dedupe_key` is either rule as one unique key, so a repeated register
is an `INSERT … ON CONFLICT DO NOTHING`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=True),
        sa.Column("dialect", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("p256dh", sa.String(length=256), nullable=False),
        sa.Column("auth", sa.String(length=256), nullable=False),
        sa.Column("send_read_message", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("alerts", tandem.store.types.JSONText(), server_default="{}", nullable=False),
        sa.Column("policy", sa.String(length=16), server_default="all", nullable=False),
        sa.Column("standard", sa.Boolean(), nullable=True),
        sa.Column("sealed_token", sa.Text(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_push_subscriptions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["oauth_access_tokens.id"],
            name=op.f("fk_push_subscriptions_token_id_oauth_access_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_push_subscriptions_dedupe_key")),
    )
    op.create_index("ix_push_subscriptions_account", "push_subscriptions", ["account_id"])
    op.create_index("ix_push_subscriptions_token", "push_subscriptions", ["token_id"])
    op.create_index("ix_push_subscriptions_endpoint", "push_subscriptions", ["endpoint"])


def downgrade() -> None:
    op.drop_index("ix_push_subscriptions_endpoint", table_name="push_subscriptions")
    op.drop_index("ix_push_subscriptions_token", table_name="push_subscriptions")
    op.drop_index("ix_push_subscriptions_account", table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
