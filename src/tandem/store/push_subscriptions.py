"""Queries on Web Push subscriptions, and queuing their deliveries inside the write that
caused them (a notification shown, notifications read, a chat message left unread).

Deliveries are `deliver_push` jobs (jobs/push.py), one per subscription and event: a
Mastodon subscription hears a notification at once, if its alerts take the type; a Misskey
one two seconds later, and only if the notification is still unread then (Misskey's rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update

from tandem.core import clock
from tandem.store import jobs as job_store
from tandem.store.db import AnyRow, Conn
from tandem.store.schema import notifications, oauth_access_tokens, push_subscriptions
from tandem.store.writes import insert_new

T = push_subscriptions
MISSKEY_DELAY = timedelta(seconds=2)
# Types Misskey clients never list (an edit has no Misskey type): nothing to push to them.
_MISSKEY_SKIPPED = ("update", "quoted_update")


async def insert(conn: Conn, values: dict[str, Any]) -> bool:
    """True when this call created the row (False: the same subscription exists)."""
    return await insert_new(conn, T, values, on=["dedupe_key"])


async def get(conn: Conn, subscription_id: int) -> AnyRow | None:
    return (await conn.execute(select(T).where(T.c.id == subscription_id))).first()


async def by_key(conn: Conn, dedupe_key: str) -> AnyRow | None:
    return (await conn.execute(select(T).where(T.c.dedupe_key == dedupe_key))).first()


async def misskey_of(conn: Conn, account_id: int, endpoint: str) -> AnyRow | None:
    """The account's (newest) Misskey subscription with this endpoint."""
    stmt = (
        select(T)
        .where(T.c.account_id == account_id, T.c.dialect == "misskey", T.c.endpoint == endpoint)
        .order_by(T.c.id.desc())
        .limit(1)
    )
    return (await conn.execute(stmt)).first()


async def set_send_read(conn: Conn, account_id: int, endpoint: str, value: bool) -> None:
    await conn.execute(
        update(T)
        .where(T.c.account_id == account_id, T.c.dialect == "misskey", T.c.endpoint == endpoint)
        .values(send_read_message=value)
    )


async def remove_endpoint(conn: Conn, endpoint: str, account_id: int | None) -> None:
    """Misskey's `sw/unregister`: the account's rows with the endpoint, or everyone's."""
    stmt = delete(T).where(T.c.dialect == "misskey", T.c.endpoint == endpoint)
    if account_id is not None:
        stmt = stmt.where(T.c.account_id == account_id)
    await conn.execute(stmt)


async def of_token(conn: Conn, token_id: int) -> AnyRow | None:
    return (await conn.execute(select(T).where(T.c.token_id == token_id).limit(1))).first()


async def remove_of_token(conn: Conn, token_id: int) -> None:
    await conn.execute(delete(T).where(T.c.token_id == token_id))


async def change(conn: Conn, subscription_id: int, **values: Any) -> None:
    await conn.execute(update(T).where(T.c.id == subscription_id).values(**values))


async def remove(conn: Conn, subscription_id: int) -> None:
    await conn.execute(delete(T).where(T.c.id == subscription_id))


async def token_usable(conn: Conn, token_id: int) -> bool:
    """The Mastodon subscription's token is neither revoked nor expired."""
    row = (
        await conn.execute(
            select(oauth_access_tokens.c.revoked_at, oauth_access_tokens.c.expires_at).where(
                oauth_access_tokens.c.id == token_id
            )
        )
    ).first()
    if row is None or row.revoked_at is not None:
        return False
    return row.expires_at is None or row.expires_at > clock.now()


async def notification_unread(conn: Conn, notification_id: int) -> bool:
    read_at = await conn.execute(
        select(notifications.c.read_at).where(notifications.c.id == notification_id)
    )
    row = read_at.first()
    return row is not None and row.read_at is None


def _job(subscription_id: int, event: str, **refs: int) -> dict[str, Any]:
    return {
        "subscription_id": subscription_id,
        "event": event,
        "created_at": int(clock.now().timestamp() * 1000),
        **refs,
    }


async def _of_accounts(conn: Conn, account_ids: Iterable[int]) -> list[AnyRow]:
    wanted = sorted(set(account_ids))
    if not wanted:
        return []
    return list(await conn.execute(select(T).where(T.c.account_id.in_(wanted))))


async def queue_notifications(conn: Conn, type: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Deliveries of notifications just written and shown: (recipient, notification id)."""
    made = dict(pairs)
    if not made:
        return
    now = clock.now()
    for row in await _of_accounts(conn, made):
        notification_id = made[row.account_id]
        if row.dialect == "mastodon":
            if not (row.alerts or {}).get(type):
                continue
            run_at = now
        elif type in _MISSKEY_SKIPPED:
            continue
        else:
            run_at = now + MISSKEY_DELAY
        payload = _job(row.id, "notification", notification_id=notification_id)
        await job_store.enqueue(conn, "deliver_push", payload, run_at=run_at)


async def queue_read_all(conn: Conn, account_id: int) -> None:
    """`readAllNotifications` to the account's Misskey subscriptions that asked for it."""
    for row in await _of_accounts(conn, [account_id]):
        if row.dialect == "misskey" and row.send_read_message:
            await job_store.enqueue(conn, "deliver_push", _job(row.id, "readAllNotifications"))


async def queue_chat_message(conn: Conn, account_ids: Iterable[int], message_id: int) -> None:
    """`newChatMessage` to the Misskey subscriptions of recipients who left it unread."""
    for row in await _of_accounts(conn, account_ids):
        if row.dialect == "misskey":
            payload = _job(row.id, "newChatMessage", message_id=message_id)
            await job_store.enqueue(conn, "deliver_push", payload)
