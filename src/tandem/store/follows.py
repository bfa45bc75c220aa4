"""Follows and follow requests between two accounts, one named action per function.

Creating answers whether this call created the row (`INSERT … ON CONFLICT DO NOTHING`),
removing whether this call removed it (`DELETE … RETURNING`): callers move counters and
decide "already done" on those answers (store/writes.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import Table, update

from tandem.core.models import Follow
from tandem.store import relationships as pairs
from tandem.store.db import Conn
from tandem.store.generations import accounts_changed, relations_changed
from tandem.store.schema import follow_requests, follows


class FollowOptions(TypedDict, total=False):
    """What a follow (or a request, once accepted) delivers; an absent key keeps its value."""

    show_reblogs: bool
    notify: bool
    languages: list[str] | None  # None: every language


def _complete(options: FollowOptions) -> FollowOptions:
    return {
        "show_reblogs": options.get("show_reblogs", True),
        "notify": options.get("notify", False),
        "languages": options.get("languages"),
    }


async def _get(conn: Conn, table: Table, account_id: int, target_id: int) -> Follow | None:
    row = await pairs.find(conn, table, account_id, target_id)
    return pairs.follow_from_row(row) if row is not None else None


async def _add(
    conn: Conn, table: Table, account_id: int, target_id: int, options: FollowOptions, now: datetime
) -> bool:
    return await pairs.add_pair(conn, table, account_id, target_id, now, **_complete(options))


async def _set_options(conn: Conn, table: Table, row_id: int, options: FollowOptions) -> None:
    if options:
        await conn.execute(update(table).where(table.c.id == row_id).values(**options))


async def get(conn: Conn, follower_id: int, target_id: int) -> Follow | None:
    return await _get(conn, follows, follower_id, target_id)


async def exists(conn: Conn, follower_id: int, target_id: int) -> bool:
    return await pairs.is_following(conn, follower_id, target_id)


async def add(
    conn: Conn, follower_id: int, target_id: int, options: FollowOptions, now: datetime
) -> bool:
    """Follow; False (nothing written) when the follow already exists."""
    relations_changed(follower_id, target_id)
    return await _add(conn, follows, follower_id, target_id, options, now)


async def set_options(conn: Conn, follow: Follow, options: FollowOptions) -> None:
    relations_changed(follow.account_id, follow.target_account_id)
    await _set_options(conn, follows, follow.id, options)


async def remove(conn: Conn, follower_id: int, target_id: int) -> bool:
    """Unfollow; True if this call removed the follow (of racing twins, one does)."""
    relations_changed(follower_id, target_id)
    return await pairs.remove(conn, follows, follower_id, target_id) is not None


async def get_request(conn: Conn, requester_id: int, target_id: int) -> Follow | None:
    """A pending request (the options it will follow with, once accepted)."""
    return await _get(conn, follow_requests, requester_id, target_id)


async def request_exists(conn: Conn, requester_id: int, target_id: int) -> bool:
    return await pairs.find(conn, follow_requests, requester_id, target_id) is not None


async def add_request(
    conn: Conn, requester_id: int, target_id: int, options: FollowOptions, now: datetime
) -> bool:
    """Ask to follow; False (nothing written) when the request is already pending."""
    accounts_changed(target_id)  # its waiting requests count
    relations_changed(requester_id, target_id)
    return await _add(conn, follow_requests, requester_id, target_id, options, now)


async def set_request_options(conn: Conn, request: Follow, options: FollowOptions) -> None:
    relations_changed(request.account_id, request.target_account_id)
    await _set_options(conn, follow_requests, request.id, options)


async def take_request(conn: Conn, requester_id: int, target_id: int) -> Follow | None:
    """Remove a pending request (accepted, rejected or withdrawn) and return it, if this call
    removed it: of racing accepts and rejects exactly one gets it."""
    accounts_changed(target_id)  # its waiting requests count
    relations_changed(requester_id, target_id)
    row = await pairs.remove(conn, follow_requests, requester_id, target_id)
    return pairs.follow_from_row(row) if row is not None else None


def options_of(follow: Follow) -> FollowOptions:
    """The options a request carries over to the follow it becomes."""
    return {
        "show_reblogs": follow.show_reblogs,
        "notify": follow.notify,
        "languages": list(follow.languages) if follow.languages is not None else None,
    }


async def set_follow_uri(conn: Conn, follower_id: int, target_id: int, uri: str) -> None:
    """Remember the remote Follow activity's id on the follow or the pending request."""
    relations_changed(follower_id, target_id)
    for table in (follows, follow_requests):
        await conn.execute(
            update(table)
            .where(table.c.account_id == follower_id, table.c.target_account_id == target_id)
            .values(uri=uri)
        )
