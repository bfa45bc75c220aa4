"""The queues federation works through: incoming activities wait as `ap_inbox` jobs, outgoing
ones as one `ap_deliver` job per receiving inbox; and the state deliveries keep per server
(the circuit breaker) and the inbox keeps per signature (the replay guard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tandem.config import Settings
from tandem.core import clock
from tandem.store import federation as store
from tandem.store import jobs as job_store
from tandem.store.db import Database

INBOX_JOB = "ap_inbox"
DELIVER_JOB = "ap_deliver"
DELIVERY_ATTEMPTS = 14  # with the delays below: about a week, as Mastodon keeps trying


def retry_delay(settings: Settings, attempt: int) -> timedelta:
    """The wait after a failed attempt: base * 3^(attempt-1), at most a day."""
    return timedelta(
        seconds=min(settings.delivery_retry_base_seconds * 3 ** (attempt - 1), 86400.0)
    )


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
        await job_store.enqueue_many(
            conn,
            DELIVER_JOB,
            [{"inbox": inbox, "signer_id": signer_id, "activity": activity} for inbox in wanted],
            max_attempts=DELIVERY_ATTEMPTS,
        )
    return len(wanted)


@dataclass(frozen=True)
class Breaker:
    """A server's circuit breaker as a delivery finds it."""

    failing: bool  # failures are on record (a success has something to clear)
    paused_until: datetime | None  # open: no delivery is tried before then


async def breaker(db: Database, domain: str) -> Breaker:
    async with db.read() as conn:
        found = await store.delivery_domain(conn, domain)
    if found is False:
        return Breaker(False, None)
    until = found if isinstance(found, datetime) and found > clock.now() else None
    return Breaker(True, until)


async def delivered(
    db: Database, settings: Settings, domain: str, ok: bool, failing: bool = True
) -> None:
    """Record an attempt's outcome for the server's circuit breaker. A success writes only
    when the server had failures on record (`failing`, as `breaker` found it)."""
    if ok:
        if failing:
            async with db.write() as conn:
                await store.record_delivery_success(conn, domain)
        return
    async with db.write() as conn:
        await store.record_delivery_failure(
            conn,
            domain,
            clock.now(),
            settings.delivery_breaker_threshold,
            settings.delivery_breaker_pause_seconds,
        )


async def first_sighting(db: Database, replay_key: str, window: timedelta) -> bool:
    """True the first time a signature reaches the inbox; False for a replay. Signatures
    older than the acceptance window are forgotten (they would be refused as expired)."""
    now = clock.now()
    async with db.write() as conn:
        await store.forget_signatures_before(conn, now - 2 * window)
        return await store.remember_signature(conn, replay_key, now)
