"""notification requests: filtered notifications, requests per sender, accepted senders

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 17:40:00.000000

A notification the recipient's policy filters is stored with `filtered` set (and as read, so
no unread badge counts it); a filtered mention or quote opens (or refreshes) one
`notification_requests` row per recipient and sender. Accepting a request remembers the
sender in `notification_permissions` (their later notifications pass) and unfilters theirs.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = tandem.store.types.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> Any:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filtered", sa.Boolean(), server_default="0", nullable=False))
        batch_op.create_index(
            "ix_notifications_account_sender", ["account_id", "from_account_id"], unique=False
        )
    op.create_table(
        "notification_requests",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), nullable=False),
        sa.Column("last_status_id", sa.BigInteger(), nullable=True),
        sa.Column("notifications_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("notification_requests", "account_id", "accounts"),
        _fk("notification_requests", "from_account_id", "accounts"),
        _fk("notification_requests", "last_status_id", "statuses", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_requests")),
        sa.UniqueConstraint("account_id", "from_account_id", name="uq_notification_requests_pair"),
    )
    op.create_index(
        "ix_notification_requests_account_id_id", "notification_requests", ["account_id", "id"]
    )
    op.create_table(
        "notification_permissions",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        _fk("notification_permissions", "account_id", "accounts"),
        _fk("notification_permissions", "from_account_id", "accounts"),
        sa.PrimaryKeyConstraint(
            "account_id", "from_account_id", name=op.f("pk_notification_permissions")
        ),
    )


def downgrade() -> None:
    op.drop_table("notification_permissions")
    op.drop_index("ix_notification_requests_account_id_id", table_name="notification_requests")
    op.drop_table("notification_requests")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_account_sender")
        batch_op.drop_column("filtered")
