"""Queries on chat messages (Misskey's chat): messages, reactions, conversations, approvals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.relationships import live_mutes
from tandem.store.schema import (
    chat_approvals,
    chat_conversations,
    chat_message_reactions,
    chat_messages,
    chat_room_memberships,
    chat_rooms,
    mutes,
)
from tandem.store.writes import dialect_of, insert_new

m = chat_messages


async def insert(conn: Conn, **values: Any) -> None:
    await conn.execute(m.insert().values(**values))


async def get(conn: Conn, message_id: int) -> AnyRow | None:
    return (await conn.execute(select(m).where(m.c.id == message_id))).first()


async def get_many(conn: Conn, ids: Iterable[int]) -> list[AnyRow]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(await conn.execute(select(m).where(m.c.id.in_(wanted))))


async def remove(conn: Conn, message_id: int) -> AnyRow | None:
    """Delete the message; its row as it was, or None when it was gone already."""
    return (await conn.execute(delete(m).where(m.c.id == message_id).returning(m))).first()


async def conversation_page(conn: Conn, low: int, high: int, page: Page) -> list[AnyRow]:
    stmt = select(m).where(m.c.pair_low == low, m.c.pair_high == high)
    return await newest_first(conn, stmt, m.c.id, page)


async def room_page(conn: Conn, room_id: int, page: Page) -> list[AnyRow]:
    stmt = select(m).where(m.c.room_id == room_id)
    return await newest_first(conn, stmt, m.c.id, page)


async def newest_in_pair(conn: Conn, low: int, high: int) -> int | None:
    stmt = select(func.max(m.c.id)).where(m.c.pair_low == low, m.c.pair_high == high)
    found = await conn.scalar(stmt)
    return int(found) if found is not None else None


async def newest_in_room(conn: Conn, room_id: int) -> int | None:
    found = await conn.scalar(select(func.max(m.c.id)).where(m.c.room_id == room_id))
    return int(found) if found is not None else None


# Conversations (chat/history, DM mode).
async def set_conversation(conn: Conn, account_id: int, other_id: int, last_id: int) -> None:
    """The pair's newest message is `last_id` (for the account's side)."""
    created = await insert_new(
        conn,
        chat_conversations,
        {"account_id": account_id, "other_account_id": other_id, "last_message_id": last_id},
        on=("account_id", "other_account_id"),
    )
    if not created:
        await conn.execute(
            update(chat_conversations)
            .where(
                chat_conversations.c.account_id == account_id,
                chat_conversations.c.other_account_id == other_id,
            )
            .values(last_message_id=last_id)
        )


async def drop_conversation(conn: Conn, account_id: int, other_id: int) -> None:
    await conn.execute(
        delete(chat_conversations).where(
            chat_conversations.c.account_id == account_id,
            chat_conversations.c.other_account_id == other_id,
        )
    )


async def history_direct(conn: Conn, account_id: int, limit: int, now: datetime) -> list[int]:
    """Newest message ids of the account's conversations, newest first, except with accounts
    it mutes."""
    c = chat_conversations
    muted = (
        select(mutes.c.id)
        .where(
            mutes.c.account_id == account_id,
            mutes.c.target_account_id == c.c.other_account_id,
            live_mutes(now),
        )
        .exists()
    )
    stmt = (
        select(c.c.last_message_id)
        .where(c.c.account_id == account_id, ~muted)
        .order_by(c.c.last_message_id.desc())
        .limit(limit)
    )
    return [int(r[0]) for r in await conn.execute(stmt)]


async def history_rooms(conn: Conn, account_id: int, limit: int) -> list[int]:
    r = chat_rooms
    joined = select(chat_room_memberships.c.room_id).where(
        chat_room_memberships.c.account_id == account_id
    )
    stmt = (
        select(r.c.last_message_id)
        .where(
            r.c.last_message_id.is_not(None),
            or_(r.c.owner_id == account_id, r.c.id.in_(joined)),
        )
        .order_by(r.c.last_message_id.desc())
        .limit(limit)
    )
    return [int(row[0]) for row in await conn.execute(stmt)]


# Approvals ("you may always answer someone who wrote to you").
async def approve(conn: Conn, account_id: int, other_id: int, now: datetime) -> None:
    await insert_new(
        conn,
        chat_approvals,
        {"account_id": account_id, "other_account_id": other_id, "created_at": now},
        on=("account_id", "other_account_id"),
    )


async def approved(conn: Conn, account_id: int, other_id: int) -> bool:
    """Has `account_id` written to `other_id` (so `other_id` may always answer)?"""
    stmt = select(chat_approvals.c.account_id).where(
        chat_approvals.c.account_id == account_id,
        chat_approvals.c.other_account_id == other_id,
    )
    return (await conn.execute(stmt)).first() is not None


# Reactions.
r_ = chat_message_reactions


async def add_reaction(
    conn: Conn, reaction_id: int, message_id: int, account_id: int, reaction: str, now: datetime
) -> bool:
    values = {
        "id": reaction_id,
        "message_id": message_id,
        "account_id": account_id,
        "reaction": reaction,
        "created_at": now,
    }
    return await insert_new(conn, r_, values, on=("message_id", "account_id", "reaction"))


async def remove_reaction(conn: Conn, message_id: int, account_id: int, reaction: str) -> bool:
    stmt = (
        delete(r_)
        .where(r_.c.message_id == message_id, r_.c.account_id == account_id)
        .where(r_.c.reaction == reaction)
        .returning(r_.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def reaction_count(conn: Conn, message_id: int) -> int:
    stmt = select(func.count()).select_from(r_).where(r_.c.message_id == message_id)
    return int(await conn.scalar(stmt) or 0)


async def reactions_of(conn: Conn, message_ids: Sequence[int]) -> list[AnyRow]:
    if not message_ids:
        return []
    stmt = (
        select(r_.c.message_id, r_.c.account_id, r_.c.reaction)
        .where(r_.c.message_id.in_(sorted(set(message_ids))))
        .order_by(r_.c.id)
    )
    return list(await conn.execute(stmt))


async def lock_message(conn: Conn, message_id: int) -> AnyRow | None:
    """The message, held until the transaction ends (reactions counted against it)."""
    stmt = select(m).where(m.c.id == message_id)
    if dialect_of(conn) == "postgresql":
        stmt = stmt.with_for_update()
    return (await conn.execute(stmt)).first()
