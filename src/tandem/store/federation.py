"""ActivityPub's rows: account keys, remote actors and statuses by id, the inboxes a delivery
reaches, the delivery circuit breaker and the inbox's replay guard."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update

from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store.db import Conn
from tandem.store.query import Query
from tandem.store.schema import (
    accounts,
    actor_keys,
    delivery_domains,
    follow_requests,
    follows,
    seen_signatures,
    statuses,
)
from tandem.store.writes import dialect_insert, insert_ignoring, insert_new


@dataclass(frozen=True)
class ActorKey:
    account_id: int
    key_id: str
    public_key_pem: str
    private_key_pem: str | None


def _key(row: Any) -> ActorKey:
    account_id, key_id, public_pem, private_pem = row[:4]  # (the table's column order)
    return ActorKey(account_id, key_id, public_pem, private_pem)


_KEY_OF = Query(select(actor_keys).where(actor_keys.c.account_id == bindparam("id")))


async def key_of(conn: Conn, account_id: int) -> ActorKey | None:
    row = await _KEY_OF.first(conn, id=account_id)
    return _key(row) if row else None


async def add_local_key(
    conn: Conn, account_id: int, key_id: str, public_pem: str, private_pem: str, now: datetime
) -> ActorKey:
    """Keep a new key pair unless the account has one (a racing twin made it): the kept one."""
    await insert_new(
        conn,
        actor_keys,
        {
            "account_id": account_id,
            "key_id": key_id,
            "public_key_pem": public_pem,
            "private_key_pem": private_pem,
            "created_at": now,
        },
        on=["account_id"],
    )
    kept = await key_of(conn, account_id)
    assert kept is not None
    return kept


async def save_remote_key(
    conn: Conn, account_id: int, key_id: str, public_pem: str, now: datetime
) -> None:
    """The public key a remote actor publishes now (it may have rotated it)."""
    await conn.execute(
        delete(actor_keys).where(
            actor_keys.c.key_id == key_id, actor_keys.c.account_id != account_id
        )
    )
    stmt = dialect_insert(conn, actor_keys).values(
        account_id=account_id, key_id=key_id, public_key_pem=public_pem, created_at=now
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["account_id"],
            set_={"key_id": key_id, "public_key_pem": public_pem},
        )
    )


_BY_KEY_ID = Query(
    select(accounts, actor_keys.c.public_key_pem)
    .join(actor_keys, actor_keys.c.account_id == accounts.c.id)
    .where(actor_keys.c.key_id == bindparam("key_id"))
)


async def account_by_key_id(conn: Conn, key_id: str) -> tuple[Account, str] | None:
    row = await _BY_KEY_ID.first(conn, key_id=key_id)
    if row is None:
        return None
    values = list(row)
    return account_store.from_values(values[:-1]), str(values[-1])


_BY_URI = Query(select(accounts).where(accounts.c.uri == bindparam("uri")))


async def account_by_uri(conn: Conn, uri: str) -> Account | None:
    row = await _BY_URI.first(conn, uri=uri)
    return account_store.from_values(row) if row else None


_STATUS_BY_URI = Query(select(statuses.c.id).where(statuses.c.uri == bindparam("uri")))


async def status_id_by_uri(conn: Conn, uri: str) -> int | None:
    found = await _STATUS_BY_URI.scalar(conn, uri=uri)
    return int(found) if found is not None else None


def _inbox() -> Any:
    return func.coalesce(accounts.c.shared_inbox_url, accounts.c.inbox_url)


async def has_remote_followers(conn: Conn, account_id: int) -> bool:
    found = await conn.scalar(
        select(follows.c.id)
        .join(accounts, accounts.c.id == follows.c.account_id)
        .where(follows.c.target_account_id == account_id, accounts.c.domain.is_not(None))
        .limit(1)
    )
    return found is not None


FOLLOWERS_PAGE = 1000  # followers read per statement by follower_inboxes


async def follower_inboxes(conn: Conn, account_id: int) -> list[str]:
    """Where a post to followers goes: each remote follower's shared inbox (else its own),
    once each. Read a page of followers at a time, other tasks let in between: for an account
    with many followers one statement would hold the event loop for tens of milliseconds (on
    SQLite a query does not yield it)."""
    found: set[str] = set()
    after = 0
    while True:
        rows = (
            await conn.execute(
                select(follows.c.id, _inbox())
                .select_from(follows.join(accounts, accounts.c.id == follows.c.account_id))
                .where(
                    follows.c.target_account_id == account_id,
                    follows.c.id > after,
                    accounts.c.domain.is_not(None),
                    accounts.c.suspended_at.is_(None),
                )
                .order_by(follows.c.id)
                .limit(FOLLOWERS_PAGE)
            )
        ).all()
        found.update(str(r[1]) for r in rows if r[1])
        if len(rows) < FOLLOWERS_PAGE:
            return sorted(found)
        after = rows[-1][0]
        await asyncio.sleep(0)


async def inboxes_of(conn: Conn, account_ids: list[int]) -> list[str]:
    """The inboxes of these accounts (remote ones only), once each."""
    if not account_ids:
        return []
    rows = await conn.execute(
        select(_inbox())
        .where(
            accounts.c.id.in_(account_ids),
            accounts.c.domain.is_not(None),
            _inbox().is_not(None),
        )
        .distinct()
    )
    return sorted(str(r[0]) for r in rows)


async def personal_inbox(conn: Conn, account_id: int) -> str | None:
    """An actor's own inbox (a Follow, Block or Accept goes there, not to a shared one)."""
    found = await conn.scalar(
        select(func.coalesce(accounts.c.inbox_url, accounts.c.shared_inbox_url)).where(
            accounts.c.id == account_id
        )
    )
    return str(found) if found else None


