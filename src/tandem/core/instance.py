"""Facts about this server for instance and nodeinfo documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.core import clock
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store import statuses as status_store
from tandem.store import users as user_store
from tandem.store.db import Database


@dataclass(frozen=True)
class Counts:
    users: int
    statuses: int
    active_month: int
    active_halfyear: int


@dataclass(frozen=True)
class Stats(Counts):
    contact: Account | None


# Counting users and posts is the costly part of meta/instance documents, which clients
# fetch often; counts a minute old are fine (Mastodon and Misskey cache them too).
COUNTS_FOR = timedelta(seconds=60)
_cached: dict[int, tuple[datetime, Counts]] = {}


async def stats(db: Database, contact_username: str = "") -> Stats:
    """Counts (a minute old at most) and the contact: the named local account, else the first
    owner, else the first admin (never None once an owner or admin exists)."""
    now = clock.now()
    hit = _cached.get(id(db))
    async with db.read() as conn:
        if hit is None or hit[0] <= now:
            counts = Counts(
                users=await user_store.count(conn),
                statuses=await status_store.count_local(conn),
                active_month=await user_store.active_since(conn, now - timedelta(days=30)),
                active_halfyear=await user_store.active_since(conn, now - timedelta(days=180)),
            )
            hit = (now + COUNTS_FOR, counts)
            _cached[id(db)] = hit
        contact = None
        if contact_username:
            contact = await account_store.by_username(conn, contact_username)
            contact = None if contact is None or contact.suspended else contact
        contact = contact or await user_store.first_admin_account(conn)
    return Stats(**vars(hit[1]), contact=contact)
