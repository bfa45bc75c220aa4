"""What a stream tells its client about an event of the bus, rendered for its viewer.

Events carry ids; each is loaded here through the same core calls and serializers as the
REST routes, for the stream's viewer: a status only when the timeline the stream mirrors
would show it to that viewer (blocks, mutes, visibility; `hide` filters drop it, others mark
it `filtered`), a notification as `/api/v1/notifications/:id` shows it, a conversation as
`/api/v1/conversations` does. The answer is Mastodon's event name and its payload, a JSON
string (None for `filters_changed`, which has none).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import orjson

from tandem.api.mastodon import filtering
from tandem.api.mastodon.endpoint import Ctx
from tandem.api.mastodon.entities.announcements import announcements as announcement_entities
from tandem.api.mastodon.entities.cards import conversation
from tandem.api.mastodon.entities.statuses import statuses
from tandem.api.mastodon.routes.notifications import _shown as shown_notifications
from tandem.api.mastodon.streaming.streams import BROADCAST, HASHTAG, Stream
from tandem.api.mastodon.views import bundle_render, render
from tandem.core import announcements, conversations, notifications, relationships, timelines
from tandem.core import statuses as status_rules
from tandem.core.errors import NotFound
from tandem.core.events import Event
from tandem.core.models import Account, Page
from tandem.core.notification_kinds import MISSKEY_ONLY_TYPES
from tandem.core.statuses import StatusBundle

Out = tuple[str, str | None]
CONVERSATIONS_LOOKED_AT = 40  # the updated conversation is the newest: the first page has it


def _payload(value: object) -> str:
    return orjson.dumps(value).decode()


def _only(status_id: int) -> Page:
    """The window of a timeline holding just this status."""
    return Page(limit=1, max_id=status_id + 1, since_id=status_id - 1)


async def _timeline(ctx: Ctx, stream: Stream, status_id: int) -> tuple[StatusBundle, str] | None:
    """The status as the timeline this stream mirrors shows it to the viewer (None: it
    would not show it), with the filter context of that timeline."""
    viewer = ctx.viewer
    name = stream.name
    try:
        if name == "user":
            found = await status_rules.show(ctx.db, viewer, status_id)
            return found, "home"
        if name.startswith("public"):
            shown = timelines.Shown(
                local=True if ":local" in name else None, only_media=name.endswith(":media")
            )
            found = await timelines.public(ctx.db, viewer, _only(status_id), shown)
            return found, "public"
        if name in HASHTAG and stream.param is not None:
            shown = timelines.Shown(local=True if name == "hashtag:local" else None)
            shown = replace(shown, with_replies=True)
            tags = timelines.Tagged(any_of=[stream.param.lstrip("#")])
            found = await timelines.tag(ctx.db, viewer, _only(status_id), shown, tags)
            return found, "public"
        if name == "list" and stream.param is not None and viewer is not None:
            found = await timelines.of_list(ctx.db, viewer, int(stream.param), _only(status_id))
            return found, "home"
    except NotFound:
        return None
    return None


async def _status(ctx: Ctx, stream: Stream, status_id: int, *, edited: bool = False) -> str | None:
    shown = await _timeline(ctx, stream, status_id)
    if shown is None or not shown[0].statuses:
        return None
    bundle, context = shown
    if edited and stream.name == "user" and ctx.viewer is not None:
        # An edit reaches the home streams of the author and of its followers.
        author = bundle.statuses[0].account_id
        if author != ctx.viewer.id and not await relationships.following_among(
            ctx.db, ctx.viewer.id, [author]
        ):
            return None
    rendered = statuses(bundle, await bundle_render(ctx, bundle))
    kept = await filtering.apply(ctx, bundle, rendered, context)
    return _payload(kept[0]) if kept else None


async def _notification(ctx: Ctx, notification_id: int) -> str | None:
    if ctx.viewer is None:
        return None
    try:
        found = await notifications.one(ctx.db, ctx.viewer, notification_id)
    except NotFound:
        return None
    if not found.items or found.items[0].type in MISSKEY_ONLY_TYPES:
        return None  # as /api/v1/notifications: Misskey's own kinds never show here
    shown = await shown_notifications(ctx, found)
    return _payload(shown[0]) if shown else None


async def _conversation(ctx: Ctx, conversation_id: int) -> str | None:
    if ctx.viewer is None:
        return None
    found = await conversations.page_of(ctx.db, ctx.viewer, Page(limit=CONVERSATIONS_LOOKED_AT))
    for item in found.conversations:
        if item.id == conversation_id:
            r = await render(ctx, found.accounts.values())
            return _payload(conversation(found, item, r))
    return None


async def _announcement(ctx: Ctx, event: Event) -> Out | None:
    """Mastodon's `announcement` (created or changed), `announcement.reaction` and
    `announcement.delete` events."""
    found = _id(event, "announcement_id")
    if found is None:
        return None
    if event.kind == "announcement.delete":
        return ("announcement.delete", str(found))
    if event.kind == "announcement.reaction":
        payload = {
            "name": event.data.get("name"),
            "count": event.data.get("count"),
            "announcement_id": str(found),
        }
        return ("announcement.reaction", _payload(payload))
    if event.kind not in ("announcement.created", "announcement.updated"):
        return None
    if event.topic != BROADCAST:  # one account's own: as its list shows it
        shown = await _announcement_payload(ctx, ctx.viewer, found)
    else:  # everyone's: rendered once for every stream, without a viewer (as Mastodon)
        held = _announced.get(id(event))
        if held is None or held[0] is not event:  # (the event is held: its id is not reused)
            rendering = asyncio.ensure_future(_announcement_payload(ctx, None, found))
            held = _announced[id(event)] = (event, rendering)
            while len(_announced) > _SHARED_LIMIT:
                del _announced[next(iter(_announced))]
        shown = await asyncio.shield(held[1])
    return ("announcement", shown) if shown is not None else None


_announced: dict[int, tuple[Event, asyncio.Future[str | None]]] = {}


async def _announcement_payload(ctx: Ctx, viewer: Account | None, found: int) -> str | None:
    try:
        shown = await announcements.one_for_mastodon(ctx.db, viewer, found)
    except NotFound:
        return None
    rendered = await announcement_entities(ctx, shown)
    return _payload(rendered[0]) if rendered else None


def _id(event: Event, key: str) -> int | None:
    value = event.data.get(key)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


# What anonymous streams were told of recent events: the same for every one of them, so the
# first connection to handle an event renders it and the others reuse it (a public post heard
# by a thousand anonymous streams costs one rendering, not a thousand).
_SHARED_LIMIT = 256
_shared: dict[tuple[int, str, str | None], tuple[Event, asyncio.Future[Out | None]]] = {}


class _Abandoned(Exception):
    """The rendering others waited for was cancelled with its connection."""


async def event_for(ctx: Ctx, stream: Stream, event: Event) -> Out | None:
    """The Mastodon event this stream sends for a bus event (None: nothing)."""
    if ctx.viewer is not None:
        return await _event_for(ctx, stream, event)
    key = (id(event), *stream.key)
    found = _shared.get(key)
    if found is not None and found[0] is event:  # (the event is held: its id is not reused)
        try:
            return await asyncio.shield(found[1])
        except _Abandoned:  # the connection rendering it closed meanwhile
            return await _event_for(ctx, stream, event)
    future: asyncio.Future[Out | None] = asyncio.get_running_loop().create_future()
    _shared[key] = (event, future)
    while len(_shared) > _SHARED_LIMIT:
        del _shared[next(iter(_shared))]
    try:
        out = await _event_for(ctx, stream, event)
    except BaseException as err:
        _shared.pop(key, None)
        cancelled = isinstance(err, asyncio.CancelledError)
        future.set_exception(_Abandoned() if cancelled else err)
        future.exception()  # (retrieved: whoever waits has it raised)
        raise
    future.set_result(out)
    return out


async def _event_for(ctx: Ctx, stream: Stream, event: Event) -> Out | None:
    name, kind = stream.name, event.kind
    if kind.startswith("announcement."):
        return await _announcement(ctx, event) if name == "user" else None
    if event.topic == "statuses":
        status_id = _id(event, "status_id")
        if status_id is None:
            return None
        if kind == "delete":
            # A public or hashtag stream hears only of public statuses going.
            public_only = name.startswith(("public", "hashtag"))
            if public_only and event.data.get("visibility") != "public":
                return None
            return ("delete", str(status_id))
        if kind == "status.update":
            payload = await _status(ctx, stream, status_id, edited=True)
            return ("status.update", payload) if payload is not None else None
        return None
    if event.topic.startswith("user:"):
        if kind == "notification" and stream.notifications:
            found = _id(event, "notification_id")
            payload = await _notification(ctx, found) if found is not None else None
            return ("notification", payload) if payload is not None else None
        if kind == "filters_changed" and name == "user":
            return ("filters_changed", None)
        if kind == "conversation" and name == "direct":
            found = _id(event, "conversation_id")
            payload = await _conversation(ctx, found) if found is not None else None
            return ("conversation", payload) if payload is not None else None
        return None
    if kind == "status":
        status_id = _id(event, "status_id")
        payload = await _status(ctx, stream, status_id) if status_id is not None else None
        return ("update", payload) if payload is not None else None
    return None
