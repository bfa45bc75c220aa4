"""Queries on reactions (Misskey) = favourites (Mastodon), one per account and status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, bindparam, case, delete, func, select, update

from tandem.core.ids import new_id
from tandem.core.models import Page
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.query import Query, among
from tandem.store.schema import reactions, statuses
from tandem.store.writes import bump, insert_new


@dataclass(frozen=True)
class Reaction:
    id: int
    account_id: int
    status_id: int
    reaction: str
    created_at: datetime


def _reaction(row: AnyRow) -> Reaction:
    m = row._mapping
    return Reaction(m["id"], m["account_id"], m["status_id"], m["reaction"], m["created_at"])


async def _count(conn: Conn, status_id: int, delta: int) -> None:
    await conn.execute(
        update(statuses)
        .where(statuses.c.id == status_id)
        .values(favourites_count=bump(statuses.c.favourites_count, delta))
    )


async def add(conn: Conn, account_id: int, status_id: int, reaction: str, now: datetime) -> bool:
    """Insert the account's reaction unless it has one; True (and the count moved) if this
    call created it. The status row is locked by the caller, so the count cannot drift."""
    created = await insert_new(
        conn,
        reactions,
        dict(
            id=new_id(),
            account_id=account_id,
            status_id=status_id,
            reaction=reaction,
            created_at=now,
        ),
        on=("account_id", "status_id"),
    )
    if created:
        await _count(conn, status_id, 1)
    return created


async def replace(
    conn: Conn, account_id: int, status_id: int, reaction: str, now: datetime
) -> bool:
    """Change the account's existing reaction to another (the count stays); True if changed."""
    stmt = (
        update(reactions)
        .where(
            reactions.c.account_id == account_id,
            reactions.c.status_id == status_id,
            reactions.c.reaction != reaction,
        )
        .values(id=new_id(), reaction=reaction, created_at=now)
        .returning(reactions.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def remove(conn: Conn, account_id: int, status_id: int) -> str | None:
    """Delete the account's reaction; the reaction if this call deleted it (count moved)."""
    stmt = (
        delete(reactions)
        .where(reactions.c.account_id == account_id, reactions.c.status_id == status_id)
        .returning(reactions.c.reaction)
    )
    row = (await conn.execute(stmt)).first()
    if row is None:
        return None
    await _count(conn, status_id, -1)
    return str(row.reaction)


async def of_account(conn: Conn, account_id: int, status_id: int) -> str | None:
    found = await conn.scalar(
        select(reactions.c.reaction).where(
            reactions.c.account_id == account_id, reactions.c.status_id == status_id
        )
    )
    return None if found is None else str(found)


_VIEWER = bindparam("viewer", type_=BigInteger())
# Per status and reaction: how many chose it, and whether the viewer is among them.
_TALLIES = Query(
    select(
        reactions.c.status_id,
        reactions.c.reaction,
        func.count(),
        func.max(case((reactions.c.account_id == _VIEWER, 1), else_=0)),
    )
    .where(among(reactions.c.status_id, "ids"))
    .group_by(reactions.c.status_id, reactions.c.reaction)
)


async def tallies(
    conn: Conn, viewer_id: int | None, status_ids: Iterable[int]
) -> tuple[dict[int, dict[str, int]], dict[int, str]]:
    """Per status, how many accounts chose each reaction; and the viewer's own reaction to
    each (one statement)."""
    ids = sorted(set(status_ids))
    if not ids:
        return {}, {}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, str] = {}
    for status_id, reaction, count, chosen in await _TALLIES.rows(
        conn, viewer=viewer_id or 0, ids=ids
    ):
        counts[status_id][reaction] = int(count)
        if chosen:
            mine[status_id] = reaction
    return dict(counts), mine


async def on_status(
    conn: Conn, status_id: int, page: Page, reaction: str | None = None
) -> list[Reaction]:
    stmt = select(reactions).where(reactions.c.status_id == status_id)
    if reaction is not None:
        stmt = stmt.where(reactions.c.reaction == reaction)
    return [_reaction(r) for r in await newest_first(conn, stmt, reactions.c.id, page)]


async def by_account(conn: Conn, account_id: int, page: Page) -> list[Reaction]:
    stmt = select(reactions).where(reactions.c.account_id == account_id)
    return [_reaction(r) for r in await newest_first(conn, stmt, reactions.c.id, page)]
