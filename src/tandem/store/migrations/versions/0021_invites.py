"""invites: invite codes per role policy

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 08:00:00.000000

`invites` (Mastodon's invite codes, and Misskey's since this revision) learns who used a code
first and when (`used_by_id`, `used_at`: Misskey's usedBy/usedAt; the account may go, the
invite stays), and is read per creator, newest first. `role_policies` holds Misskey's role
policies the operator set per role (`tandem admin role-policy set`); a policy without a row
keeps Misskey's default.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invites") as batch_op:
        batch_op.add_column(sa.Column("used_by_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("used_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            op.f("fk_invites_used_by_id_accounts"),
            "accounts",
            ["used_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_invites_account_id_id", ["account_id", "id"])
    # Codes used before this revision: their first user is the first account that names
    # the invite (users.invite_id), at that account's creation.
    op.execute(
        "UPDATE invites SET "
        "used_by_id = (SELECT MIN(u.account_id) FROM users u WHERE u.invite_id = invites.id), "
        "used_at = (SELECT MIN(u.created_at) FROM users u WHERE u.invite_id = invites.id) "
        "WHERE uses > 0"
    )
    op.create_table(
        "role_policies",
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", tandem.store.types.JSONText(), nullable=False),
        sa.Column("updated_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("role", "name", name=op.f("pk_role_policies")),
    )


def downgrade() -> None:
    op.drop_table("role_policies")
    with op.batch_alter_table("invites") as batch_op:
        batch_op.drop_index("ix_invites_account_id_id")
        batch_op.drop_constraint(op.f("fk_invites_used_by_id_accounts"), type_="foreignkey")
        batch_op.drop_column("used_at")
        batch_op.drop_column("used_by_id")
