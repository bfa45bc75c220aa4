"""Queries on notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from tandem.core.ids import new_id
from tandem.core.models import Notification, Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import notifications


def from_row(row: AnyRow) -> Notification:
    m = row._mapping
    return Notification(
        id=m["id"],
        account_id=m["account_id"],
        type=m["type"],
        created_at=m["created_at"],
        from_account_id=m["from_account_id"],
        status_id=m["status_id"],
        payload=m["payload"],
    )


async def insert(
    conn: Conn,
    *,
    account_id: int,
    type: str,
    now: datetime,
    from_account_id: int | None = None,
    status_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    notification_id = new_id()
    await conn.execute(
        notifications.insert().values(
            id=notification_id,
            account_id=account_id,
            from_account_id=from_account_id,
            type=type,
            status_id=status_id,
            payload=payload or {},
            created_at=now,
        )
    )
    return notification_id


async def delete_between(conn: Conn, account_id: int, from_account_id: int, type: str) -> None:
    await conn.execute(
        delete(notifications).where(
            notifications.c.account_id == account_id,
            notifications.c.from_account_id == from_account_id,
            notifications.c.type == type,
        )
    )


async def page_for(
    conn: Conn,
    account_id: int,
    page: Page,
    types: list[str] | None = None,
    exclude: list[str] | None = None,
) -> list[Notification]:
    stmt = select(notifications).where(notifications.c.account_id == account_id)
    if types:
        stmt = stmt.where(notifications.c.type.in_(types))
    if exclude:
        stmt = stmt.where(notifications.c.type.not_in(exclude))
    return [from_row(r) for r in await newest_first(conn, stmt, notifications.c.id, page)]


async def mark_all_read(conn: Conn, account_id: int, now: datetime) -> None:
    await conn.execute(
        update(notifications)
        .where(notifications.c.account_id == account_id, notifications.c.read_at.is_(None))
        .values(read_at=now)
    )


async def unread_count(conn: Conn, account_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(notifications)
        .where(notifications.c.account_id == account_id, notifications.c.read_at.is_(None))
    )
    return int(await conn.scalar(stmt) or 0)


async def get_for(conn: Conn, account_id: int, notification_id: int) -> Notification | None:
    row = (
        await conn.execute(
            select(notifications).where(
                notifications.c.id == notification_id, notifications.c.account_id == account_id
            )
        )
    ).first()
    return from_row(row) if row else None


async def delete_for(conn: Conn, account_id: int, notification_id: int | None = None) -> None:
    stmt = delete(notifications).where(notifications.c.account_id == account_id)
    if notification_id is not None:
        stmt = stmt.where(notifications.c.id == notification_id)
    await conn.execute(stmt)
