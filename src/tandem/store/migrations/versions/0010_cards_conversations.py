"""preview cards (one per normalised URL, linked to statuses) and direct conversations

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:30:00.000000

`preview_cards` keeps what a link's page says about itself (OpenGraph, Twitter, <title>),
fetched by a job; `status_preview_cards` links a status to the card of its first link.
`account_conversations` is one row per participant and direct thread (Mastodon's
AccountConversation): the statuses in it, the last one, and whether it is unread.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = tandem.store.types.UTCDateTime(timezone=True)
JSON = tandem.store.types.JSONText()


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "preview_cards",
        _id(),
        sa.Column("url_key", sa.String(length=2048), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("image", JSON, nullable=True),
        sa.Column("blurhash", sa.String(length=64), nullable=True),
        sa.Column("fetched_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preview_cards")),
        sa.UniqueConstraint("url_key", name=op.f("uq_preview_cards_url_key")),
    )
    op.create_table(
        "status_preview_cards",
        sa.Column("status_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("preview_card_id", sa.BigInteger(), nullable=False),
        _fk("status_preview_cards", "status_id", "statuses"),
        _fk("status_preview_cards", "preview_card_id", "preview_cards"),
        sa.PrimaryKeyConstraint("status_id", name=op.f("pk_status_preview_cards")),
    )
    op.create_index(
        "ix_status_preview_cards_card",
        "status_preview_cards",
        ["preview_card_id", "status_id"],
    )
    op.create_table(
        "account_conversations",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("root_id", sa.BigInteger(), nullable=False),
        sa.Column("participants_key", sa.String(length=2048), nullable=False),
        sa.Column("participant_ids", JSON, nullable=False),
        sa.Column("status_ids", JSON, nullable=False),
        sa.Column("last_status_id", sa.BigInteger(), nullable=False),
        sa.Column("unread", sa.Boolean(), server_default="0", nullable=False),
        _fk("account_conversations", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_conversations")),
        sa.UniqueConstraint(
            "account_id", "root_id", "participants_key", name="uq_account_conversations_key"
        ),
    )
    op.create_index(
        "ix_account_conversations_account_last",
        "account_conversations",
        ["account_id", "last_status_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_account_conversations_account_last", table_name="account_conversations")
    op.drop_table("account_conversations")
    op.drop_index("ix_status_preview_cards_card", table_name="status_preview_cards")
    op.drop_table("status_preview_cards")
    op.drop_table("preview_cards")