async def known_inboxes(conn: Conn) -> list[str]:
    """Every inbox of every remote account this server knows (an account deletion goes to
    all of them)."""
    rows = await conn.execute(
        select(_inbox()).where(accounts.c.domain.is_not(None), _inbox().is_not(None)).distinct()
    )
    return sorted(str(r[0]) for r in rows)


async def local_follower_ids(conn: Conn, account_id: int) -> list[int]:
    rows = await conn.execute(
        select(follows.c.account_id)
        .join(accounts, accounts.c.id == follows.c.account_id)
        .where(follows.c.target_account_id == account_id, accounts.c.domain.is_(None))
    )
    return [int(r[0]) for r in rows]


async def follow_uri(conn: Conn, follower_id: int, target_id: int) -> str | None:
    for table in (follows, follow_requests):
        found = await conn.scalar(
            select(table.c.uri).where(
                table.c.account_id == follower_id, table.c.target_account_id == target_id
            )
        )
        if found:
            return str(found)
    return None


# --- the delivery circuit breaker ---


async def delivery_domain(conn: Conn, domain: str) -> datetime | bool | None:
    """The server's circuit breaker: False when it has no failure on record, else when the
    breaker stays open until (None: closed, still counting failures)."""
    found = (
        await conn.execute(
            select(delivery_domains.c.open_until).where(delivery_domains.c.domain == domain)
        )
    ).first()
    return False if found is None else found.open_until


async def record_delivery_failure(
    conn: Conn, domain: str, now: datetime, threshold: int, pause_seconds: float
) -> None:
    """One more failure in a row; from `threshold` on the breaker opens for a pause that
    doubles with each further failure (at most a day)."""
    stmt = dialect_insert(conn, delivery_domains).values(domain=domain, failures=1, updated_at=now)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["domain"],
            set_={"failures": delivery_domains.c.failures + 1, "updated_at": now},
        )
    )
    failures = int(
        await conn.scalar(
            select(delivery_domains.c.failures).where(delivery_domains.c.domain == domain)
        )
        or 0
    )
    if failures >= threshold:
        pause = min(pause_seconds * 2 ** (failures - threshold), 86400.0)
        await conn.execute(
            update(delivery_domains)
            .where(delivery_domains.c.domain == domain)
            .values(open_until=now + timedelta(seconds=pause))
        )


async def record_delivery_success(conn: Conn, domain: str) -> None:
    await conn.execute(
        delete(delivery_domains).where(
            delivery_domains.c.domain == domain,
            or_(delivery_domains.c.failures > 0, delivery_domains.c.open_until.is_not(None)),
        )
    )


# --- the inbox's replay guard ---


async def remember_signature(conn: Conn, replay_key: str, now: datetime) -> bool:
    """True the first time a signature is seen; False for a replay."""
    result = await conn.execute(
        insert_ignoring(
            conn, seen_signatures, {"replay_key": replay_key, "seen_at": now}, ["replay_key"]
        ).returning(seen_signatures.c.replay_key)
    )
    return result.first() is not None


async def forget_signatures_before(conn: Conn, moment: datetime) -> None:
    await conn.execute(delete(seen_signatures).where(seen_signatures.c.seen_at < moment))


async def follow_partners(conn: Conn, account_id: int) -> tuple[list[int], list[int]]:
    """(who follows the account, whom it follows), requests included."""
    followers: set[int] = set()
    followed: set[int] = set()
    for table in (follows, follow_requests):
        rows = await conn.execute(
            select(table.c.account_id).where(table.c.target_account_id == account_id)
        )
        followers.update(int(r[0]) for r in rows)
        rows = await conn.execute(
            select(table.c.target_account_id).where(table.c.account_id == account_id)
        )
        followed.update(int(r[0]) for r in rows)
    return sorted(followers), sorted(followed)


async def set_status_uri(conn: Conn, status_id: int, uri: str) -> None:
    await conn.execute(update(statuses).where(statuses.c.id == status_id).values(uri=uri))


async def revise_status(
    conn: Conn,
    status_id: int,
    *,
    text: str,
    content: str,
    spoiler_text: str,
    sensitive: bool,
    edited_at: datetime,
) -> None:
    await conn.execute(
        update(statuses)
        .where(statuses.c.id == status_id)
        .values(
            text=text,
            content=content,
            spoiler_text=spoiler_text,
            sensitive=sensitive,
            edited_at=edited_at,
        )
    )
