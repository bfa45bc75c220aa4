"""announcements: announcements, their reads and reactions

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 08:00:00.000000

One row per announcement serves both dialects: Misskey's fields (title, image, icon,
display, silence, confirmation, for existing users only, one target account, `is_active`)
and Mastodon's (published, its window `starts_at`/`ends_at`, `all_day`). A read is
Misskey's `i/read-announcement` and Mastodon's dismiss (one row per account and
announcement); reactions are Mastodon's (one row per account, announcement and name).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_fk(table: str, column: str = "account_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["accounts.id"], name=op.f(f"fk_{table}_{column}_accounts"), ondelete="CASCADE"
    )


def _announcement_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["announcement_id"],
        ["announcements.id"],
        name=op.f(f"fk_{table}_announcement_id_announcements"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    when = tandem.store.types.UTCDateTime(timezone=True)
    op.create_table(
        "announcements",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=256), server_default="", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(length=1024), nullable=True),
        sa.Column("icon", sa.String(length=16), server_default="info", nullable=False),
        sa.Column("display", sa.String(length=16), server_default="normal", nullable=False),
        sa.Column("need_confirmation", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("silence", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("for_existing_users", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("published", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("published_at", when, nullable=True),
        sa.Column("starts_at", when, nullable=True),
        sa.Column("ends_at", when, nullable=True),
        sa.Column("all_day", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=True),
        _account_fk("announcements"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_index("ix_announcements_account", "announcements", ["account_id", "id"])
    op.create_table(
        "announcement_reads",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("announcement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        _announcement_fk("announcement_reads"),
        _account_fk("announcement_reads"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_reads")),
        sa.UniqueConstraint("announcement_id", "account_id", name="uq_announcement_reads_pair"),
    )
    op.create_index("ix_announcement_reads_account", "announcement_reads", ["account_id"])
    op.create_table(
        "announcement_reactions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("announcement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("created_at", when, nullable=False),
        _announcement_fk("announcement_reactions"),
        _account_fk("announcement_reactions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_reactions")),
        sa.UniqueConstraint(
            "announcement_id", "account_id", "name", name="uq_announcement_reactions_triple"
        ),
    )
    op.create_index("ix_announcement_reactions_account", "announcement_reactions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_announcement_reactions_account", table_name="announcement_reactions")
    op.drop_table("announcement_reactions")
    op.drop_index("ix_announcement_reads_account", table_name="announcement_reads")
    op.drop_table("announcement_reads")
    op.drop_index("ix_announcements_account", table_name="announcements")
    op.drop_table("announcements")
