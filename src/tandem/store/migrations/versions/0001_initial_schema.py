"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 07:32:46.330040
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=2048), nullable=False),
        sa.Column("username_key", sa.String(length=2048), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("domain_key", sa.String(length=255), server_default="", nullable=False),
        sa.Column("display_name", sa.Text(), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("note_html", sa.Text(), server_default="", nullable=False),
        sa.Column("fields", tandem.store.types.JSONText(), server_default="[]", nullable=False),
        sa.Column("locked", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("bot", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("is_group", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("discoverable", sa.Boolean(), nullable=True),
        sa.Column("indexable", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("hide_collections", sa.Boolean(), nullable=True),
        sa.Column("noindex", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("show_media", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("show_media_replies", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("show_featured", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("avatar", tandem.store.types.JSONText(), nullable=True),
        sa.Column("header", tandem.store.types.JSONText(), nullable=True),
        sa.Column("avatar_description", sa.Text(), server_default="", nullable=False),
        sa.Column("header_description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "attribution_domains",
            tandem.store.types.JSONText(),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("followers_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("following_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("statuses_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_status_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("suspended_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("memorial", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("role", sa.String(length=16), server_default="user", nullable=False),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username_key", "domain_key", name="uq_accounts_username_domain"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", tandem.store.types.JSONText(), server_default="{}", nullable=False),
        sa.Column("progress", tandem.store.types.JSONText(), server_default="{}", nullable=False),
        sa.Column("state", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="5", nullable=False),
        sa.Column("run_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_run_at", ["state", "run_at"], unique=False)

    op.create_table(
        "tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name_key", name=op.f("uq_tags_name_key")),
    )
    op.create_table(
        "account_notes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_notes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_account_notes_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_notes")),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_account_notes_pair"),
    )
    with op.batch_alter_table("account_notes", schema=None) as batch_op:
        batch_op.create_index("ix_account_notes_target", ["target_account_id"], unique=False)

    op.create_table(
        "account_pins",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_pins_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_account_pins_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_pins")),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_account_pins_pair"),
    )
    with op.batch_alter_table("account_pins", schema=None) as batch_op:
        batch_op.create_index("ix_account_pins_target", ["target_account_id"], unique=False)

    op.create_table(
        "blocks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_blocks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_blocks_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_blocks_pair"),
    )
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.create_index("ix_blocks_target", ["target_account_id"], unique=False)

    op.create_table(
        "featured_tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_featured_tags_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_featured_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_featured_tags")),
        sa.UniqueConstraint("account_id", "tag_id", name="uq_featured_tags_pair"),
    )
    op.create_table(
        "follow_requests",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("show_reblogs", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("notify", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("languages", tandem.store.types.JSONText(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_follow_requests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_follow_requests_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_requests")),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_follow_requests_pair"),
    )
    with op.batch_alter_table("follow_requests", schema=None) as batch_op:
        batch_op.create_index("ix_follow_requests_target", ["target_account_id"], unique=False)

    op.create_table(
        "follows",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("show_reblogs", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("notify", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("languages", tandem.store.types.JSONText(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_follows_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_follows_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_follows_pair"),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index("ix_follows_target", ["target_account_id"], unique=False)

    op.create_table(
        "invites",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expires_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_invites_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("code", name=op.f("uq_invites_code")),
    )
    op.create_table(
        "lists",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("replies_policy", sa.String(length=16), server_default="list", nullable=False),
        sa.Column("exclusive", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_lists_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists")),
    )
    op.create_table(
        "mutes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("hide_notifications", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("expires_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mutes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_mutes_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mutes")),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_mutes_pair"),
    )
    with op.batch_alter_table("mutes", schema=None) as batch_op:
        batch_op.create_index("ix_mutes_target", ["target_account_id"], unique=False)

    op.create_table(
        "oauth_applications",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("website", sa.String(length=2048), nullable=True),
        sa.Column("redirect_uris", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=2048), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_secret", sa.String(length=64), nullable=False),
        sa.Column("owner_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_account_id"],
            ["accounts.id"],
            name=op.f("fk_oauth_applications_owner_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_applications")),
        sa.UniqueConstraint("client_id", name=op.f("uq_oauth_applications_client_id")),
    )
    op.create_table(
        "statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("spoiler_text", sa.Text(), server_default="", nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("sensitive", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("in_reply_to_id", sa.BigInteger(), nullable=True),
        sa.Column("in_reply_to_account_id", sa.BigInteger(), nullable=True),
        sa.Column("reblog_of_id", sa.BigInteger(), nullable=True),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("replies_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reblogs_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("favourites_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_statuses_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to_id"],
            ["statuses.id"],
            name=op.f("fk_statuses_in_reply_to_id_statuses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reblog_of_id"],
            ["statuses.id"],
            name=op.f("fk_statuses_reblog_of_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuses")),
    )
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.create_index("ix_statuses_account_id_id", ["account_id", "id"], unique=False)
        batch_op.create_index("ix_statuses_in_reply_to_id", ["in_reply_to_id"], unique=False)
        batch_op.create_index("ix_statuses_reblog_of_id", ["reblog_of_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("confirmed_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmation_token", sa.String(length=64), nullable=True),
        sa.Column("unconfirmed_email", sa.String(length=320), nullable=True),
        sa.Column("approved", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("settings", tandem.store.types.JSONText(), server_default="{}", nullable=False),
        sa.Column("created_by_application_id", sa.BigInteger(), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("invite_id", sa.BigInteger(), nullable=True),
        sa.Column("sign_up_ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_users_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("account_id", name="uq_users_account_id"),
        sa.UniqueConstraint("confirmation_token", name=op.f("uq_users_confirmation_token")),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("session_digest", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_web_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("session_digest", name=op.f("uq_web_sessions_session_digest")),
    )
    op.create_table(
        "list_accounts",
        sa.Column("list_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_list_accounts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["lists.id"],
            name=op.f("fk_list_accounts_list_id_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("list_id", "account_id", name=op.f("pk_list_accounts")),
    )
    with op.batch_alter_table("list_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_list_accounts_account", ["account_id"], unique=False)

    op.create_table(
        "media_attachments",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("file", tandem.store.types.JSONText(), nullable=False),
        sa.Column("thumbnail", tandem.store.types.JSONText(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("blurhash", sa.String(length=255), nullable=True),
        sa.Column("focus", tandem.store.types.JSONText(), server_default="[0, 0]", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_media_attachments_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_media_attachments_status_id_statuses"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_attachments")),
    )
    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_media_attachments_account", ["account_id"], unique=False)
        batch_op.create_index("ix_media_attachments_status", ["status_id"], unique=False)

    op.create_table(
        "mentions",
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mentions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_mentions_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("status_id", "account_id", name=op.f("pk_mentions")),
    )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index("ix_mentions_account", ["account_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", tandem.store.types.JSONText(), server_default="{}", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_from_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_notifications_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_account_id_id", ["account_id", "id"], unique=False)

    op.create_table(
        "oauth_access_grants",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=2048), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=16), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oauth_access_grants_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["oauth_applications.id"],
            name=op.f("fk_oauth_access_grants_application_id_oauth_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_access_grants")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_oauth_access_grants_code_digest")),
    )
    op.create_table(
        "oauth_access_tokens",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("refresh_token_digest", sa.String(length=64), nullable=True),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("scopes", sa.String(length=2048), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", tandem.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oauth_access_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["oauth_applications.id"],
            name=op.f("fk_oauth_access_tokens_application_id_oauth_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_access_tokens")),
        sa.UniqueConstraint(
            "refresh_token_digest", name=op.f("uq_oauth_access_tokens_refresh_token_digest")
        ),
        sa.UniqueConstraint("token_digest", name=op.f("uq_oauth_access_tokens_token_digest")),
    )
    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_oauth_access_tokens_account", ["account_id"], unique=False)

    op.create_table(
        "status_pins",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_status_pins_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_status_pins_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_pins")),
        sa.UniqueConstraint("account_id", "status_id", name="uq_status_pins_pair"),
    )
    op.create_table(
        "status_tags",
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_status_tags_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_status_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("status_id", "tag_id", name=op.f("pk_status_tags")),
    )
    with op.batch_alter_table("status_tags", schema=None) as batch_op:
        batch_op.create_index("ix_status_tags_tag", ["tag_id", "status_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("status_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_status_tags_tag")

    op.drop_table("status_tags")
    op.drop_table("status_pins")
    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_oauth_access_tokens_account")

    op.drop_table("oauth_access_tokens")
    op.drop_table("oauth_access_grants")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_account_id_id")

    op.drop_table("notifications")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_account")

    op.drop_table("mentions")
    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_media_attachments_status")
        batch_op.drop_index("ix_media_attachments_account")

    op.drop_table("media_attachments")
    with op.batch_alter_table("list_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_list_accounts_account")

    op.drop_table("list_accounts")
    op.drop_table("web_sessions")
    op.drop_table("users")
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_statuses_reblog_of_id")
        batch_op.drop_index("ix_statuses_in_reply_to_id")
        batch_op.drop_index("ix_statuses_account_id_id")

    op.drop_table("statuses")
    op.drop_table("oauth_applications")
    with op.batch_alter_table("mutes", schema=None) as batch_op:
        batch_op.drop_index("ix_mutes_target")

    op.drop_table("mutes")
    op.drop_table("lists")
    op.drop_table("invites")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index("ix_follows_target")

    op.drop_table("follows")
    with op.batch_alter_table("follow_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_requests_target")

    op.drop_table("follow_requests")
    op.drop_table("featured_tags")
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_blocks_target")

    op.drop_table("blocks")
    with op.batch_alter_table("account_pins", schema=None) as batch_op:
        batch_op.drop_index("ix_account_pins_target")

    op.drop_table("account_pins")
    with op.batch_alter_table("account_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_account_notes_target")

    op.drop_table("account_notes")
    op.drop_table("tags")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_state_run_at")

    op.drop_table("jobs")
    op.drop_table("accounts")
