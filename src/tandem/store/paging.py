"""One window of an id-ordered query, the way every list in both dialects pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam

from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.query import Query, Values


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


class PagedQuery:
    """`newest_first` for a statement every request runs (a home page): one `Query` per shape
    of window (which cursors are given, whether there is a limit), each compiled once. Its
    other parameters are named `bindparam`s, passed to `rows`."""

    def __init__(self, statement: Select[Any], key: ColumnElement[Any]) -> None:
        self._statement = statement
        self._key = key
        self._shapes: dict[tuple[bool, bool, bool, bool], Query] = {}

    def _query(self, shape: tuple[bool, bool, bool, bool]) -> Query:
        found = self._shapes.get(shape)
        if found is None:
            below, above, just_above, limited = shape
            key, stmt = self._key, self._statement
            if below:
                stmt = stmt.where(key < bindparam("max_id", type_=key.type))
            if above:
                stmt = stmt.where(key > bindparam("since_id", type_=key.type))
            if just_above:
                stmt = stmt.where(key > bindparam("min_id", type_=key.type))
            stmt = stmt.order_by(key.asc() if just_above else key.desc())
            if limited:
                stmt = stmt.limit(bindparam("limit", type_=Integer()))
            found = self._shapes[shape] = Query(stmt)
        return found

    async def rows(self, conn: Conn, page: Page, **params: Any) -> list[Values]:
        shape = (
            page.max_id is not None,
            page.since_id is not None,
            page.min_id is not None,
            bool(page.limit),
        )
        window = {
            name: value
            for name, value in (
                ("max_id", page.max_id),
                ("since_id", page.since_id),
                ("min_id", page.min_id),
                ("limit", page.limit or None),
            )
            if value is not None
        }
        rows = await self._query(shape).rows(conn, **params, **window)
        if page.min_id is not None:
            rows.reverse()
        return rows
