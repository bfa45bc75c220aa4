"""Keyset-paged reads for exports: one batch of an account's rows after a cursor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, exists, func, select

from tandem.store.db import Conn
from tandem.store.schema import accounts, blocks, follows, list_accounts, lists, mutes, statuses


async def pair_batch(
    conn: Conn,
    table: Table,
    account_id: int,
    after: int,
    size: int,
    *,
    skip_muted: bool = False,
    active_since: datetime | None = None,
    forever_only: bool = False,
) -> list[tuple[int, int]]:
    """(row id, target account id) of the account's rows in `table`, oldest first."""
    stmt = (
        select(table.c.id, table.c.target_account_id)
        .join(accounts, accounts.c.id == table.c.target_account_id)
        .where(table.c.account_id == account_id, table.c.id > after)
    )
    if skip_muted:
        stmt = stmt.where(
            ~exists().where(
                mutes.c.account_id == account_id,
                mutes.c.target_account_id == table.c.target_account_id,
            )
        )
    if active_since is not None:
        last_seen = func.coalesce(
            accounts.c.last_active_at, accounts.c.last_status_at, accounts.c.updated_at
        )
        stmt = stmt.where(last_seen >= active_since)
    if forever_only:
        stmt = stmt.where(table.c.expires_at.is_(None))
    rows = await conn.execute(stmt.order_by(table.c.id).limit(size))
    return [(r.id, r.target_account_id) for r in rows]


async def list_memberships(
    conn: Conn, account_id: int, offset: int, size: int
) -> list[tuple[str, int]]:
    """(list title, member id) rows in a stable order; the cursor is how many came before."""
    rows = await conn.execute(
        select(lists.c.title, list_accounts.c.account_id)
        .join(list_accounts, list_accounts.c.list_id == lists.c.id)
        .where(lists.c.account_id == account_id)
        .order_by(lists.c.id, list_accounts.c.account_id)
        .offset(offset)
        .limit(size)
    )
    return [(r.title, r.account_id) for r in rows]


async def status_batch(conn: Conn, account_id: int, after: int, size: int) -> list[int]:
    rows = await conn.execute(
        select(statuses.c.id)
        .where(statuses.c.account_id == account_id, statuses.c.id > after)
        .order_by(statuses.c.id)
        .limit(size)
    )
    return [r.id for r in rows]


PAIR_TABLES = {"following": follows, "blocking": blocks, "mute": mutes}
