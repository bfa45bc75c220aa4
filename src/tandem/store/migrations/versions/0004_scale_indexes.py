"""indexes for lists at scale, and the account search terms

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 11:30:00.000000

Follower/following pages and the other account→account lists page by row id from one side:
each pair table gets (target_account_id, id) in place of (target_account_id), and
(account_id, id). Favorites page by id per account. Account search becomes index ranges on a
table of terms (the lower-cased username, and each word-started tail of the lower-cased display
name), filled here for the accounts that exist.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAIR_TABLES = ("follows", "follow_requests", "blocks", "mutes", "account_pins", "account_notes")
TERM = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")
BATCH = 5000


def upgrade() -> None:
    for table in PAIR_TABLES:
        op.create_index(f"ix_{table}_target_id", table, ["target_account_id", "id"])
        op.create_index(f"ix_{table}_account_id", table, ["account_id", "id"])
        op.drop_index(f"ix_{table}_target", table_name=table)
    op.create_index("ix_favorites_account_id_id", "favorites", ["account_id", "id"])

    terms = op.create_table(
        "account_search_terms",
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("term", TERM, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_search_terms_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kind", "term", "account_id", name=op.f("pk_account_search_terms")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_account_search_terms_account",
        "account_search_terms",
        ["account_id", "kind", "term"],
    )
    _fill_terms(terms)


def _fill_terms(terms: sa.Table) -> None:
    """Terms of the accounts already there, in batches by id (the rules of store/accounts.py's
    `search_terms` as of this revision)."""
    bind = op.get_bind()
    accounts = sa.table(
        "accounts", sa.column("id"), sa.column("username_key"), sa.column("display_name")
    )
    last = -1
    while True:
        rows = bind.execute(
            sa.select(accounts.c.id, accounts.c.username_key, accounts.c.display_name)
            .where(accounts.c.id > last)
            .order_by(accounts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values = []
        for account_id, username_key, display_name in rows:
            words = display_name.lower().split()[:10]
            tails = {" ".join(words[i:])[:100] for i in range(len(words))}
            values.append({"kind": 0, "term": username_key[:100], "account_id": account_id})
            values += [{"kind": 1, "term": t, "account_id": account_id} for t in tails]
        bind.execute(terms.insert(), values)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_account_search_terms_account", table_name="account_search_terms")
    op.drop_table("account_search_terms")
    op.drop_index("ix_favorites_account_id_id", table_name="favorites")
    for table in PAIR_TABLES:
        op.create_index(f"ix_{table}_target", table, ["target_account_id"])
        op.drop_index(f"ix_{table}_account_id", table_name=table)
        op.drop_index(f"ix_{table}_target_id", table_name=table)
