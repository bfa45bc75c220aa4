"""Queries on notification requests (one per recipient and sender of filtered mentions or
quotes), on the senders a recipient accepted, and what the policy asks about a sender
(core/notification_policy.py decides).

A request's `notifications_count` and the policy's summary are counted from the filtered
notifications themselves whenever they are read, so they cannot drift when notifications go
by other ways (a status deleted, a notification dismissed, a block): a request with nothing
left is not shown, as Mastodon's `reconsider_existence!` destroys it. The stored column is
kept up to date by `record` and `reconsider` (called where notifications are removed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, delete, exists, func, literal, not_, select, update

from tandem.core.ids import new_id
from tandem.core.models import NotificationPolicy, Page
from tandem.core.notification_policy import REQUEST_TYPES, Sender
from tandem.store.db import AnyRow, Conn
from tandem.store.notification_policies import FIELDS
from tandem.store.paging import newest_first
from tandem.store.schema import (
    accounts,
    follows,
    mentions,
    notification_permissions,
    notification_policies,
    notification_requests,
    notifications,
    statuses,
)
from tandem.store.writes import insert_ignoring, insert_new

MAX_MEANINGFUL_COUNT = 100  # Mastodon's: counts stop there
STAFF_ROLES = ("moderator", "admin", "owner")
ANCESTRY_LIMIT = 100  # statuses up a thread searched for the recipient's private mention


@dataclass(frozen=True)
class Request:
    id: int
    account_id: int
    from_account_id: int
    last_status_id: int | None
    notifications_count: int
    created_at: datetime
    updated_at: datetime


def _held() -> list[ColumnElement[bool]]:
    """The request's filtered notifications (correlated to the request row): the mentions
    and quotes of its sender, as Mastodon's `prepare_notifications_count` counts them."""
    return [
        notifications.c.account_id == notification_requests.c.account_id,
        notifications.c.from_account_id == notification_requests.c.from_account_id,
        notifications.c.filtered.is_(True),
        notifications.c.type.in_(REQUEST_TYPES),
    ]


def _held_count() -> ColumnElement[int]:
    """How many notifications the request holds, counted up to Mastodon's 100."""
    counted = select(func.count()).select_from(notifications).where(*_held()).scalar_subquery()
    return case((counted > MAX_MEANINGFUL_COUNT, MAX_MEANINGFUL_COUNT), else_=counted)


def _pending() -> ColumnElement[bool]:
    """The request still holds something (an emptied one is gone, as in Mastodon)."""
    return exists().where(*_held())


def _shown() -> Any:
    return select(notification_requests, _held_count().label("held")).where(_pending())


