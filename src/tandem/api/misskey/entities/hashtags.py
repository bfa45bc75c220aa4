"""Misskey's Hashtag and hashtags/trend entries."""

from __future__ import annotations

from typing import TypedDict

from tandem.core.hashtags import Trend
from tandem.core.models import HashtagCounts


class Hashtag(TypedDict):
    tag: str
    mentionedUsersCount: int
    mentionedLocalUsersCount: int
    mentionedRemoteUsersCount: int
    attachedUsersCount: int
    attachedLocalUsersCount: int
    attachedRemoteUsersCount: int


class TrendEntry(TypedDict):
    tag: str
    chart: list[int]
    usersCount: int


def hashtag(row: HashtagCounts) -> Hashtag:
    return {
        "tag": row.name,
        "mentionedUsersCount": row.mentioned_users,
        "mentionedLocalUsersCount": row.mentioned_local_users,
        "mentionedRemoteUsersCount": row.mentioned_remote_users,
        "attachedUsersCount": row.attached_users,
        "attachedLocalUsersCount": row.attached_local_users,
        "attachedRemoteUsersCount": row.attached_remote_users,
    }


def trend_entry(trend: Trend) -> TrendEntry:
    return {"tag": trend.name, "chart": trend.chart, "usersCount": trend.users}
