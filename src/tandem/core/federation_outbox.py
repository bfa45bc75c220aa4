"""What other servers must hear of: each local action that concerns a remote account queues
one `ap_outbox` job in the action's own transaction (so it is sent exactly when the action
commits). The job (federation/outbox.py) renders the activity and queues one delivery per
receiving inbox.

The checks here are cheap: an action between local accounts only, or a post by an account
without remote followers, mentions or parent, queues nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from tandem.core.models import Account, Status
from tandem.store import accounts as account_store
from tandem.store import federation as store
from tandem.store import follows
from tandem.store import jobs as job_store
from tandem.store.db import Conn

JOB = "ap_outbox"

Activity = Literal[
    "follow",
    "undo_follow",
    "accept",
    "reject",
    "block",
    "undo_block",
    "create",
    "update_note",
    "delete_note",
    "announce",
    "undo_announce",
    "like",
    "undo_like",
    "vote",
    "update_person",
    "move",
    "pin",
    "unpin",
    "delete_person",
    "flag",
]


async def _queue(conn: Conn, activity: Activity, actor_id: int, **data: Any) -> None:
    await job_store.enqueue(
        conn, JOB, {"activity": activity, "actor_id": actor_id, **data}, max_attempts=3
    )


async def between(
    conn: Conn, activity: Activity, actor: Account, target: Account, **data: Any
) -> None:
    """An action of a local account towards a remote one (follow, block, accept…)."""
    if actor.local and not target.local:
        await _queue(conn, activity, actor.id, target_id=target.id, **data)


async def follow(conn: Conn, actor: Account, target: Account) -> None:
    """A follow request to a remote account (the job names its Follow and keeps the name on
    the request: Accept, Reject and Undo refer to it)."""
    await between(conn, "follow", actor, target)


async def follow_uri(conn: Conn, follower: Account, followed: Account) -> str | None:
    """The Follow activity's id kept on a follow or request that crosses servers (read it
    before the row goes)."""
    if follower.local == followed.local:
        return None
    return await store.follow_uri(conn, follower.id, followed.id)


async def keep_follow_uri(conn: Conn, follower_id: int, followed_id: int, uri: str | None) -> None:
    """A request became a follow: the follow keeps the request's Follow id."""
    if uri:
        await follows.set_follow_uri(conn, follower_id, followed_id, uri)


async def stopped_following(conn: Conn, actor: Account, target: Account, uri: str | None) -> None:
    """Unfollowed, or a request withdrawn: Undo(Follow)."""
    await between(conn, "undo_follow", actor, target, follow_uri=uri)


async def answered(
    conn: Conn,
    owner: Account,
    requester: Account,
    answer: Literal["accept", "reject"],
    uri: str | None,
) -> None:
    """A local account accepted or rejected a remote account's follow (or removed it from its
    followers: a Reject too)."""
    await between(conn, answer, owner, requester, follow_uri=uri)


async def _status_has_audience(conn: Conn, author: Account, status: Status) -> bool:
    if not author.local:
        return False
    if status.visibility in ("public", "unlisted", "private") and await store.has_remote_followers(
        conn, author.id
    ):
        return True
    related = _related(status)
    return bool(related) and bool(await store.inboxes_of(conn, related))


async def posted(conn: Conn, author: Account, status: Status) -> None:
    """A new local status (Create Note)."""
    if await _status_has_audience(conn, author, status):
        await _queue(conn, "create", author.id, status_id=status.id)


async def edited(conn: Conn, author: Account, status: Status) -> None:
    if await _status_has_audience(conn, author, status):
        await _queue(conn, "update_note", author.id, status_id=status.id)


async def deleted(conn: Conn, author: Account, status: Status) -> None:
    """A local status went (Delete of a Tombstone): who heard of it is worked out now, while
    the rows that say so still exist."""
    if await _status_has_audience(conn, author, status):
        inboxes = await recipient_inboxes(conn, status)
        await _queue(conn, "delete_note", author.id, status_id=status.id, inboxes=inboxes)


def _related(status: Status) -> list[int]:
    """The accounts a status is addressed to beyond followers: mentioned, replied to."""
    related = [m.account_id for m in status.mentions]
    if status.in_reply_to_account_id:
        related.append(status.in_reply_to_account_id)
    return related


