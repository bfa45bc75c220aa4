"""/api/v1/notifications: the same notifications Misskey clients read with i/notifications."""

from __future__ import annotations

from tandem.api.mastodon import filtering, pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import notification_types as g
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.account_collections import collection, fallback
from tandem.api.mastodon.entities.notifications import notification
from tandem.api.mastodon.views import render
from tandem.core import notifications
from tandem.core.ids import parse_id
from tandem.core.notification_kinds import (
    COLLECTION_TYPES,
    GROUPABLE_TYPES,
    MASTODON_TYPES,
    MISSKEY_ONLY_TYPES,
    Selection,
)
from tandem.core.notifications import NotificationPage, collection_of
from tandem.core.scopes import accepts

READ = accepts("read:notifications")
WRITE = accepts("write:notifications")
NOTIFICATIONS_LIMIT = 40


def selection(ctx: Ctx) -> Selection:
    """`types[]`, `exclude_types[]` and `account_id`, as Mastodon reads them: unknown type
    names match nothing, and Misskey-only notifications never show to Mastodon clients."""
    p = ctx.params
    wanted = p.strings("types")
    types = None if wanted is None else tuple(x for x in wanted if x in MASTODON_TYPES)
    sender = None
    if p.has("account_id") and p.raw("account_id") not in (None, ""):
        sender = parse_id(p.raw("account_id")) or 0  # no such account: nothing matches
    exclude = (*MISSKEY_ONLY_TYPES, *(p.strings("exclude_types") or ()))
    return Selection(
        types=types,
        exclude=exclude,
        from_account_id=sender,
        include_filtered=bool(p.boolean("include_filtered")),
    )


async def _shown(ctx: Ctx, found: NotificationPage) -> list[t.Notification]:
    """Notifications from the server itself (an export is ready…) come from one's own account."""
    people = [*found.accounts.values(), ctx.account, *found.statuses.accounts.values()]
    r = await render(ctx, people)
    statuses = {s.id: s for s in found.statuses.statuses}
    matched = await filtering.matches(ctx, found.statuses, "notifications")
    # Mastodon 4.6: types the client can show; the others get a `fallback` to show instead
    supported = ctx.params.strings("supported_types")
    shown = []
    for n in found.items:
        item = notification(
            n,
            found.accounts.get(n.from_account_id or 0, ctx.account),
            statuses.get(n.status_id or 0),
            found.statuses,
            r,
            GROUPABLE_TYPES,
        )
        if "status" in item and not filtering.mark(item["status"], matched):
            continue  # a `hide` filter for notifications drops the notification
        if n.type in COLLECTION_TYPES:
            named = found.collections.get(collection_of(n) or 0)
            item["collection"] = collection(ctx.settings, named) if named else None
            if supported is not None and n.type not in supported:
                item["fallback"] = fallback(item["account"]["acct"], named)
        shown.append(item)
    return shown


@routes("GET", "/api/v1/notifications", scopes=READ)
async def index(ctx: Ctx) -> list[t.Notification]:
    page = pagination.page(ctx, NOTIFICATIONS_LIMIT)
    found = await notifications.page(ctx.db, ctx.account, page, selection(ctx))
    pagination.set_links(
        ctx,
        "/api/v1/notifications",
        [n.id for n in found.items],
        page.limit,
        prev_key="min_id",
    )
    return await _shown(ctx, found)


@routes("GET", "/api/v1/notifications/unread_count", scopes=READ)
async def unread_count(ctx: Ctx) -> g.Count:
    """Notifications above the notifications marker, counted up to `limit` (100, max 1000)."""
    limit = ctx.params.integer("limit")
    count = await notifications.unread_count(
        ctx.db, ctx.account, selection(ctx), abs(limit) if limit is not None else None
    )
    return {"count": count}


@routes("GET", "/api/v1/notifications/{id:int}", scopes=READ)
async def show(ctx: Ctx) -> t.Notification:
    return (await _shown(ctx, await notifications.one(ctx.db, ctx.account, ctx.path_id())))[0]


@routes("POST", "/api/v1/notifications/clear", scopes=WRITE)
async def clear(ctx: Ctx) -> t.Empty:
    await notifications.dismiss(ctx.db, ctx.account)
    return {}


@routes("POST", "/api/v1/notifications/{id:int}/dismiss", scopes=WRITE)
async def dismiss(ctx: Ctx) -> t.Empty:
    await notifications.dismiss(ctx.db, ctx.account, ctx.path_id())
    return {}
