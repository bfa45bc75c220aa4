"""media processed in the background: a processing state and the file's meta

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:40:00.000000

Video, audio and GIFV uploads through `POST /api/v2/media` are converted by a job
(`process_media`): until it has run, a media attachment is `queued` (Mastodon answers 202/206
with `url: null` and refuses to attach it), then `complete` or `failed`. `meta` keeps what
Mastodon serialises as `meta.original` for them (width, height, frame_rate, duration, bitrate).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch_op:
        batch_op.add_column(
            sa.Column("processing", sa.String(16), server_default="complete", nullable=False)
        )
        batch_op.add_column(sa.Column("meta", tandem.store.types.JSONText(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch_op:
        batch_op.drop_column("meta")
        batch_op.drop_column("processing")
