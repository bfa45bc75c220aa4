"""Queries on the sign-in history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tandem.core.ids import new_id
from tandem.core.models import Page, SignIn
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import signins


async def insert(
    conn: Conn, *, account_id: int, ip: str, headers: dict[str, str], success: bool, now: datetime
) -> None:
    await conn.execute(
        signins.insert().values(
            id=new_id(),
            account_id=account_id,
            ip=ip,
            headers=headers,
            success=success,
            created_at=now,
        )
    )


async def page_for(conn: Conn, account_id: int, page: Page) -> list[SignIn]:
    stmt = select(signins).where(signins.c.account_id == account_id)
    return [from_row(r) for r in await newest_first(conn, stmt, signins.c.id, page)]


def from_row(row: AnyRow) -> SignIn:
    m = row._mapping
    return SignIn(
        id=m["id"],
        account_id=m["account_id"],
        ip=m["ip"],
        headers=dict(m["headers"]),
        success=m["success"],
        created_at=m["created_at"],
    )
