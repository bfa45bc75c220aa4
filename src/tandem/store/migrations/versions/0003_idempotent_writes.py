"""idempotent writes: one reblog per account and status, counters recounted

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:40:00.000000

Concurrent requests could create a status's reblog twice and move counters for rows that
were never written. Duplicate reblogs are removed (the oldest stays) before the unique index
is added, and local accounts' and statuses' counters are set back to the rows they count.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The oldest reblog of each (account, status) stays; counters are recounted below.
    op.execute(
        """
        DELETE FROM statuses
        WHERE reblog_of_id IS NOT NULL
          AND id NOT IN (
            SELECT keep FROM (
              SELECT MIN(id) AS keep FROM statuses
              WHERE reblog_of_id IS NOT NULL
              GROUP BY account_id, reblog_of_id
            ) AS oldest
          )
        """
    )
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.create_index(
            "uq_statuses_account_reblog", ["account_id", "reblog_of_id"], unique=True
        )

    # Counters of local accounts and their statuses equal the rows they count again.
    op.execute(
        """
        UPDATE accounts SET
          following_count = (
            SELECT COUNT(*) FROM follows WHERE follows.account_id = accounts.id),
          followers_count = (
            SELECT COUNT(*) FROM follows WHERE follows.target_account_id = accounts.id),
          statuses_count = (
            SELECT COUNT(*) FROM statuses WHERE statuses.account_id = accounts.id)
        WHERE domain IS NULL
        """
    )
    op.execute(
        """
        UPDATE statuses SET
          reblogs_count = (
            SELECT COUNT(*) FROM statuses AS r WHERE r.reblog_of_id = statuses.id),
          replies_count = (
            SELECT COUNT(*) FROM statuses AS r WHERE r.in_reply_to_id = statuses.id)
        WHERE account_id IN (SELECT id FROM accounts WHERE domain IS NULL)
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.drop_index("uq_statuses_account_reblog")
