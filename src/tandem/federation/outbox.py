"""Outgoing activities. An `ap_outbox` job (queued by core/federation_outbox.py with the
action) renders the activity once and queues one `ap_deliver` job per receiving inbox
(shared inboxes once); each delivery signs and POSTs, and on failure waits and tries again
for about a week, while a server that keeps failing is left alone for a while (the circuit
breaker) instead of being tried by every queued delivery."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from tandem.config import Settings
from tandem.core import (
    actor_keys,
    clock,
    domain_policies,
    federation_delivery,
    federation_objects,
    reactions,
    reports,
    urls,
)
from tandem.core.handles import Database
from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.federation import render
from tandem.federation.fetch import FetchError, Signer, post_activity
from tandem.federation.parse import PUBLIC
from tandem.jobs.worker import JobContext, Retry

log = logging.getLogger("tandem.federation")


# A delivery's `signer_id` for activities the instance actor (`<base>/actor`) signs.
INSTANCE_SIGNER = 0
QUEUE_BATCH = 50  # deliveries queued per transaction


class Outgoing:
    """One activity and the inboxes it goes to (`by_instance`: the instance actor signs)."""

    def __init__(
        self, activity: dict[str, Any], inboxes: Sequence[str | None], by_instance: bool = False
    ) -> None:
        self.activity = activity
        self.inboxes = sorted({i for i in inboxes if i})
        self.by_instance = by_instance


def _nonce() -> int:
    return new_id()


async def build(
    settings: Settings, db: Database, payload: dict[str, Any], actor: Account
) -> Outgoing | None:
    """The activity a queued action stands for (None when what it named is gone)."""
    kind = payload["activity"]
    me = urls.actor_uri(settings, actor)
    if kind == "move":
        new = await federation_objects.account(db, int(payload["target_id"]))
        if new is None:
            return None
        act = render.activity(
            settings,
            "Move",
            actor,
            me,
            activity_id=f"{me}#moves/{_nonce()}",
            extra={"target": urls.actor_uri(settings, new)},
        )
        return Outgoing(act, await federation_objects.follower_inboxes(db, actor.id))
    target: Account | None = None
    if "target_id" in payload:
        target = await federation_objects.account(db, int(payload["target_id"]))
        if target is None or target.local or not target.uri:
            return None
    if kind == "follow" and target is not None:
        follow_id = f"{me}#follows/{_nonce()}"
        await federation_objects.remember_follow_uri(db, actor.id, target.id, follow_id)
        act = render.activity(settings, "Follow", actor, target.uri, activity_id=follow_id)
        return Outgoing(act, [await federation_objects.personal_inbox(db, target.id)])
    if kind == "undo_follow" and target is not None:
        follow = {
            "id": payload.get("follow_uri") or f"{me}#follows/{target.id}",
            "type": "Follow",
            "actor": me,
            "object": target.uri,
        }
        act = render.activity(settings, "Undo", actor, follow, activity_id=f"{me}#undo/{_nonce()}")
        return Outgoing(act, [await federation_objects.personal_inbox(db, target.id)])
    if kind in ("accept", "reject") and target is not None:
        follow = {
            "id": payload.get("follow_uri") or f"{target.uri}#follows/unknown",
            "type": "Follow",
            "actor": target.uri,
            "object": me,
        }
        name = "Accept" if kind == "accept" else "Reject"
        act = render.activity(settings, name, actor, follow, activity_id=f"{me}#{kind}s/{_nonce()}")
        return Outgoing(act, [await federation_objects.personal_inbox(db, target.id)])
    if kind in ("block", "undo_block") and target is not None:
        block_id = f"{me}#blocks/{target.id}"
        act = render.activity(settings, "Block", actor, target.uri, activity_id=block_id)
        if kind == "undo_block":
            act.pop("@context")
            act = render.activity(settings, "Undo", actor, act, activity_id=f"{me}#undo/{_nonce()}")
        return Outgoing(act, [await federation_objects.personal_inbox(db, target.id)])
    if kind in ("create", "update_note"):
        return await _note_activity(settings, db, actor, int(payload["status_id"]), kind)
    if kind == "delete_note":
        uri = urls.status_uri(settings, actor, int(payload["status_id"]))
        act = render.activity(
            settings,
            "Delete",
            actor,
            {"id": uri, "type": "Tombstone"},
            activity_id=f"{uri}#delete",
            to=[PUBLIC],
        )
        return Outgoing(act, list(payload.get("inboxes") or []))
    if kind in ("announce", "undo_announce"):
        return await _announce(settings, db, actor, payload, undo=kind == "undo_announce")
    if kind in ("like", "undo_like") and target is not None:
        return await _like(settings, db, actor, target, payload, undo=kind == "undo_like")
    if kind == "vote" and target is not None:
        return await _vote(settings, db, actor, target, payload)
    if kind in ("pin", "unpin"):
        note_uri = urls.status_uri(settings, actor, int(payload["status_id"]))
        act = render.activity(
            settings,
            "Add" if kind == "pin" else "Remove",
            actor,
            note_uri,
            activity_id=f"{me}#{kind}s/{_nonce()}",
            to=[PUBLIC],
            extra={"target": f"{me}/collections/featured"},
        )
        return Outgoing(act, await federation_objects.follower_inboxes(db, actor.id))
    if kind == "delete_person":
        act = render.activity(
            settings, "Delete", actor, me, activity_id=f"{me}#delete", to=[PUBLIC]
        )
        return Outgoing(act, await federation_objects.known_inboxes(db))
    if kind == "flag" and target is not None:
        return await _flag(settings, db, target, payload)
    if kind == "update_person":
        key = await actor_keys.local_key(db, settings, actor)
        extras = await federation_objects.actor_extras(db, settings, actor)
        person = render.actor(settings, actor, key.public_key_pem, extras)
        person.pop("@context")
        act = render.activity(
            settings,
            "Update",
            actor,
            person,
            activity_id=f"{me}#updates/{_nonce()}",
            to=[PUBLIC],
            cc=[f"{me}/followers"],
        )
        return Outgoing(act, await federation_objects.follower_inboxes(db, actor.id))
    return None


async def _note_activity(
    settings: Settings, db: Database, actor: Account, status_id: int, kind: str
) -> Outgoing | None:
    parts = await federation_objects.note_parts(db, settings, status_id)
    if parts is None or parts.author.id != actor.id:
        return None
    note = render.note_of(settings, parts)
    act = render.create_of(note, context=True)
    if kind == "update_note":
        act.update(type="Update", id=f"{note['id']}#updates/{_nonce()}")
    inboxes = await federation_objects.status_recipients(db, parts.status)
    return Outgoing(act, list(inboxes))


async def _announce(
    settings: Settings, db: Database, actor: Account, payload: dict[str, Any], undo: bool
) -> Outgoing | None:
    original = await federation_objects.note_parts(db, settings, int(payload["original_id"]))
    if original is None:
        return None
    me = urls.actor_uri(settings, actor)
    original_uri = urls.note_uri(settings, original.author, original.status)
    announce_id = f"{urls.status_uri(settings, actor, int(payload['status_id']))}/activity"
    act = render.activity(
        settings,
        "Announce",
        actor,
        original_uri,
        activity_id=announce_id,
        to=[PUBLIC],
        cc=[urls.actor_uri(settings, original.author), f"{me}/followers"],
    )
    if undo:
        act.pop("@context")
        act = render.activity(settings, "Undo", actor, act, activity_id=f"{announce_id}#undo")
    inboxes: list[str | None] = list(await federation_objects.follower_inboxes(db, actor.id))
    if not original.author.local:
        inboxes.append(await federation_objects.personal_inbox(db, original.author.id))
    return Outgoing(act, inboxes)


async def _like(
    settings: Settings,
    db: Database,
    actor: Account,
    author: Account,
    payload: dict[str, Any],
    undo: bool,
) -> Outgoing | None:
    parts = await federation_objects.note_parts(db, settings, int(payload["status_id"]))
    if parts is None:
        return None
    me = urls.actor_uri(settings, actor)
    object_uri = urls.note_uri(settings, parts.author, parts.status)
    reaction = payload.get("reaction")
    extra: dict[str, Any] = {}
    if reaction and reactions.encode(reaction) != reactions.DEFAULT:
        extra = {"content": reaction, "_misskey_reaction": reaction}
    act = render.activity(
        settings,
        "Like",
        actor,
        object_uri,
        activity_id=f"{me}#likes/{parts.status.id}",
        extra=extra,
    )
    if undo:
        act.pop("@context")
        act = render.activity(settings, "Undo", actor, act, activity_id=f"{me}#undo/{_nonce()}")
    return Outgoing(act, [await federation_objects.personal_inbox(db, author.id)])


async def _vote(
    settings: Settings, db: Database, voter: Account, author: Account, payload: dict[str, Any]
) -> Outgoing | None:
    """A vote on a remote poll, as Mastodon sends one: Create of a Note whose `name` is the
    chosen option, in reply to the poll, addressed to its author alone."""
    parts = await federation_objects.note_parts(db, settings, int(payload["status_id"]))
    choice = int(payload["choice"])
    if parts is None or parts.poll is None or not 0 <= choice < len(parts.poll.options):
        return None
    me = urls.actor_uri(settings, voter)
    poll_uri = urls.note_uri(settings, parts.author, parts.status)
    vote_id = f"{me}#votes/{parts.poll.id}/{choice}"
    note = {
        "id": vote_id,
        "type": "Note",
        "name": parts.poll.options[choice],
        "attributedTo": me,
        "inReplyTo": poll_uri,
        "to": [author.uri],
    }
    act = render.activity(
        settings, "Create", voter, note, activity_id=f"{vote_id}/activity", to=[author.uri or ""]
    )
    return Outgoing(act, [await federation_objects.personal_inbox(db, author.id)])


async def _flag(
    settings: Settings, db: Database, target: Account, payload: dict[str, Any]
) -> Outgoing | None:
    """A forwarded report: Flag from the instance actor (the reporter stays anonymous) to the
    reported account's own inbox, and to those of the accounts its reported posts reply to
    (not the target's again), naming it and the reported posts."""
    report_id = int(payload["report_id"])
    parts = await reports.flag_parts(db, settings, report_id)
    if parts is None or not target.uri:
        return None
    act = {
        "@context": render.CONTEXT,
        "id": f"{settings.base_url}/reports/{report_id}",
        "type": "Flag",
        "actor": actor_keys.instance_actor_uri(settings),
        "object": [target.uri, *parts.status_uris],
        "content": parts.report.comment,
    }
    own = {target.inbox_url, target.shared_inbox_url}
    to_origin = payload.get("to_origin", True)
    inboxes = [await federation_objects.personal_inbox(db, target.id)] if to_origin else []
    replied_to = [int(i) for i in payload.get("replied_to", ())]
    inboxes += [i for i in await federation_objects.inboxes_of(db, replied_to) if i not in own]
    return Outgoing(act, inboxes, by_instance=True)


async def fan_out(ctx: JobContext) -> None:
    """`ap_outbox`: render the action's activity, queue its deliveries."""
    services = ctx.services
    actor = await federation_objects.account(services.db, int(ctx.payload["actor_id"]))
    if actor is None or not actor.local:
        return
    outgoing = await build(services.settings, services.db, ctx.payload, actor)
    if outgoing is None or not outgoing.inboxes:
        return
    signer_id = INSTANCE_SIGNER if outgoing.by_instance else actor.id
    if not outgoing.by_instance:
        await actor_keys.local_key(services.db, services.settings, actor)  # made once, here
    # In batches, requests answered between them: one transaction writing hundreds of jobs
    # would hold the event loop (and SQLite's write lock) for tens of milliseconds.
    for start in range(0, len(outgoing.inboxes), QUEUE_BATCH):
        await services.requests.quiet()
        await federation_delivery.queue_deliveries(
            services.db, signer_id, outgoing.activity, outgoing.inboxes[start : start + QUEUE_BATCH]
        )


async def deliver(ctx: JobContext) -> None:
    """`ap_deliver`: one signed POST to one inbox."""
    services = ctx.services
    settings = services.settings
    inbox = str(ctx.payload["inbox"])
    domain = federation_delivery.host_of(inbox)
    policy = await domain_policies.policy_for(services.db, settings, domain)
    if policy.refused:
        return
    breaker = await federation_delivery.breaker(services.db, domain)
    if breaker.paused_until is not None:
        raise Retry(f"{domain} is paused after repeated failures", at=breaker.paused_until)
    signer = await _signer(services.db, settings, int(ctx.payload["signer_id"]))
    if signer is None:
        return
    await services.requests.quiet()  # signing and sending are most of a delivery's work
    try:
        result = await post_activity(settings, inbox, ctx.payload["activity"], signer)
    except FetchError as err:
        await _failed(ctx, domain, str(err))
        return
    if result.ok:
        await federation_delivery.delivered(
            services.db, settings, domain, ok=True, failing=breaker.failing
        )
        return
    if result.permanent:
        log.info("delivery to %s refused (%s): not retried", inbox, result.status)
        return
    await _failed(ctx, domain, f"{inbox} answered {result.status}", result.retry_after)


async def _signer(db: Database, settings: Settings, signer_id: int) -> Signer | None:
    """The key a delivery is signed with: the instance actor's, or a local account's."""
    if signer_id == INSTANCE_SIGNER:
        return Signer(
            actor_keys.instance_key_id(settings), actor_keys.instance_private_key(settings)
        )
    account = await federation_objects.account(db, signer_id)
    if account is None:
        return None
    key = await actor_keys.local_key(db, settings, account)
    assert key.private_key_pem is not None
    return Signer(key.key_id, key.private_key_pem)


async def _failed(ctx: JobContext, domain: str, reason: str, after: float | None = None) -> None:
    await federation_delivery.delivered(ctx.services.db, ctx.services.settings, domain, ok=False)
    if ctx.attempt >= federation_delivery.DELIVERY_ATTEMPTS:
        log.warning("delivery gave up after %s attempts: %s", ctx.attempt, reason)
        return
    wait = federation_delivery.retry_delay(ctx.services.settings, ctx.attempt)
    if after is not None:
        wait = max(wait, timedelta(seconds=min(after, 86400)))
    raise Retry(reason, at=clock.now() + wait)
