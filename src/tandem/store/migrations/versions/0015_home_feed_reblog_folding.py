"""home feeds fold reblogs as Mastodon's FeedManager does

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 00:30:00.000000

`home_feed_entries.reblog_of_id` names the reblogged status of a reblog's entry, indexed per
feed (rows of reblogs only), so a fan-out finds in one index probe per reader whether the
status, or another reblog of it, is among the feed's newest entries. Existing entries get it
from their statuses. `home_feed_held_reblogs` keeps the reblogs folded behind another reblog
of the same status, one of which takes its place when the shown reblog goes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("home_feed_entries") as batch_op:
        batch_op.add_column(sa.Column("reblog_of_id", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE home_feed_entries SET reblog_of_id = ("
        "SELECT statuses.reblog_of_id FROM statuses"
        " WHERE statuses.id = home_feed_entries.status_id)"
        " WHERE origin_author_id IS NOT NULL"
    )
    op.create_index(
        "ix_home_feed_entries_reblog",
        "home_feed_entries",
        ["account_id", "reblog_of_id"],
        sqlite_where=sa.text("reblog_of_id IS NOT NULL"),
        postgresql_where=sa.text("reblog_of_id IS NOT NULL"),
    )
    op.create_table(
        "home_feed_held_reblogs",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("reblog_of_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("origin_author_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_home_feed_held_reblogs_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "reblog_of_id", "status_id", name=op.f("pk_home_feed_held_reblogs")
        ),
        sqlite_with_rowid=False,
    )
    # Deleting a status removes its rows through the foreign key: that needs this index.
    op.create_index("ix_home_feed_held_reblogs_status", "home_feed_held_reblogs", ["status_id"])


def downgrade() -> None:
    op.drop_index("ix_home_feed_held_reblogs_status", table_name="home_feed_held_reblogs")
    op.drop_table("home_feed_held_reblogs")
    op.drop_index("ix_home_feed_entries_reblog", table_name="home_feed_entries")
    with op.batch_alter_table("home_feed_entries") as batch_op:
        batch_op.drop_column("reblog_of_id")
