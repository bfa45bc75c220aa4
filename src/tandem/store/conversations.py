"""Direct conversations as each participant sees them (Mastodon's AccountConversation): one
row per account, thread and set of other participants."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from tandem.core.ids import new_id
from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import account_conversations as table
from tandem.store.writes import insert_new, lock


@dataclass(frozen=True)
class Conversation:
    id: int
    account_id: int
    root_id: int
    participant_ids: list[int]
    status_ids: list[int]
    last_status_id: int
    unread: bool


def _from_row(row: AnyRow) -> Conversation:
    return Conversation(
        id=row.id,
        account_id=row.account_id,
        root_id=row.root_id,
        participant_ids=[int(i) for i in row.participant_ids],
        status_ids=[int(i) for i in row.status_ids],
        last_status_id=row.last_status_id,
        unread=bool(row.unread),
    )


def participants_key(others: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(set(others)))


async def _find(conn: Conn, account_id: int, root_id: int, key: str) -> Conversation | None:
    row = (
        await conn.execute(
            select(table).where(
                table.c.account_id == account_id,
                table.c.root_id == root_id,
                table.c.participants_key == key,
            )
        )
    ).first()
    return _from_row(row) if row else None


async def add_status(
    conn: Conn, account_id: int, root_id: int, others: Sequence[int], status_id: int, unread: bool
) -> int | None:
    """Put a status into the account's conversation with these others (created if new); the
    conversation's id, None when it did not take the status."""
    key = participants_key(others)
    made = new_id()
    created = await insert_new(
        conn,
        table,
        {
            "id": made,
            "account_id": account_id,
            "root_id": root_id,
            "participants_key": key,
            "participant_ids": sorted(set(others)),
            "status_ids": [status_id],
            "last_status_id": status_id,
            "unread": unread,
        },
        on=["account_id", "root_id", "participants_key"],
    )
    if created:
        return made
    found = await _find(conn, account_id, root_id, key)
    if found is None:
        return None  # removed meanwhile; the next status starts it again
    await lock(conn, table, [found.id])
    found = await _find(conn, account_id, root_id, key)
    if found is None or status_id in found.status_ids:
        return None
    ids = sorted({*found.status_ids, status_id})
    await conn.execute(
        update(table)
        .where(table.c.id == found.id)
        .values(
            status_ids=ids,
            last_status_id=ids[-1],
            unread=found.unread or unread,
        )
    )
    return int(found.id)


async def remove_status(
    conn: Conn, account_ids: Iterable[int], root_ids: Iterable[int], status_id: int
) -> None:
    """Take a deleted status out of these accounts' conversations in these threads; a
    conversation left without statuses goes."""
    rows = await conn.execute(
        select(table).where(
            table.c.account_id.in_(set(account_ids)), table.c.root_id.in_(set(root_ids))
        )
    )
    for found in [_from_row(r) for r in rows]:
        if status_id not in found.status_ids:
            continue
        await lock(conn, table, [found.id])
        ids = [i for i in found.status_ids if i != status_id]
        if not ids:
            await conn.execute(delete(table).where(table.c.id == found.id))
        else:
            await conn.execute(
                update(table)
                .where(table.c.id == found.id)
                .values(status_ids=ids, last_status_id=max(ids))
            )


async def page_of(conn: Conn, account_id: int, page: Page) -> list[Conversation]:
    """The account's conversations, the most recently active first (paged by last status)."""
    stmt = select(table).where(table.c.account_id == account_id)
    return [_from_row(r) for r in await newest_first(conn, stmt, table.c.last_status_id, page)]


async def get(conn: Conn, account_id: int, conversation_id: int) -> Conversation | None:
    row = (
        await conn.execute(
            select(table).where(table.c.id == conversation_id, table.c.account_id == account_id)
        )
    ).first()
    return _from_row(row) if row else None


async def mark_read(conn: Conn, account_id: int, conversation_id: int) -> bool:
    result = await conn.execute(
        update(table)
        .where(table.c.id == conversation_id, table.c.account_id == account_id)
        .values(unread=False)
        .returning(table.c.id)
    )
    return result.first() is not None


async def remove(conn: Conn, account_id: int, conversation_id: int) -> bool:
    result = await conn.execute(
        delete(table)
        .where(table.c.id == conversation_id, table.c.account_id == account_id)
        .returning(table.c.id)
    )
    return result.first() is not None
