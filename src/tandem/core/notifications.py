"""Notifications for both dialects: reading them, and the ones jobs post."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tandem.core import clock
from tandem.core.errors import NotFound
from tandem.core.models import Account, Notification, Page
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import accounts as account_store
from tandem.store import notifications as store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database


@dataclass
class NotificationPage:
    items: list[Notification]
    accounts: dict[int, Account] = field(default_factory=dict)
    statuses: StatusBundle = field(default_factory=lambda: StatusBundle(statuses=[]))


async def page(
    db: Database,
    owner: Account,
    window: Page,
    *,
    types: list[str] | None = None,
    exclude: list[str] | None = None,
) -> NotificationPage:
    async with db.read() as conn:
        found = await store.page_for(conn, owner.id, window, types, exclude)
        return await _with_details(conn, owner, found)


async def _with_details(conn: Conn, owner: Account, items: list[Notification]) -> NotificationPage:
    accounts = await account_store.get_many(
        conn, {n.from_account_id for n in items if n.from_account_id}
    )
    notes = await status_store.get_many(conn, {n.status_id for n in items if n.status_id})
    shown = await bundle(conn, owner.id, list(notes.values()))
    return NotificationPage(items, accounts, shown)


async def one(db: Database, owner: Account, notification_id: int) -> NotificationPage:
    async with db.read() as conn:
        found = await store.get_for(conn, owner.id, notification_id)
        if found is None:
            raise NotFound("notification")
        return await _with_details(conn, owner, [found])


async def dismiss(db: Database, owner: Account, notification_id: int | None = None) -> None:
    """Delete one notification, or all of them."""
    async with db.write() as conn:
        await store.delete_for(conn, owner.id, notification_id)


async def post(db: Database, account_id: int, type: str, payload: dict[str, Any]) -> int:
    """A notification from the server itself (an export is ready, an import finished)."""
    async with db.write() as conn:
        return await store.insert(
            conn, account_id=account_id, type=type, now=clock.now(), payload=payload
        )


async def mark_read(db: Database, owner: Account) -> None:
    async with db.write() as conn:
        await store.mark_all_read(conn, owner.id, clock.now())
