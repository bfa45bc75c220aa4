"""Follow, block, mute, endorse and note: the rules between two accounts, for every dialect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from tandem.core import clock, languages, webhooks
from tandem.core.accounts import require
from tandem.core.errors import Forbidden, NotFound, Unprocessable, ValidationFailed
from tandem.core.ids import new_id
from tandem.core.models import Account, Page, Relationship
from tandem.store import accounts as account_store
from tandem.store import jobs as job_store
from tandem.store import notifications as notification_store
from tandem.store import relationships as pairs
from tandem.store.db import Conn, Database
from tandem.store.schema import (
    account_notes,
    account_pins,
    blocks,
    follow_requests,
    follows,
    list_accounts,
    lists,
    mutes,
)

FOLLOW_LIMIT_FLOOR = 7500


class _Keep:
    """Marks a follow option the caller did not send: an existing follow keeps its value."""


KEEP = _Keep()


async def relationships(
    db: Database, viewer: Account, target_ids: Sequence[int]
) -> list[Relationship]:
    async with db.read() as conn:
        return await compute(conn, viewer.id, target_ids)


async def compute(conn: Conn, viewer_id: int, target_ids: Sequence[int]) -> list[Relationship]:
    """Every flag of the viewer's relationship to each target, in the order given."""
    ids = list(dict.fromkeys(target_ids))
    now = clock.now()
    following = await pairs.outgoing(conn, follows, viewer_id, ids, now)
    requested = await pairs.outgoing(conn, follow_requests, viewer_id, ids, now)
    blocking = await pairs.outgoing(conn, blocks, viewer_id, ids, now)
    muting = await pairs.outgoing(conn, mutes, viewer_id, ids, now)
    endorsed = await pairs.outgoing(conn, account_pins, viewer_id, ids, now)
    notes = await pairs.outgoing(conn, account_notes, viewer_id, ids, now)
    followed_by = await pairs.incoming(conn, follows, viewer_id, ids)
    blocked_by = await pairs.incoming(conn, blocks, viewer_id, ids)
    requested_by = await pairs.incoming(conn, follow_requests, viewer_id, ids)
    result = []
    for target in ids:
        options = following.get(target) or requested.get(target)
        mute = muting.get(target)
        langs = options.languages if options is not None else None
        result.append(
            Relationship(
                target_id=target,
                following=target in following,
                showing_reblogs=bool(options.show_reblogs) if options is not None else False,
                notifying=bool(options.notify) if options is not None else False,
                languages=tuple(langs) if langs else None,
                followed_by=target in followed_by,
                blocking=target in blocking,
                blocked_by=target in blocked_by,
                muting=mute is not None,
                muting_notifications=bool(mute.hide_notifications) if mute is not None else False,
                muting_expires_at=mute.expires_at if mute is not None else None,
                requested=target in requested,
                requested_by=target in requested_by,
                endorsed=target in endorsed,
                note=notes[target].comment if target in notes else "",
            )
        )
    return result


async def relationship_of(conn: Conn, viewer_id: int, target_id: int) -> Relationship:
    return (await compute(conn, viewer_id, [target_id]))[0]


def _check_languages(raw: Sequence[str] | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    codes = tuple(dict.fromkeys(c.strip() for c in raw if c and c.strip()))
    bad = [c for c in codes if not languages.is_language(c)]
    if bad:
        raise ValidationFailed.one(
            "languages", "invalid", f"contains unknown language codes: {', '.join(bad)}"
        )
    return codes or None


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
) -> Relationship:
    """Follow, or ask to follow a locked account; calling again updates the options
    (or, with `again_ok=False`, fails with ALREADY_FOLLOWING: Misskey's answer)."""
    if target_id == actor.id:
        raise Forbidden("Following your own account is not allowed")
    langs = KEEP if isinstance(languages_, _Keep) else _check_languages(languages_)
    options: dict[str, object] = {}
    if not isinstance(reblogs, _Keep):
        options["show_reblogs"] = reblogs
    if not isinstance(notify, _Keep):
        options["notify"] = notify
    if not isinstance(langs, _Keep):
        options["languages"] = list(langs) if langs else None
    now = clock.now()
    async with db.write() as conn:
        target = await require(conn, target_id)
        if target.suspended:
            raise NotFound("Record")
        # Everything below reads, then writes: concurrent writes for this pair wait here.
        await account_store.lock_accounts(conn, actor.id, target.id)
        if await pairs.blocked_either_way(conn, actor.id, target.id):
            raise Forbidden("This action is not allowed")
        for table in (follows, follow_requests):
            existing = await pairs.find(conn, table, actor.id, target.id)
            if existing is not None:
                if not again_ok:
                    raise Unprocessable(
                        "You are already following that user.", code="ALREADY_FOLLOWING"
                    )
                await pairs.update_pair(conn, table, existing.id, **options)
                return await relationship_of(conn, actor.id, target.id)
        me = await account_store.get(conn, actor.id)
        assert me is not None
        limit = max(max_follows, round(me.followers_count * 1.1))
        if me.following_count >= limit:
            raise Unprocessable(f"You cannot follow more than {limit} people", code="FOLLOW_LIMIT")
        settings = {
            "show_reblogs": options.get("show_reblogs", True),
            "notify": options.get("notify", False),
            "languages": options.get("languages"),
        }
        if await _needs_approval(conn, target, me):
            created = await pairs.insert(
                conn,
                follow_requests,
                id=new_id(),
                account_id=actor.id,
                target_account_id=target.id,
                created_at=now,
                **settings,
            )
            if created:
                await notification_store.insert(
                    conn,
                    account_id=target.id,
                    from_account_id=actor.id,
                    type="follow_request",
                    now=now,
                )
        else:
            await create_follow(conn, actor.id, target.id, settings, now)
        return await relationship_of(conn, actor.id, target.id)


