"""home feeds, materialised per account

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 14:00:00.000000

One row per (reader, status) in the reader's home feed, written when the status is posted
(fan-out on write). The primary key is the keyset a page reads (`account_id = :me AND
status_id < :max ORDER BY status_id DESC`); the author and the reblogged author travel with
the row so a page can drop muted or blocked authors without loading the statuses first.
`account_id` has no foreign key on purpose: checking one would lock every reader's account row
(KEY SHARE) during a fan-out, thousands of row locks for one post; a deleted account's feed
is only ever read by that account.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_feed_entries",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("origin_author_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_home_feed_entries_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "status_id", name=op.f("pk_home_feed_entries")),
        sqlite_with_rowid=False,
    )
    # Deleting a status removes its entries through the foreign key: that needs this index.
    op.create_index("ix_home_feed_entries_status", "home_feed_entries", ["status_id"])


def downgrade() -> None:
    op.drop_index("ix_home_feed_entries_status", table_name="home_feed_entries")
    op.drop_table("home_feed_entries")
