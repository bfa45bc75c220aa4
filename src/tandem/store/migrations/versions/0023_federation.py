"""federation: actor keys, remote actors' endpoints, remote statuses' ids

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 12:00:00.000000

Remote accounts and statuses live in the same tables as local ones; what ActivityPub adds is
their ids (unique, so a repeated delivery finds the row it made), a remote actor's
endpoints, the Follow activity's id of a remote follow, the accounts'
keys, the delivery circuit breaker and the inbox's replay guard.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACCOUNT_URLS = (
    "inbox_url",
    "shared_inbox_url",
    "outbox_url",
    "followers_url",
    "following_url",
    "featured_url",
)


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, tandem.store.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("accounts", sa.Column("actor_type", sa.String(length=16), nullable=True))
    for name in _ACCOUNT_URLS:
        op.add_column("accounts", sa.Column(name, sa.String(length=2048), nullable=True))
    op.add_column("accounts", _when("fetched_at"))
    op.add_column(
        "accounts",
        sa.Column(
            "also_known_as", tandem.store.types.JSONText(), server_default="[]", nullable=False
        ),
    )
    op.add_column("accounts", sa.Column("moved_to_account_id", sa.BigInteger(), nullable=True))
    op.add_column("accounts", _when("silenced_at"))
    op.create_index("uq_accounts_uri", "accounts", ["uri"], unique=True)
    op.create_index("ix_accounts_shared_inbox_url", "accounts", ["shared_inbox_url"])

    op.add_column("statuses", sa.Column("uri", sa.String(length=2048), nullable=True))
    op.add_column("statuses", sa.Column("url", sa.String(length=2048), nullable=True))
    op.create_index("uq_statuses_uri", "statuses", ["uri"], unique=True)

    for table in ("follows", "follow_requests"):
        op.add_column(table, sa.Column("uri", sa.String(length=2048), nullable=True))

    op.create_table(
        "actor_keys",
        sa.Column("account_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.String(length=2048), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=True),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_actor_keys_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_actor_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_actor_keys_key_id")),
    )
    op.create_table(
        "delivery_domains",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        _when("open_until"),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_delivery_domains")),
    )
    op.create_table(
        "seen_signatures",
        sa.Column("replay_key", sa.String(length=64), nullable=False),
        _when("seen_at", nullable=False),
        sa.PrimaryKeyConstraint("replay_key", name=op.f("pk_seen_signatures")),
    )
    op.create_index("ix_seen_signatures_seen_at", "seen_signatures", ["seen_at"])


def downgrade() -> None:
    # (Plain DROP COLUMN, which SQLite has since 3.35: rebuilding `statuses` would lose its
    # word-search triggers.)
    op.drop_index("ix_seen_signatures_seen_at", table_name="seen_signatures")
    op.drop_table("seen_signatures")
    op.drop_table("delivery_domains")
    op.drop_table("actor_keys")
    for table in ("follows", "follow_requests"):
        op.drop_column(table, "uri")
    op.drop_index("uq_statuses_uri", table_name="statuses")
    op.drop_column("statuses", "url")
    op.drop_column("statuses", "uri")
    op.drop_index("ix_accounts_shared_inbox_url", table_name="accounts")
    op.drop_index("uq_accounts_uri", table_name="accounts")
    for name in ("silenced_at", "moved_to_account_id", "also_known_as", "fetched_at"):
        op.drop_column("accounts", name)
    for name in _ACCOUNT_URLS:
        op.drop_column("accounts", name)
    op.drop_column("accounts", "actor_type")
