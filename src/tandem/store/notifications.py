"""Queries on notifications: writing them, one's list with its filters, read state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
    type_coerce,
    update,
)

from tandem.core import stream_events
from tandem.core.ids import new_id
from tandem.core.models import Notification, Page
from tandem.core.notification_kinds import Selection, group_key
from tandem.core.notification_policy import FILTERABLE_TYPES, REQUEST_TYPES, Verdict, verdict
from tandem.store import notification_requests as requests
from tandem.store import push_subscriptions
from tandem.store.db import AnyRow, Conn
from tandem.store.generations import notifications_changed
from tandem.store.paging import newest_first
from tandem.store.relationships import live_mutes
from tandem.store.schema import blocks, follows, mutes, notifications, statuses


def from_row(row: AnyRow) -> Notification:
    m = row._mapping
    return Notification(
        id=m["id"],
        account_id=m["account_id"],
        type=m["type"],
        created_at=m["created_at"],
        from_account_id=m["from_account_id"],
        status_id=m["status_id"],
        payload=m["payload"],
        group_key=m["group_key"],
    )


async def insert(
    conn: Conn,
    *,
    account_id: int,
    type: str,
    now: datetime,
    from_account_id: int | None = None,
    status_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[int, Verdict]:
    """Write a notification as the recipient's policy says (core/notification_policy.py): as
    it is, filtered (held back, and read), or not at all (id 0 then). The verdict comes back
    too: what goes with a notification shown (a webhook, a direct conversation) is for
    "accept" only, as Mastodon's NotifyService pushes nothing for a filtered notification."""
    chosen: Verdict = "accept"
    if from_account_id is not None and from_account_id != account_id:
        chosen = await _verdict(conn, account_id, from_account_id, type, status_id, now)
    if chosen == "drop":
        return 0, chosen
    filtered = chosen == "filter"
    notification_id = new_id()
    notifications_changed(account_id)  # its unread count (core/caller_cache.py)
    await conn.execute(
        notifications.insert().values(
            id=notification_id,
            account_id=account_id,
            from_account_id=from_account_id,
            type=type,
            status_id=status_id,
            payload=payload or {},
            created_at=now,
            group_key=group_key(type, status_id, now),
            filtered=filtered,
            read_at=now if filtered else None,  # never an unread badge while held back
        )
    )
    if filtered and from_account_id is not None and type in REQUEST_TYPES:
        await requests.record(conn, account_id, from_account_id, status_id, now)
    if not filtered:
        stream_events.notifications_shown([(account_id, notification_id)])
        await push_subscriptions.queue_notifications(conn, type, [(account_id, notification_id)])
    return notification_id, chosen


async def _verdict(
    conn: Conn,
    account_id: int,
    from_account_id: int,
    type: str,
    status_id: int | None,
    now: datetime,
) -> Verdict:
    if type not in FILTERABLE_TYPES:
        return "accept"
    found = await requests.policy_and_sender(conn, account_id, from_account_id, status_id)
    if found is None:
        return "accept"
    policy, sender, status = found
    if (
        type == "mention"
        and status is not None
        and status[0] == "direct"
        and not sender.following
        and not sender.permitted
        and policy.for_private_mentions != "accept"
    ):
        answered = status[1] is not None and await requests.answers_private_mention(
            conn, account_id, from_account_id, status[1]
        )
        sender = replace(sender, private_mention=not answered)
    return verdict(policy, type, sender, now)


