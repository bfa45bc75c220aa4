"""Following, Blocking and Muting: one row of a followers/following page, a block or a mute.

Each row's id is the relation's own id (the paging cursor), and its creation time is read
from that id. The other account is a detailed user, as Misskey packs it (`UserDetailedNotMe`
in misskey-js's types), rendered for the whole page at once (`views.users`)."""

from __future__ import annotations

from datetime import datetime

from tandem.api.misskey.entities import types as t
from tandem.api.misskey.entities.common import iso
from tandem.api.misskey.entities.types import UserDetailed
from tandem.core.ids import id_time


def _following(cursor: int, follower_id: int, followee_id: int) -> t.Following:
    return {
        "id": str(cursor),
        "createdAt": iso(id_time(cursor)),
        "followeeId": str(followee_id),
        "followerId": str(follower_id),
    }


def follower(cursor: int, owner_id: int, who: UserDetailed) -> t.FollowingWithFollower:
    """`who` follows the page's owner."""
    return {**_following(cursor, int(who["id"]), owner_id), "follower": who}


def followee(cursor: int, owner_id: int, who: UserDetailed) -> t.FollowingWithFollowee:
    """The page's owner follows `who`."""
    return {**_following(cursor, owner_id, int(who["id"])), "followee": who}


def blocking(row_id: int, blockee: UserDetailed) -> t.Blocking:
    return {
        "id": str(row_id),
        "createdAt": iso(id_time(row_id)),
        "blockeeId": blockee["id"],
        "blockee": blockee,
    }


def muting(row_id: int, mutee: UserDetailed, expires_at: object) -> t.Muting:
    """`expires_at` as the store lists it: a datetime, or None for a mute without end."""
    return {
        "id": str(row_id),
        "createdAt": iso(id_time(row_id)),
        "muteeId": mutee["id"],
        "mutee": mutee,
        "expiresAt": iso(expires_at) if isinstance(expires_at, datetime) else None,
    }
