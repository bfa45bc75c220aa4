"""Moving an account: the old account names the new one (`movedTo`), and its followers here
follow the new one instead (as Mastodon and Misskey do). The new account must list the old
one among its aliases (`alsoKnownAs`) first, so nobody can take another's followers.

A local account moves through Misskey's `i/move`; a remote one tells us with a Move
activity. Either way the followers on this server are carried over by a job
(`account_move_followers`), one follow at a time through the usual follow rules (a locked or
remote new account gets requests).
"""

from __future__ import annotations

import logging

from tandem.config import Settings
from tandem.core import clock, federation_outbox, relationships, urls
from tandem.core.errors import Forbidden, NotFound, Unprocessable
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store import federation as store
from tandem.store import jobs as job_store
from tandem.store.db import Database

log = logging.getLogger("tandem.moves")
CARRY_JOB = "account_move_followers"


def _aliased(settings: Settings, old: Account, new: Account) -> bool:
    return urls.actor_uri(settings, old) in new.also_known_as


async def move_local(db: Database, settings: Settings, old: Account, new: Account) -> Account:
    """A local account moves to `new` (local or remote): the refreshed old account."""
    if old.moved_to_account_id is not None:
        raise Unprocessable("Account was already moved to another account.", code="ALREADY_MOVED")
    if old.role == "owner":
        raise Forbidden("The root can't migrate.", code="NOT_ROOT_FORBIDDEN")
    if new.id == old.id or new.moved_to_account_id is not None or not _aliased(settings, old, new):
        raise Unprocessable(
            "Destination account doesn't have proper 'Known As' alias, or has already moved.",
            code="DESTINATION_ACCOUNT_FORBIDS",
        )
    async with db.write() as conn:
        await account_store.set_moved_to(conn, old.id, new.id)
        await federation_outbox.moved(conn, old, new)
        await job_store.enqueue(conn, CARRY_JOB, {"old_id": old.id, "new_id": new.id})
        moved = await account_store.get(conn, old.id)
    assert moved is not None
    return moved


async def moved_remote(db: Database, settings: Settings, old: Account, new: Account) -> bool:
    """A remote account told us it moved (Move, its new account read anew): False when the
    new account does not name the old one as an alias."""
    if new.id == old.id or not _aliased(settings, old, new):
        return False
    async with db.write() as conn:
        await account_store.set_moved_to(conn, old.id, new.id)
        await job_store.enqueue(conn, CARRY_JOB, {"old_id": old.id, "new_id": new.id})
    return True


async def carry_followers(db: Database, old_id: int, new_id: int) -> int:
    """The old account's local followers follow the new one and stop following the old:
    how many now follow (or asked to follow) the new account."""
    async with db.read() as conn:
        followers = await store.local_follower_ids(conn, old_id)
        old = await account_store.get(conn, old_id)
        new = await account_store.get(conn, new_id)
    if old is None or new is None:
        return 0
    carried = 0
    for follower_id in followers:
        async with db.read() as conn:
            follower = await account_store.get(conn, follower_id)
        if follower is None or follower.id == new.id:
            continue
        try:
            await relationships.follow(db, follower, new.id)
            carried += 1
        except (Forbidden, NotFound, Unprocessable) as err:
            log.info("follower %s not carried to %s: %s", follower.id, new.id, err)
        await relationships.unfollow(db, follower, old.id)
    log.info("move %s -> %s: %s followers carried at %s", old.id, new.id, carried, clock.now())
    return carried
