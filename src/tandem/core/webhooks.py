"""User webhooks: what they listen to, and queuing a delivery when an event happens.

Events are queued inside the transaction of the change that caused them, so a delivery is
sent for every committed change and for nothing that was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from tandem.core import clock, stream_events
from tandem.core.errors import Errors, NotFound, Unprocessable
from tandem.core.i18n import Text, too_long
from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.store import jobs as job_store
from tandem.store import webhooks as store
from tandem.store.db import AnyRow, Conn, Database

EVENTS = ("mention", "unfollow", "follow", "followed", "note", "reply", "renote", "reaction")
LIMIT = 3


@dataclass(frozen=True)
class Webhook:
    id: int
    account_id: int
    name: str
    url: str
    secret: str
    events: list[str]
    active: bool
    latest_sent_at: datetime | None
    latest_status: int | None


def _from_row(row: AnyRow) -> Webhook:
    m = row._mapping
    return Webhook(
        id=m["id"],
        account_id=m["account_id"],
        name=m["name"],
        url=m["url"],
        secret=m["secret"],
        events=list(m["events"]),
        active=m["active"],
        latest_sent_at=m["latest_sent_at"],
        latest_status=m["latest_status"],
    )


def _check(
    errors: Errors, name: str | None, url: str | None, secret: str | None, events: list[str] | None
) -> None:
    if name is not None and not 1 <= len(name) <= 100:
        errors.add("name", "invalid", "must be 1 to 100 characters")
    if url is not None:
        parts = urlsplit(url)
        if not 1 <= len(url) <= 1024 or parts.scheme not in ("http", "https") or not parts.netloc:
            errors.add("url", "invalid", "must be an http(s) URL of at most 1024 characters")
    if secret is not None and len(secret) > 1024:
        errors.add("secret", "too_long", too_long(1024))
    bad = [e for e in events or [] if e not in EVENTS]
    if bad:
        errors.add(
            "on",
            "inclusion",
            Text(
                "unknown events {events} (known: {known})",
                events=", ".join(bad),
                known=", ".join(EVENTS),
            ),
        )


async def create(
    db: Database, owner: Account, *, name: str, url: str, secret: str, events: list[str]
) -> Webhook:
    errors = Errors()
    _check(errors, name, url, secret, events)
    errors.raise_if_any()
    hook_id = new_id()
    async with db.write() as conn:
        if await store.count(conn, owner.id) >= LIMIT:
            raise Unprocessable(
                Text("You cannot create more than {count} webhooks.", count=LIMIT),
                code="TOO_MANY_WEBHOOKS",
            )
        await store.insert(
            conn,
            id=hook_id,
            account_id=owner.id,
            name=name,
            url=url,
            secret=secret,
            events=list(dict.fromkeys(events)),
            created_at=clock.now(),
        )
        row = await store.get(conn, hook_id)
    assert row is not None
    return _from_row(row)


async def own(db: Database, owner: Account, hook_id: int) -> Webhook:
    async with db.read() as conn:
        row = await store.get(conn, hook_id)
    if row is None or row.account_id != owner.id:
        raise NotFound("webhook")
    return _from_row(row)


async def all_of(db: Database, owner: Account) -> list[Webhook]:
    async with db.read() as conn:
        return [_from_row(r) for r in await store.of_account(conn, owner.id)]


async def update(
    db: Database,
    owner: Account,
    hook_id: int,
    *,
    name: str | None = None,
    url: str | None = None,
    secret: str | None = None,
    events: list[str] | None = None,
    active: bool | None = None,
) -> Webhook:
    errors = Errors()
    _check(errors, name, url, secret, events)
    errors.raise_if_any()
    values: dict[str, Any] = {
        k: v
        for k, v in {"name": name, "url": url, "secret": secret, "active": active}.items()
        if v is not None
    }
    if events is not None:
        values["events"] = list(dict.fromkeys(events))
    await own(db, owner, hook_id)
    async with db.write() as conn:
        await store.change(conn, hook_id, **values)
    return await own(db, owner, hook_id)


async def delete(db: Database, owner: Account, hook_id: int) -> None:
    await own(db, owner, hook_id)
    async with db.write() as conn:
        await store.remove(conn, hook_id)


async def emit(conn: Conn, account_id: int, event: str, **refs: int) -> None:
    """Queue a delivery for each of the account's active webhooks listening to `event`.

    `refs` name what the body shows (user_id, note_id); the body is built when it is sent.
    The same events go to the account's Misskey main stream (core/stream_events.py).
    """
    stream_events.main_event(account_id, event, refs)
    for row in await store.of_account(conn, account_id):
        hook = _from_row(row)
        if hook.active and event in hook.events:
            await _enqueue(conn, hook.id, event, **refs)


async def _enqueue(conn: Conn, hook_id: int, event: str, **extra: Any) -> None:
    payload = {
        "webhook_id": hook_id,
        "type": event,
        "event_id": new_id(),
        "created_at": int(clock.now().timestamp() * 1000),
        **extra,
    }
    await job_store.enqueue(conn, "deliver_webhook", payload)


async def queue_test(
    db: Database, owner: Account, hook_id: int, event: str, url: str | None, secret: str | None
) -> None:
    """Send a sample event now (optionally to another URL and secret, without recording it)."""
    hook = await own(db, owner, hook_id)
    if event not in EVENTS:
        raise NotFound("event_type")
    async with db.write() as conn:
        await _enqueue(conn, hook.id, event, test=True, url=url, secret=secret, user_id=owner.id)


async def record_delivery(db: Database, hook_id: int, sent_at: datetime, status: int) -> None:
    async with db.write() as conn:
        await store.record_delivery(conn, hook_id, sent_at, status)


async def get(db: Database, hook_id: int) -> Webhook | None:
    async with db.read() as conn:
        row = await store.get(conn, hook_id)
    return _from_row(row) if row else None
