"""The registry: key/value data a client keeps on the server, per user, scope and app.

Each app token writes into its own domain (the token's id), so apps cannot read each other's
data; the account's own sign-in token uses the empty domain and may name another one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tandem.core import clock
from tandem.core.errors import NotFound, ValidationFailed
from tandem.core.models import Account
from tandem.store import registry as store
from tandem.store.db import Database

# Misskey allows letters, digits and _; `-` and `.` too here, so the seed's own example
# (`scope: ['my-app']`) works as written. A superset: no Misskey client's scope is refused.
_SCOPE_PART = re.compile(r"\A[a-zA-Z0-9_.-]+\Z")


@dataclass(frozen=True)
class Place:
    account: Account
    domain: str  # "" is the account's own
    scope: list[str]


def place(account: Account, scope: list[str] | None, domain: str | None) -> Place:
    parts = list(scope or [])
    for part in parts:
        if not isinstance(part, str) or not _SCOPE_PART.match(part):
            raise ValidationFailed.one(
                "scope", "invalid", "each scope part may use only letters, digits, _, - and ."
            )
    return Place(account, domain or "", parts)


@dataclass(frozen=True)
class Item:
    key: str
    value: Any
    updated_at: datetime


async def get(db: Database, where: Place, key: str) -> Item:
    async with db.read() as conn:
        row = await store.get(conn, where.account.id, where.domain, where.scope, key)
    if row is None:
        raise NotFound("key")
    return Item(row.key, row.value, row.updated_at)


async def items(db: Database, where: Place) -> list[Item]:
    async with db.read() as conn:
        rows = await store.all_in_scope(conn, where.account.id, where.domain, where.scope)
    return [Item(r.key, r.value, r.updated_at) for r in rows]


async def put(db: Database, where: Place, key: str, value: Any) -> None:
    if not key:
        raise ValidationFailed.one("key", "blank", "can't be blank")
    async with db.write() as conn:
        await store.put(conn, where.account.id, where.domain, where.scope, key, value, clock.now())


async def remove(db: Database, where: Place, key: str) -> None:
    async with db.write() as conn:
        row = await store.get(conn, where.account.id, where.domain, where.scope, key)
        if row is None:
            raise NotFound("key")
        await store.remove(conn, row.id)


def type_name(value: Any) -> str:
    """Misskey's names for JSON value types (keys-with-type)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


async def scopes_by_domain(
    db: Database, account: Account
) -> list[tuple[str | None, list[list[str]]]]:
    async with db.read() as conn:
        pairs = await store.scopes(conn, account.id)
    grouped: dict[str, list[list[str]]] = {}
    for domain, scope in pairs:
        known = grouped.setdefault(domain, [])
        if scope not in known:
            known.append(scope)
    return [(d or None, s) for d, s in grouped.items()]
