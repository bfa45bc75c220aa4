"""The notification policy (Mastodon 4.3's /api/v2/notifications/policy).

The policy is stored and returned as set. Nothing is filtered into notification requests yet:
every local sender is an account the server knows, and the filtering of strangers' mentions
waits for federation, so the request lists are empty and the summary counts zero.
"""

from __future__ import annotations

from dataclasses import replace

from tandem.core import clock
from tandem.core.errors import Errors
from tandem.core.models import Account, NotificationPolicy
from tandem.store import notification_policies as store
from tandem.store.db import Database

CHOICES = ("accept", "filter", "drop")


async def get(db: Database, owner: Account) -> NotificationPolicy:
    async with db.read() as conn:
        return await store.get(conn, owner.id)


async def update(db: Database, owner: Account, changes: dict[str, str]) -> NotificationPolicy:
    """Change the given fields (each "accept", "filter" or "drop"); the others stay."""
    errors = Errors()
    for name, value in changes.items():
        if name not in store.FIELDS:
            continue
        if value not in CHOICES:
            errors.add(name, "ERR_INCLUSION", "is not included in the list")
    errors.raise_if_any()
    wanted = {k: v for k, v in changes.items() if k in store.FIELDS}
    async with db.write() as conn:
        policy = replace(await store.get(conn, owner.id), **wanted)
        if wanted:
            await store.save(conn, owner.id, policy, clock.now())
        return policy
