"""each version of an edited status keeps its media descriptions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 18:10:00.000000

`status_edits.media_descriptions` holds a JSON list parallel to `media_ids`: each medium's
description as that version had it (Mastodon's `media_descriptions`), so the history shows
past alt texts. Rows kept before it stay NULL and show the media's current descriptions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_edits") as batch_op:
        batch_op.add_column(
            sa.Column("media_descriptions", tandem.store.types.JSONText(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("status_edits") as batch_op:
        batch_op.drop_column("media_descriptions")
