"""One window of an id-ordered query, the way every list in both dialects pages."""

from __future__ import annotations

from typing import Any

from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn


async def newest_first(conn: Conn, stmt: Any, key: Any, page: Page) -> list[AnyRow]:
    """Rows in the window, newest first.

    max_id/since_id take the newest rows below/above a cursor; min_id takes the rows just
    above it (the oldest ones first, to page forward), still returned newest first.
    A limit of 0 means no limit.
    """
    if page.max_id is not None:
        stmt = stmt.where(key < page.max_id)
    if page.since_id is not None:
        stmt = stmt.where(key > page.since_id)
    ascending = page.min_id is not None
    if ascending:
        stmt = stmt.where(key > page.min_id)
    stmt = stmt.order_by(key.asc() if ascending else key.desc())
    if page.limit:
        stmt = stmt.limit(page.limit)
    rows = list(await conn.execute(stmt))
    if ascending:
        rows.reverse()
    return rows