async def insert_for_subscribers(conn: Conn, author_id: int, status_id: int, now: datetime) -> int:
    """`status` notifications for the followers who asked to hear of the author's posts (and
    neither block nor mute the author, nor are blocked by them); how many were written."""
    blocked = exists().where(
        or_(
            and_(
                blocks.c.account_id == follows.c.account_id,
                blocks.c.target_account_id == author_id,
            ),
            and_(
                blocks.c.account_id == author_id,
                blocks.c.target_account_id == follows.c.account_id,
            ),
        )
    )
    muted = exists().where(
        mutes.c.account_id == follows.c.account_id,
        mutes.c.target_account_id == author_id,
        live_mutes(now),
    )
    subscribers = list(
        await conn.scalars(
            select(follows.c.account_id).where(
                follows.c.target_account_id == author_id,
                follows.c.notify.is_(True),
                not_(blocked),
                not_(muted),
            )
        )
    )
    if subscribers:
        notifications_changed(*subscribers)
        made = [(follower, new_id()) for follower in subscribers]
        await conn.execute(
            notifications.insert(),
            [
                {
                    "id": notification_id,
                    "account_id": follower,
                    "from_account_id": author_id,
                    "type": "status",
                    "status_id": status_id,
                    "payload": {},
                    "created_at": now,
                    "group_key": None,
                }
                for follower, notification_id in made
            ],
        )
        stream_events.notifications_shown(made)
        await push_subscriptions.queue_notifications(conn, "status", made)
    return len(subscribers)


async def delete_between(conn: Conn, account_id: int, from_account_id: int, type: str) -> None:
    notifications_changed(account_id)
    await conn.execute(
        delete(notifications).where(
            notifications.c.account_id == account_id,
            notifications.c.from_account_id == from_account_id,
            notifications.c.type == type,
        )
    )


def _is_reply() -> ColumnElement[bool]:
    """The notification's status replies to a status of the notified account."""
    return exists().where(
        statuses.c.id == notifications.c.status_id,
        statuses.c.in_reply_to_account_id == notifications.c.account_id,
    )


def selected(account_id: int, chosen: Selection) -> list[ColumnElement[bool]]:
    """The WHERE terms of one account's notifications narrowed by a client's filters."""
    where: list[ColumnElement[bool]] = [notifications.c.account_id == account_id]
    # Held-back notifications show only when asked for, or in the list of one sender's
    # (Mastodon's `include_filtered` and `account_id`).
    if not chosen.include_filtered and chosen.from_account_id is None:
        where.append(notifications.c.filtered.is_(False))
    if chosen.types is not None:
        where.append(notifications.c.type.in_(chosen.types))
    if chosen.exclude:
        where.append(notifications.c.type.not_in(chosen.exclude))
    if chosen.from_account_id is not None:
        where.append(notifications.c.from_account_id == chosen.from_account_id)
    if chosen.replies is not None:
        reply = _is_reply() if chosen.replies else not_(_is_reply())
        where.append(or_(notifications.c.type != "mention", reply))
    return where


async def page_for(
    conn: Conn, account_id: int, page: Page, chosen: Selection = Selection()
) -> list[Notification]:
    stmt = select(notifications).where(*selected(account_id, chosen))
    return [from_row(r) for r in await newest_first(conn, stmt, notifications.c.id, page)]


async def mark_all_read(conn: Conn, account_id: int, now: datetime) -> None:
    notifications_changed(account_id)
    await conn.execute(
        update(notifications)
        .where(notifications.c.account_id == account_id, notifications.c.read_at.is_(None))
        .values(read_at=now)
    )


async def mark_read_up_to(conn: Conn, account_id: int, last_id: int, now: datetime) -> None:
    """What a notifications marker at `last_id` has seen is read for Misskey clients too."""
    notifications_changed(account_id)
    await conn.execute(
        update(notifications)
        .where(
            notifications.c.account_id == account_id,
            notifications.c.id <= last_id,
            notifications.c.read_at.is_(None),
        )
        .values(read_at=now)
    )


async def count_after(
    conn: Conn, account_id: int, after_id: int | None, chosen: Selection, limit: int
) -> int:
    """How many selected notifications are newer than `after_id`, counting up to `limit`."""
    stmt = select(notifications.c.id).where(*selected(account_id, chosen))
    if after_id is not None:
        stmt = stmt.where(notifications.c.id > after_id)
    inner = stmt.order_by(notifications.c.id.desc()).limit(limit).subquery()
    return int(await conn.scalar(select(func.count()).select_from(inner)) or 0)


async def unread_count(conn: Conn, account_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(notifications)
        .where(notifications.c.account_id == account_id, notifications.c.read_at.is_(None))
    )
    return int(await conn.scalar(stmt) or 0)


