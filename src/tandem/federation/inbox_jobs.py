"""`ap_inbox` jobs: an activity the inbox accepted, done through core's rules as the actor
whose signature was verified. Activities about things this server does not have (a like of
a post it never saw, an undo of nothing) are dropped quietly, as other servers do."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from tandem.config import Settings
from tandem.core import (
    account_moves,
    domain_policies,
    federation_inbox,
    federation_objects,
    reactions,
    remote_statuses,
    reports,
    urls,
)
from tandem.core.models import Account
from tandem.federation import parse, resolve
from tandem.jobs.worker import JobContext
from tandem.services import Services

log = logging.getLogger("tandem.federation")


async def process_inbox(ctx: JobContext) -> None:
    services = ctx.services
    actor = await federation_objects.account(services.db, int(ctx.payload["signer_id"]))
    if actor is None or actor.local or actor.suspended:
        return
    activity: dict[str, Any] = ctx.payload["activity"]
    try:
        await handle(services, actor, activity)
    except (parse.ParseError, resolve.ResolveError) as err:
        log.info("activity %s from %s dropped: %s", activity.get("id"), actor.uri, err)


async def handle(services: Services, actor: Account, activity: dict[str, Any]) -> None:
    kinds = parse.types(activity)
    kind = kinds[0] if kinds else ""
    obj = activity.get("object")
    handler = _HANDLERS.get(kind)
    if handler is not None:
        await handler(services, actor, activity, obj)


def _local_follower(settings: Settings, follow: Any) -> int | None:
    """The local account whose Follow an Accept or Reject answers: the embedded Follow's
    actor, or the actor our Follow's id names (`<actor>#follows/…`)."""
    if isinstance(follow, dict):
        return urls.local_actor_id(settings, parse.ident(follow.get("actor")) or "")
    follow_id = parse.ident(follow) or ""
    return urls.local_actor_id(settings, follow_id.split("#", 1)[0])


