"""Endorsements (accounts featured on a profile) and private notes about other accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from tandem.store import relationships as pairs
from tandem.store.db import Conn
from tandem.store.generations import relations_changed
from tandem.store.schema import account_notes, account_pins


async def add(conn: Conn, account_id: int, target_id: int, now: datetime) -> bool:
    """Endorse; False (nothing written) when already endorsed."""
    relations_changed(account_id, target_id)
    return await pairs.add_pair(conn, account_pins, account_id, target_id, now)


async def remove(conn: Conn, account_id: int, target_id: int) -> bool:
    relations_changed(account_id, target_id)
    return await pairs.remove(conn, account_pins, account_id, target_id) is not None


async def set_note(
    conn: Conn, account_id: int, target_id: int, comment: str, now: datetime
) -> None:
    """Write the account's note on the target; an empty comment deletes it."""
    relations_changed(account_id, target_id)
    if not comment:
        await pairs.remove(conn, account_notes, account_id, target_id)
        return
    if not await pairs.add_pair(conn, account_notes, account_id, target_id, now, comment=comment):
        await conn.execute(
            update(account_notes)
            .where(
                account_notes.c.account_id == account_id,
                account_notes.c.target_account_id == target_id,
            )
            .values(comment=comment)
        )
