"""The queues federation works through: incoming activities wait as `ap_inbox` jobs, outgoing
ones as one `ap_deliver` job per receiving inbox; and the state deliveries keep per server
(the circuit breaker) and the inbox keeps per signature (the replay guard)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tandem.core import clock
from tandem.store import federation as store
from tandem.store import jobs as job_store
from tandem.store.db import Database

INBOX_JOB = "ap_inbox"
DELIVER_JOB = "ap_deliver"
# A delivery is tried this many times, waiting 15 s × 3^(n-1) (at most a day) in between:
# about a week in all, as Mastodon keeps trying.
DELIVERY_ATTEMPTS = 14
BREAKER_THRESHOLD = 8  # failures in a row before a server is left alone for a while
BREAKER_PAUSE_SECONDS = 60.0


def retry_delay(attempt: int) -> timedelta:
    return timedelta(seconds=min(15.0 * 3 ** (attempt - 1), 86400.0))


def host_of(url: str) -> str:
    return (urlsplit(url).netloc or "").lower()


async def queue_inbox(db: Database, activity: dict[str, Any], signer_id: int) -> None:
    async with db.write() as conn:
        await job_store.enqueue(
            conn, INBOX_JOB, {"activity": activity, "signer_id": signer_id}, max_attempts=3
        )


async def queue_deliveries(
    db: Database, signer_id: int, activity: dict[str, Any], inboxes: list[str]
) -> int:
    """One delivery job per inbox (callers pass each shared inbox once)."""
    wanted = sorted(set(inboxes))
    async with db.write() as conn:
        for inbox in wanted:
            await job_store.enqueue(
                conn,
                DELIVER_JOB,
                {"inbox": inbox, "signer_id": signer_id, "activity": activity},
                max_attempts=DELIVERY_ATTEMPTS,
            )
    return len(wanted)


async def paused_until(db: Database, domain: str) -> datetime | None:
    """When deliveries to this server may be tried again, if its breaker is open."""
    async with db.read() as conn:
        return await store.breaker_open_until(conn, domain, clock.now())


async def delivered(db: Database, domain: str, ok: bool) -> None:
    async with db.write() as conn:
        if ok:
            await store.record_delivery_success(conn, domain)
        else:
            await store.record_delivery_failure(
                conn, domain, clock.now(), BREAKER_THRESHOLD, BREAKER_PAUSE_SECONDS
            )


async def first_sighting(db: Database, replay_key: str, window: timedelta) -> bool:
    """True the first time a signature reaches the inbox; False for a replay. Signatures
    older than the acceptance window are forgotten (they would be refused as expired)."""
    now = clock.now()
    async with db.write() as conn:
        await store.forget_signatures_before(conn, now - 2 * window)
        return await store.remember_signature(conn, replay_key, now)
