"""Web Push subscriptions of both dialects, and what a delivery needs to know of them.

Misskey (`sw/*`): an account's subscriptions, one per (endpoint, auth, publickey), with
`sendReadMessage`. Mastodon (`/api/v1/push/subscription`): one per access token, with
per-type alerts and a policy (whose notifications: all, followed, follower, none); creating
one replaces the token's previous one, and it goes with the token.

An endpoint must be an https URL (http only to a loopback host, and only where the server
may fetch from loopback: tests and development), like the push services browsers use.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from tandem.core import clock, vapid
from tandem.core.errors import Errors, NotFound
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.store import follows
from tandem.store import push_subscriptions as store
from tandem.store.db import AnyRow, Database

# Mastodon's alert names (Web::PushSubscription data[alerts]), in its order.
ALERTS = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "quote",
    "quoted_update",
)
POLICIES = ("all", "followed", "follower", "none")
MAX_ENDPOINT = 2048
MAX_KEY = 256
Dialect = Literal["misskey", "mastodon"]


@dataclass(frozen=True)
class Subscription:
    id: int
    account_id: int
    dialect: str
    endpoint: str
    p256dh: str
    auth: str
    send_read_message: bool
    alerts: dict[str, bool]
    policy: str
    standard: bool | None
    token_id: int | None
    sealed_token: str | None
    created_at: datetime


def _from_row(row: AnyRow) -> Subscription:
    m = row._mapping
    given = m["alerts"] or {}
    return Subscription(
        id=m["id"],
        account_id=m["account_id"],
        dialect=m["dialect"],
        endpoint=m["endpoint"],
        p256dh=m["p256dh"],
        auth=m["auth"],
        send_read_message=bool(m["send_read_message"]),
        alerts={name: bool(given.get(name)) for name in ALERTS},
        policy=m["policy"],
        standard=m["standard"],
        token_id=m["token_id"],
        sealed_token=m["sealed_token"],
        created_at=m["created_at"],
    )


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(errors: Errors, field: str, endpoint: str, allow_loopback: bool) -> None:
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    secure = parts is not None and parts.scheme == "https" and bool(host)
    local = (
        parts is not None
        and parts.scheme == "http"
        and bool(host)
        and allow_loopback
        and _loopback(host)
    )
    if len(endpoint) > MAX_ENDPOINT or not (secure or local):
        errors.add(field, "invalid", Text("must be an https URL"))


def check_keys(
    errors: Errors, p256dh: str | None, auth: str | None, names: tuple[str, str]
) -> None:
    if not p256dh or len(p256dh) > MAX_KEY or vapid.receiver_key(p256dh) is None:
        errors.add(names[0], "invalid", Text("is not a valid P-256 public key"))
    if not auth or len(auth) > MAX_KEY or vapid.auth_secret(auth) is None:
        errors.add(names[1], "invalid", Text("is not a valid 16-byte authentication secret"))


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()


# Misskey (`sw/*`).


async def register(
    db: Database,
    owner: Account,
    *,
    endpoint: str,
    auth: str,
    publickey: str,
    send_read_message: bool,
    allow_loopback: bool,
) -> tuple[bool, Subscription]:
    """(created, subscription): an existing row with the same endpoint and keys is kept as
    it is (Misskey's `already-subscribed`, with its stored sendReadMessage)."""
    errors = Errors()
    check_endpoint(errors, "endpoint", endpoint, allow_loopback)
    check_keys(errors, publickey, auth, ("publickey", "auth"))
    errors.raise_if_any()
    key = _digest("misskey", owner.id, endpoint, auth, publickey)
    async with db.write() as conn:
        created = await store.insert(
            conn,
            {
                "id": new_id(),
                "account_id": owner.id,
                "dialect": "misskey",
                "dedupe_key": key,
                "endpoint": endpoint,
                "p256dh": publickey,
                "auth": auth,
                "send_read_message": send_read_message,
                "created_at": clock.now(),
            },
        )
        row = await store.by_key(conn, key)
    assert row is not None
    return created, _from_row(row)


async def registration(db: Database, owner: Account, endpoint: str) -> Subscription | None:
    async with db.read() as conn:
        row = await store.misskey_of(conn, owner.id, endpoint)
    return _from_row(row) if row else None


async def update_registration(
    db: Database, owner: Account, endpoint: str, send_read_message: bool | None
) -> Subscription:
    async with db.write() as conn:
        if await store.misskey_of(conn, owner.id, endpoint) is None:
            raise NotFound("push_subscription")
        if send_read_message is not None:
            await store.set_send_read(conn, owner.id, endpoint, send_read_message)
        row = await store.misskey_of(conn, owner.id, endpoint)
    assert row is not None
    return _from_row(row)


async def unregister(db: Database, owner: Account | None, endpoint: str) -> None:
    """The caller's rows with the endpoint; without a caller, every row with it (Misskey's
    rule: the push service's endpoint URL is the secret that proves the subscription)."""
    async with db.write() as conn:
        await store.remove_endpoint(conn, endpoint, owner.id if owner else None)


# Mastodon (`/api/v1/push/subscription`).


async def subscribe(
    db: Database,
    owner: Account,
    token_id: int,
    *,
    endpoint: str | None,
    p256dh: str | None,
    auth: str | None,
    standard: bool | None,
    alerts: dict[str, bool],
    policy: str | None,
    sealed_token: str | None,
    allow_loopback: bool,
) -> Subscription:
    errors = Errors()
    if not endpoint:
        errors.add("endpoint", "blank", Text("can't be blank"))
    else:
        check_endpoint(errors, "endpoint", endpoint, allow_loopback)
    check_keys(errors, p256dh, auth, ("key_p256dh", "key_auth"))
    _check_policy(errors, policy)
    errors.raise_if_any()
    assert endpoint is not None and p256dh is not None and auth is not None
    key = _digest("mastodon", token_id)
    async with db.write() as conn:
        await store.remove_of_token(conn, token_id)  # one per token: a new one replaces it
        await store.insert(
            conn,
            {
                "id": new_id(),
                "account_id": owner.id,
                "token_id": token_id,
                "dialect": "mastodon",
                "dedupe_key": key,
                "endpoint": endpoint,
                "p256dh": p256dh,
                "auth": auth,
                "alerts": {k: v for k, v in alerts.items() if k in ALERTS},
                "policy": policy or "all",
                "standard": standard,
                "sealed_token": sealed_token,
                "created_at": clock.now(),
            },
        )
        row = await store.by_key(conn, key)
    assert row is not None
    return _from_row(row)


def _check_policy(errors: Errors, policy: str | None) -> None:
    if policy is not None and policy not in POLICIES:
        errors.add("policy", "inclusion", Text("is not included in the list"))


async def of_token(db: Database, token_id: int) -> Subscription:
    async with db.read() as conn:
        row = await store.of_token(conn, token_id)
    if row is None:
        raise NotFound("push_subscription")
    return _from_row(row)


async def change(
    db: Database, token_id: int, alerts: dict[str, bool] | None, policy: str | None
) -> Subscription:
    """Mastodon's PUT: only the data part (alerts given replace the stored ones)."""
    errors = Errors()
    _check_policy(errors, policy)
    errors.raise_if_any()
    async with db.write() as conn:
        row = await store.of_token(conn, token_id)
        if row is None:
            raise NotFound("push_subscription")
        values: dict[str, object] = {}
        if alerts is not None:
            values["alerts"] = {k: v for k, v in alerts.items() if k in ALERTS}
        if policy is not None:
            values["policy"] = policy
        if values:
            await store.change(conn, row.id, **values)
        row = await store.of_token(conn, token_id)
    assert row is not None
    return _from_row(row)


async def unsubscribe(db: Database, token_id: int) -> None:
    async with db.write() as conn:
        await store.remove_of_token(conn, token_id)


# What deliveries ask (jobs/push.py).


async def get(db: Database, subscription_id: int) -> Subscription | None:
    async with db.read() as conn:
        row = await store.get(conn, subscription_id)
    return _from_row(row) if row else None


async def drop(db: Database, subscription_id: int) -> None:
    """The push service says the subscription is gone (404/410)."""
    async with db.write() as conn:
        await store.remove(conn, subscription_id)


async def still_unread(db: Database, notification_id: int) -> bool:
    async with db.read() as conn:
        return await store.notification_unread(conn, notification_id)


async def token_usable(db: Database, sub: Subscription) -> bool:
    if sub.token_id is None:
        return False
    async with db.read() as conn:
        return await store.token_usable(conn, sub.token_id)


async def policy_allows(db: Database, sub: Subscription, from_account_id: int | None) -> bool:
    """Mastodon's policy: `followed` — from accounts the owner follows; `follower` — from
    the owner's followers; `none` — nothing."""
    if sub.policy == "all":
        return True
    if sub.policy == "none" or from_account_id is None:
        return False
    async with db.read() as conn:
        if sub.policy == "followed":
            return await follows.exists(conn, sub.account_id, from_account_id)
        return await follows.exists(conn, from_account_id, sub.account_id)


async def chat_message_unread(db: Database, readers: list[int], message_id: int) -> None:
    """`newChatMessage` pushes to recipients who left the message unread (chat job)."""
    if readers:
        async with db.write() as conn:
            await store.queue_chat_message(conn, readers, message_id)
