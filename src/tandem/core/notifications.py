"""Notifications for both dialects: reading them (one by one or grouped), the ones a new
status sends its subscribers, and the ones jobs post."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tandem.core import account_collections, chat_rooms, clock
from tandem.core.account_collections import CollectionView
from tandem.core.chat_models import ChatInvitation
from tandem.core.errors import NotFound
from tandem.core.models import Account, Notification, Page
from tandem.core.notification_kinds import COLLECTION_TYPES, GROUPABLE_TYPES, Selection
from tandem.core.statuses import StatusBundle, bundle
from tandem.store import accounts as account_store
from tandem.store import markers as marker_store
from tandem.store import notification_groups as group_store
from tandem.store import notification_requests as request_store
from tandem.store import notifications as store
from tandem.store import push_subscriptions as push_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database
from tandem.store.notification_groups import GroupRow

UNREAD_LIMIT = 100
UNREAD_MAX = 1000


@dataclass
class NotificationPage:
    items: list[Notification]
    accounts: dict[int, Account] = field(default_factory=dict)
    statuses: StatusBundle = field(default_factory=lambda: StatusBundle(statuses=[]))
    # reblog notification id → the reblog itself (the notification stores the original)
    reblogs: dict[int, int] = field(default_factory=dict)
    # the collections `added_to_collection` notifications name, by id (gone ones absent)
    collections: dict[int, CollectionView] = field(default_factory=dict)
    # the chat room invitations `chat_room_invitation_received` notifications name, by id
    chat_invitations: dict[int, ChatInvitation] = field(default_factory=dict)


@dataclass
class GroupedPage:
    groups: list[GroupRow]
    accounts: dict[int, Account] = field(default_factory=dict)
    statuses: StatusBundle = field(default_factory=lambda: StatusBundle(statuses=[]))


async def page(
    db: Database, owner: Account, window: Page, chosen: Selection = Selection()
) -> NotificationPage:
    async with db.read() as conn:
        found = await store.page_for(conn, owner.id, window, chosen)
        return await _with_details(conn, owner, found)


async def _with_details(conn: Conn, owner: Account, items: list[Notification]) -> NotificationPage:
    accounts = await account_store.get_many(
        conn, {n.from_account_id for n in items if n.from_account_id}
    )
    wanted = {
        (n.from_account_id, n.status_id)
        for n in items
        if n.type == "reblog" and n.from_account_id and n.status_id
    }
    made = await store.reblogs_of(conn, wanted)
    reblogs: dict[int, int] = {}
    for n in items:
        if n.type == "reblog" and n.from_account_id and n.status_id:
            found = made.get((n.from_account_id, n.status_id))
            if found is not None:
                reblogs[n.id] = found
    ids = {n.status_id for n in items if n.status_id} | set(reblogs.values())
    named = {i for n in items if (i := collection_of(n)) is not None}
    collections = await account_collections.for_notifications(conn, owner, named) if named else {}
    invited = [i for n in items if (i := chat_rooms.invitation_of(n)) is not None]
    invitations = await chat_rooms.invitations_in(conn, owner.id, invited) if invited else {}
    if len(invitations) < len(invited):  # as Misskey: no notification about a gone invitation
        items = [n for n in items if chat_rooms.invitation_of(n) in (None, *invitations)]
    return NotificationPage(
        items, accounts, await _statuses(conn, owner, ids), reblogs, collections, invitations
    )


def collection_of(n: Notification) -> int | None:
    """The collection an `added_to_collection` notification names."""
    if n.type not in COLLECTION_TYPES:
        return None
    value = n.payload.get("collection_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None


async def _statuses(conn: Conn, owner: Account, ids: set[int]) -> StatusBundle:
    notes = await status_store.get_many(conn, ids)
    return await bundle(conn, owner.id, list(notes.values()))


async def one(db: Database, owner: Account, notification_id: int) -> NotificationPage:
    async with db.read() as conn:
        found = await store.get_for(conn, owner.id, notification_id)
        if found is None:
            raise NotFound("notification")
        return await _with_details(conn, owner, [found])


async def dismiss(db: Database, owner: Account, notification_id: int | None = None) -> None:
    """Delete one notification (NotFound when it is not one's own), or all of them."""
    async with db.write() as conn:
        gone = await store.delete_for(conn, owner.id, notification_id)
        if gone:  # a held-back one leaves its request with less (or nothing) to show
            await request_store.reconsider(conn, [owner.id])
    if notification_id is not None and not gone:
        raise NotFound("notification")


async def post(db: Database, account_id: int, type: str, payload: dict[str, Any]) -> int:
    """A notification from the server itself (an export is ready, an import finished)."""
    async with db.write() as conn:
        notification_id, _ = await store.insert(
            conn, account_id=account_id, type=type, now=clock.now(), payload=payload
        )
    return notification_id


async def mark_read(db: Database, owner: Account) -> None:
    async with db.write() as conn:
        await store.mark_all_read(conn, owner.id, clock.now())
        await push_store.queue_read_all(conn, owner.id)  # Misskey's readAllNotifications


def _unread_limit(limit: int | None) -> int:
    return max(1, min(limit or UNREAD_LIMIT, UNREAD_MAX))


async def unread_count(
    db: Database, owner: Account, chosen: Selection, limit: int | None = None
) -> int:
    """Notifications newer than the notifications marker (all of them without one)."""
    async with db.read() as conn:
        marker = await marker_store.get(conn, owner.id, "notifications")
        after = marker.last_read_id if marker else None
        return await store.count_after(conn, owner.id, after, chosen, _unread_limit(limit))


async def unread_group_count(
    db: Database,
    owner: Account,
    chosen: Selection,
    grouped: tuple[str, ...] = GROUPABLE_TYPES,
    limit: int | None = None,
) -> int:
    async with db.read() as conn:
        marker = await marker_store.get(conn, owner.id, "notifications")
        after = marker.last_read_id if marker else None
        return await group_store.count_after(
            conn, owner.id, after, chosen, grouped, _unread_limit(limit)
        )


async def grouped_page(
    db: Database,
    owner: Account,
    window: Page,
    chosen: Selection = Selection(),
    grouped: tuple[str, ...] = GROUPABLE_TYPES,
) -> GroupedPage:
    async with db.read() as conn:
        groups = await group_store.page(conn, owner.id, window, chosen, grouped)
        return await _group_details(conn, owner, groups)


async def _group_details(conn: Conn, owner: Account, groups: list[GroupRow]) -> GroupedPage:
    wanted = {i for g in groups for i in g.sample_account_ids}
    accounts = await account_store.get_many(conn, wanted)
    shown = await _statuses(conn, owner, {g.newest.status_id for g in groups if g.newest.status_id})
    return GroupedPage(groups, accounts, shown)


async def group(
    db: Database, owner: Account, key: str, grouped: tuple[str, ...] = GROUPABLE_TYPES
) -> GroupedPage:
    async with db.read() as conn:
        found = await group_store.one(conn, owner.id, key, grouped)
        if found is None:
            raise NotFound("notification")
        return await _group_details(conn, owner, [found])


async def group_accounts(
    db: Database, owner: Account, key: str, grouped: tuple[str, ...] = GROUPABLE_TYPES
) -> list[Account]:
    async with db.read() as conn:
        ids = await group_store.account_ids(conn, owner.id, key, grouped)
        if not ids and await group_store.one(conn, owner.id, key, grouped) is None:
            raise NotFound("notification")
        found = await account_store.get_many(conn, ids)
        return [found[i] for i in ids if i in found]


async def dismiss_group(
    db: Database, owner: Account, key: str, grouped: tuple[str, ...] = GROUPABLE_TYPES
) -> None:
    """Remove a group; one already gone answers like a repeated request (nothing to do)."""
    async with db.write() as conn:
        if await group_store.delete_group(conn, owner.id, key, grouped):
            await request_store.reconsider(conn, [owner.id])
