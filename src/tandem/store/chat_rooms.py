"""Queries on chat rooms: rooms, memberships, invitations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import chat_room_invitations, chat_room_memberships, chat_rooms
from tandem.store.writes import insert_new, lock

rooms = chat_rooms
members = chat_room_memberships
invites = chat_room_invitations


async def insert(conn: Conn, **values: Any) -> None:
    await conn.execute(rooms.insert().values(**values))


async def get(conn: Conn, room_id: int) -> AnyRow | None:
    return (await conn.execute(select(rooms).where(rooms.c.id == room_id))).first()


async def get_many(conn: Conn, ids: Iterable[int]) -> list[AnyRow]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(await conn.execute(select(rooms).where(rooms.c.id.in_(wanted))))


async def lock_room(conn: Conn, room_id: int) -> AnyRow | None:
    """The room, held until the transaction ends (its member count is a rule)."""
    await lock(conn, rooms, [room_id])
    return await get(conn, room_id)


async def change(conn: Conn, room_id: int, **values: Any) -> None:
    if values:
        await conn.execute(update(rooms).where(rooms.c.id == room_id).values(**values))


async def remove(conn: Conn, room_id: int) -> bool:
    stmt = delete(rooms).where(rooms.c.id == room_id).returning(rooms.c.id)
    return (await conn.execute(stmt)).first() is not None


async def owned_page(conn: Conn, owner_id: int, page: Page) -> list[AnyRow]:
    return await newest_first(
        conn, select(rooms).where(rooms.c.owner_id == owner_id), rooms.c.id, page
    )


# Memberships.
async def membership(conn: Conn, room_id: int, account_id: int) -> AnyRow | None:
    stmt = select(members).where(members.c.room_id == room_id, members.c.account_id == account_id)
    return (await conn.execute(stmt)).first()


async def memberships_of(conn: Conn, account_id: int, room_ids: Iterable[int]) -> list[AnyRow]:
    wanted = sorted(set(room_ids))
    if not wanted:
        return []
    stmt = select(members).where(members.c.account_id == account_id, members.c.room_id.in_(wanted))
    return list(await conn.execute(stmt))


async def add_member(
    conn: Conn, membership_id: int, room_id: int, account_id: int, now: datetime
) -> bool:
    values = {"id": membership_id, "room_id": room_id, "account_id": account_id, "created_at": now}
    return await insert_new(conn, members, values, on=("room_id", "account_id"))


async def remove_member(conn: Conn, room_id: int, account_id: int) -> bool:
    stmt = (
        delete(members)
        .where(members.c.room_id == room_id, members.c.account_id == account_id)
        .returning(members.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def set_muted(conn: Conn, room_id: int, account_id: int, muted: bool) -> bool:
    stmt = (
        update(members)
        .where(members.c.room_id == room_id, members.c.account_id == account_id)
        .values(muted=muted)
        .returning(members.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def member_count(conn: Conn, room_id: int) -> int:
    stmt = select(func.count()).select_from(members).where(members.c.room_id == room_id)
    return int(await conn.scalar(stmt) or 0)


async def member_ids(conn: Conn, room_id: int, *, unmuted: bool = False) -> list[int]:
    stmt = select(members.c.account_id).where(members.c.room_id == room_id)
    if unmuted:
        stmt = stmt.where(members.c.muted.is_(False))
    return [int(r[0]) for r in await conn.execute(stmt)]


async def members_page(conn: Conn, room_id: int, page: Page) -> list[AnyRow]:
    stmt = select(members).where(members.c.room_id == room_id)
    return await newest_first(conn, stmt, members.c.id, page)


async def joining_page(conn: Conn, account_id: int, page: Page) -> list[AnyRow]:
    stmt = select(members).where(members.c.account_id == account_id)
    return await newest_first(conn, stmt, members.c.id, page)


async def joined_room_ids(conn: Conn, account_id: int) -> list[int]:
    """Rooms the account is a member or the owner of."""
    joined = select(members.c.room_id).where(members.c.account_id == account_id)
    owned = select(rooms.c.id).where(rooms.c.owner_id == account_id)
    return [int(r[0]) for r in await conn.execute(joined.union(owned))]


# Invitations.
async def invitation(conn: Conn, room_id: int, account_id: int) -> AnyRow | None:
    stmt = select(invites).where(invites.c.room_id == room_id, invites.c.account_id == account_id)
    return (await conn.execute(stmt)).first()


async def invitations_of(conn: Conn, account_id: int, room_ids: Iterable[int]) -> set[int]:
    """The rooms among `room_ids` the account has an invitation to."""
    wanted = sorted(set(room_ids))
    if not wanted:
        return set()
    stmt = select(invites.c.room_id).where(
        invites.c.account_id == account_id, invites.c.room_id.in_(wanted)
    )
    return {int(r[0]) for r in await conn.execute(stmt)}


async def get_invitation(conn: Conn, invitation_id: int) -> AnyRow | None:
    return (await conn.execute(select(invites).where(invites.c.id == invitation_id))).first()


async def invite(
    conn: Conn, invitation_id: int, room_id: int, account_id: int, now: datetime
) -> bool:
    values = {"id": invitation_id, "room_id": room_id, "account_id": account_id, "created_at": now}
    return await insert_new(conn, invites, values, on=("room_id", "account_id"))


async def remove_invitation(conn: Conn, room_id: int, account_id: int) -> bool:
    stmt = (
        delete(invites)
        .where(invites.c.room_id == room_id, invites.c.account_id == account_id)
        .returning(invites.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def ignore_invitation(conn: Conn, room_id: int, account_id: int) -> bool:
    stmt = (
        update(invites)
        .where(invites.c.room_id == room_id, invites.c.account_id == account_id)
        .values(ignored=True)
        .returning(invites.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def inbox_page(conn: Conn, account_id: int, page: Page) -> list[AnyRow]:
    stmt = select(invites).where(invites.c.account_id == account_id, invites.c.ignored.is_(False))
    return await newest_first(conn, stmt, invites.c.id, page)


async def outbox_page(conn: Conn, room_id: int, page: Page) -> list[AnyRow]:
    stmt = select(invites).where(invites.c.room_id == room_id)
    return await newest_first(conn, stmt, invites.c.id, page)
