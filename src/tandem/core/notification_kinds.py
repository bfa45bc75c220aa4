"""Notification types and how they group: plain rules the store and both dialects share.

Stored type names are Mastodon's. Favourites, reblogs and follows group the way Mastodon 4.3
groups them: favourites (and Misskey reactions) or reblogs of one status, and follows, that
arrive within one 12-hour window share a `group_key`; everything else stays
`ungrouped-<id>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Mastodon's type names (what `types[]` may name). Notifications the server itself posts (an
# export or import finished) show to Mastodon clients under their own names; the ones below
# exist for Misskey clients alone.
MISSKEY_ONLY_TYPES = ("follow_request_accepted", "chat_room_invitation_received")
MASTODON_TYPES = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "quote",
    "quoted_update",
    "added_to_collection",
)
# Types that carry the collection they are about (in the payload's `collection_id`).
COLLECTION_TYPES = ("added_to_collection",)
GROUPABLE_TYPES = ("favourite", "reblog", "follow")
GROUP_SPAN_SECONDS = 12 * 3600
# Types whose notification carries the status it is about.
STATUS_TYPES = (
    "favourite",
    "reblog",
    "status",
    "mention",
    "poll",
    "update",
    "quote",
    "quoted_update",  # carries the quote of the edited status
)


def group_key(type: str, status_id: int | None, at: datetime) -> str | None:
    """The key a new notification groups under, or None when its type never groups."""
    if type not in GROUPABLE_TYPES:
        return None
    prefix = type if type == "follow" else f"{type}-{status_id}"
    return f"{prefix}-{int(at.timestamp()) // GROUP_SPAN_SECONDS}"


def shown_key(notification_id: int, type: str, key: str | None, grouped: tuple[str, ...]) -> str:
    """The group a notification is shown in when the client groups only `grouped` types."""
    if key is None or type not in grouped:
        return f"ungrouped-{notification_id}"
    return key


@dataclass(frozen=True)
class Selection:
    """Which of one's notifications a list shows (both dialects' type filters)."""

    types: tuple[str, ...] | None = None  # None: every type
    exclude: tuple[str, ...] = ()
    from_account_id: int | None = None
    # Misskey tells a mention that replies to one's own status ("reply") from another one:
    # None shows both, True only replies, False only the other mentions.
    replies: bool | None = None
    # Mastodon's `include_filtered`: also the notifications the policy held back (a list
    # narrowed to one sender shows them anyway).
    include_filtered: bool = False
