"""collections of featured accounts (Mastodon 4.6's Collections)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:45:00.000000

`account_collections` holds a curated list's own attributes; `account_collection_items` one
row per featured account and collection (unique pair: adding twice is one item), with the
featured account's consent state. An index on (account_id, state, collection_id) lists the
collections an account is featured in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = tandem.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "account_collections",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("sensitive", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("discoverable", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_collections_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tags.id"],
            name=op.f("fk_account_collections_tag_id_tags"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_collections")),
    )
    op.create_index(
        "ix_account_collections_account_id", "account_collections", ["account_id", "id"]
    )
    op.create_table(
        "account_collection_items",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["account_collections.id"],
            name=op.f("fk_account_collection_items_collection_id_account_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_collection_items_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_collection_items")),
        sa.UniqueConstraint("collection_id", "account_id", name="uq_account_collection_items_pair"),
    )
    op.create_index(
        "ix_account_collection_items_account",
        "account_collection_items",
        ["account_id", "state", "collection_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_account_collection_items_account", table_name="account_collection_items")
    op.drop_table("account_collection_items")
    op.drop_index("ix_account_collections_account_id", table_name="account_collections")
    op.drop_table("account_collections")
