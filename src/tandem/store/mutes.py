"""Mutes, optionally timed: an expired mute counts as gone even before its job removes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from tandem.core.models import Mute
from tandem.store import relationships as pairs
from tandem.store.db import Conn
from tandem.store.generations import relations_changed
from tandem.store.schema import mutes


def is_live(mute: Mute | None, now: datetime) -> bool:
    return mute is not None and (mute.expires_at is None or mute.expires_at > now)


async def get(conn: Conn, account_id: int, target_id: int) -> Mute | None:
    """The pair's mute row, expired or not."""
    row = await pairs.find(conn, mutes, account_id, target_id)
    return pairs.mute_from_row(row) if row is not None else None


async def mutes_now(conn: Conn, account_id: int, target_id: int, now: datetime) -> bool:
    """Is a mute of `target_id` by `account_id` in force?"""
    found = await conn.scalar(
        select(mutes.c.id).where(
            mutes.c.account_id == account_id,
            mutes.c.target_account_id == target_id,
            pairs.live_mutes(now),
        )
    )
    return found is not None


async def add(
    conn: Conn,
    account_id: int,
    target_id: int,
    *,
    hide_notifications: bool,
    expires_at: datetime | None,
    now: datetime,
) -> bool:
    """Mute; False (nothing written) when the pair already has a mute row."""
    relations_changed(account_id, target_id)
    return await pairs.add_pair(
        conn,
        mutes,
        account_id,
        target_id,
        now,
        hide_notifications=hide_notifications,
        expires_at=expires_at,
    )


async def change(
    conn: Conn, mute: Mute, *, hide_notifications: bool, expires_at: datetime | None
) -> None:
    relations_changed(mute.account_id, mute.target_account_id)
    await conn.execute(
        update(mutes)
        .where(mutes.c.id == mute.id)
        .values(hide_notifications=hide_notifications, expires_at=expires_at)
    )


async def remove(conn: Conn, account_id: int, target_id: int) -> Mute | None:
    """Unmute; the removed row if this call removed it (expired or not)."""
    relations_changed(account_id, target_id)
    row = await pairs.remove(conn, mutes, account_id, target_id)
    return pairs.mute_from_row(row) if row is not None else None


async def remove_expired(conn: Conn, account_id: int, target_id: int, now: datetime) -> bool:
    """Remove the pair's timed mute if its time is up; True if this call removed it."""
    relations_changed(account_id, target_id)
    gone = await conn.execute(
        delete(mutes)
        .where(
            mutes.c.account_id == account_id,
            mutes.c.target_account_id == target_id,
            mutes.c.expires_at.is_not(None),
            mutes.c.expires_at <= now,
        )
        .returning(mutes.c.id)
    )
    return gone.first() is not None
