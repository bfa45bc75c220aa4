"""chat: direct messages and rooms (Misskey's chat)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 04:00:00.000000

`accounts.chat_scope` says who may start a chat with the account (Misskey's default:
mutual followers). Rooms have an owner (without a membership row), members, invitations.
A message goes to one account (`to_account_id`, with the pair's ids lower first in
`pair_low`/`pair_high` so one index reads a conversation both ways) or to a room. Each
account's conversations with their newest message, the approvals to write back, and the
unread markers are kept in tables of their own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tandem.store.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_fk(table: str, column: str = "account_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["accounts.id"], name=op.f(f"fk_{table}_{column}_accounts"), ondelete="CASCADE"
    )


def _room_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["room_id"],
        ["chat_rooms.id"],
        name=op.f(f"fk_{table}_room_id_chat_rooms"),
        ondelete="CASCADE",
    )


_SCOPES = "('everyone', 'followers', 'following', 'mutual', 'none')"


def _copy_chat_scopes() -> None:
    """`i/update` kept `chatScope` with the client preferences before it had this column."""
    if op.get_bind().dialect.name == "postgresql":
        given = "(u.client_prefs::jsonb ->> 'chatScope')"
    else:
        given = "json_extract(u.client_prefs, '$.chatScope')"
    op.execute(
        f"UPDATE accounts SET chat_scope = (SELECT {given} FROM users u "
        "WHERE u.account_id = accounts.id) "
        f"WHERE EXISTS (SELECT 1 FROM users u WHERE u.account_id = accounts.id "
        f"AND {given} IN {_SCOPES})"
    )


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(
            sa.Column("chat_scope", sa.String(length=16), server_default="mutual", nullable=False)
        )
    _copy_chat_scopes()
    op.create_table(
        "chat_rooms",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.String(length=1024), server_default="", nullable=False),
        sa.Column("last_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        _account_fk("chat_rooms", "owner_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_rooms")),
    )
    op.create_index("ix_chat_rooms_owner", "chat_rooms", ["owner_id", "id"])
    op.create_table(
        "chat_room_memberships",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("muted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        _room_fk("chat_room_memberships"),
        _account_fk("chat_room_memberships"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_room_memberships")),
        sa.UniqueConstraint("room_id", "account_id", name="uq_chat_room_memberships_pair"),
    )
    op.create_index(
        "ix_chat_room_memberships_account", "chat_room_memberships", ["account_id", "id"]
    )
    op.create_table(
        "chat_room_invitations",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("ignored", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        _room_fk("chat_room_invitations"),
        _account_fk("chat_room_invitations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_room_invitations")),
        sa.UniqueConstraint("room_id", "account_id", name="uq_chat_room_invitations_pair"),
    )
    op.create_index(
        "ix_chat_room_invitations_account", "chat_room_invitations", ["account_id", "id"]
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), nullable=False),
        sa.Column("to_account_id", sa.BigInteger(), nullable=True),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("pair_low", sa.BigInteger(), nullable=True),
        sa.Column("pair_high", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        _account_fk("chat_messages", "from_account_id"),
        _account_fk("chat_messages", "to_account_id"),
        _room_fk("chat_messages"),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["media_attachments.id"],
            name=op.f("fk_chat_messages_file_id_media_attachments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    op.create_index(
        "ix_chat_messages_pair",
        "chat_messages",
        ["pair_low", "pair_high", "id"],
        sqlite_where=sa.text("pair_low IS NOT NULL"),
        postgresql_where=sa.text("pair_low IS NOT NULL"),
    )
    op.create_index(
        "ix_chat_messages_room",
        "chat_messages",
        ["room_id", "id"],
        sqlite_where=sa.text("room_id IS NOT NULL"),
        postgresql_where=sa.text("room_id IS NOT NULL"),
    )
    op.create_index("ix_chat_messages_from", "chat_messages", ["from_account_id", "id"])
    op.create_table(
        "chat_message_reactions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("reaction", sa.String(length=256), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["chat_messages.id"],
            name=op.f("fk_chat_message_reactions_message_id_chat_messages"),
            ondelete="CASCADE",
        ),
        _account_fk("chat_message_reactions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_message_reactions")),
        sa.UniqueConstraint(
            "message_id", "account_id", "reaction", name="uq_chat_message_reactions_triple"
        ),
    )
    op.create_table(
        "chat_conversations",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("other_account_id", sa.BigInteger(), nullable=False),
        sa.Column("last_message_id", sa.BigInteger(), nullable=False),
        _account_fk("chat_conversations"),
        _account_fk("chat_conversations", "other_account_id"),
        sa.PrimaryKeyConstraint("account_id", "other_account_id", name="pk_chat_conversations"),
    )
    op.create_index(
        "ix_chat_conversations_account_last",
        "chat_conversations",
        ["account_id", "last_message_id"],
    )
    op.create_table(
        "chat_approvals",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("other_account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", tandem.store.types.UTCDateTime(timezone=True), nullable=False),
        _account_fk("chat_approvals"),
        _account_fk("chat_approvals", "other_account_id"),
        sa.PrimaryKeyConstraint("account_id", "other_account_id", name="pk_chat_approvals"),
    )
    op.create_table(
        "chat_unreads",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("thread", sa.String(length=40), nullable=False),
        sa.Column("other_account_id", sa.BigInteger(), nullable=True),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        _account_fk("chat_unreads"),
        _account_fk("chat_unreads", "other_account_id"),
        _room_fk("chat_unreads"),
        sa.PrimaryKeyConstraint("account_id", "thread", name="pk_chat_unreads"),
    )


def downgrade() -> None:
    op.drop_table("chat_unreads")
    op.drop_table("chat_approvals")
    op.drop_index("ix_chat_conversations_account_last", table_name="chat_conversations")
    op.drop_table("chat_conversations")
    op.drop_table("chat_message_reactions")
    op.drop_index("ix_chat_messages_from", table_name="chat_messages")
    op.drop_index("ix_chat_messages_room", table_name="chat_messages")
    op.drop_index("ix_chat_messages_pair", table_name="chat_messages")
    op.drop_table("chat_messages")
    op.drop_index("ix_chat_room_invitations_account", table_name="chat_room_invitations")
    op.drop_table("chat_room_invitations")
    op.drop_index("ix_chat_room_memberships_account", table_name="chat_room_memberships")
    op.drop_table("chat_room_memberships")
    op.drop_index("ix_chat_rooms_owner", table_name="chat_rooms")
    op.drop_table("chat_rooms")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("chat_scope")
