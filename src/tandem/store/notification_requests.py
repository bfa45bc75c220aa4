"""Queries on notification requests (one per recipient and sender of filtered mentions or
quotes), on the senders a recipient accepted, and what the policy asks about a sender
(core/notification_policy.py decides)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, literal, select, update

from tandem.core.ids import new_id
from tandem.core.models import NotificationPolicy, Page
from tandem.core.notification_policy import Sender
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


def _request(row: AnyRow) -> Request:
    m = row._mapping
    return Request(
        id=m["id"],
        account_id=m["account_id"],
        from_account_id=m["from_account_id"],
        last_status_id=m["last_status_id"],
        notifications_count=int(m["notifications_count"]),
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
    stmt = select(notification_requests).where(notification_requests.c.account_id == account_id)
    rows = await newest_first(conn, stmt, notification_requests.c.id, window)
    return [_request(r) for r in rows]


async def get_many(conn: Conn, account_id: int, ids: list[int]) -> list[Request]:
    if not ids:
        return []
    rows = await conn.execute(
        select(notification_requests)
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


async def summary(conn: Conn, account_id: int) -> tuple[int, int]:
    """(pending requests, their filtered notifications), each counted up to Mastodon's 100."""
    inner = (
        select(notification_requests.c.notifications_count)
        .where(notification_requests.c.account_id == account_id)
        .limit(MAX_MEANINGFUL_COUNT)
        .subquery()
    )
    row = (
        await conn.execute(
            select(
                func.count(), func.coalesce(func.sum(inner.c.notifications_count), 0)
            ).select_from(inner)
        )
    ).first()
    assert row is not None
    return int(row[0] or 0), int(row[1] or 0)
