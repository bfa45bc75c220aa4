"""The one source of "now", always an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, datetime

# The furthest ahead a client may set an expiry (a mute's end): well inside what a datetime
# holds, and long enough to mean "for good".
MAX_AHEAD_SECONDS = 1000 * 365 * 24 * 3600


def now() -> datetime:
    return datetime.now(UTC)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
