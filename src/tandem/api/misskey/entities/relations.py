"""Following, Blocking and Muting: one row of a followers/following page, a block or a mute.

Each row's id is the relation's own id (the paging cursor), and its creation time is read
from that id."""

from __future__ import annotations

from datetime import datetime

from tandem.api.misskey.entities import types as t
from tandem.api.misskey.entities.common import Ctx, iso
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.core.ids import id_time
from tandem.core.models import Account


def _following(cursor: int, follower_id: int, followee_id: int) -> t.Following:
    return {
        "id": str(cursor),
        "createdAt": iso(id_time(cursor)),
        "followeeId": str(followee_id),
        "followerId": str(follower_id),
    }


def follower(ctx: Ctx, cursor: int, owner_id: int, who: Account) -> t.FollowingWithFollower:
    """`who` follows the page's owner."""
    return {**_following(cursor, who.id, owner_id), "follower": user_lite(ctx, who)}


def followee(ctx: Ctx, cursor: int, owner_id: int, who: Account) -> t.FollowingWithFollowee:
    """The page's owner follows `who`."""
    return {**_following(cursor, owner_id, who.id), "followee": user_lite(ctx, who)}


def blocking(ctx: Ctx, row_id: int, blockee: Account) -> t.Blocking:
    return {
        "id": str(row_id),
        "createdAt": iso(id_time(row_id)),
        "blockeeId": str(blockee.id),
        "blockee": user_lite(ctx, blockee),
    }


def muting(ctx: Ctx, row_id: int, mutee: Account, expires_at: object) -> t.Muting:
    """`expires_at` as the store lists it: a datetime, or None for a mute without end."""
    return {
        "id": str(row_id),
        "createdAt": iso(id_time(row_id)),
        "muteeId": str(mutee.id),
        "mutee": user_lite(ctx, mutee),
        "expiresAt": iso(expires_at) if isinstance(expires_at, datetime) else None,
    }
