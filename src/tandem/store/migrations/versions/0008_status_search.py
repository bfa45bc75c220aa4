"""full-text search on statuses, hashtag prefixes, and owners/admins by role

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:30:00.000000

Statuses are searched by words through an index, never a scan: on SQLite an FTS5 table over
`statuses` (external content: it stores only the index; triggers keep it in step with inserts,
edits and deletes, cascades included), on PostgreSQL a GIN index on
`to_tsvector('simple', text || ' ' || spoiler_text)` (the expression store/search.py queries).
Hashtags are searched by prefix of `name_key` in code point order (on PostgreSQL an index in
the "C" collation). `accounts.role` gets an index: the instance's contact (the first owner or
admin) is read on every instance document.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER statuses_search_insert AFTER INSERT ON statuses BEGIN
        INSERT INTO status_search(rowid, text, spoiler_text)
        VALUES (new.id, new.text, new.spoiler_text);
    END""",
    """CREATE TRIGGER statuses_search_delete AFTER DELETE ON statuses BEGIN
        INSERT INTO status_search(status_search, rowid, text, spoiler_text)
        VALUES ('delete', old.id, old.text, old.spoiler_text);
    END""",
    """CREATE TRIGGER statuses_search_update AFTER UPDATE OF text, spoiler_text ON statuses
    BEGIN
        INSERT INTO status_search(status_search, rowid, text, spoiler_text)
        VALUES ('delete', old.id, old.text, old.spoiler_text);
        INSERT INTO status_search(rowid, text, spoiler_text)
        VALUES (new.id, new.text, new.spoiler_text);
    END""",
)


def upgrade() -> None:
    op.create_index("ix_accounts_role", "accounts", ["role"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_statuses_search ON statuses "
            "USING gin (to_tsvector('simple', text || ' ' || spoiler_text))"
        )
        op.execute('CREATE INDEX ix_tags_name_key_c ON tags (name_key COLLATE "C")')
        return
    op.execute(
        "CREATE VIRTUAL TABLE status_search USING fts5(text, spoiler_text, "
        "content='statuses', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO status_search(status_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_tags_name_key_c")
        op.execute("DROP INDEX ix_statuses_search")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER statuses_search_{name}")
        op.execute("DROP TABLE status_search")
    op.drop_index("ix_accounts_role", table_name="accounts")