async def _needs_approval(conn: Conn, target: Account, follower: Account) -> bool:
    """Locked accounts approve followers; Misskey's careful-bot setting does it for bots only,
    and auto-accept lets in the people the target already follows."""
    if not (target.locked or (target.careful_bot and follower.bot)):
        return False
    if target.auto_accept_followed:
        return await pairs.find(conn, follows, target.id, follower.id) is None
    return True


async def create_follow(
    conn: Conn, follower: int, followed: int, settings: Mapping[str, object], now: datetime
) -> bool:
    """Insert the follow; counters, notification and webhooks only if this call created it."""
    created = await pairs.insert(
        conn,
        follows,
        id=new_id(),
        account_id=follower,
        target_account_id=followed,
        created_at=now,
        **settings,
    )
    if not created:
        return False
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


async def _drop_follow(conn: Conn, follower: int, followed: int) -> bool:
    """Remove a follow and what hangs on it (endorsement, list memberships)."""
    row = await pairs.remove(conn, follows, follower, followed)
    if row is None:
        return False
    await _adjust_follow_counts(conn, follower, followed, -1)
    await pairs.remove(conn, account_pins, follower, followed)
    await conn.execute(
        list_accounts.delete().where(
            list_accounts.c.account_id == followed,
            list_accounts.c.list_id.in_(
                lists.select().with_only_columns(lists.c.id).where(lists.c.account_id == follower)
            ),
        )
    )
    return True


