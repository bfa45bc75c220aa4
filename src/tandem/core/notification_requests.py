"""Notification requests (Mastodon 4.3+): the senders whose mentions or quotes the
recipient's policy held back (core/notification_policy.py), one request per sender.

Accepting a request remembers the sender (their later notifications pass the policy) and
shows their held-back notifications (their direct statuses join the recipient's
conversations), in the same transaction: Mastodon does that in a job
and answers `merged: false` until it ran, here it is merged as soon as the call returns.
Dismissing a request removes it and the notifications it held (as Mastodon's cleanup job);
a later filtered mention opens a new one. A request's count is read from the notifications
it holds (store/notification_requests.py), so it follows them however they go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tandem.core import clock, conversations
from tandem.core.errors import NotFound
from tandem.core.models import Account, Page
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import accounts as account_store
from tandem.store import notification_requests as store
from tandem.store import notifications as notification_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database
from tandem.store.notification_requests import Request

__all__ = ["Request", "RequestPage"]


@dataclass
class RequestPage:
    items: list[Request]
    accounts: dict[int, Account] = field(default_factory=dict)
    statuses: StatusBundle = field(default_factory=lambda: StatusBundle(statuses=[]))


async def _details(conn: Conn, owner: Account, items: list[Request]) -> RequestPage:
    accounts = await account_store.get_many(conn, {r.from_account_id for r in items})
    kept = [r for r in items if r.from_account_id in accounts]
    notes = await status_store.get_many(
        conn, {r.last_status_id for r in kept if r.last_status_id is not None}
    )
    return RequestPage(kept, accounts, await bundle(conn, owner.id, list(notes.values())))


async def page(db: Database, owner: Account, window: Page) -> RequestPage:
    async with db.read() as conn:
        return await _details(conn, owner, await store.page(conn, owner.id, window))


async def one(db: Database, owner: Account, request_id: int) -> RequestPage:
    async with db.read() as conn:
        found = await store.get_many(conn, owner.id, [request_id])
        if not found:
            raise NotFound("notification")
        return await _details(conn, owner, found)


async def accept(db: Database, owner: Account, request_ids: Sequence[int], *, one: bool) -> None:
    """Accept requests (one by id: NotFound when it is not one's own; in bulk, unknown ids are
    skipped as Mastodon does)."""
    now = clock.now()
    async with db.write() as conn:
        found = await store.get_many(conn, owner.id, list(dict.fromkeys(request_ids)))
        if one and not found:
            raise NotFound("notification")
        senders = [r.from_account_id for r in found]
        for sender in senders:
            await store.permit(conn, owner.id, sender, now)
        direct = await notification_store.filtered_direct_mentions(conn, owner.id, senders)
        await conversations.on_unfiltered(conn, owner.id, direct)
        await notification_store.unfilter_from(conn, owner.id, senders)
        await store.remove(conn, owner.id, [r.id for r in found])


async def dismiss(db: Database, owner: Account, request_ids: Sequence[int], *, one: bool) -> None:
    async with db.write() as conn:
        found = await store.get_many(conn, owner.id, list(dict.fromkeys(request_ids)))
        if one and not found:
            raise NotFound("notification")
        await notification_store.delete_filtered_from(
            conn, owner.id, [r.from_account_id for r in found]
        )
        await store.remove(conn, owner.id, [r.id for r in found])


async def summary(db: Database, owner: Account) -> tuple[int, int]:
    """(pending requests, notifications they hold), as the policy's `summary` shows them."""
    async with db.read() as conn:
        return await store.summary(conn, owner.id)
