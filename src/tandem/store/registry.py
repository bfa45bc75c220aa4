"""Queries on registry items (per-user key/value storage for client apps)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from tandem.core.ids import new_id
from tandem.store.db import AnyRow, Conn
from tandem.store.schema import registry_items


def scope_key(scope: list[str]) -> str:
    return "\x1f".join(scope)


def _where(account_id: int, domain: str, scope: list[str]) -> list[Any]:
    return [
        registry_items.c.account_id == account_id,
        registry_items.c.domain == domain,
        registry_items.c.scope_key == scope_key(scope),
    ]


async def get(
    conn: Conn, account_id: int, domain: str, scope: list[str], key: str
) -> AnyRow | None:
    stmt = select(registry_items).where(
        *_where(account_id, domain, scope), registry_items.c.key == key
    )
    return (await conn.execute(stmt)).first()


async def all_in_scope(conn: Conn, account_id: int, domain: str, scope: list[str]) -> list[AnyRow]:
    stmt = (
        select(registry_items)
        .where(*_where(account_id, domain, scope))
        .order_by(registry_items.c.id)
    )
    return list(await conn.execute(stmt))


async def put(
    conn: Conn, account_id: int, domain: str, scope: list[str], key: str, value: Any, now: datetime
) -> None:
    existing = await get(conn, account_id, domain, scope, key)
    if existing is not None:
        await conn.execute(
            update(registry_items)
            .where(registry_items.c.id == existing.id)
            .values(value=value, updated_at=now)
        )
        return
    await conn.execute(
        registry_items.insert().values(
            id=new_id(),
            account_id=account_id,
            domain=domain,
            scope=scope,
            scope_key=scope_key(scope),
            key=key,
            value=value,
            created_at=now,
            updated_at=now,
        )
    )


async def remove(conn: Conn, item_id: int) -> None:
    await conn.execute(delete(registry_items).where(registry_items.c.id == item_id))


async def scopes(conn: Conn, account_id: int) -> list[tuple[str, list[str]]]:
    rows = await conn.execute(
        select(registry_items.c.domain, registry_items.c.scope)
        .where(registry_items.c.account_id == account_id)
        .order_by(registry_items.c.id)
    )
    return [(r.domain, list(r.scope)) for r in rows]