async def unfollow(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Relationship:
    """Stop following, or withdraw a pending request (with `again_ok=False`, having neither
    fails with NOT_FOLLOWING: Misskey's answer)."""
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        if await _drop_follow(conn, actor.id, target.id):
            await webhooks.emit(conn, actor.id, "unfollow", user_id=target.id)
        else:
            withdrawn = await pairs.remove(conn, follow_requests, actor.id, target.id)
            if withdrawn is None and not again_ok:
                raise Unprocessable("You are not following that user.", code="NOT_FOLLOWING")
        return await relationship_of(conn, actor.id, target.id)


async def remove_from_followers(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Relationship:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        if not await _drop_follow(conn, target.id, actor.id) and not again_ok:
            raise Unprocessable("That user is not following you.", code="NOT_FOLLOWING")
        return await relationship_of(conn, actor.id, target.id)


async def block(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Relationship:
    """Block: both follows end, the target's pending request to us is rejected."""
    now = clock.now()
    async with db.write() as conn:
        target = await require(conn, target_id)
        if target.id == actor.id:
            return await relationship_of(conn, actor.id, target.id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        if not again_ok and await pairs.find(conn, blocks, actor.id, target.id) is not None:
            raise Unprocessable("You are already blocking that user.", code="ALREADY_BLOCKING")
        await _drop_follow(conn, actor.id, target.id)
        await _drop_follow(conn, target.id, actor.id)
        await pairs.remove(conn, follow_requests, target.id, actor.id)
        await pairs.remove(conn, account_pins, target.id, actor.id)
        await pairs.insert(
            conn,
            blocks,
            id=new_id(),
            account_id=actor.id,
            target_account_id=target.id,
            created_at=now,
        )
        return await relationship_of(conn, actor.id, target.id)


async def unblock(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Relationship:
    async with db.write() as conn:
        target = await require(conn, target_id)
        removed = await pairs.remove(conn, blocks, actor.id, target.id)
        if removed is None and not again_ok:
            raise Unprocessable("You are not blocking that user.", code="NOT_BLOCKING")
        return await relationship_of(conn, actor.id, target.id)


async def mute(
    db: Database,
    actor: Account,
    target_id: int,
    *,
    notifications: bool = True,
    duration: int = 0,
    again_ok: bool = True,
) -> Relationship:
    """Mute, optionally for `duration` seconds; muting again updates the options (or fails
    with ALREADY_MUTING when `again_ok` is False)."""
    if duration < 0:
        raise ValidationFailed.one(
            "duration", "invalid", "must be 0 (no end) or a positive number of seconds"
        )
    if duration > clock.MAX_AHEAD_SECONDS:  # also keeps the end within what a datetime holds
        raise ValidationFailed.one(
            "duration", "too_long", f"must be at most {clock.MAX_AHEAD_SECONDS} seconds"
        )
    now = clock.now()
    expires_at = now + timedelta(seconds=duration) if duration else None
    async with db.write() as conn:
        target = await require(conn, target_id)
        if target.id == actor.id:
            return await relationship_of(conn, actor.id, target.id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        existing = await pairs.find(conn, mutes, actor.id, target.id)
        live = existing is not None and (existing.expires_at is None or existing.expires_at > now)
        if live and not again_ok:
            raise Unprocessable("You are already muting that user.", code="ALREADY_MUTING")
        if existing is None:
            await pairs.insert(
                conn,
                mutes,
                id=new_id(),
                account_id=actor.id,
                target_account_id=target.id,
                hide_notifications=notifications,
                expires_at=expires_at,
                created_at=now,
            )
        else:
            await pairs.update_pair(
                conn, mutes, existing.id, hide_notifications=notifications, expires_at=expires_at
            )
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
        return await relationship_of(conn, actor.id, target.id)


async def unmute(
    db: Database, actor: Account, target_id: int, *, again_ok: bool = True
) -> Relationship:
    async with db.write() as conn:
        target = await require(conn, target_id)
        await account_store.lock_accounts(conn, actor.id, target.id)
        removed = await pairs.remove(conn, mutes, actor.id, target.id)
        live = removed is not None and (
            removed.expires_at is None or removed.expires_at > clock.now()
        )
        if not live and not again_ok:
            raise Unprocessable("You are not muting that user.", code="NOT_MUTING")
        await job_store.cancel(conn, f"mute_expiry:{actor.id}:{target.id}")
        return await relationship_of(conn, actor.id, target.id)


async def expire_mute(db: Database, account_id: int, target_id: int) -> bool:
    """Remove a timed mute whose time is up (run by the job worker)."""
    async with db.write() as conn:
        row = await pairs.find(conn, mutes, account_id, target_id)
        if row is None or row.expires_at is None or row.expires_at > clock.now():
            return False
        return await pairs.delete_by_id(conn, mutes, row.id)


async def listed(
    db: Database, owner: Account, kind: str, page: Page
) -> list[tuple[int, Account, dict[str, object]]]:
    """The owner's blocks, mutes, endorsements or incoming follow requests, newest first."""
    table, side, cursor = {
        "blocks": (blocks, "account", "row"),
        "mutes": (mutes, "account", "row"),
        "endorsements": (account_pins, "account", "row"),
        "follow_requests": (follow_requests, "target", "row"),
    }[kind]
    async with db.read() as conn:
        return await pairs.page(
            conn,
            table,
            owner_id=owner.id,
            owner_side=side,
            page=page,
            now=clock.now(),
            cursor=cursor,
        )


async def following_among(db: Database, viewer_id: int, target_ids: Sequence[int]) -> set[int]:
    """Which of the targets the viewer follows."""
    async with db.read() as conn:
        return set(await pairs.outgoing(conn, follows, viewer_id, target_ids, clock.now()))


async def for_targets(
    db: Database, viewer: Account, target_ids: Sequence[int], *, with_suspended: bool = False
) -> list[Relationship]:
    """Relationships to the accounts that exist, in request order, each id once."""
    async with db.read() as conn:
        found = await account_store.get_many(conn, target_ids, only_functional=True)
        wanted = [
            i
            for i in dict.fromkeys(target_ids)
            if i in found and (with_suspended or not found[i].suspended)
        ]
        return await compute(conn, viewer.id, wanted)
