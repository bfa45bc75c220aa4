"""Queries on notification policies: one row per account, written on first change."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update

from tandem.core.models import NotificationPolicy
from tandem.store.db import Conn
from tandem.store.schema import notification_policies
from tandem.store.writes import insert_new

FIELDS = tuple(asdict(NotificationPolicy()))


async def get(conn: Conn, account_id: int) -> NotificationPolicy:
    row = (
        await conn.execute(
            select(notification_policies).where(notification_policies.c.account_id == account_id)
        )
    ).first()
    if row is None:
        return NotificationPolicy()
    return NotificationPolicy(**{k: row._mapping[k] for k in FIELDS})


async def save(conn: Conn, account_id: int, policy: NotificationPolicy, now: datetime) -> None:
    values = asdict(policy)
    if not await insert_new(
        conn,
        notification_policies,
        {"account_id": account_id, **values, "updated_at": now},
        on=["account_id"],
    ):
        await conn.execute(
            update(notification_policies)
            .where(notification_policies.c.account_id == account_id)
            .values(**values, updated_at=now)
        )