async def recipient_inboxes(conn: Conn, status: Status) -> list[str]:
    """The inboxes a status goes to (its Create, Update and Delete alike): its author's
    remote followers (unless direct), the remote accounts it mentions, and the author of
    what it replies to."""
    inboxes: set[str] = set()
    if status.visibility != "direct":
        inboxes.update(await store.follower_inboxes(conn, status.account_id))
    inboxes.update(await store.inboxes_of(conn, _related(status)))
    return sorted(inboxes)


async def _boost_has_audience(conn: Conn, actor: Account, original: Status) -> bool:
    if not actor.local:
        return False
    author = await account_store.get(conn, original.account_id)
    remote_author = author is not None and not author.local
    return remote_author or await store.has_remote_followers(conn, actor.id)


async def reblogged(conn: Conn, actor: Account, reblog: Status, original: Status) -> None:
    """A local account boosted a status (Announce to its followers and the author)."""
    if await _boost_has_audience(conn, actor, original):
        await _queue(conn, "announce", actor.id, status_id=reblog.id, original_id=original.id)


async def unreblogged(conn: Conn, actor: Account, reblog_id: int, original: Status) -> None:
    if await _boost_has_audience(conn, actor, original):
        await _queue(conn, "undo_announce", actor.id, status_id=reblog_id, original_id=original.id)


async def reacted(
    conn: Conn, actor: Account, status: Status, reaction: str | None, undo: bool
) -> None:
    """A local account favourited or reacted to a remote status (Like, with Misskey's
    reaction when it is not the plain favourite), or took it back."""
    if not actor.local:
        return
    author = await account_store.get(conn, status.account_id)
    if author is not None and not author.local:
        await _queue(
            conn,
            "undo_like" if undo else "like",
            actor.id,
            status_id=status.id,
            target_id=author.id,
            reaction=reaction,
        )


async def voted(conn: Conn, voter: Account, status: Status, choices: Sequence[int]) -> None:
    """A local account voted on a remote poll: one Create(Note) naming each choice, to the
    poll's author (as Mastodon sends votes)."""
    if not voter.local:
        return
    author = await account_store.get(conn, status.account_id)
    if author is not None and not author.local:
        for choice in choices:
            await _queue(
                conn, "vote", voter.id, status_id=status.id, target_id=author.id, choice=choice
            )


async def profile_updated(conn: Conn, account: Account) -> None:
    """Update(Person) to the account's remote followers."""
    if account.local and await store.has_remote_followers(conn, account.id):
        await _queue(conn, "update_person", account.id)


async def moved(conn: Conn, old: Account, new: Account) -> None:
    """A local account moved (Move to its remote followers, naming the new account)."""
    if old.local and await store.has_remote_followers(conn, old.id):
        await _queue(conn, "move", old.id, target_id=new.id)


async def pinned(conn: Conn, account: Account, status: Status, on: bool) -> None:
    """A local account pinned or unpinned a post: Add or Remove on its featured collection,
    to its remote followers."""
    if (
        account.local
        and status.visibility in ("public", "unlisted")
        and await store.has_remote_followers(conn, account.id)
    ):
        await _queue(conn, "pin" if on else "unpin", account.id, status_id=status.id)


async def account_deleted(conn: Conn, account: Account) -> None:
    """A local account was deleted: Delete of its actor to every server this one knows."""
    if account.local and await store.known_inboxes(conn):
        await _queue(conn, "delete_person", account.id)


async def reported(
    conn: Conn,
    reporter: Account,
    target: Account,
    report_id: int,
    *,
    to_origin: bool = True,
    replied_to: Sequence[int] = (),
) -> None:
    """A local user's report of a remote account, forwarded to its server (`to_origin`) and
    to the servers of the accounts its reported posts reply to: a Flag, sent by this
    server's instance actor (the reporter stays anonymous, as with Mastodon)."""
    if reporter.local and not target.local:
        await _queue(
            conn,
            "flag",
            reporter.id,
            target_id=target.id,
            report_id=report_id,
            to_origin=to_origin,
            replied_to=list(replied_to),
        )
