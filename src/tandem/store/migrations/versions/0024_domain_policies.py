"""domain policies: the server's blocks of other servers (silence, suspend, reject media)
and its allow-list

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 12:30:00.000000

`domain_policies` holds one policy per remote domain (`tandem admin domain-block`), which
covers its subdomains unless they have one of their own; `domain_allows` the domains
federated with in allow-list mode. `ix_accounts_domain_key` finds a domain's accounts (a
suspension suspends them) and lists the instance's peers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "domain_policies",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("reject_media", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("reject_reports", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("private_comment", sa.Text(), nullable=True),
        sa.Column("public_comment", sa.Text(), nullable=True),
        sa.Column("obfuscate", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_policies")),
        sa.UniqueConstraint("domain", name=op.f("uq_domain_policies_domain")),
    )
    op.create_table(
        "domain_allows",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_allows")),
        sa.UniqueConstraint("domain", name=op.f("uq_domain_allows_domain")),
    )
    op.create_index("ix_accounts_domain_key", "accounts", ["domain_key"])


def downgrade() -> None:
    op.drop_index("ix_accounts_domain_key", table_name="accounts")
    op.drop_table("domain_allows")
    op.drop_table("domain_policies")
