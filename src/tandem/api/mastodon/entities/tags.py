"""Mastodon's hashtag history: the last 7 days of uses and accounts, today first."""

from __future__ import annotations

import calendar

from tandem.api.mastodon.entities.types import TagHistory
from tandem.core.hashtags import Day


def history(days: list[Day]) -> list[TagHistory]:
    return [
        {
            "day": str(calendar.timegm(d.day.timetuple())),
            "uses": str(d.uses),
            "accounts": str(d.accounts),
        }
        for d in days
    ]
