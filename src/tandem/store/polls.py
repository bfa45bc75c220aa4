"""Queries on polls and their votes (one row per account and chosen option)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select, update

from tandem.core.ids import new_id
from tandem.core.models import Poll
from tandem.store.db import AnyRow, Conn
from tandem.store.schema import poll_votes, polls
from tandem.store.writes import insert_ignoring, lock


def _poll(row: AnyRow) -> Poll:
    m = row._mapping
    return Poll(
        id=m["id"],
        status_id=m["status_id"],
        account_id=m["account_id"],
        options=[str(o) for o in m["options"]],
        multiple=m["multiple"],
        hide_totals=m["hide_totals"],
        expires_at=m["expires_at"],
        ended_at=m["ended_at"],
        created_at=m["created_at"],
    )


async def insert(conn: Conn, poll: Poll) -> None:
    await conn.execute(
        polls.insert().values(
            id=poll.id,
            status_id=poll.status_id,
            account_id=poll.account_id,
            options=poll.options,
            multiple=poll.multiple,
            hide_totals=poll.hide_totals,
            expires_at=poll.expires_at,
            created_at=poll.created_at,
        )
    )


async def with_votes(conn: Conn, found: list[Poll], viewer_id: int | None) -> list[Poll]:
    """Fill in counts, voters and the viewer's choices (two or three queries in all)."""
    if not found:
        return found
    ids = [p.id for p in found]
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for poll_id, choice, count in await conn.execute(
        select(poll_votes.c.poll_id, poll_votes.c.choice, func.count())
        .where(poll_votes.c.poll_id.in_(ids))
        .group_by(poll_votes.c.poll_id, poll_votes.c.choice)
    ):
        counts[poll_id][choice] = int(count)
    voters = dict(
        (r[0], int(r[1]))
        for r in await conn.execute(
            select(poll_votes.c.poll_id, func.count(func.distinct(poll_votes.c.account_id)))
            .where(poll_votes.c.poll_id.in_(ids))
            .group_by(poll_votes.c.poll_id)
        )
    )
    mine: dict[int, list[int]] = defaultdict(list)
    if viewer_id is not None:
        for poll_id, choice in await conn.execute(
            select(poll_votes.c.poll_id, poll_votes.c.choice)
            .where(poll_votes.c.poll_id.in_(ids), poll_votes.c.account_id == viewer_id)
            .order_by(poll_votes.c.id)  # in the order voted, as Mastodon lists `own_votes`
        ):
            mine[poll_id].append(choice)
    for p in found:
        p.counts = [counts[p.id].get(i, 0) for i in range(len(p.options))]
        p.voters = voters.get(p.id, 0)
        p.mine = mine.get(p.id, [])
    return found


async def get(conn: Conn, poll_id: int, viewer_id: int | None = None) -> Poll | None:
    row = (await conn.execute(select(polls).where(polls.c.id == poll_id))).first()
    if row is None:
        return None
    return (await with_votes(conn, [_poll(row)], viewer_id))[0]


async def by_ids(conn: Conn, ids: Iterable[int], viewer_id: int | None) -> dict[int, Poll]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await conn.execute(select(polls).where(polls.c.id.in_(wanted)))
    return {p.id: p for p in await with_votes(conn, [_poll(r) for r in rows], viewer_id)}


async def lock_poll(conn: Conn, poll_id: int) -> None:
    """Hold the poll while one account's votes are decided (after statuses and accounts)."""
    await lock(conn, polls, [poll_id])


async def choices_of(conn: Conn, poll_id: int, account_id: int) -> list[int]:
    rows = await conn.execute(
        select(poll_votes.c.choice).where(
            poll_votes.c.poll_id == poll_id, poll_votes.c.account_id == account_id
        )
    )
    return [r.choice for r in rows]


async def add_votes(
    conn: Conn, poll_id: int, account_id: int, choices: Sequence[int], now: datetime
) -> int:
    """Record choices (a repeated one is ignored by the unique key); how many were new."""
    rows = [
        {
            "id": new_id(),
            "poll_id": poll_id,
            "account_id": account_id,
            "choice": c,
            "created_at": now,
        }
        for c in choices
    ]
    stmt = insert_ignoring(conn, poll_votes, rows, ["poll_id", "account_id", "choice"])
    return len(list(await conn.execute(stmt.returning(poll_votes.c.id))))


async def end(conn: Conn, poll_id: int, now: datetime) -> Poll | None:
    """Mark the poll's end announced; the poll if this call did (so voters are told once)."""
    stmt = (
        update(polls)
        .where(polls.c.id == poll_id, polls.c.ended_at.is_(None))
        .values(ended_at=now)
        .returning(*polls.c)
    )
    row = (await conn.execute(stmt)).first()
    return _poll(row) if row else None


async def voter_ids(conn: Conn, poll_id: int) -> list[int]:
    rows = await conn.execute(
        select(poll_votes.c.account_id).where(poll_votes.c.poll_id == poll_id).distinct()
    )
    return sorted(r.account_id for r in rows)


async def revise(
    conn: Conn,
    poll_id: int,
    *,
    options: Sequence[str],
    multiple: bool,
    hide_totals: bool,
    expires_at: datetime | None,
    reset_votes: bool,
) -> None:
    """An edited status's poll: new options and rules; votes go when the choices changed."""
    if reset_votes:
        await conn.execute(poll_votes.delete().where(poll_votes.c.poll_id == poll_id))
    await conn.execute(
        update(polls)
        .where(polls.c.id == poll_id)
        .values(
            options=list(options),
            multiple=multiple,
            hide_totals=hide_totals,
            expires_at=expires_at,
            ended_at=None,  # its (new) end is announced again
        )
    )


async def delete(conn: Conn, poll_id: int) -> None:
    """Remove a poll an edit took off its status, and its votes."""
    await conn.execute(poll_votes.delete().where(poll_votes.c.poll_id == poll_id))
    await conn.execute(polls.delete().where(polls.c.id == poll_id))