def _request(row: AnyRow) -> Request:
    m = row._mapping
    return Request(
        id=m["id"],
        account_id=m["account_id"],
        from_account_id=m["from_account_id"],
        last_status_id=m["last_status_id"],
        notifications_count=int(m["held"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


async def policy_and_sender(
    conn: Conn, recipient_id: int, sender_id: int, status_id: int | None
) -> tuple[NotificationPolicy, Sender, tuple[str, int | None] | None] | None:
    """The recipient's policy, what it asks about the sender, and the status's (visibility,
    in_reply_to_id), in one query; None when the sender is gone."""
    policy = (
        select(*(notification_policies.c[name] for name in FIELDS))
        .where(notification_policies.c.account_id == recipient_id)
        .subquery()
    )
    following = exists().where(
        follows.c.account_id == recipient_id, follows.c.target_account_id == sender_id
    )
    follows_since = (
        select(follows.c.created_at)
        .where(follows.c.account_id == sender_id, follows.c.target_account_id == recipient_id)
        .scalar_subquery()
    )
    permitted = exists().where(
        notification_permissions.c.account_id == recipient_id,
        notification_permissions.c.from_account_id == sender_id,
    )
    visibility = select(statuses.c.visibility).where(statuses.c.id == status_id).scalar_subquery()
    replying = select(statuses.c.in_reply_to_id).where(statuses.c.id == status_id).scalar_subquery()
    stmt = (
        select(
            accounts.c.created_at,
            accounts.c.role,
            following.label("following"),
            follows_since.label("follows_since"),
            permitted.label("permitted"),
            visibility.label("visibility"),
            replying.label("in_reply_to_id"),
            *(policy.c[name] for name in FIELDS),
        )
        .select_from(accounts.outerjoin(policy, literal(True)))
        .where(accounts.c.id == sender_id)
    )
    row = (await conn.execute(stmt)).first()
    if row is None:
        return None
    m = row._mapping
    chosen = NotificationPolicy(
        **{name: m[name] for name in FIELDS if m[name] is not None}  # no row: the defaults
    )
    sender = Sender(
        following=bool(m["following"]),
        follows_since=m["follows_since"],
        created_at=m["created_at"],
        staff=m["role"] in STAFF_ROLES,
        permitted=bool(m["permitted"]),
    )
    status = (m["visibility"], m["in_reply_to_id"]) if m["visibility"] is not None else None
    return chosen, sender, status


async def answers_private_mention(
    conn: Conn, recipient_id: int, sender_id: int, in_reply_to_id: int
) -> bool:
    """Whether, up the thread from `in_reply_to_id`, the recipient privately mentioned the
    sender (then a direct reply is no stranger's private mention)."""
    up = (
        select(statuses.c.id, statuses.c.in_reply_to_id, literal(0).label("depth")).where(
            statuses.c.id == in_reply_to_id
        )
    ).cte("ancestors", recursive=True)
    parent = statuses.alias("parent")
    up = up.union_all(
        select(parent.c.id, parent.c.in_reply_to_id, (up.c.depth + 1).label("depth")).where(
            parent.c.id == up.c.in_reply_to_id, up.c.depth < ANCESTRY_LIMIT
        )
    )
    found = await conn.scalar(
        select(literal(1))
        .select_from(up.join(statuses, statuses.c.id == up.c.id))
        .where(
            statuses.c.account_id == recipient_id,
            statuses.c.visibility == "direct",
            exists().where(
                mentions.c.status_id == statuses.c.id, mentions.c.account_id == sender_id
            ),
        )
        .limit(1)
    )
    return found is not None


async def _filtered_count(conn: Conn, account_id: int, from_account_id: int) -> int:
    inner = (
        select(notifications.c.id)
        .where(
            notifications.c.account_id == account_id,
            notifications.c.from_account_id == from_account_id,
            notifications.c.filtered.is_(True),
            notifications.c.type.in_(REQUEST_TYPES),
        )
        .limit(MAX_MEANINGFUL_COUNT)
        .subquery()
    )
    return int(await conn.scalar(select(func.count()).select_from(inner)) or 0)


async def record(
    conn: Conn, account_id: int, from_account_id: int, status_id: int | None, now: datetime
) -> None:
    """Open the request for this sender's filtered notifications, or bring it up to date."""
    count = await _filtered_count(conn, account_id, from_account_id)
    values = {"last_status_id": status_id, "notifications_count": count, "updated_at": now}
    if await insert_new(
        conn,
        notification_requests,
        {
            "id": new_id(),
            "account_id": account_id,
            "from_account_id": from_account_id,
            "created_at": now,
            **values,
        },
        on=["account_id", "from_account_id"],
    ):
        return
    await conn.execute(
        update(notification_requests)
        .where(
            notification_requests.c.account_id == account_id,
            notification_requests.c.from_account_id == from_account_id,
        )
        .values(**values)
    )


async def page(conn: Conn, account_id: int, window: Page) -> list[Request]:
    stmt = _shown().where(notification_requests.c.account_id == account_id)
    rows = await newest_first(conn, stmt, notification_requests.c.id, window)
    return [_request(r) for r in rows]


async def get_many(conn: Conn, account_id: int, ids: list[int]) -> list[Request]:
    if not ids:
        return []
    rows = await conn.execute(
        _shown()
        .where(
            notification_requests.c.account_id == account_id,
            notification_requests.c.id.in_(ids),
        )
        .order_by(notification_requests.c.id)
    )
    return [_request(r) for r in rows]


async def permit(conn: Conn, account_id: int, from_account_id: int, now: datetime) -> None:
    """Remember an accepted sender (again: nothing to do)."""
    await conn.execute(
        insert_ignoring(
            conn,
            notification_permissions,
            {"account_id": account_id, "from_account_id": from_account_id, "created_at": now},
            ["account_id", "from_account_id"],
        )
    )


async def remove(conn: Conn, account_id: int, request_ids: list[int]) -> None:
    if request_ids:
        await conn.execute(
            delete(notification_requests).where(
                notification_requests.c.account_id == account_id,
                notification_requests.c.id.in_(request_ids),
            )
        )


async def reconsider(
    conn: Conn, account_ids: Iterable[int], from_account_id: int | None = None
) -> None:
    """After notifications of these recipients went (from that sender, when given): their
    requests left empty go and the others are counted again (Mastodon's
    `reconsider_existence!`), in the transaction that removed the notifications."""
    owners = sorted(set(account_ids))
    if not owners:
        return
    where: list[ColumnElement[bool]] = [notification_requests.c.account_id.in_(owners)]
    if from_account_id is not None:
        where.append(notification_requests.c.from_account_id == from_account_id)
    # The rows first, in ascending id order (PostgreSQL): two of these on one account's
    # requests then wait for each other instead of crossing.
    await conn.execute(
        select(notification_requests.c.id)
        .where(*where)
        .order_by(notification_requests.c.id)
        .with_for_update()
    )
    await conn.execute(delete(notification_requests).where(*where, not_(_pending())))
    await conn.execute(
        update(notification_requests).where(*where).values(notifications_count=_held_count())
    )


async def summary(conn: Conn, account_id: int) -> tuple[int, int]:
    """(pending requests, their filtered notifications), each counted up to Mastodon's 100,
    from the notifications themselves."""
    inner = (
        select(_held_count().label("held"))
        .select_from(notification_requests)
        .where(notification_requests.c.account_id == account_id, _pending())
        .limit(MAX_MEANINGFUL_COUNT)
        .subquery()
    )
    row = (
        await conn.execute(
            select(func.count(), func.coalesce(func.sum(inner.c.held), 0)).select_from(inner)
        )
    ).first()
    assert row is not None
    return int(row[0] or 0), int(row[1] or 0)
