"""Blocks between two accounts: add, remove, and the checks the rules of other actions ask."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from tandem.store import relationships as pairs
from tandem.store.db import Conn
from tandem.store.generations import relations_changed
from tandem.store.schema import blocks


async def exists(conn: Conn, account_id: int, target_id: int) -> bool:
    """Does `account_id` block `target_id`?"""
    return await pairs.find(conn, blocks, account_id, target_id) is not None


async def between(conn: Conn, a: int, b: int) -> tuple[bool, bool]:
    """(a blocks b, b blocks a), in one query."""
    rows = await conn.execute(
        select(blocks.c.account_id).where(
            or_(
                and_(blocks.c.account_id == a, blocks.c.target_account_id == b),
                and_(blocks.c.account_id == b, blocks.c.target_account_id == a),
            )
        )
    )
    blockers = {r.account_id for r in rows}
    return a in blockers, b in blockers


async def add(conn: Conn, account_id: int, target_id: int, now: datetime) -> bool:
    """Block; False (nothing written) when the block already exists."""
    relations_changed(account_id, target_id)
    return await pairs.add_pair(conn, blocks, account_id, target_id, now)


async def remove(conn: Conn, account_id: int, target_id: int) -> bool:
    """Unblock; True if this call removed the block."""
    relations_changed(account_id, target_id)
    return await pairs.remove(conn, blocks, account_id, target_id) is not None
