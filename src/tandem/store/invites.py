"""Queries on invite codes: Mastodon's invites and Misskey's invitation codes (one table)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, literal, or_, select, update

from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import accounts, invites
from tandem.store.writes import insert_new, lock


async def insert(
    conn: Conn,
    *,
    invite_id: int,
    code: str,
    account_id: int | None,
    max_uses: int | None,
    expires_at: datetime | None,
    now: datetime,
) -> bool:
    """Create the invite; False (nothing written) when its code is taken already."""
    values = {
        "id": invite_id,
        "code": code,
        "account_id": account_id,
        "max_uses": max_uses,
        "expires_at": expires_at,
        "created_at": now,
    }
    return await insert_new(conn, invites, values, on=("code",))


async def by_id(conn: Conn, invite_id: int) -> AnyRow | None:
    return (await conn.execute(select(invites).where(invites.c.id == invite_id))).first()


async def by_code(conn: Conn, code: str) -> AnyRow | None:
    return (await conn.execute(select(invites).where(invites.c.code == code))).first()


async def lock_creator(conn: Conn, account_id: int) -> None:
    """Hold the creator's account row (PostgreSQL): two creations racing for the last code of
    a limit then count one after the other."""
    await lock(conn, accounts, [account_id])


async def created_since(conn: Conn, account_id: int, since: datetime) -> int:
    stmt = select(func.count()).where(
        invites.c.account_id == account_id, invites.c.created_at > since
    )
    return int(await conn.scalar(stmt) or 0)


async def created_by(conn: Conn, account_id: int, page: Page) -> list[AnyRow]:
    stmt = select(invites).where(invites.c.account_id == account_id)
    return await newest_first(conn, stmt, invites.c.id, page)


async def remove(conn: Conn, invite_id: int) -> bool:
    stmt = delete(invites).where(invites.c.id == invite_id).returning(invites.c.id)
    return (await conn.execute(stmt)).first() is not None


async def use(conn: Conn, invite_id: int, account_id: int, now: datetime) -> bool:
    """Count one use by this account, in one statement; False when no use is left (racing
    sign-ups took them: the row lock makes the loser re-read the count) or it has expired.
    The first account to use it stays its `used_by`."""
    stmt = (
        update(invites)
        .where(
            invites.c.id == invite_id,
            or_(invites.c.max_uses.is_(None), invites.c.uses < invites.c.max_uses),
            or_(invites.c.expires_at.is_(None), invites.c.expires_at > now),
        )
        .values(
            uses=invites.c.uses + 1,
            used_by_id=case((invites.c.used_at.is_(None), account_id), else_=invites.c.used_by_id),
            used_at=func.coalesce(invites.c.used_at, literal(now, invites.c.used_at.type)),
        )
        .returning(invites.c.id)
    )
    return (await conn.execute(stmt)).first() is not None
