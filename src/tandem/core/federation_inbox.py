"""The rules for what other servers tell us: a remote account follows, answers a follow,
blocks, boosts, likes or reacts, deletes. The remote account is the one whose signature the
inbox verified; each function runs the same core rules a local account's action runs, so both
dialects see the result alike.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from tandem.config import Settings
from tandem.core import (
    clock,
    federation_outbox,
    follow_requests,
    polls,
    reactions,
    relationships,
    status_deletion,
    statuses,
    urls,
)
from tandem.core.errors import AlreadyDone, Forbidden, NotFound, Unprocessable
from tandem.core.models import Account
from tandem.core.remote_statuses import status_by_uri
from tandem.store import accounts as account_store
from tandem.store import blocks, follows
from tandem.store import federation as store
from tandem.store import notifications as notification_store
from tandem.store import polls as poll_store
from tandem.store import statuses as status_store
from tandem.store.db import Database

FollowAnswer = Literal["accepted", "pending", "refused"]


async def local_target(db: Database, settings: Settings, uri: str) -> Account | None:
    """The local account an ActivityPub id names, if it exists and may be seen."""
    account_id = urls.local_actor_id(settings, uri)
    if account_id is None:
        return None
    async with db.read() as conn:
        found = await account_store.get_functional(conn, account_id)
    return found if found is not None and not found.suspended else None


async def follow(db: Database, remote: Account, target: Account, follow_uri: str) -> FollowAnswer:
    """A remote account asks to follow a local one: refused if blocked, a request if the
    target approves its followers, else a follow (then the remote server hears Accept)."""
    now = clock.now()
    async with db.write() as conn:
        await account_store.lock_accounts(conn, remote.id, target.id)
        blocking, blocked = await blocks.between(conn, target.id, remote.id)
        if blocking or blocked:
            await federation_outbox.answered(conn, target, remote, "reject", follow_uri)
            return "refused"
        if await follows.exists(conn, remote.id, target.id):
            await follows.set_follow_uri(conn, remote.id, target.id, follow_uri)
            await federation_outbox.answered(conn, target, remote, "accept", follow_uri)
            return "accepted"
        if await relationships.needs_approval(conn, target, remote):
            await relationships.ask_to_follow(conn, remote, target, {}, now)
            await follows.set_follow_uri(conn, remote.id, target.id, follow_uri)
            return "pending"
        await relationships.create_follow(conn, remote.id, target.id, {}, now)
        await follows.set_follow_uri(conn, remote.id, target.id, follow_uri)
        await federation_outbox.answered(conn, target, remote, "accept", follow_uri)
        return "accepted"


async def follow_accepted(db: Database, remote: Account, follower: Account) -> bool:
    """The remote account accepted a local account's request: the request becomes a follow."""
    now = clock.now()
    async with db.write() as conn:
        await account_store.lock_accounts(conn, follower.id, remote.id)
        request = await follows.take_request(conn, follower.id, remote.id)
        if request is None:
            return False
        return await follow_requests.accept_request(conn, request, now)


async def follow_rejected(db: Database, remote: Account, follower: Account) -> None:
    """The remote account rejected (or later removed) a local follower."""
    async with db.write() as conn:
        await account_store.lock_accounts(conn, follower.id, remote.id)
        if await follows.take_request(conn, follower.id, remote.id) is None:
            await relationships.drop_follow(conn, follower.id, remote.id)


async def unfollowed(db: Database, remote: Account, target: Account) -> None:
    """Undo(Follow): the remote account stops following (or withdraws its request)."""
    async with db.write() as conn:
        await account_store.lock_accounts(conn, remote.id, target.id)
        if await relationships.drop_follow(conn, remote.id, target.id):
            return
        if await follows.take_request(conn, remote.id, target.id) is not None:
            await notification_store.delete_between(conn, target.id, remote.id, "follow_request")


