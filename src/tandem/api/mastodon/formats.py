"""Mastodon's date and time spellings (they differ per field, on purpose)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_ms(moment: datetime | None) -> str | None:
    """`2026-08-21T13:05:09.123Z`: most timestamps."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_seconds(moment: datetime | None) -> str | None:
    """`2026-08-22T13:50:27Z`: relationship mute expiry."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_offset(moment: datetime | None) -> str | None:
    """`2019-11-10T10:31:10.744+00:00`: field verification times."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def midnight(moment: datetime) -> str:
    """Account creation is shown at day precision, as midnight UTC."""
    d = moment.astimezone(UTC)  # (strftime costs several times as much, on every account)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T00:00:00.000Z"


def day(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d")