async def get_for(conn: Conn, account_id: int, notification_id: int) -> Notification | None:
    row = (
        await conn.execute(
            select(notifications).where(
                notifications.c.id == notification_id, notifications.c.account_id == account_id
            )
        )
    ).first()
    return from_row(row) if row else None


async def delete_for(conn: Conn, account_id: int, notification_id: int | None = None) -> bool:
    """Delete one notification (or all of them); True if a row went."""
    notifications_changed(account_id)
    stmt = delete(notifications).where(notifications.c.account_id == account_id)
    if notification_id is not None:
        stmt = stmt.where(notifications.c.id == notification_id)
    found = await conn.execute(stmt.returning(notifications.c.id))
    return found.first() is not None


async def reblogs_of(conn: Conn, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The reblog each (account, original status) pair made: a reblog notification stores
    the original, Misskey shows the renote itself."""
    if not pairs:
        return {}
    rows = await conn.execute(
        select(statuses.c.id, statuses.c.account_id, statuses.c.reblog_of_id).where(
            statuses.c.account_id.in_({a for a, _ in pairs}),
            statuses.c.reblog_of_id.in_({s for _, s in pairs}),
        )
    )
    found = {(r.account_id, r.reblog_of_id): r.id for r in rows}
    return {pair: found[pair] for pair in pairs if pair in found}


async def unfilter_from(conn: Conn, account_id: int, from_account_ids: list[int]) -> None:
    """Show these senders' held-back notifications (an accepted request): unread again."""
    if not from_account_ids:
        return
    notifications_changed(account_id)
    await conn.execute(
        update(notifications)
        .where(
            notifications.c.account_id == account_id,
            notifications.c.from_account_id.in_(from_account_ids),
            notifications.c.filtered.is_(True),
        )
        .values(filtered=False, read_at=None)
    )


async def delete_from(conn: Conn, account_id: int, from_account_id: int) -> None:
    """Remove every notification this sender gave the account (a block: Mastodon's
    AfterBlockService) and the request they were held in."""
    notifications_changed(account_id)
    await conn.execute(
        delete(notifications).where(
            notifications.c.account_id == account_id,
            notifications.c.from_account_id == from_account_id,
        )
    )
    await requests.reconsider(conn, [account_id], from_account_id)


async def filtered_direct_mentions(
    conn: Conn, account_id: int, from_account_ids: list[int]
) -> list[int]:
    """The direct statuses of these senders' held-back mentions, oldest first (accepting their
    requests puts them into the recipient's conversations, as Mastodon's
    UnfilterNotificationsWorker)."""
    if not from_account_ids:
        return []
    found = await conn.scalars(
        select(notifications.c.status_id)
        .join(statuses, statuses.c.id == notifications.c.status_id)
        .where(
            notifications.c.account_id == account_id,
            notifications.c.from_account_id.in_(from_account_ids),
            notifications.c.filtered.is_(True),
            notifications.c.type == "mention",
            statuses.c.visibility == "direct",
        )
        .order_by(notifications.c.status_id)
    )
    return list(dict.fromkeys(found))


async def delete_filtered_from(conn: Conn, account_id: int, from_account_ids: list[int]) -> None:
    """Remove these senders' held-back notifications (a dismissed request)."""
    if not from_account_ids:
        return
    notifications_changed(account_id)
    await conn.execute(
        delete(notifications).where(
            notifications.c.account_id == account_id,
            notifications.c.from_account_id.in_(from_account_ids),
            notifications.c.filtered.is_(True),
        )
    )


async def delete_about_collection(
    conn: Conn, collection_id: int, from_account_id: int, account_ids: Iterable[int]
) -> None:
    """Remove the `added_to_collection` notifications of one collection sent to these
    accounts (their payload starts with the collection's id: store/account_collections.py)."""
    targets = set(account_ids)
    if not targets:
        return
    notifications_changed(*targets)
    await conn.execute(
        delete(notifications).where(
            notifications.c.account_id.in_(targets),
            notifications.c.from_account_id == from_account_id,
            notifications.c.type == "added_to_collection",
            # the text itself (a bind of the JSON column's type would be JSON-encoded)
            type_coerce(notifications.c.payload, Text).like(
                f'{{"collection_id":"{collection_id}"%'
            ),
        )
    )
