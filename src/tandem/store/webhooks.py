"""Queries on user webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from tandem.store.db import AnyRow, Conn
from tandem.store.schema import webhooks


async def insert(conn: Conn, **values: Any) -> None:
    await conn.execute(webhooks.insert().values(**values))


async def get(conn: Conn, webhook_id: int) -> AnyRow | None:
    return (await conn.execute(select(webhooks).where(webhooks.c.id == webhook_id))).first()


async def of_account(conn: Conn, account_id: int) -> list[AnyRow]:
    rows = await conn.execute(
        select(webhooks).where(webhooks.c.account_id == account_id).order_by(webhooks.c.id)
    )
    return list(rows)


async def count(conn: Conn, account_id: int) -> int:
    stmt = select(func.count()).select_from(webhooks).where(webhooks.c.account_id == account_id)
    return int(await conn.scalar(stmt) or 0)


async def change(conn: Conn, webhook_id: int, **values: Any) -> None:
    if values:
        await conn.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(**values))


async def remove(conn: Conn, webhook_id: int) -> None:
    await conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id))


async def record_delivery(conn: Conn, webhook_id: int, sent_at: datetime, status: int) -> None:
    await change(conn, webhook_id, latest_sent_at=sent_at, latest_status=status)
