"""Follow, block, mute, endorse and note: the rules between two accounts, for every dialect.

Writes decide "already so" inside their transaction, from what their insert or delete did;
called with `again_ok=False` (Misskey) they raise `AlreadyDone` there, which rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.core import clock, federation_outbox, home_feeds, languages, webhooks
from tandem.core.accounts import require
from tandem.core.errors import AlreadyDone, Forbidden, NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text
from tandem.core.models import Account, Page, Relationship
from tandem.store import accounts as account_store
from tandem.store import blocks, endorsements, follows, mutes, relationship_flags
from tandem.store import federation as federation_store
from tandem.store import jobs as job_store
from tandem.store import lists as list_store
from tandem.store import notifications as notification_store
from tandem.store import relationships as pairs
from tandem.store.db import Conn, Database
from tandem.store.follows import FollowOptions

FOLLOW_LIMIT_FLOOR = 7500


class _Keep:
    """Marks a follow option the caller did not send: an existing follow keeps its value."""


KEEP = _Keep()


@dataclass(frozen=True)
class Related:
    """A relationship write's answer: the other account as the write transaction saw it,
    and the caller's relationship to it once the change is made."""

    target: Account
    relationship: Relationship


async def relationships(
    db: Database, viewer: Account, target_ids: Sequence[int]
) -> list[Relationship]:
    async with db.read() as conn:
        return await compute(conn, viewer.id, target_ids)


async def compute(conn: Conn, viewer_id: int, target_ids: Sequence[int]) -> list[Relationship]:
    """Every flag of the viewer's relationship to each target, in the order given (one
    statement, whatever the number of targets)."""
    ids = list(dict.fromkeys(target_ids))
    found = await relationship_flags.relationships_to(conn, viewer_id, ids, clock.now())
    return [found.get(target) or Relationship(target_id=target) for target in ids]


async def relationship_of(conn: Conn, viewer_id: int, target_id: int) -> Relationship:
    return (await compute(conn, viewer_id, [target_id]))[0]


async def _related(conn: Conn, actor: Account, target: Account) -> Related:
    return Related(target, await relationship_of(conn, actor.id, target.id))


