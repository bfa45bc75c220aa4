"""Queries on account→account rows: follows, follow requests, blocks, mutes, pins, notes.

Reads across relations live here, named by `Relation`; the writes of each relation are in
store/follows.py, blocks.py, mutes.py and endorsements.py (on the pair helpers below).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
)

from tandem.core.ids import new_id
from tandem.core.models import Account, Follow, Mute, Page
from tandem.store import accounts as account_store
from tandem.store.accounts import functional
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.query import Query
from tandem.store.schema import (
    account_notes,
    account_pins,
    accounts,
    blocks,
    follow_requests,
    follows,
    mutes,
    notifications,
)
from tandem.store.writes import insert_new

PAIR_TABLES = (follows, follow_requests, blocks, mutes, account_pins, account_notes)
Relation = Literal["follows", "follow_requests", "blocks", "mutes", "endorsements", "notes"]
TABLES: dict[Relation, Table] = {
    "follows": follows,
    "follow_requests": follow_requests,
    "blocks": blocks,
    "mutes": mutes,
    "endorsements": account_pins,
    "notes": account_notes,
}


def follow_from_row(row: AnyRow) -> Follow:
    m = row._mapping
    langs = m["languages"]
    return Follow(
        id=m["id"],
        account_id=m["account_id"],
        target_account_id=m["target_account_id"],
        show_reblogs=m["show_reblogs"],
        notify=m["notify"],
        languages=tuple(langs) if langs is not None else None,
        uri=m.get("uri"),
        created_at=m["created_at"],
    )


def mute_from_row(row: AnyRow) -> Mute:
    m = row._mapping
    return Mute(
        id=m["id"],
        account_id=m["account_id"],
        target_account_id=m["target_account_id"],
        hide_notifications=m["hide_notifications"],
        expires_at=m["expires_at"],
        created_at=m["created_at"],
    )


def live_mutes(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Mutes still in force: an expired mute counts as gone even before its job removes it."""
    return or_(mutes.c.expires_at.is_(None), mutes.c.expires_at > now)


async def find(conn: Conn, table: Table, account_id: int, target_id: int) -> AnyRow | None:
    return (
        await conn.execute(
            select(table).where(
                table.c.account_id == account_id, table.c.target_account_id == target_id
            )
        )
    ).first()


async def add_pair(
    conn: Conn, table: Table, account_id: int, target_id: int, now: datetime, **values: Any
) -> bool:
    """Create the pair's row (a new id, made now); False (nothing written) when the pair
    already has one. For the relation modules (follows, blocks, mutes, endorsements)."""
    row = {
        "id": new_id(),
        "account_id": account_id,
        "target_account_id": target_id,
        "created_at": now,
        **values,
    }
    return await insert_new(conn, table, row, on=("account_id", "target_account_id"))


async def remove(conn: Conn, table: Table, account_id: int, target_id: int) -> AnyRow | None:
    """Delete the row for this pair; returns it if this call deleted it (one racer does)."""
    stmt = (
        delete(table)
        .where(table.c.account_id == account_id, table.c.target_account_id == target_id)
        .returning(*table.c)
    )
    return (await conn.execute(stmt)).first()


async def outgoing(
    conn: Conn, relation: Relation, account_id: int, target_ids: Iterable[int], now: datetime
) -> dict[int, AnyRow]:
    """Rows account → each target, by target id."""
    ids = set(target_ids)
    if not ids:
        return {}
    table = TABLES[relation]
    stmt = select(table).where(table.c.account_id == account_id, table.c.target_account_id.in_(ids))
    if table is mutes:
        stmt = stmt.where(live_mutes(now))
    return {r.target_account_id: r for r in await conn.execute(stmt)}


async def is_following(conn: Conn, account_id: int, target_id: int) -> bool:
    return await find(conn, follows, account_id, target_id) is not None


async def expired_mutes(conn: Conn, now: datetime) -> list[Mute]:
    rows = await conn.execute(
        select(mutes).where(mutes.c.expires_at.is_not(None), mutes.c.expires_at <= now)
    )
    return [mute_from_row(r) for r in rows]


def _hidden_from(viewer_id: int, now: datetime) -> ColumnElement[bool]:
    """Accounts a viewer does not see in other people's lists: blocked either way, or muted."""
    return or_(
        exists().where(
            blocks.c.account_id == viewer_id, blocks.c.target_account_id == accounts.c.id
        ),
        exists().where(
            blocks.c.account_id == accounts.c.id, blocks.c.target_account_id == viewer_id
        ),
        exists().where(
            mutes.c.account_id == viewer_id,
            mutes.c.target_account_id == accounts.c.id,
            live_mutes(now),
        ),
    )


