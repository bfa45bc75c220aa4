"""/api/v1/notifications: the same notifications Misskey clients read with i/notifications."""

from __future__ import annotations

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import notification
from tandem.api.mastodon.views import render
from tandem.core import notifications
from tandem.core.notifications import NotificationPage
from tandem.core.scopes import accepts

READ = accepts("read:notifications")
WRITE = accepts("write:notifications")
NOTIFICATIONS_LIMIT = 40


async def _shown(ctx: Ctx, found: NotificationPage) -> list[t.Notification]:
    """Notifications from the server itself (an export is ready…) come from one's own account."""
    people = [*found.accounts.values(), ctx.account, *found.statuses.accounts.values()]
    r = await render(ctx, people)
    statuses = {s.id: s for s in found.statuses.statuses}
    return [
        notification(
            n,
            found.accounts.get(n.from_account_id or 0, ctx.account),
            statuses.get(n.status_id or 0),
            found.statuses,
            r,
        )
        for n in found.items
    ]


@routes("GET", "/api/v1/notifications", scopes=READ)
async def index(ctx: Ctx) -> list[t.Notification]:
    page = pagination.page(ctx, NOTIFICATIONS_LIMIT)
    found = await notifications.page(
        ctx.db,
        ctx.account,
        page,
        types=ctx.params.strings("types") or None,
        exclude=ctx.params.strings("exclude_types") or None,
    )
    pagination.set_links(
        ctx,
        "/api/v1/notifications",
        [n.id for n in found.items],
        page.limit,
        prev_key="min_id",
    )
    return await _shown(ctx, found)


@routes("GET", "/api/v1/notifications/{id:int}", scopes=READ)
async def show(ctx: Ctx) -> t.Notification:
    return (await _shown(ctx, await notifications.one(ctx.db, ctx.account, ctx.path_id())))[0]


@routes("POST", "/api/v1/notifications/clear", scopes=WRITE)
async def clear(ctx: Ctx) -> t.Empty:
    await notifications.dismiss(ctx.db, ctx.account)
    return {}


@routes("POST", "/api/v1/notifications/{id:int}/dismiss", scopes=WRITE)
async def dismiss(ctx: Ctx) -> t.Empty:
    await notifications.one(ctx.db, ctx.account, ctx.path_id())
    await notifications.dismiss(ctx.db, ctx.account, ctx.path_id())
    return {}
