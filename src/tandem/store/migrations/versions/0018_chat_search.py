"""chat search: substring search over chat messages through a trigram index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 04:30:00.000000

`chat/messages/search` finds messages containing a string (case-insensitive), which a word
index cannot answer. On SQLite an FTS5 table with the trigram tokenizer over
`chat_messages` (external content: triggers keep it in step, cascades included); on
PostgreSQL a `pg_trgm` GIN index on `lower(text)` (the expression store/chat_search.py
queries). The search first reads the newest messages of each part of its scope by index:
what an account received gets one (`ix_chat_messages_to`). When the extension cannot be created (no rights), the index is skipped with a
warning: the search still works, by a scan within the conversation or room.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER chat_messages_search_insert AFTER INSERT ON chat_messages BEGIN
        INSERT INTO chat_message_search(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER chat_messages_search_delete AFTER DELETE ON chat_messages BEGIN
        INSERT INTO chat_message_search(chat_message_search, rowid, text)
        VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER chat_messages_search_update AFTER UPDATE OF text ON chat_messages BEGIN
        INSERT INTO chat_message_search(chat_message_search, rowid, text)
        VALUES ('delete', old.id, old.text);
        INSERT INTO chat_message_search(rowid, text) VALUES (new.id, new.text);
    END""",
)


def upgrade() -> None:
    op.create_index(
        "ix_chat_messages_to",
        "chat_messages",
        ["to_account_id", "id"],
        sqlite_where=sa.text("to_account_id IS NOT NULL"),
        postgresql_where=sa.text("to_account_id IS NOT NULL"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError:
            log.warning("pg_trgm is not available: chat search will scan instead of indexing")
            return
        op.execute(
            "CREATE INDEX ix_chat_messages_text_trgm ON chat_messages "
            "USING gin (lower(text) gin_trgm_ops)"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE chat_message_search USING fts5(text, "
        "content='chat_messages', content_rowid='id', tokenize='trigram')"
    )
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO chat_message_search(chat_message_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_chat_messages_text_trgm")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER chat_messages_search_{name}")
        op.execute("DROP TABLE chat_message_search")
    op.drop_index("ix_chat_messages_to", table_name="chat_messages")
