"""Writes that may race: insert-if-absent, delete-and-tell, row locks (SQLite and PostgreSQL).

Concurrent requests must not turn into unique-key violations (500s) or counters that drift.
The rule used across the store: a row is created with `INSERT … ON CONFLICT DO NOTHING` and
the caller learns whether *it* created the row; a row is deleted with `DELETE … RETURNING`
and the caller learns whether *it* deleted it; counters move only on those answers. Where a
rule reads before it writes (limits, "already done" answers), the rows it depends on are
locked first (`SELECT … FOR NO KEY UPDATE` on PostgreSQL; SQLite runs one writer at a time).

One global lock order, or PostgreSQL answers a deadlock (a 500): a transaction locks, up
front and before its first write, every row whose counters or existence it will change, in
this order: statuses (ascending id, so a reblogged original or a reply's parent comes before
the reblog or reply, and those before the status's own reblogs), then accounts (ascending
id), then rows of other tables (media attachments, lists, clips). A row held FOR UPDATE
(about to be deleted) blocks the inserts that reference it (their foreign key takes a
KEY SHARE lock), so lock the referenced status before inserting a pin, reply or reblog.
Counters of several rows are then moved in the same ascending order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement

from tandem.store.db import Conn

log = logging.getLogger(__name__)


def dialect_of(conn: Conn) -> str:
    sync = conn.sync_connection
    assert sync is not None
    return sync.dialect.name


def dialect_insert(conn: Conn, table: Table) -> Any:
    """This connection's dialect's INSERT, which has `on_conflict_do_nothing|update`."""
    return (pg_insert if dialect_of(conn) == "postgresql" else sqlite_insert)(table)


def insert_ignoring(
    conn: Conn, table: Table, rows: Mapping[str, Any] | Sequence[Mapping[str, Any]], on: Any
) -> Any:
    """`INSERT … ON CONFLICT (on) DO NOTHING` for this connection's dialect (`on=None`: any key)."""
    stmt = dialect_insert(conn, table).values(rows if isinstance(rows, Sequence) else dict(rows))
    return stmt.on_conflict_do_nothing(index_elements=on)


async def insert_new(
    conn: Conn, table: Table, values: Mapping[str, Any], *, on: Sequence[str] | None = None
) -> bool:
    """Insert the row unless one with the same unique key exists; True if this call created it.

    On PostgreSQL an insert racing another transaction's insert of the same key waits for
    that transaction, then does nothing if it committed: exactly one racer gets True.
    """
    key = next(iter(table.primary_key.columns))
    stmt = insert_ignoring(conn, table, values, list(on) if on else None).returning(key)
    return (await conn.execute(stmt)).first() is not None


async def lock(conn: Conn, table: Table, ids: Iterable[int]) -> None:
    """Lock rows by id until the transaction ends (PostgreSQL), always in ascending id order
    so two transactions locking the same rows cannot deadlock. SQLite has one writer already.

    `FOR NO KEY UPDATE` still lets other transactions insert rows that reference these.
    """
    if dialect_of(conn) != "postgresql":
        return
    for row_id in sorted(set(ids)):
        await conn.execute(
            select(table.c.id).where(table.c.id == row_id).with_for_update(key_share=True)
        )


def bump(column: ColumnElement[int], delta: int) -> ColumnElement[int]:
    """`column + delta`, never below zero (a counter that would go negative stops at 0)."""
    moved = column + delta
    if delta >= 0:
        return moved
    return case((moved < 0, 0), else_=moved)
