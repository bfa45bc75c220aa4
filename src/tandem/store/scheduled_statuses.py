"""Queries on scheduled statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import scheduled_statuses


@dataclass(frozen=True)
class Scheduled:
    id: int
    account_id: int
    scheduled_at: datetime
    params: dict[str, Any]
    created_at: datetime


def _scheduled(row: AnyRow) -> Scheduled:
    m = row._mapping
    return Scheduled(m["id"], m["account_id"], m["scheduled_at"], m["params"], m["created_at"])


async def insert(conn: Conn, item: Scheduled) -> None:
    await conn.execute(
        scheduled_statuses.insert().values(
            id=item.id,
            account_id=item.account_id,
            scheduled_at=item.scheduled_at,
            params=item.params,
            created_at=item.created_at,
        )
    )


async def get(conn: Conn, scheduled_id: int) -> Scheduled | None:
    stmt = select(scheduled_statuses).where(scheduled_statuses.c.id == scheduled_id)
    row = (await conn.execute(stmt)).first()
    return _scheduled(row) if row else None


async def count(conn: Conn, account_id: int) -> int:
    stmt = select(func.count()).where(scheduled_statuses.c.account_id == account_id)
    return int(await conn.scalar(stmt) or 0)


async def page_of(conn: Conn, account_id: int, page: Page) -> list[Scheduled]:
    stmt = select(scheduled_statuses).where(scheduled_statuses.c.account_id == account_id)
    return [_scheduled(r) for r in await newest_first(conn, stmt, scheduled_statuses.c.id, page)]


async def reschedule(conn: Conn, scheduled_id: int, account_id: int, at: datetime) -> bool:
    stmt = (
        update(scheduled_statuses)
        .where(
            scheduled_statuses.c.id == scheduled_id, scheduled_statuses.c.account_id == account_id
        )
        .values(scheduled_at=at)
        .returning(scheduled_statuses.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def take(conn: Conn, scheduled_id: int, account_id: int | None = None) -> Scheduled | None:
    """Delete it; what this call deleted (a post is published, or a schedule cancelled, once)."""
    stmt = delete(scheduled_statuses).where(scheduled_statuses.c.id == scheduled_id)
    if account_id is not None:
        stmt = stmt.where(scheduled_statuses.c.account_id == account_id)
    row = (await conn.execute(stmt.returning(*scheduled_statuses.c))).first()
    return _scheduled(row) if row else None
