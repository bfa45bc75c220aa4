"""Queries on content filters, their keywords and their statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, bindparam, delete, or_, select, update

from tandem.core.ids import new_id
from tandem.core.models import Filter, FilterKeyword, FilterStatus
from tandem.store.db import AnyRow, Conn
from tandem.store.query import Query
from tandem.store.schema import filter_keywords, filter_statuses, filters
from tandem.store.writes import insert_new


def _keyword(row: AnyRow) -> FilterKeyword:
    m = row._mapping
    return FilterKeyword(m["id"], m["filter_id"], m["keyword"], bool(m["whole_word"]))


def _status(row: AnyRow) -> FilterStatus:
    m = row._mapping
    return FilterStatus(m["id"], m["filter_id"], m["status_id"])


async def _load(conn: Conn, rows: Sequence[Mapping[Any, Any]]) -> list[Filter]:
    ids = [m["id"] for m in rows]
    if not ids:
        return []
    keywords: dict[int, list[FilterKeyword]] = {}
    for r in await conn.execute(
        select(filter_keywords)
        .where(filter_keywords.c.filter_id.in_(ids))
        .order_by(filter_keywords.c.id)
    ):
        k = _keyword(r)
        keywords.setdefault(k.filter_id, []).append(k)
    statuses: dict[int, list[FilterStatus]] = {}
    for r in await conn.execute(
        select(filter_statuses)
        .where(filter_statuses.c.filter_id.in_(ids))
        .order_by(filter_statuses.c.id)
    ):
        s = _status(r)
        statuses.setdefault(s.filter_id, []).append(s)
    found = []
    for m in rows:
        found.append(
            Filter(
                id=m["id"],
                account_id=m["account_id"],
                title=m["title"],
                context=list(m["context"]),
                filter_action=m["filter_action"],
                expires_at=m["expires_at"],
                created_at=m["created_at"],
                keywords=keywords.get(m["id"], []),
                statuses=statuses.get(m["id"], []),
            )
        )
    return found


_COLUMNS = tuple(filters.c.keys())
# Read with every timeline page: compiled once.
_IN_FORCE = Query(
    select(filters)
    .where(
        filters.c.account_id == bindparam("account_id", type_=BigInteger()),
        or_(
            filters.c.expires_at.is_(None),
            filters.c.expires_at > bindparam("now", type_=filters.c.expires_at.type),
        ),
    )
    .order_by(filters.c.id)
)


async def of_account(conn: Conn, account_id: int, now: datetime | None = None) -> list[Filter]:
    """One's filters, oldest first; with `now`, only those not expired."""
    if now is not None:
        rows = await _IN_FORCE.rows(conn, account_id=account_id, now=now)
        return await _load(conn, [dict(zip(_COLUMNS, r, strict=True)) for r in rows])
    stmt = select(filters).where(filters.c.account_id == account_id).order_by(filters.c.id)
    return await _load(conn, [r._mapping for r in await conn.execute(stmt)])


async def get(conn: Conn, account_id: int, filter_id: int) -> Filter | None:
    rows = list(
        await conn.execute(
            select(filters).where(filters.c.id == filter_id, filters.c.account_id == account_id)
        )
    )
    found = await _load(conn, [r._mapping for r in rows])
    return found[0] if found else None


async def insert(conn: Conn, account_id: int, values: dict[str, Any], now: datetime) -> int:
    filter_id = new_id()
    await conn.execute(
        filters.insert().values(id=filter_id, account_id=account_id, created_at=now, **values)
    )
    return filter_id


async def change(conn: Conn, filter_id: int, values: dict[str, Any]) -> None:
    if values:
        await conn.execute(update(filters).where(filters.c.id == filter_id).values(**values))


async def remove(conn: Conn, account_id: int, filter_id: int) -> bool:
    found = await conn.execute(
        delete(filters)
        .where(filters.c.id == filter_id, filters.c.account_id == account_id)
        .returning(filters.c.id)
    )
    return found.first() is not None


async def add_keyword(
    conn: Conn, filter_id: int, keyword: str, whole_word: bool, now: datetime
) -> int:
    keyword_id = new_id()
    await conn.execute(
        filter_keywords.insert().values(
            id=keyword_id,
            filter_id=filter_id,
            keyword=keyword,
            whole_word=whole_word,
            created_at=now,
        )
    )
    return keyword_id


async def keyword_owned(conn: Conn, account_id: int, keyword_id: int) -> FilterKeyword | None:
    row = (
        await conn.execute(
            select(filter_keywords)
            .join(filters, filters.c.id == filter_keywords.c.filter_id)
            .where(filter_keywords.c.id == keyword_id, filters.c.account_id == account_id)
        )
    ).first()
    return _keyword(row) if row else None


async def change_keyword(conn: Conn, keyword_id: int, values: dict[str, Any]) -> None:
    if values:
        await conn.execute(
            update(filter_keywords).where(filter_keywords.c.id == keyword_id).values(**values)
        )


async def remove_keyword(conn: Conn, filter_id: int, keyword_id: int) -> bool:
    found = await conn.execute(
        delete(filter_keywords)
        .where(filter_keywords.c.id == keyword_id, filter_keywords.c.filter_id == filter_id)
        .returning(filter_keywords.c.id)
    )
    return found.first() is not None


async def add_status(conn: Conn, filter_id: int, status_id: int, now: datetime) -> None:
    """Idempotent: a status already in the filter stays as it is."""
    await insert_new(
        conn,
        filter_statuses,
        {"id": new_id(), "filter_id": filter_id, "status_id": status_id, "created_at": now},
        on=["filter_id", "status_id"],
    )


async def status_entry(conn: Conn, filter_id: int, status_id: int) -> FilterStatus | None:
    row = (
        await conn.execute(
            select(filter_statuses).where(
                filter_statuses.c.filter_id == filter_id, filter_statuses.c.status_id == status_id
            )
        )
    ).first()
    return _status(row) if row else None


async def status_owned(conn: Conn, account_id: int, entry_id: int) -> FilterStatus | None:
    row = (
        await conn.execute(
            select(filter_statuses)
            .join(filters, filters.c.id == filter_statuses.c.filter_id)
            .where(filter_statuses.c.id == entry_id, filters.c.account_id == account_id)
        )
    ).first()
    return _status(row) if row else None


async def remove_status(conn: Conn, entry_id: int) -> bool:
    found = await conn.execute(
        delete(filter_statuses)
        .where(filter_statuses.c.id == entry_id)
        .returning(filter_statuses.c.id)
    )
    return found.first() is not None
