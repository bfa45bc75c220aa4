"""/api/v2/notifications (grouped, Mastodon 4.3+) and the notification policy, v2 and the v1
booleans onto the same stored policy (notification requests: routes/notification_requests.py).
Static paths come before `/{group_key}` so they are matched first."""

from __future__ import annotations

from urllib.parse import urlencode

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import notification_types as g
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.notifications import grouped
from tandem.api.mastodon.routes.notifications import READ, WRITE, selection
from tandem.api.mastodon.views import accounts_json, render
from tandem.core import notification_policy, notification_requests, notifications
from tandem.core.models import NotificationPolicy
from tandem.core.notification_kinds import GROUPABLE_TYPES
from tandem.core.notifications import GroupedPage

GROUPS_LIMIT = 40
PATH = "/api/v2/notifications"


def _grouped_types(ctx: Ctx) -> tuple[str, ...]:
    """`grouped_types[]`: which groupable types to group (all of them when absent)."""
    asked = ctx.params.strings("grouped_types")
    if asked is None:
        return GROUPABLE_TYPES
    return tuple(x for x in GROUPABLE_TYPES if x in asked)


async def _results(ctx: Ctx, found: GroupedPage, *, paged: bool) -> g.GroupedNotificationsResults:
    people = [*found.accounts.values(), *found.statuses.accounts.values()]
    return grouped(found, await render(ctx, people), paged=paged)


def _links(ctx: Ctx, found: GroupedPage, limit: int) -> None:
    """`next` below the oldest group's range, `prev` above the newest one's (Mastodon's)."""
    if not found.groups:
        return
    kept = {"limit": str(ctx.params.raw("limit"))} if ctx.params.has("limit") else {}
    base = ctx.settings.base_url + PATH
    links = []
    if len(found.groups) >= limit:
        query = urlencode(sorted({**kept, "max_id": str(found.groups[-1].page_min_id)}.items()))
        links.append(f'<{base}?{query}>; rel="next"')
    query = urlencode(sorted({**kept, "min_id": str(found.groups[0].page_max_id)}.items()))
    links.append(f'<{base}?{query}>; rel="prev"')
    ctx.response_headers["Link"] = ", ".join(links)


@routes("GET", PATH, scopes=READ)
async def index(ctx: Ctx) -> g.GroupedNotificationsResults:
    page = pagination.page(ctx, GROUPS_LIMIT)
    found = await notifications.grouped_page(
        ctx.db, ctx.account, page, selection(ctx), _grouped_types(ctx)
    )
    _links(ctx, found, page.limit)
    return await _results(ctx, found, paged=True)


@routes("GET", f"{PATH}/unread_count", scopes=READ)
async def unread_count(ctx: Ctx) -> g.Count:
    limit = ctx.params.integer("limit")
    count = await notifications.unread_group_count(
        ctx.db,
        ctx.account,
        selection(ctx),
        _grouped_types(ctx),
        abs(limit) if limit is not None else None,
    )
    return {"count": count}


async def _policy(ctx: Ctx, policy: NotificationPolicy) -> g.NotificationPolicy:
    requests, held = await notification_requests.summary(ctx.db, ctx.account)
    return {
        "for_not_following": policy.for_not_following,
        "for_not_followers": policy.for_not_followers,
        "for_new_accounts": policy.for_new_accounts,
        "for_private_mentions": policy.for_private_mentions,
        "for_limited_accounts": policy.for_limited_accounts,
        "summary": {"pending_requests_count": requests, "pending_notifications_count": held},
    }


@routes("GET", f"{PATH}/policy", scopes=READ)
async def show_policy(ctx: Ctx) -> g.NotificationPolicy:
    return await _policy(ctx, await notification_policy.get(ctx.db, ctx.account))


@routes("PATCH", f"{PATH}/policy", scopes=WRITE)
async def update_policy(ctx: Ctx) -> g.NotificationPolicy:
    changes: dict[str, str] = {}
    for name in (
        "for_not_following",
        "for_not_followers",
        "for_new_accounts",
        "for_private_mentions",
        "for_limited_accounts",
    ):
        value = ctx.params.text(name)
        if value is not None:
            changes[name] = value
    return await _policy(ctx, await notification_policy.update(ctx.db, ctx.account, changes))


V1_POLICY = "/api/v1/notifications/policy"
# Rails' boolean words; anything else is no boolean here (refused, not taken as true).
_TRUE = {"1", "t", "T", "true", "TRUE", "True", "on", "ON", "On"}
_FALSE = {"0", "f", "F", "false", "FALSE", "False", "off", "OFF", "Off"}


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in _TRUE | _FALSE:
        return value in _TRUE
    return None


async def _v1_policy(ctx: Ctx, policy: NotificationPolicy) -> g.V1NotificationPolicy:
    requests, held = await notification_requests.summary(ctx.db, ctx.account)
    flags = notification_policy.v1_view(policy)
    return {
        "filter_not_following": flags["filter_not_following"],
        "filter_not_followers": flags["filter_not_followers"],
        "filter_new_accounts": flags["filter_new_accounts"],
        "filter_private_mentions": flags["filter_private_mentions"],
        "summary": {"pending_requests_count": requests, "pending_notifications_count": held},
    }


@routes("GET", V1_POLICY, scopes=READ)
async def show_v1_policy(ctx: Ctx) -> g.V1NotificationPolicy:
    return await _v1_policy(ctx, await notification_policy.get(ctx.db, ctx.account))


@routes("PUT", V1_POLICY, scopes=WRITE)
@routes("PATCH", V1_POLICY, scopes=WRITE)
async def update_v1_policy(ctx: Ctx) -> g.V1NotificationPolicy:
    """Mastodon 4.3's v1 compatibility: true filters, false accepts."""
    changes = {
        name: _flag(ctx.params.raw(name))
        for name in notification_policy.V1_FIELDS
        if ctx.params.has(name)
    }
    policy = await notification_policy.update_v1(ctx.db, ctx.account, changes)
    return await _v1_policy(ctx, policy)


@routes("GET", f"{PATH}/{{group_key}}", scopes=READ)
async def show(ctx: Ctx) -> g.GroupedNotificationsResults:
    found = await notifications.group(ctx.db, ctx.account, ctx.request.path_params["group_key"])
    return await _results(ctx, found, paged=False)


@routes("GET", f"{PATH}/{{group_key}}/accounts", scopes=READ)
async def group_accounts(ctx: Ctx) -> list[t.Account]:
    found = await notifications.group_accounts(
        ctx.db, ctx.account, ctx.request.path_params["group_key"]
    )
    return await accounts_json(ctx, found)


@routes("POST", f"{PATH}/{{group_key}}/dismiss", scopes=WRITE)
async def dismiss(ctx: Ctx) -> t.Empty:
    await notifications.dismiss_group(ctx.db, ctx.account, ctx.request.path_params["group_key"])
    return {}
