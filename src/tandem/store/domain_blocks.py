"""Queries on the domains a user blocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from tandem.core.ids import new_id
from tandem.core.models import Page
from tandem.store.db import Conn
from tandem.store.paging import newest_first
from tandem.store.schema import account_domain_blocks as blocks
from tandem.store.writes import insert_new


async def add(conn: Conn, account_id: int, domain: str, now: datetime) -> bool:
    return await insert_new(
        conn,
        blocks,
        {"id": new_id(), "account_id": account_id, "domain": domain, "created_at": now},
        on=["account_id", "domain"],
    )


async def remove(conn: Conn, account_id: int, domain: str) -> bool:
    found = await conn.execute(
        delete(blocks)
        .where(blocks.c.account_id == account_id, blocks.c.domain == domain)
        .returning(blocks.c.id)
    )
    return found.first() is not None


async def page_for(conn: Conn, account_id: int, page: Page) -> list[tuple[int, str]]:
    """(row id, domain), newest first."""
    stmt = select(blocks.c.id, blocks.c.domain).where(blocks.c.account_id == account_id)
    return [(r.id, r.domain) for r in await newest_first(conn, stmt, blocks.c.id, page)]
