"""Who to follow: accounts followed by those one follows (friends of friends), then the most
followed local accounts; never oneself, anyone already followed or requested, blocked either
way, muted, or dismissed."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.core import clock
from tandem.core.accounts import require
from tandem.core.errors import NotFound
from tandem.core.models import Account
from tandem.store import suggestions as store
from tandem.store.db import Database

LIMIT = 40
MAX_LIMIT = 80


@dataclass(frozen=True)
class Suggestion:
    account: Account
    sources: tuple[str, ...]  # Mastodon's: "friends_of_friends", "most_followed"


async def suggest(db: Database, viewer: Account, limit: int = LIMIT) -> list[Suggestion]:
    limit = max(1, min(limit, MAX_LIMIT))
    now = clock.now()
    async with db.read() as conn:
        friends = await store.friends_of_friends(conn, viewer.id, limit, now)
        found = [Suggestion(a, ("friends_of_friends",)) for a in friends]
        if len(found) < limit:
            popular = await store.most_followed(
                conn, viewer.id, limit - len(found), now, [a.id for a in friends]
            )
            found += [Suggestion(a, ("most_followed",)) for a in popular]
    return found


async def dismiss(db: Database, viewer: Account, account_id: int) -> None:
    """Stop suggesting an account. As Mastodon, any id answers alike (an unknown account
    was never going to be suggested)."""
    async with db.write() as conn:
        try:
            await require(conn, account_id)
        except NotFound:
            return
        await store.dismiss(conn, viewer.id, account_id, clock.now())


async def directory(
    db: Database, *, order: str = "active", offset: int = 0, limit: int = LIMIT
) -> list[Account]:
    """The profile directory: local accounts that chose to be discoverable."""
    async with db.read() as conn:
        return await store.directory(
            conn,
            order="new" if order == "new" else "active",
            offset=max(0, offset),
            limit=max(1, min(limit, MAX_LIMIT)),
        )