async def page(
    conn: Conn,
    relation: Relation,
    *,
    owner_id: int,
    owner_side: str,
    page: Page,
    now: datetime,
    hide_for_viewer: int | None = None,
    cursor: str = "row",
) -> list[tuple[int, Account, dict[str, Any]]]:
    """One page of a pair table seen from one side, newest first.

    `owner_side="account"` lists the targets of the owner's rows (whom they follow, block…);
    `"target"` lists the accounts whose rows point at the owner (their followers…). Each item
    is (cursor id, account, row); the cursor is the row id, or the account id when
    `cursor="account"` (how Mastodon pages endorsements).
    """
    table = TABLES[relation]
    other = table.c.target_account_id if owner_side == "account" else table.c.account_id
    mine = table.c.account_id if owner_side == "account" else table.c.target_account_id
    key = table.c.id if cursor == "row" else other
    conditions: list[ColumnElement[bool]] = [mine == owner_id, functional()]
    if table is mutes:
        conditions.append(live_mutes(now))
    if hide_for_viewer is not None:
        conditions.append(~_hidden_from(hide_for_viewer, now))
    stmt = select(table, accounts).join(accounts, accounts.c.id == other).where(*conditions)
    rows = await newest_first(conn, stmt, key, page)
    # Both tables have id/created_at columns: split each joined row by position (the pair's
    # columns, then the account's), not by name.
    result: list[tuple[int, Account, dict[str, Any]]] = []
    width = len(table.c)
    for r in rows:
        pair = dict(zip(table.c.keys(), r[:width], strict=True))
        account = account_store.from_mapping(dict(zip(_ACCOUNT_KEYS, r[width:], strict=True)))
        result.append((pair["id"] if cursor == "row" else account.id, account, pair))
    return result


_ACCOUNT_KEYS = accounts.c.keys()


def _account_part(row: AnyRow) -> dict[str, Any]:
    m = row._mapping  # built on each access: once per row, not per column
    return {c.name: m[c] for c in accounts.c}


async def note_for(conn: Conn, account_id: int, target_id: int) -> str:
    row = await find(conn, account_notes, account_id, target_id)
    return row.comment if row else ""


async def followers_of_both(
    conn: Conn, viewer_id: int, target_ids: Iterable[int]
) -> dict[int, list[Account]]:
    """For each target: accounts the viewer follows that also follow it (familiar followers)."""
    ids = set(target_ids)
    if not ids:
        return {}
    theirs = follows.alias("theirs")
    mine = follows.alias("mine")
    stmt = (
        select(theirs.c.target_account_id.label("target"), accounts)
        .join(accounts, accounts.c.id == theirs.c.account_id)
        .join(
            mine,
            and_(mine.c.account_id == viewer_id, mine.c.target_account_id == theirs.c.account_id),
        )
        .where(
            theirs.c.target_account_id.in_(ids),
            functional(),
            or_(accounts.c.hide_collections.is_(None), accounts.c.hide_collections.is_(False)),
            accounts.c.suspended_at.is_(None),
        )
        .order_by(theirs.c.id.desc())
    )
    result: dict[int, list[Account]] = {i: [] for i in ids}
    for r in await conn.execute(stmt):
        result[r.target].append(account_store.from_mapping(_account_part(r)))
    return result


_PENDING = Query(
    select(follow_requests.c.id)
    .join(accounts, accounts.c.id == follow_requests.c.account_id)
    .where(
        follow_requests.c.target_account_id == bindparam("target"),
        accounts.c.suspended_at.is_(None),
    )
    .limit(bindparam("cap"))
)


async def count_pending_requests(conn: Conn, target_id: int, cap: int) -> int:
    return len(await _PENDING.rows(conn, target=target_id, cap=cap))


async def pending_request_ids(conn: Conn, target_id: int) -> list[int]:
    rows = await conn.execute(
        select(follow_requests.c.account_id).where(follow_requests.c.target_account_id == target_id)
    )
    return [r.account_id for r in rows]


async def delete_all_for(conn: Conn, table: Table, account_id: int, target_id: int) -> None:
    """Remove rows in both directions between two accounts."""
    await conn.execute(
        delete(table).where(
            or_(
                and_(table.c.account_id == account_id, table.c.target_account_id == target_id),
                and_(table.c.account_id == target_id, table.c.target_account_id == account_id),
            )
        )
    )


_BADGES = Query(
    select(
        select(func.count())
        .select_from(notifications)
        .where(notifications.c.account_id == bindparam("me"), notifications.c.read_at.is_(None))
        .scalar_subquery(),
        select(func.count())
        .select_from(follow_requests)
        .join(accounts, accounts.c.id == follow_requests.c.account_id)
        .where(
            follow_requests.c.target_account_id == bindparam("me"),
            accounts.c.suspended_at.is_(None),
        )
        .scalar_subquery(),
    )
)


async def badge_counts(conn: Conn, account_id: int) -> tuple[int, int]:
    """Unread notifications and waiting follow requests, in one query (shown on every `i`)."""
    row = await _BADGES.first(conn, me=account_id)
    assert row is not None  # two scalar subqueries: always one row
    return int(row[0] or 0), int(row[1] or 0)
