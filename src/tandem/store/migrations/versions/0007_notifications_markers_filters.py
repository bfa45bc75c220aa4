"""grouped notifications, markers, notification policy, filters, followed tags, custom emoji,
user domain blocks, dismissed suggestions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:15:00.000000

Notifications get a nullable `group_key` (favourites/reblogs of one status, or follows, in one
12-hour window share it); rows written before this revision stay ungrouped.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0007"
down_revision: str | None = "0006"
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
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_key", sa.String(length=128), nullable=True))
        batch_op.create_index(
            "ix_notifications_account_group", ["account_id", "group_key", "id"], unique=False
        )

    op.create_table(
        "markers",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("timeline", sa.String(length=32), nullable=False),
        sa.Column("last_read_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("markers", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_markers")),
        sa.UniqueConstraint("account_id", "timeline", name="uq_markers_timeline"),
    )
    op.create_table(
        "notification_policies",
        sa.Column("account_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("for_not_following", sa.String(16), server_default="accept", nullable=False),
        sa.Column("for_not_followers", sa.String(16), server_default="accept", nullable=False),
        sa.Column("for_new_accounts", sa.String(16), server_default="accept", nullable=False),
        sa.Column("for_private_mentions", sa.String(16), server_default="filter", nullable=False),
        sa.Column("for_limited_accounts", sa.String(16), server_default="filter", nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("notification_policies", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_notification_policies")),
    )
    op.create_table(
        "filters",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("context", JSON, server_default="[]", nullable=False),
        sa.Column("filter_action", sa.String(length=16), server_default="warn", nullable=False),
        sa.Column("expires_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        _fk("filters", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filters")),
    )
    op.create_index("ix_filters_account_id_id", "filters", ["account_id", "id"])
    op.create_table(
        "filter_keywords",
        _id(),
        sa.Column("filter_id", sa.BigInteger(), nullable=False),
        sa.Column("keyword", sa.String(length=512), nullable=False),
        sa.Column("whole_word", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("filter_keywords", "filter_id", "filters"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_keywords")),
    )
    op.create_index("ix_filter_keywords_filter", "filter_keywords", ["filter_id", "id"])
    op.create_table(
        "filter_statuses",
        _id(),
        sa.Column("filter_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("filter_statuses", "filter_id", "filters"),
        _fk("filter_statuses", "status_id", "statuses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_statuses")),
        sa.UniqueConstraint("filter_id", "status_id", name="uq_filter_statuses_pair"),
    )
    op.create_table(
        "tag_follows",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("tag_follows", "account_id", "accounts"),
        _fk("tag_follows", "tag_id", "tags"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_follows")),
        sa.UniqueConstraint("account_id", "tag_id", name="uq_tag_follows_pair"),
    )
    op.create_index("ix_tag_follows_tag", "tag_follows", ["tag_id"])
    op.create_table(
        "custom_emojis",
        _id(),
        sa.Column("shortcode", sa.String(length=128), nullable=False),
        sa.Column("file", JSON, nullable=False),
        sa.Column("category", sa.String(length=128), nullable=True),
        sa.Column("visible_in_picker", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_emojis")),
        sa.UniqueConstraint("shortcode", name=op.f("uq_custom_emojis_shortcode")),
    )
    op.create_table(
        "account_domain_blocks",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("account_domain_blocks", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_domain_blocks")),
        sa.UniqueConstraint("account_id", "domain", name="uq_account_domain_blocks_pair"),
    )
    op.create_index(
        "ix_account_domain_blocks_account_id_id", "account_domain_blocks", ["account_id", "id"]
    )
    op.create_table(
        "suggestion_dismissals",
        _id(),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("suggestion_dismissals", "account_id", "accounts"),
        _fk("suggestion_dismissals", "target_account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_dismissals")),
        sa.UniqueConstraint(
            "account_id", "target_account_id", name="uq_suggestion_dismissals_pair"
        ),
    )
    op.create_index(
        "ix_suggestion_dismissals_target_id",
        "suggestion_dismissals",
        ["target_account_id", "id"],
    )
    op.create_index(
        "ix_suggestion_dismissals_account_id", "suggestion_dismissals", ["account_id", "id"]
    )


def downgrade() -> None:
    for table in (
        "suggestion_dismissals",
        "account_domain_blocks",
        "custom_emojis",
        "tag_follows",
        "filter_statuses",
        "filter_keywords",
        "filters",
        "notification_policies",
        "markers",
    ):
        op.drop_table(table)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_account_group")
        batch_op.drop_column("group_key")
