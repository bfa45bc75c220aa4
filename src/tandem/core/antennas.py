"""Antennas: saved filters that collect notes by keyword, user or list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tandem.core import clock
from tandem.core.errors import NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text, one_of
from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.store import collections as store
from tandem.store import lists as list_store
from tandem.store.db import AnyRow, Database

LIMIT = 5
SOURCES = ("home", "all", "users", "list", "users_blacklist")


@dataclass(frozen=True)
class Antenna:
    id: int
    account_id: int
    name: str
    src: str
    list_id: int | None
    keywords: list[list[str]]
    exclude_keywords: list[list[str]]
    users: list[str]
    case_sensitive: bool
    local_only: bool
    exclude_bots: bool
    with_replies: bool
    with_file: bool
    is_active: bool
    created_at: datetime


@dataclass(frozen=True)
class AntennaSpec:
    name: str
    src: str
    list_id: int | None = None
    keywords: list[list[str]] | None = None
    exclude_keywords: list[list[str]] | None = None
    users: list[str] | None = None
    case_sensitive: bool = False
    local_only: bool = False
    exclude_bots: bool = False
    with_replies: bool = False
    with_file: bool = False


def _from_row(row: AnyRow) -> Antenna:
    m = row._mapping
    return Antenna(
        id=m["id"],
        account_id=m["account_id"],
        name=m["name"],
        src=m["src"],
        list_id=m["list_id"],
        keywords=m["keywords"],
        exclude_keywords=m["exclude_keywords"],
        users=m["users"],
        case_sensitive=m["case_sensitive"],
        local_only=m["local_only"],
        exclude_bots=m["exclude_bots"],
        with_replies=m["with_replies"],
        with_file=m["with_file"],
        is_active=m["is_active"],
        created_at=m["created_at"],
    )


def _words(groups: list[list[str]] | None) -> list[list[str]]:
    return [
        [w for w in group if w.strip()] for group in groups or [] if any(w.strip() for w in group)
    ]


async def create(db: Database, owner: Account, spec: AntennaSpec) -> Antenna:
    name = spec.name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed.one("name", "invalid", "must be 1 to 100 characters")
    if spec.src not in SOURCES:
        raise ValidationFailed.one("src", "inclusion", one_of(SOURCES))
    keywords, excluded = _words(spec.keywords), _words(spec.exclude_keywords)
    if not keywords and not excluded and spec.src not in ("users", "list", "users_blacklist"):
        raise Unprocessable("Either keywords or excludeKeywords is required.", code="EMPTY_KEYWORD")
    values: dict[str, Any] = {
        "id": new_id(),
        "account_id": owner.id,
        "name": name,
        "src": spec.src,
        "list_id": spec.list_id if spec.src == "list" else None,
        "keywords": keywords,
        "exclude_keywords": excluded,
        "users": [u.strip() for u in spec.users or [] if u.strip()],
        "case_sensitive": spec.case_sensitive,
        "local_only": spec.local_only,
        "exclude_bots": spec.exclude_bots,
        "with_replies": spec.with_replies,
        "with_file": spec.with_file,
        "created_at": clock.now(),
    }
    async with db.write() as conn:
        if spec.src == "list":
            found = await list_store.get_list(conn, spec.list_id) if spec.list_id else None
            if found is None or found.account_id != owner.id:
                raise NotFound("list", Text("User list"))
        if await store.count_antennas(conn, owner.id) >= LIMIT:
            raise Unprocessable(
                Text("You cannot create more than {count} antennas.", count=LIMIT),
                code="TOO_MANY_ANTENNAS",
            )
        await store.insert_antenna(conn, **values)
        row = await store.antenna(conn, values["id"])
    assert row is not None
    return _from_row(row)


async def all_of(db: Database, owner: Account) -> list[Antenna]:
    async with db.read() as conn:
        return [_from_row(r) for r in await store.antennas_of(conn, owner.id)]


async def delete(db: Database, owner: Account, antenna_id: int) -> None:
    async with db.write() as conn:
        row = await store.antenna(conn, antenna_id)
        if row is None or row.account_id != owner.id:
            raise NotFound("antenna")
        await store.delete_antenna(conn, antenna_id)
