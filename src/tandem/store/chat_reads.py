"""Chat unread markers: one row per account and conversation or room with unread messages.

Every change calls `notifications_changed` for the account: `MeDetailed` shows
`hasUnreadChatMessages`, and the caller cache keys it on the account's notifications.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select, update

from tandem.store.db import Conn
from tandem.store.generations import notifications_changed
from tandem.store.schema import chat_unreads
from tandem.store.writes import insert_new

u = chat_unreads


def user_thread(other_id: int) -> str:
    return f"user:{other_id}"


def room_thread(room_id: int) -> str:
    return f"room:{room_id}"


async def mark(
    conn: Conn,
    account_ids: Iterable[int],
    message_id: int,
    *,
    other_id: int | None = None,
    room_id: int | None = None,
) -> None:
    """Each account has unread messages in the thread, the newest one `message_id`."""
    thread = user_thread(other_id) if other_id is not None else room_thread(room_id or 0)
    for account_id in sorted(set(account_ids)):
        values = {
            "account_id": account_id,
            "thread": thread,
            "other_account_id": other_id,
            "room_id": room_id,
            "message_id": message_id,
        }
        if not await insert_new(conn, u, values, on=("account_id", "thread")):
            await conn.execute(
                update(u)
                .where(u.c.account_id == account_id, u.c.thread == thread)
                .values(message_id=message_id)
            )
        notifications_changed(account_id)


async def clear(conn: Conn, account_id: int, thread: str) -> bool:
    stmt = delete(u).where(u.c.account_id == account_id, u.c.thread == thread).returning(u.c.thread)
    gone = (await conn.execute(stmt)).first() is not None
    if gone:
        notifications_changed(account_id)
    return gone


async def clear_all(conn: Conn, account_id: int) -> None:
    stmt = delete(u).where(u.c.account_id == account_id).returning(u.c.thread)
    if (await conn.execute(stmt)).first() is not None:
        notifications_changed(account_id)


async def clear_room(conn: Conn, room_id: int) -> None:
    """Every member's marker of the room (the room is deleted)."""
    stmt = delete(u).where(u.c.room_id == room_id).returning(u.c.account_id)
    notifications_changed(*{int(r[0]) for r in await conn.execute(stmt)})


async def any_unread(conn: Conn, account_id: int) -> bool:
    stmt = select(u.c.thread).where(u.c.account_id == account_id).limit(1)
    return (await conn.execute(stmt)).first() is not None


async def unread_threads(conn: Conn, account_id: int, threads: Iterable[str]) -> set[str]:
    wanted = sorted(set(threads))
    if not wanted:
        return set()
    stmt = select(u.c.thread).where(u.c.account_id == account_id, u.c.thread.in_(wanted))
    return {str(r[0]) for r in await conn.execute(stmt)}


async def still_unread(conn: Conn, message_id: int) -> list[int]:
    """Accounts whose marker still names this message as their newest unread one."""
    stmt = select(u.c.account_id).where(u.c.message_id == message_id)
    return [int(r[0]) for r in await conn.execute(stmt)]