async def _follow(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    target = await federation_inbox.local_target(
        services.db, services.settings, parse.ident(obj) or ""
    )
    follow_id = parse.ident(activity)
    if target is not None and follow_id:
        await federation_inbox.follow(services.db, actor, target, follow_id)


async def _answer(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    follower_id = _local_follower(services.settings, obj)
    if follower_id is None:
        return
    follower = await federation_objects.local_account(services.db, follower_id)
    if follower is None:
        return
    if "Accept" in parse.types(activity):
        await federation_inbox.follow_accepted(services.db, actor, follower)
    else:
        await federation_inbox.follow_rejected(services.db, actor, follower)


async def _undo(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    db, settings = services.db, services.settings
    inner_kinds = parse.types(obj) if isinstance(obj, dict) else []
    inner_object = parse.ident(obj.get("object")) if isinstance(obj, dict) else None
    if isinstance(obj, dict) and parse.ident(obj.get("actor")) not in (None, actor.uri):
        return  # only one's own activity can be undone
    if "Follow" in inner_kinds:
        target = await federation_inbox.local_target(db, settings, inner_object or "")
        if target is not None:
            await federation_inbox.unfollowed(db, actor, target)
    elif "Block" in inner_kinds:
        target = await federation_inbox.local_target(db, settings, inner_object or "")
        if target is not None:
            await federation_inbox.blocked(db, actor, target, on=False)
    elif inner_kinds and inner_kinds[0] in ("Like", "EmojiReact") and inner_object:
        await federation_inbox.unliked(db, settings, actor, inner_object)
    elif "Announce" in inner_kinds or not inner_kinds:
        announce_id = parse.ident(obj)
        if announce_id:
            await federation_inbox.unannounced(db, settings, actor, announce_id)


async def _block(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    target = await federation_inbox.local_target(
        services.db, services.settings, parse.ident(obj) or ""
    )
    if target is not None:
        await federation_inbox.blocked(services.db, actor, target, on=True)


async def _create(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    if isinstance(obj, str):
        await resolve.status_by_uri(services.db, services.settings, obj)
        return
    if not isinstance(obj, dict):
        return
    if not any(t in parse.NOTE_TYPES for t in parse.types(obj)):
        return
    vote = parse.poll_vote(obj)
    if vote is not None:
        await federation_inbox.poll_voted(services.db, services.settings, actor, *vote)
        return
    note = parse.note(obj, actor.followers_url)
    if note.author_uri != actor.uri:
        raise parse.ParseError("a note attributed to someone else")
    policy = await domain_policies.policy_for(services.db, services.settings, actor.domain or "")
    if policy.reject_media:  # the post is kept, its files are not shown
        note = replace(note, media=[])
    await remote_statuses.receive(services.db, services.settings, actor, note)


async def _update(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    db, settings = services.db, services.settings
    kinds = parse.types(obj) if isinstance(obj, dict) else []
    if any(t in parse.ACTOR_TYPES for t in kinds) and actor.uri and parse.ident(obj) == actor.uri:
        # The document is read again from its server rather than taken from the message.
        await resolve.account_by_uri(db, settings, actor.uri, refresh=True, domain=actor.domain)
    elif isinstance(obj, dict) and any(t in parse.NOTE_TYPES for t in kinds):
        note = parse.note(obj, actor.followers_url)
        if note.author_uri == actor.uri:
            await remote_statuses.revise(db, actor, note)


async def _delete(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    target = parse.ident(obj)
    if not target:
        return
    if target == actor.uri:
        await federation_inbox.account_deleted(services.db, actor)
    else:
        await federation_inbox.note_deleted(services.db, actor, target)


async def _announce(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    target = parse.ident(obj)
    announce_id = parse.ident(activity)
    if not target or not announce_id:
        return
    await resolve.status_by_uri(services.db, services.settings, target)
    await federation_inbox.announced(services.db, services.settings, actor, target, announce_id)


def _reaction(activity: dict[str, Any]) -> str | None:
    """Misskey's `_misskey_reaction` (or EmojiReact's `content`); a custom emoji of another
    server, which this one cannot show, counts as the plain like."""
    raw = activity.get("_misskey_reaction") or activity.get("content")
    if not isinstance(raw, str) or not raw or raw.startswith(":"):
        return None
    return reactions.normalize(raw)


async def _like(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    target = parse.ident(obj)
    if target:
        await federation_inbox.liked(
            services.db, services.settings, actor, target, _reaction(activity)
        )


async def _move(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    """Move: the actor moved to `target`, which must name it among its aliases (read anew
    from its server, or this server's own account)."""
    db, settings = services.db, services.settings
    target = parse.ident(activity.get("target"))
    if parse.ident(obj) != actor.uri or not target:
        return
    local_id = urls.local_actor_id(settings, target)
    if local_id is not None:
        new = await federation_objects.local_account(db, local_id)
    else:
        new = await resolve.account_by_uri(db, settings, target, refresh=True)
    if new is not None:
        await account_moves.moved_remote(db, settings, actor, new)


async def _flag(services: Services, actor: Account, activity: dict[str, Any], obj: Any) -> None:
    """Flag: a report from another server (often sent by its instance actor) of accounts of
    ours and their posts; dropped when this server ignores that one's reports."""
    db, settings = services.db, services.settings
    policy = await domain_policies.policy_for(db, settings, actor.domain or "")
    if policy.reject_reports:
        return
    content = activity.get("content")
    flag_id = parse.ident(activity)
    # The Flag's id is kept only when it is on the sender's server (it names the report).
    same_server = flag_id is not None and parse.host(flag_id) == parse.host(actor.uri or "")
    await reports.received(
        db,
        settings,
        actor,
        parse.ids(obj),
        content if isinstance(content, str) else "",
        flag_id if same_server else None,
    )


_HANDLERS = {
    "Follow": _follow,
    "Accept": _answer,
    "Reject": _answer,
    "Undo": _undo,
    "Block": _block,
    "Create": _create,
    "Update": _update,
    "Delete": _delete,
    "Announce": _announce,
    "Like": _like,
    "EmojiReact": _like,
    "Move": _move,
    "Flag": _flag,
}
