"""/api/v1/notifications/requests (Mastodon 4.3+): the senders whose notifications the
policy held back, accepted or dismissed one by one or in bulk (`id[]`). Static paths come
before `/{id}` so they are matched first."""

from __future__ import annotations

from typing import cast

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities import notification_types as g
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import account
from tandem.api.mastodon.entities.statuses import status
from tandem.api.mastodon.formats import iso_ms
from tandem.api.mastodon.routes.notifications import READ, WRITE
from tandem.api.mastodon.views import render
from tandem.core import notification_requests
from tandem.core.ids import parse_id
from tandem.core.notification_requests import RequestPage

PATH = "/api/v1/notifications/requests"
REQUESTS_LIMIT = 40


async def _shown(ctx: Ctx, found: RequestPage) -> g.NotificationRequests:
    people = [*found.accounts.values(), *found.statuses.accounts.values()]
    r = await render(ctx, people)
    statuses = {s.id: s for s in found.statuses.statuses}
    shown: g.NotificationRequests = []
    for item in found.items:
        last = statuses.get(item.last_status_id or 0)
        shown.append(
            {
                "id": str(item.id),
                "created_at": cast(str, iso_ms(item.created_at)),
                "updated_at": cast(str, iso_ms(item.updated_at)),
                "notifications_count": str(item.notifications_count),
                "account": account(found.accounts[item.from_account_id], r),
                "last_status": status(last, found.statuses, r) if last is not None else None,
            }
        )
    return shown


def _path_id(ctx: Ctx) -> int:
    found = parse_id(ctx.request.path_params["id"])
    if found is None:
        raise MastodonError(404, "Record not found")
    return found


def _ids(ctx: Ctx) -> list[int]:
    """`id[]` (or `id`) of the bulk calls; ids that are no number match nothing."""
    return [i for i in (parse_id(x) for x in ctx.params.strings("id") or []) if i is not None]


@routes("GET", PATH, scopes=READ)
async def index(ctx: Ctx) -> g.NotificationRequests:
    page = pagination.page(ctx, REQUESTS_LIMIT)
    found = await notification_requests.page(ctx.db, ctx.account, page)
    pagination.set_links(ctx, PATH, [i.id for i in found.items], page.limit, prev_key="min_id")
    return await _shown(ctx, found)


@routes("GET", f"{PATH}/merged", scopes=READ)
async def merged(ctx: Ctx) -> g.Merged:
    """Accepting merges in its own transaction: nothing is ever left to merge."""
    return {"merged": True}


@routes("POST", f"{PATH}/accept", scopes=WRITE)
async def accept_many(ctx: Ctx) -> t.Empty:
    await notification_requests.accept(ctx.db, ctx.account, _ids(ctx), one=False)
    return {}


@routes("POST", f"{PATH}/dismiss", scopes=WRITE)
async def dismiss_many(ctx: Ctx) -> t.Empty:
    await notification_requests.dismiss(ctx.db, ctx.account, _ids(ctx), one=False)
    return {}


@routes("GET", f"{PATH}/{{id}}", scopes=READ)
async def show(ctx: Ctx) -> g.NotificationRequest:
    found = await notification_requests.one(ctx.db, ctx.account, _path_id(ctx))
    return (await _shown(ctx, found))[0]


@routes("POST", f"{PATH}/{{id}}/accept", scopes=WRITE)
async def accept(ctx: Ctx) -> t.Empty:
    await notification_requests.accept(ctx.db, ctx.account, [_path_id(ctx)], one=True)
    return {}


@routes("POST", f"{PATH}/{{id}}/dismiss", scopes=WRITE)
async def dismiss(ctx: Ctx) -> t.Empty:
    await notification_requests.dismiss(ctx.db, ctx.account, [_path_id(ctx)], one=True)
    return {}
