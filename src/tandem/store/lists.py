"""Queries on user lists (Mastodon lists, Misskey user lists) and featured tags."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from tandem.core.models import Account, FeaturedTag, Page, UserList
from tandem.store import accounts as account_store
from tandem.store.db import AnyRow, Conn
from tandem.store.paging import newest_first
from tandem.store.schema import accounts, featured_tags, list_accounts, lists, tags
from tandem.store.writes import insert_ignoring, insert_new, lock


def list_from_row(row: AnyRow) -> UserList:
    m = row._mapping
    return UserList(
        id=m["id"],
        account_id=m["account_id"],
        title=m["title"],
        replies_policy=m["replies_policy"],
        exclusive=m["exclusive"],
        is_public=m["is_public"],
    )


async def lists_of(conn: Conn, account_id: int) -> list[UserList]:
    rows = await conn.execute(
        select(lists).where(lists.c.account_id == account_id).order_by(lists.c.id)
    )
    return [list_from_row(r) for r in rows]


async def count_lists(conn: Conn, account_id: int) -> int:
    stmt = select(func.count()).select_from(lists).where(lists.c.account_id == account_id)
    return int(await conn.scalar(stmt) or 0)


async def get_list(conn: Conn, list_id: int) -> UserList | None:
    row = (await conn.execute(select(lists).where(lists.c.id == list_id))).first()
    return list_from_row(row) if row else None


async def insert_list(conn: Conn, user_list: UserList, now: Any) -> None:
    await conn.execute(
        lists.insert().values(
            id=user_list.id,
            account_id=user_list.account_id,
            title=user_list.title,
            replies_policy=user_list.replies_policy,
            exclusive=user_list.exclusive,
            is_public=user_list.is_public,
            created_at=now,
        )
    )


async def update_list(conn: Conn, user_list: UserList) -> None:
    await conn.execute(
        update(lists)
        .where(lists.c.id == user_list.id)
        .values(
            title=user_list.title,
            replies_policy=user_list.replies_policy,
            exclusive=user_list.exclusive,
            is_public=user_list.is_public,
        )
    )


async def delete_list(conn: Conn, list_id: int) -> None:
    await conn.execute(delete(lists).where(lists.c.id == list_id))


async def lists_containing(conn: Conn, owner_id: int, account_id: int) -> list[UserList]:
    rows = await conn.execute(
        select(lists)
        .join(list_accounts, list_accounts.c.list_id == lists.c.id)
        .where(lists.c.account_id == owner_id, list_accounts.c.account_id == account_id)
        .order_by(lists.c.id)
    )
    return [list_from_row(r) for r in rows]


async def lists_with_member(conn: Conn, account_id: int) -> list[int]:
    """The ids of every list the account is a member of (whose streams hear its posts)."""
    rows = await conn.execute(
        select(list_accounts.c.list_id).where(list_accounts.c.account_id == account_id)
    )
    return [int(r.list_id) for r in rows]


async def member_ids(conn: Conn, list_id: int) -> set[int]:
    rows = await conn.execute(
        select(list_accounts.c.account_id).where(list_accounts.c.list_id == list_id)
    )
    return {r.account_id for r in rows}


async def lock_list(conn: Conn, list_id: int) -> None:
    """Hold the list row until commit (PostgreSQL): member changes then go one at a time."""
    await lock(conn, lists, [list_id])


async def add_members(conn: Conn, list_id: int, account_ids: list[int], now: Any) -> None:
    """Add members; an account already listed (say, by a concurrent request) stays once."""
    if account_ids:
        rows = [{"list_id": list_id, "account_id": a, "created_at": now} for a in account_ids]
        await conn.execute(insert_ignoring(conn, list_accounts, rows, ["list_id", "account_id"]))


async def remove_members(conn: Conn, list_id: int, account_ids: list[int]) -> None:
    await conn.execute(
        delete(list_accounts).where(
            list_accounts.c.list_id == list_id, list_accounts.c.account_id.in_(account_ids)
        )
    )


async def drop_member_from_lists_of(conn: Conn, owner_id: int, member_id: int) -> None:
    """Take an account out of every list of the owner (it stopped following it)."""
    await conn.execute(
        delete(list_accounts).where(
            list_accounts.c.account_id == member_id,
            list_accounts.c.list_id.in_(select(lists.c.id).where(lists.c.account_id == owner_id)),
        )
    )


async def members(conn: Conn, list_id: int, page: Page) -> list[Account]:
    stmt = (
        select(accounts)
        .join(list_accounts, list_accounts.c.account_id == accounts.c.id)
        .where(list_accounts.c.list_id == list_id)
    )
    rows = await newest_first(conn, stmt, accounts.c.id, page)
    return [account_store.from_row(r) for r in rows]


async def featured_tag_rows(conn: Conn, account_id: int) -> list[AnyRow]:
    rows = await conn.execute(
        select(featured_tags.c.id, featured_tags.c.tag_id, tags.c.name)
        .join(tags, tags.c.id == featured_tags.c.tag_id)
        .where(featured_tags.c.account_id == account_id)
        .order_by(featured_tags.c.id)
    )
    return list(rows)


async def insert_featured_tag(
    conn: Conn, *, row_id: int, account_id: int, tag_id: int, now: Any
) -> bool:
    """Feature a tag; False (nothing written) when the account already features it."""
    return await insert_new(
        conn,
        featured_tags,
        dict(id=row_id, account_id=account_id, tag_id=tag_id, created_at=now),
        on=("account_id", "tag_id"),
    )


async def delete_featured_tag(conn: Conn, account_id: int, row_id: int) -> bool:
    result = await conn.execute(
        delete(featured_tags).where(
            featured_tags.c.id == row_id, featured_tags.c.account_id == account_id
        )
    )
    return bool(result.rowcount)


def featured(row: AnyRow, stats: tuple[int, Any] | None) -> FeaturedTag:
    count, last = stats or (0, None)
    return FeaturedTag(
        id=row.id, account_id=0, name=row.name, statuses_count=count, last_status_at=last
    )
