"""Queries on collections of featured accounts and their items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update

from tandem.core.models import AccountCollection, CollectionItem
from tandem.store.db import AnyRow, Conn
from tandem.store.schema import (
    account_collection_items as items,
)
from tandem.store.schema import (
    account_collections as collections,
)
from tandem.store.schema import (
    blocks,
    tags,
)
from tandem.store.writes import insert_ignoring, lock

NOTIFICATION_TYPE = "added_to_collection"


def _item(row: AnyRow) -> CollectionItem:
    m = row._mapping
    return CollectionItem(
        id=m["id"],
        collection_id=m["collection_id"],
        account_id=m["account_id"],
        state=m["state"],
        created_at=m["created_at"],
    )


def _with_tag() -> Select[Any]:
    return select(collections, tags.c.name.label("tag_name")).outerjoin(
        tags, tags.c.id == collections.c.tag_id
    )


async def get_many(conn: Conn, ids: Iterable[int]) -> dict[int, AccountCollection]:
    """Collections by id, each with its tag's name and its items (two statements)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = list(await conn.execute(_with_tag().where(collections.c.id.in_(wanted))))
    if not rows:
        return {}
    found: dict[int, list[CollectionItem]] = {r.id: [] for r in rows}
    for row in await conn.execute(
        select(items).where(items.c.collection_id.in_(found)).order_by(items.c.id)
    ):
        found[row.collection_id].append(_item(row))
    out: dict[int, AccountCollection] = {}
    for r in rows:
        out[r.id] = AccountCollection(
            id=r.id,
            account_id=r.account_id,
            name=r.name,
            description=r.description,
            language=r.language,
            sensitive=r.sensitive,
            discoverable=r.discoverable,
            tag_name=r.tag_name,
            created_at=r.created_at,
            updated_at=r.updated_at,
            items=tuple(found[r.id]),
        )
    return out


async def get(conn: Conn, collection_id: int) -> AccountCollection | None:
    return (await get_many(conn, [collection_id])).get(collection_id)


async def in_order(conn: Conn, ids: Sequence[int]) -> list[AccountCollection]:
    found = await get_many(conn, ids)
    return [found[i] for i in ids if i in found]


async def owned_ids(
    conn: Conn, account_id: int, *, discoverable_only: bool, offset: int, limit: int
) -> tuple[list[int], int]:
    """One page of an account's collections (newest first) and how many there are."""
    where = [collections.c.account_id == account_id]
    if discoverable_only:
        where.append(collections.c.discoverable.is_(True))
    page = await conn.execute(
        select(collections.c.id)
        .where(*where)
        .order_by(collections.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = await conn.scalar(select(func.count()).select_from(collections).where(*where))
    return [r.id for r in page], int(total or 0)


async def count_owned(conn: Conn, account_id: int) -> int:
    stmt = (
        select(func.count()).select_from(collections).where(collections.c.account_id == account_id)
    )
    return int(await conn.scalar(stmt) or 0)


async def featuring_ids(
    conn: Conn, account_id: int, *, offset: int, limit: int
) -> tuple[list[int], int]:
    """One page of the collections an account is featured in (accepted), newest first."""
    where = [items.c.account_id == account_id, items.c.state == "accepted"]
    page = await conn.execute(
        select(items.c.collection_id)
        .where(*where)
        .order_by(items.c.collection_id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = await conn.scalar(select(func.count()).select_from(items).where(*where))
    return [r.collection_id for r in page], int(total or 0)


async def insert(
    conn: Conn,
    *,
    collection_id: int,
    account_id: int,
    name: str,
    description: str,
    language: str | None,
    sensitive: bool,
    discoverable: bool,
    tag_id: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        collections.insert().values(
            id=collection_id,
            account_id=account_id,
            name=name,
            description=description,
            language=language,
            sensitive=sensitive,
            discoverable=discoverable,
            tag_id=tag_id,
            created_at=now,
            updated_at=now,
        )
    )


async def update_fields(conn: Conn, collection_id: int, values: dict[str, Any]) -> None:
    await conn.execute(
        update(collections).where(collections.c.id == collection_id).values(**values)
    )


async def delete_collection(conn: Conn, collection_id: int) -> None:
    await conn.execute(delete(collections).where(collections.c.id == collection_id))


async def lock_collection(conn: Conn, collection_id: int) -> None:
    """Hold the collection row (PostgreSQL): item changes to it then go one at a time."""
    await lock(conn, collections, [collection_id])


async def add_items(conn: Conn, rows: Sequence[dict[str, Any]]) -> None:
    """Insert items; an account already in the collection (a concurrent add) stays once."""
    if rows:
        await conn.execute(
            insert_ignoring(conn, items, list(rows), ["collection_id", "account_id"])
        )


async def item_of(conn: Conn, collection_id: int, account_id: int) -> CollectionItem | None:
    row = (
        await conn.execute(
            select(items).where(
                items.c.collection_id == collection_id, items.c.account_id == account_id
            )
        )
    ).first()
    return _item(row) if row else None


async def item(conn: Conn, collection_id: int, item_id: int) -> CollectionItem | None:
    row = (
        await conn.execute(
            select(items).where(items.c.collection_id == collection_id, items.c.id == item_id)
        )
    ).first()
    return _item(row) if row else None


async def set_state(conn: Conn, item_id: int, state: str) -> None:
    await conn.execute(update(items).where(items.c.id == item_id).values(state=state))


async def delete_item(conn: Conn, item_id: int) -> None:
    await conn.execute(delete(items).where(items.c.id == item_id))


def notification_payload(collection_id: int, header: str, body: str) -> dict[str, Any]:
    """What an "added to a collection" notification stores: `collection_id` first (see
    store/notifications.py `delete_about_collection`), then `header` and `body` for Misskey
    clients (an `app` notification)."""
    return {"collection_id": str(collection_id), "header": header, "body": body}


async def blocked_by(conn: Conn, viewer_id: int, account_ids: Iterable[int]) -> set[int]:
    """Which of these accounts the viewer blocks (their items are not shown to the viewer)."""
    wanted = set(account_ids)
    if not wanted:
        return set()
    rows = await conn.execute(
        select(blocks.c.target_account_id).where(
            blocks.c.account_id == viewer_id, blocks.c.target_account_id.in_(wanted)
        )
    )
    return {r.target_account_id for r in rows}