async def blocked(db: Database, remote: Account, target: Account, on: bool) -> None:
    """Block or Undo(Block) by a remote account (a block ends both follows)."""
    if on:
        await relationships.block(db, remote, target.id)
    else:
        await relationships.unblock(db, remote, target.id)


async def liked(
    db: Database, settings: Settings, remote: Account, object_uri: str, reaction: str | None
) -> bool:
    """Like (a favourite) or a Misskey reaction / EmojiReact on a status of ours or one we
    keep; a reaction this server cannot show becomes the plain favourite."""
    status_id = await _status_id(db, settings, object_uri)
    if status_id is None:
        return False
    try:
        await reactions.react(db, remote, status_id, reaction)
    except Unprocessable:
        await reactions.react(db, remote, status_id, None)
    except (NotFound, Forbidden, AlreadyDone):
        return False
    return True


async def poll_voted(
    db: Database, settings: Settings, remote: Account, choice: str, poll_uri: str
) -> bool:
    """A remote account's vote on a poll of ours: one choice, named by its title (a second
    vote on a single-choice poll, a closed poll or a name that is no option count nothing)."""
    local_id = urls.local_status_id(settings, poll_uri)
    if local_id is None:
        return False
    async with db.read() as conn:
        status = await status_store.get(conn, local_id)
        poll = await poll_store.get(conn, status.poll_id) if status and status.poll_id else None
    if poll is None or choice not in poll.options:
        return False
    try:
        await polls.vote(db, remote, [poll.options.index(choice)], poll_id=poll.id)
    except (NotFound, Forbidden, AlreadyDone, Unprocessable):
        return False
    return True


async def unliked(db: Database, settings: Settings, remote: Account, object_uri: str) -> None:
    status_id = await _status_id(db, settings, object_uri)
    if status_id is not None:
        with contextlib.suppress(NotFound, Forbidden):
            await reactions.unreact(db, remote, status_id)


async def announced(
    db: Database, settings: Settings, remote: Account, object_uri: str, announce_uri: str
) -> bool:
    """A remote account boosted a status this server has."""
    status_id = await _status_id(db, settings, object_uri)
    if status_id is None:
        return False
    try:
        shown = await statuses.reblog(db, remote, status_id)
    except (NotFound, Forbidden):
        return False
    reblog_id = shown.statuses[0].id if shown.statuses else None
    if reblog_id is not None:
        async with db.write() as conn:
            await store.set_status_uri(conn, reblog_id, announce_uri)
    return True


async def unannounced(db: Database, settings: Settings, remote: Account, announce_uri: str) -> None:
    async with db.read() as conn:
        reblog_id = await store.status_id_by_uri(conn, announce_uri)
        reblog = await status_store.get(conn, reblog_id) if reblog_id else None
    if reblog is not None and reblog.account_id == remote.id and reblog.reblog_of_id:
        with contextlib.suppress(NotFound):
            await statuses.unreblog(db, remote, reblog.reblog_of_id)


async def note_deleted(db: Database, remote: Account, object_uri: str) -> bool:
    """Delete of a remote note (only its author's server may)."""
    async with db.read() as conn:
        status_id = await store.status_id_by_uri(conn, object_uri)
    if status_id is None:
        return False
    try:
        await status_deletion.delete(db, remote, status_id)
    except NotFound:
        return False
    return True


async def account_deleted(db: Database, remote: Account) -> None:
    """Delete(Person): the account is gone from its server. It is suspended here (its rows
    stay hidden) and every follow with it ends."""
    async with db.write() as conn:
        await relationships.sever_all(conn, remote.id)
        current = await account_store.get(conn, remote.id)
        if current is not None and not current.suspended:
            now = clock.now()
            await account_store.set_suspended(conn, current, now, now)


async def _status_id(db: Database, settings: Settings, uri: str) -> int | None:
    async with db.read() as conn:
        found = await status_by_uri(conn, settings, uri)
    return found.id if found is not None else None
