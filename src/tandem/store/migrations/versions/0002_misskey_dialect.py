"""misskey dialect

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:23:30.770874
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "clips",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_public", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_clipped_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_clips_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clips")),
    )
    op.create_table(
        "miauth_sessions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("session", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("icon_url", sa.Text(), nullable=True),
        sa.Column("callback_url", sa.Text(), nullable=True),
        sa.Column("permissions", sa.String(length=2048), server_default="", nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("token", sa.String(length=128), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_miauth_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_miauth_sessions")),
        sa.UniqueConstraint("session", name=op.f("uq_miauth_sessions_session")),
    )
    op.create_table(
        "registry_items",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("domain", sa.String(length=64), server_default="", nullable=False),
        sa.Column("scope", tandem.store.types.JSONText(), nullable=False),
        sa.Column("scope_key", sa.String(length=1024), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("value", tandem.store.types.JSONText(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_registry_items_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_items")),
        sa.UniqueConstraint(
            "account_id", "domain", "scope_key", "key", name="uq_registry_items_key"
        ),
    )
    op.create_table(
        "signins",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("headers", tandem.store.types.JSONText(), server_default="{}", nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_signins_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signins")),
    )
    with op.batch_alter_table("signins", schema=None) as batch_op:
        batch_op.create_index("ix_signins_account_id_id", ["account_id", "id"], unique=False)

    op.create_table(
        "webhooks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("secret", sa.String(length=1024), nullable=False),
        sa.Column("events", tandem.store.types.JSONText(), server_default="[]", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("latest_sent_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("latest_status", sa.Integer(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_webhooks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "antennas",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("src", sa.String(length=32), nullable=False),
        sa.Column("list_id", sa.BigInteger(), nullable=True),
        sa.Column("keywords", tandem.store.types.JSONText(), server_default="[]", nullable=False),
        sa.Column(
            "exclude_keywords", tandem.store.types.JSONText(), server_default="[]", nullable=False
        ),
        sa.Column("users", tandem.store.types.JSONText(), server_default="[]", nullable=False),
        sa.Column("case_sensitive", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("local_only", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("exclude_bots", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("with_replies", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("with_file", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_antennas_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["lists.id"], name=op.f("fk_antennas_list_id_lists"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antennas")),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=128), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_auth_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["oauth_applications.id"],
            name=op.f("fk_auth_sessions_application_id_oauth_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        sa.UniqueConstraint("token", name=op.f("uq_auth_sessions_token")),
    )
    op.create_table(
        "clip_notes",
        sa.Column("clip_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["clips.id"], name=op.f("fk_clip_notes_clip_id_clips"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_clip_notes_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("clip_id", "status_id", name=op.f("pk_clip_notes")),
    )
    op.create_table(
        "favorites",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_favorites_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_favorites_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favorites")),
        sa.UniqueConstraint("account_id", "status_id", name="uq_favorites_pair"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("birthday", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("lang", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("is_cat", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("hide_online_status", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("public_reactions", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "following_visibility",
                sa.String(length=16),
                server_default="public",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "followers_visibility",
                sa.String(length=16),
                server_default="public",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("prevent_ai_learning", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("auto_accept_followed", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("careful_bot", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("avatar_file_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("banner_file_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "last_active_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_public", sa.Boolean(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("md5", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("is_sensitive", sa.Boolean(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="oauth", nullable=False)
        )
        batch_op.add_column(sa.Column("name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("icon_url", sa.Text(), nullable=True))

    with op.batch_alter_table("oauth_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("callback_url", sa.Text(), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("two_factor_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("two_factor_pending_secret", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "two_factor_backup_codes",
                tandem.store.types.JSONText(),
                server_default="[]",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("two_factor_enabled", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_less_login", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "client_prefs", tandem.store.types.JSONText(), server_default="{}", nullable=False
            )
        )


def downgrade() -> None:

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("client_prefs")
        batch_op.drop_column("password_less_login")
        batch_op.drop_column("two_factor_enabled")
        batch_op.drop_column("two_factor_backup_codes")
        batch_op.drop_column("two_factor_pending_secret")
        batch_op.drop_column("two_factor_secret")

    with op.batch_alter_table("oauth_applications", schema=None) as batch_op:
        batch_op.drop_column("callback_url")
        batch_op.drop_column("description")

    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.drop_column("icon_url")
        batch_op.drop_column("description")
        batch_op.drop_column("name")
        batch_op.drop_column("kind")

    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.drop_column("is_sensitive")
        batch_op.drop_column("md5")
        batch_op.drop_column("name")

    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.drop_column("is_public")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("last_active_at")
        batch_op.drop_column("banner_file_id")
        batch_op.drop_column("avatar_file_id")
        batch_op.drop_column("careful_bot")
        batch_op.drop_column("auto_accept_followed")
        batch_op.drop_column("prevent_ai_learning")
        batch_op.drop_column("followers_visibility")
        batch_op.drop_column("following_visibility")
        batch_op.drop_column("public_reactions")
        batch_op.drop_column("hide_online_status")
        batch_op.drop_column("is_cat")
        batch_op.drop_column("lang")
        batch_op.drop_column("birthday")
        batch_op.drop_column("location")

    op.drop_table("favorites")
    op.drop_table("clip_notes")
    op.drop_table("auth_sessions")
    op.drop_table("antennas")
    op.drop_table("webhooks")
    with op.batch_alter_table("signins", schema=None) as batch_op:
        batch_op.drop_index("ix_signins_account_id_id")

    op.drop_table("signins")
    op.drop_table("registry_items")
    op.drop_table("miauth_sessions")
    op.drop_table("clips")
