"""Read markers (Mastodon's /api/v1/markers): where a user stopped reading home and
notifications, shared by every client they use. Moving the notifications marker also marks
those notifications read for Misskey clients."""

from __future__ import annotations

from tandem.core import clock
from tandem.core.models import Account, Marker
from tandem.store import markers as store
from tandem.store import notifications as notification_store
from tandem.store.db import Database

TIMELINES = ("home", "notifications")


async def get(
    db: Database, owner: Account, timelines: list[str] | None = None
) -> dict[str, Marker]:
    wanted = [t for t in (timelines or TIMELINES) if t in TIMELINES]
    if not wanted:
        return {}
    async with db.read() as conn:
        return await store.get_many(conn, owner.id, wanted)


async def save(db: Database, owner: Account, positions: dict[str, int]) -> dict[str, Marker]:
    """Set the given timelines' markers (unknown timelines are ignored, as Mastodon does)."""
    wanted = {t: i for t, i in positions.items() if t in TIMELINES}
    now = clock.now()
    async with db.write() as conn:
        for timeline, last_read_id in sorted(wanted.items()):
            await store.save(conn, owner.id, timeline, last_read_id, now)
        if "notifications" in wanted:
            await notification_store.mark_read_up_to(conn, owner.id, wanted["notifications"], now)
        return await store.get_many(conn, owner.id, list(wanted))
