"""Home feeds, written when statuses are posted (fan-out on write) so reading one is a page
of an index, whatever the number of accounts.

Who receives a status (Mastodon's rules): the author, and every local follower, except
followers who block or mute the author (or the reblogged author), who hide the author's
reblogs (`show_reblogs=false`) when it is a reblog, or who keep the author in an exclusive
list; a reply to someone else reaches only those who follow the replied-to account too (or
are that account); a direct status reaches only mentioned followers. Reading filters blocks
and mutes again, so a mute made later hides what was already delivered.

The hooks below run inside the transaction that changes the status or the relationship:
small fan-outs happen there, big ones (and every merge or purge) in a job queued in that
same transaction, so posting stays fast for an account with many followers.
"""

from __future__ import annotations

from tandem.core import clock
from tandem.core.models import Account, Status
from tandem.store import blocks, mutes
from tandem.store import home_feeds as store
from tandem.store import jobs as job_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database

# Above this many followers the fan-out leaves the posting request for a job.
INLINE_FOLLOWERS = 1000
# How many of an account's recent statuses a new follower's feed receives (Mastodon: 200).
MERGE_LIMIT = 200


def _entry(status: Status, origin_author_id: int | None) -> store.Entry:
    return store.Entry(
        status_id=status.id,
        author_id=status.account_id,
        origin_author_id=origin_author_id,
        visibility=status.visibility,
        in_reply_to_account_id=status.in_reply_to_account_id,
    )


async def on_posted(
    conn: Conn, author: Account, status: Status, origin_author_id: int | None = None
) -> None:
    """A status (or a reblog, with its original's author) was created in this transaction."""
    entry = _entry(status, origin_author_id)
    if author.followers_count > INLINE_FOLLOWERS:
        await store.add_to_author(conn, entry)
        await job_store.enqueue(conn, "home_feed_fan_out", {"status_id": status.id})
    else:
        await store.fan_out(conn, entry, clock.now())


async def on_relationship_changed(conn: Conn, account_id: int, target_id: int) -> None:
    """A follow, unfollow, block or mute between the two: the account's feed catches up in a
    job, which reads the relationship as it is then (so crossing changes settle right)."""
    await job_store.enqueue(
        conn,
        "home_feed_sync",
        {"account_id": account_id, "target_account_id": target_id},
        dedupe_key=f"home_feed:{account_id}:{target_id}",
    )


async def fan_out(db: Database, status_id: int) -> None:
    """The job behind a big fan-out (the author's own entry is already there)."""
    async with db.write() as conn:
        status = await status_store.get(conn, status_id)
        if status is None:
            return  # deleted before the job ran
        origin = None
        if status.reblog_of_id is not None:
            original = await status_store.get(conn, status.reblog_of_id)
            origin = original.account_id if original else None
        await store.fan_out(conn, _entry(status, origin), clock.now(), with_author=False)


async def sync(db: Database, account_id: int, target_id: int) -> None:
    """Merge the target's recent statuses into the account's feed if it follows the target
    (and neither blocks nor mutes), else remove them."""
    now = clock.now()
    async with db.write() as conn:
        blocked = any(await blocks.between(conn, account_id, target_id))
        muted = await mutes.mutes_now(conn, account_id, target_id, now)
        if blocked or muted:
            await store.purge(conn, account_id, target_id, reblogs_of=True)
        elif await store.is_following(conn, account_id, target_id):
            await store.merge(conn, account_id, target_id, MERGE_LIMIT, now)
        else:
            await store.purge(conn, account_id, target_id, reblogs_of=False)
