"""Queries on MiAuth sessions and Misskey app (auth) sessions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from tandem.store.db import AnyRow, Conn
from tandem.store.schema import auth_sessions, miauth_sessions


async def miauth(conn: Conn, session: str) -> AnyRow | None:
    stmt = select(miauth_sessions).where(miauth_sessions.c.session == session)
    return (await conn.execute(stmt)).first()


async def insert_miauth(conn: Conn, **values: Any) -> None:
    await conn.execute(miauth_sessions.insert().values(**values))


async def update_miauth(conn: Conn, row_id: int, **values: Any) -> None:
    await conn.execute(
        update(miauth_sessions).where(miauth_sessions.c.id == row_id).values(**values)
    )


async def auth_session(conn: Conn, token: str) -> AnyRow | None:
    stmt = select(auth_sessions).where(auth_sessions.c.token == token)
    return (await conn.execute(stmt)).first()


async def insert_auth_session(conn: Conn, **values: Any) -> None:
    await conn.execute(auth_sessions.insert().values(**values))


async def accept_auth_session(conn: Conn, row_id: int, account_id: int) -> None:
    await conn.execute(
        update(auth_sessions).where(auth_sessions.c.id == row_id).values(account_id=account_id)
    )


async def delete_auth_session(conn: Conn, row_id: int) -> None:
    await conn.execute(auth_sessions.delete().where(auth_sessions.c.id == row_id))