def _check_languages(raw: Sequence[str] | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    codes = tuple(dict.fromkeys(c.strip() for c in raw if c and c.strip()))
    bad = [c for c in codes if not languages.is_language(c)]
    if bad:
        raise ValidationFailed.one(
            "languages",
            "invalid",
            Text("contains unknown language codes: {codes}", codes=", ".join(bad)),
        )
    return codes or None


def _already_following() -> AlreadyDone:
    return AlreadyDone("ALREADY_FOLLOWING", "You are already following that user.")


async def follow(
    db: Database,
    actor: Account,
    target_id: int,
    *,
    reblogs: bool | _Keep = KEEP,
    notify: bool | _Keep = KEEP,
    languages_: Sequence[str] | _Keep | None = KEEP,
    max_follows: int = FOLLOW_LIMIT_FLOOR,
    again_ok: bool = True,
) -> Related:
    """Follow, or ask to follow a locked account; calling again updates the options
    (or, with `again_ok=False`, fails with ALREADY_FOLLOWING: Misskey's answer)."""
    if target_id == actor.id:
        raise Forbidden("Following your own account is not allowed")
    langs = KEEP if isinstance(languages_, _Keep) else _check_languages(languages_)
    options: FollowOptions = {}
    if not isinstance(reblogs, _Keep):
        options["show_reblogs"] = reblogs
    if not isinstance(notify, _Keep):
        options["notify"] = notify
    if not isinstance(langs, _Keep):
        options["languages"] = list(langs) if langs else None
    now = clock.now()
    async with db.write() as conn:
        target = await require(conn, target_id)
        # Everything below reads, then writes: concurrent writes for this pair wait here.
        await account_store.lock_accounts(conn, actor.id, target.id)
        existing = await follows.get(conn, actor.id, target.id)
        request = None if existing else await follows.get_request(conn, actor.id, target.id)
        if (existing or request) and not again_ok:
            raise _already_following()
        if target.suspended:
            raise NotFound("account")
        blocking, blocked = await blocks.between(conn, actor.id, target.id)
        if blocking or blocked:
            raise Forbidden(
                "This action is not allowed", code="BLOCKING" if blocking else "BLOCKED"
            )
        if existing is not None:
            await follows.set_options(conn, existing, options)
            return await _related(conn, actor, target)
        if request is not None:
            await follows.set_request_options(conn, request, options)
            return await _related(conn, actor, target)
        me = await account_store.get(conn, actor.id)
        assert me is not None
        limit = max(max_follows, round(me.followers_count * 1.1))
        if me.following_count >= limit:
            raise Unprocessable(
                Text("You cannot follow more than {count} people", count=limit),
                code="FOLLOW_LIMIT",
            )
        if await needs_approval(conn, target, me):
            created = await ask_to_follow(conn, me, target, options, now)
            if created:
                await federation_outbox.follow(conn, me, target)
        else:
            created = await create_follow(conn, actor.id, target.id, options, now)
        if not created and not again_ok:  # a twin got there first (the locks make it rare)
            raise _already_following()
        return await _related(conn, actor, target)


async def needs_approval(conn: Conn, target: Account, follower: Account) -> bool:
    """Locked accounts approve followers; Misskey's careful-bot setting does it for bots only,
    and auto-accept lets in the people the target already follows. A remote account's server
    answers (Accept or Reject): until then the follow waits as a request."""
    if not target.local:
        return True
    if not (target.locked or (target.careful_bot and follower.bot)):
        return False
    if target.auto_accept_followed:
        return not await follows.exists(conn, target.id, follower.id)
    return True


async def ask_to_follow(
    conn: Conn, requester: Account, target: Account, options: FollowOptions, now: datetime
) -> bool:
    """A pending request; a local target is notified. True if this call made it."""
    if not await follows.add_request(conn, requester.id, target.id, options, now):
        return False
    if target.local:
        await notification_store.insert(
            conn, account_id=target.id, from_account_id=requester.id, type="follow_request", now=now
        )
    return True


async def create_follow(
    conn: Conn, follower: int, followed: int, options: FollowOptions, now: datetime
) -> bool:
    """Insert the follow; counters, notification and webhooks only if this call created it."""
    if not await follows.add(conn, follower, followed, options, now):
        return False
    await home_feeds.on_relationship_changed(conn, follower, followed)
    await _adjust_follow_counts(conn, follower, followed, 1)
    await notification_store.insert(
        conn, account_id=followed, from_account_id=follower, type="follow", now=now
    )
    await webhooks.emit(conn, follower, "follow", user_id=followed)
    await webhooks.emit(conn, followed, "followed", user_id=follower)
    return True


async def _adjust_follow_counts(conn: Conn, follower: int, followed: int, delta: int) -> None:
    """Both sides' counters, in ascending account id order (the order rows are locked in)."""
    for account_id in sorted((follower, followed)):
        if account_id == follower:
            await account_store.adjust_counts(conn, follower, following=delta)
        else:
            await account_store.adjust_counts(conn, followed, followers=delta)


async def drop_follow(conn: Conn, follower: int, followed: int) -> bool:
    """Remove a follow and what hangs on it (endorsement, list memberships)."""
    if not await follows.remove(conn, follower, followed):
        return False
    await home_feeds.on_relationship_changed(conn, follower, followed)
    await _adjust_follow_counts(conn, follower, followed, -1)
    await endorsements.remove(conn, follower, followed)
    await list_store.drop_member_from_lists_of(conn, follower, followed)
    return True


async def unfollow(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Related:
    """Stop following, or withdraw a pending request (with `again_ok=False`, having neither
    fails with NOT_FOLLOWING: Misskey's answer)."""
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        uri = await federation_outbox.follow_uri(conn, actor, target)
        if await drop_follow(conn, actor.id, target.id):
            await webhooks.emit(conn, actor.id, "unfollow", user_id=target.id)
        elif await follows.take_request(conn, actor.id, target.id) is None:
            if not again_ok:
                raise AlreadyDone("NOT_FOLLOWING", "You are not following that user.")
            return await _related(conn, actor, target)
        await federation_outbox.stopped_following(conn, actor, target, uri)
        return await _related(conn, actor, target)


async def withdraw_request(db: Database, actor: Account, target_id: int) -> Related:
    """Withdraw a pending follow request (a follow already accepted stays)."""
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        uri = await federation_outbox.follow_uri(conn, actor, target)
        if await follows.take_request(conn, actor.id, target.id) is None:
            raise NotFound("follow_request")
        await federation_outbox.stopped_following(conn, actor, target, uri)
        return await _related(conn, actor, target)


async def remove_from_followers(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Related:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        uri = await federation_outbox.follow_uri(conn, target, actor)
        if await drop_follow(conn, target.id, actor.id):
            await federation_outbox.answered(conn, actor, target, "reject", uri)
        elif not again_ok:
            raise AlreadyDone("NOT_FOLLOWING", "That user is not following you.")
        return await _related(conn, actor, target)


async def block(db: Database, actor: Account, target_id: int, *, again_ok: bool = True) -> Related:
    """Block: both follows end, the target's pending request to us is rejected."""
    now = clock.now()
    async with db.write() as conn:
        target = await require(conn, target_id)
        if target.id == actor.id:
            return await _related(conn, actor, target)
        await account_store.lock_accounts(conn, actor.id, target.id)
        added = await blocks.add(conn, actor.id, target.id, now)
        if not added and not again_ok:
            raise AlreadyDone("ALREADY_BLOCKING", "You are already blocking that user.")
        if added:
            await federation_outbox.between(conn, "block", actor, target)
        await home_feeds.on_relationship_changed(conn, actor.id, target.id)
        await drop_follow(conn, actor.id, target.id)
        await drop_follow(conn, target.id, actor.id)
        await follows.take_request(conn, target.id, actor.id)
        await endorsements.remove(conn, target.id, actor.id)
        # Mastodon's AfterBlockService: what the blocked account notified goes, with its
        # notification request.
        await notification_store.delete_from(conn, actor.id, target.id)
        return await _related(conn, actor, target)


async def unblock(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Related:
    async with db.write() as conn:
        target = await require(conn, target_id)
        if await blocks.remove(conn, actor.id, target.id):
            await federation_outbox.between(conn, "undo_block", actor, target)
        elif not again_ok:
            raise AlreadyDone("NOT_BLOCKING", "You are not blocking that user.")
        return await _related(conn, actor, target)


async def mute(
    db: Database,
    actor: Account,
    target_id: int,
    *,
    notifications: bool = True,
    duration: int = 0,
    again_ok: bool = True,
) -> Related:
    """Mute, optionally for `duration` seconds; muting again updates the options (or fails
    with ALREADY_MUTING when `again_ok` is False)."""
    if duration < 0:
        raise ValidationFailed.one(
            "duration", "invalid", "must be 0 (no end) or a positive number of seconds"
        )
    if duration > clock.MAX_AHEAD_SECONDS:  # also keeps the end within what a datetime holds
        raise ValidationFailed.one(
            "duration",
            "too_long",
            Text("must be at most {count} seconds", count=clock.MAX_AHEAD_SECONDS),
        )
    now = clock.now()
    expires_at = now + timedelta(seconds=duration) if duration else None
    async with db.write() as conn:
        target = await require(conn, target_id)
        if target.id == actor.id:
            return await _related(conn, actor, target)
        await account_store.lock_accounts(conn, actor.id, target.id)
        created = await mutes.add(
            conn,
            actor.id,
            target.id,
            hide_notifications=notifications,
            expires_at=expires_at,
            now=now,
        )
        if not created:  # a mute row exists: a live one is "already muting", an expired one renews
            existing = await mutes.get(conn, actor.id, target.id)
            assert existing is not None  # the accounts are locked: no concurrent unmute
            if mutes.is_live(existing, now) and not again_ok:
                raise AlreadyDone("ALREADY_MUTING", "You are already muting that user.")
            await mutes.change(
                conn, existing, hide_notifications=notifications, expires_at=expires_at
            )
        await home_feeds.on_relationship_changed(conn, actor.id, target.id)
        key = f"mute_expiry:{actor.id}:{target.id}"
        if expires_at is not None:
            await job_store.enqueue(
                conn,
                "expire_mute",
                {"account_id": actor.id, "target_account_id": target.id},
                run_at=expires_at,
                dedupe_key=key,
            )
        else:
            await job_store.cancel(conn, key)
        return await _related(conn, actor, target)


async def unmute(db: Database, actor: Account, target_id: int, *, again_ok: bool = True) -> Related:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        removed = await mutes.remove(conn, actor.id, target.id)
        if not mutes.is_live(removed, clock.now()) and not again_ok:
            raise AlreadyDone("NOT_MUTING", "You are not muting that user.")
        await job_store.cancel(conn, f"mute_expiry:{actor.id}:{target.id}")
        return await _related(conn, actor, target)


async def expire_mute(db: Database, account_id: int, target_id: int) -> bool:
    """Remove a timed mute whose time is up (run by the job worker)."""
    async with db.write() as conn:
        return await mutes.remove_expired(conn, account_id, target_id, clock.now())


_LISTED: dict[str, tuple[pairs.Relation, str]] = {
    "blocks": ("blocks", "account"),
    "mutes": ("mutes", "account"),
    "endorsements": ("endorsements", "account"),
    "follow_requests": ("follow_requests", "target"),
}


async def listed(
    db: Database, owner: Account, kind: str, page: Page
) -> list[tuple[int, Account, dict[str, object]]]:
    """The owner's blocks, mutes, endorsements or incoming follow requests, newest first."""
    relation, side = _LISTED[kind]
    async with db.read() as conn:
        return await pairs.page(
            conn, relation, owner_id=owner.id, owner_side=side, page=page, now=clock.now()
        )


async def following_among(db: Database, viewer_id: int, target_ids: Sequence[int]) -> set[int]:
    """Which of the targets the viewer follows."""
    async with db.read() as conn:
        return set(await pairs.outgoing(conn, "follows", viewer_id, target_ids, clock.now()))


async def for_targets(
    db: Database, viewer: Account, target_ids: Sequence[int], *, with_suspended: bool = False
) -> list[Relationship]:
    """Relationships to the accounts that exist, in request order, each id once."""
    async with db.read() as conn:
        found = await relationship_flags.relationships_to(
            conn,
            viewer.id,
            target_ids,
            clock.now(),
            only_visible=True,
            with_suspended=with_suspended,
        )
    return [found[i] for i in dict.fromkeys(target_ids) if i in found]


async def sever_all(conn: Conn, account_id: int) -> None:
    """Every follow and request to or from the account ends (its server deleted it, or it
    moved away), counters kept right."""
    followers, followed = await federation_store.follow_partners(conn, account_id)
    await account_store.lock_accounts(conn, account_id, *followers, *followed)
    for other in followers:
        if not await drop_follow(conn, other, account_id):
            await follows.take_request(conn, other, account_id)
    for other in followed:
        if not await drop_follow(conn, account_id, other):
            await follows.take_request(conn, account_id, other)
