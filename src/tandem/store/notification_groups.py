"""Grouped notifications (Mastodon's /api/v2/notifications): one page of groups in three
queries, whatever the number of notifications in them.

A notification shows in its stored `group_key` when its type is one the client groups, and
in `ungrouped-<id>` otherwise. Groups are ranked by their newest notification; counts and
sample accounts cover only the page's range (newest group's top down to the oldest group's
top), so the next page continues below it without skipping anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select

from tandem.core.models import Notification, Page
from tandem.core.notification_kinds import Selection
from tandem.store.db import Conn
from tandem.store.generations import notifications_changed
from tandem.store.notifications import from_row, selected
from tandem.store.schema import notifications

SAMPLE_ACCOUNTS = 8


@dataclass
class GroupRow:
    key: str
    count: int
    newest: Notification
    page_min_id: int
    page_max_id: int
    latest_at: datetime
    sample_account_ids: list[int]


def _shown_key(grouped: tuple[str, ...]) -> Any:
    return case(
        (
            and_(notifications.c.type.in_(grouped), notifications.c.group_key.is_not(None)),
            notifications.c.group_key,
        ),
        else_=literal("ungrouped-") + cast(notifications.c.id, String),
    )


def _keyed(account_id: int, chosen: Selection, grouped: tuple[str, ...]) -> Any:
    return select(
        notifications.c.id,
        notifications.c.from_account_id,
        notifications.c.created_at,
        _shown_key(grouped).label("k"),
    ).where(*selected(account_id, chosen))


async def page(
    conn: Conn, account_id: int, window: Page, chosen: Selection, grouped: tuple[str, ...]
) -> list[GroupRow]:
    """The newest groups in the window (oldest first when paging forward with min_id)."""
    keyed = _keyed(account_id, chosen, grouped)
    lower, upper = window.since_id, window.max_id
    ascending = window.min_id is not None
    if ascending:
        lower = window.min_id if lower is None else max(lower, window.min_id or 0)
    if upper is not None:
        keyed = keyed.where(notifications.c.id < upper)
    if lower is not None:
        keyed = keyed.where(notifications.c.id > lower)
    inner = keyed.subquery()
    top = func.max(inner.c.id) if not ascending else func.min(inner.c.id)
    ranked = (
        select(inner.c.k, top.label("top"))
        .group_by(inner.c.k)
        .order_by(top.asc() if ascending else top.desc())
        .limit(window.limit)
    )
    picked = list(await conn.execute(ranked))
    if not picked:
        return []
    keys = [r.k for r in picked]
    # The page's range: down to the last picked group's anchor, so the next page continues
    # below it; a page that is not full is the last one and takes the rest (as Mastodon).
    ranged = keyed
    if len(picked) >= window.limit:
        if ascending:
            ranged = keyed.where(notifications.c.id <= max(r.top for r in picked))
        else:
            ranged = keyed.where(notifications.c.id >= min(r.top for r in picked))
    return await _describe(conn, ranged, keys, reverse=ascending)


async def one(conn: Conn, account_id: int, key: str, grouped: tuple[str, ...]) -> GroupRow | None:
    keyed = _keyed(account_id, Selection(), grouped)
    found = await _describe(conn, keyed, [key], reverse=False)
    return found[0] if found else None


async def _describe(conn: Conn, keyed: Any, keys: list[str], *, reverse: bool) -> list[GroupRow]:
    inner = keyed.subquery()
    stats = {
        r.k: r
        for r in await conn.execute(
            select(
                inner.c.k,
                func.count().label("n"),
                func.min(inner.c.id).label("low"),
                func.max(inner.c.id).label("high"),
                func.max(inner.c.created_at).label("latest"),
            )
            .where(inner.c.k.in_(keys))
            .group_by(inner.c.k)
        )
    }
    if not stats:
        return []
    numbered = select(
        inner.c.k,
        inner.c.from_account_id,
        func.row_number().over(partition_by=inner.c.k, order_by=inner.c.id.desc()).label("rn"),
    ).where(inner.c.k.in_(list(stats)))
    sampled = numbered.subquery()
    samples: dict[str, list[int]] = {}
    for r in await conn.execute(
        select(sampled.c.k, sampled.c.from_account_id)
        .where(sampled.c.rn <= SAMPLE_ACCOUNTS)
        .order_by(sampled.c.k, sampled.c.rn)
    ):
        if r.from_account_id is not None:
            samples.setdefault(r.k, []).append(r.from_account_id)
    newest = {
        n.id: n
        for n in (
            from_row(r)
            for r in await conn.execute(
                select(notifications).where(
                    notifications.c.id.in_([s.high for s in stats.values()])
                )
            )
        )
    }
    rows = [
        GroupRow(
            key=k,
            count=int(stats[k].n),
            newest=newest[stats[k].high],
            page_min_id=int(stats[k].low),
            page_max_id=int(stats[k].high),
            latest_at=stats[k].latest,
            sample_account_ids=samples.get(k, []),
        )
        for k in keys
        if k in stats and stats[k].high in newest
    ]
    rows.sort(key=lambda g: g.page_max_id, reverse=not reverse)
    return rows


async def account_ids(conn: Conn, account_id: int, key: str, grouped: tuple[str, ...]) -> list[int]:
    """Everyone in one group, newest first."""
    inner = _keyed(account_id, Selection(), grouped).subquery()
    found = await conn.scalars(
        select(inner.c.from_account_id)
        .where(inner.c.k == key, inner.c.from_account_id.is_not(None))
        .order_by(inner.c.id.desc())
    )
    return list(dict.fromkeys(found))


async def delete_group(conn: Conn, account_id: int, key: str, grouped: tuple[str, ...]) -> int:
    """Remove one group's notifications; how many went."""
    notifications_changed(account_id)
    found = await conn.execute(
        notifications.delete()
        .where(notifications.c.account_id == account_id, _shown_key(grouped) == key)
        .returning(notifications.c.id)
    )
    return len(found.all())


async def count_after(
    conn: Conn,
    account_id: int,
    after_id: int | None,
    chosen: Selection,
    grouped: tuple[str, ...],
    limit: int,
) -> int:
    """How many groups have a notification newer than `after_id` (up to `limit`)."""
    keyed = _keyed(account_id, chosen, grouped)
    if after_id is not None:
        keyed = keyed.where(notifications.c.id > after_id)
    inner = keyed.subquery()
    distinct = select(inner.c.k).group_by(inner.c.k).limit(limit).subquery()
    return int(await conn.scalar(select(func.count()).select_from(distinct)) or 0)
