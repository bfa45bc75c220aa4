"""media keep the order the client gave them in a post

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 00:20:00.000000

`media_attachments.position` is a medium's place among its status's media, as the client
listed `media_ids` (Mastodon's `ordered_media_attachment_ids`), set when a post is created or
edited. Rows attached before it stay 0, so their statuses keep the upload order (by id).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch_op:
        batch_op.drop_column("position")
