"""Follow requests to locked accounts: authorize, reject, or let everyone in when unlocking."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NoReturn

from tandem.core import clock, federation_outbox
from tandem.core.accounts import require
from tandem.core.errors import NotFound
from tandem.core.models import Account, Follow, Relationship
from tandem.core.relationships import create_follow, relationship_of
from tandem.store import accounts as account_store
from tandem.store import follows
from tandem.store import notifications as notification_store
from tandem.store import relationships as pairs
from tandem.store.db import Conn, Database


async def authorize(db: Database, owner: Account, requester_id: int) -> Relationship:
    """Accept a request; of racing accepts/rejects exactly one finds it (the others: 404)."""
    now = clock.now()
    async with db.write() as conn:
        await account_store.lock_accounts(conn, requester_id, owner.id)
        request = await follows.take_request(conn, requester_id, owner.id)
        if request is None:
            await _no_request(conn, requester_id)
        await accept_request(conn, request, now)
        await _tell_remote(conn, owner, requester_id, "accept")
        return await relationship_of(conn, owner.id, requester_id)


async def _tell_remote(
    conn: Conn, owner: Account, requester_id: int, answer: Literal["accept", "reject"]
) -> None:
    """A remote requester's server hears the answer (the follow or request row keeps the
    Follow's id until then)."""
    requester = await account_store.get(conn, requester_id)
    if requester is not None and not requester.local:
        uri = await federation_outbox.follow_uri(conn, requester, owner)
        await federation_outbox.answered(conn, owner, requester, answer, uri)


async def _no_request(conn: Conn, requester_id: int) -> NoReturn:
    """Say what is missing: the account (NotFound "account"), or only its request."""
    await require(conn, requester_id)
    raise NotFound("follow_request")


async def accept_request(conn: Conn, request: Follow, now: datetime) -> bool:
    """A request taken from the table becomes a follow (accepted here, or by the remote
    account's server): the follow keeps its options and its Follow id."""
    options = follows.options_of(request)
    created = await create_follow(conn, request.account_id, request.target_account_id, options, now)
    if created:  # Misskey's followRequestAccepted (Mastodon clients are not shown it)
        await federation_outbox.keep_follow_uri(
            conn, request.account_id, request.target_account_id, request.uri
        )
        await notification_store.insert(
            conn,
            account_id=request.account_id,
            from_account_id=request.target_account_id,
            type="follow_request_accepted",
            now=now,
        )
    return created


async def lock_for_accept_all(conn: Conn, owner_id: int) -> None:
    """Lock the owner with everyone waiting, in id order, before the owner's row is written:
    a requester's racing follow or unfollow locks the same rows in the same order, so the
    two cannot deadlock."""
    waiting = await pairs.pending_request_ids(conn, owner_id)
    await account_store.lock_accounts(conn, owner_id, *waiting)


async def accept_all(conn: Conn, owner_id: int) -> int:
    """Unlocking an account lets everyone waiting in (Mastodon does the same); call
    `lock_for_accept_all` first in the same transaction."""
    now = clock.now()
    accepted = 0
    owner = await account_store.get(conn, owner_id)
    assert owner is not None
    for requester in await pairs.pending_request_ids(conn, owner_id):
        request = await follows.take_request(conn, requester, owner_id)
        if request is not None and await accept_request(conn, request, now):
            accepted += 1
            await _tell_remote(conn, owner, requester, "accept")
    return accepted


async def reject(db: Database, owner: Account, requester_id: int) -> Relationship:
    async with db.write() as conn:
        await account_store.lock_accounts(conn, requester_id, owner.id)
        request = await follows.take_request(conn, requester_id, owner.id)
        if request is None:
            await _no_request(conn, requester_id)
        await _tell_remote_rejected(conn, owner, requester_id, request.uri)
        await notification_store.delete_between(conn, owner.id, requester_id, "follow_request")
        return await relationship_of(conn, owner.id, requester_id)


async def _tell_remote_rejected(
    conn: Conn, owner: Account, requester_id: int, uri: str | None
) -> None:
    requester = await account_store.get(conn, requester_id)
    if requester is not None and not requester.local:
        await federation_outbox.answered(conn, owner, requester, "reject", uri)
