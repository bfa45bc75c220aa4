"""What Mastodon serves under /api/v1/instance/* besides the instance itself: weekly
activity, the extended description, languages, the privacy policy and terms of service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tandem.core import clock
from tandem.core.language_names import NAMES
from tandem.store import instance_activity as store
from tandem.store.db import Database

WEEKS = 12
_cached: dict[int, tuple[datetime, list[Week]]] = {}
ACTIVITY_FOR = timedelta(minutes=5)


@dataclass(frozen=True)
class Week:
    start: datetime
    statuses: int
    logins: int
    registrations: int


def _week_starts(now: datetime) -> list[datetime]:
    """Mondays 00:00 UTC of the last WEEKS weeks, oldest first (this week last)."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=i) for i in reversed(range(WEEKS))]


async def activity(db: Database) -> list[Week]:
    """This week first, as Mastodon lists it; counts at most five minutes old."""
    now = clock.now()
    hit = _cached.get(id(db))
    if hit is not None and hit[0] > now:
        return hit[1]
    starts = _week_starts(now)
    async with db.read() as conn:
        counts = await store.weekly(conn, starts)
    weeks = [
        Week(start, counts["statuses"][i], counts["logins"][i], counts["registrations"][i])
        for i, start in enumerate(starts)
    ]
    weeks.reverse()
    _cached[id(db)] = (now + ACTIVITY_FOR, weeks)
    return weeks


def languages() -> list[tuple[str, str]]:
    """Every language a status may be tagged with: (code, English name)."""
    return sorted(NAMES.items())
