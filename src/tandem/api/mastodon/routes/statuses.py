"""/api/v1/statuses: post, show, delete, reblog and pin."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.routes.polls import new_poll
from tandem.api.mastodon.routes.scheduled_statuses import schedule
from tandem.api.mastodon.views import first_status
from tandem.core import status_deletion, status_pins, status_threads, statuses
from tandem.core.errors import NotFound
from tandem.core.scopes import accepts

WRITE_STATUSES = accepts("write:statuses")
WRITE_ACCOUNTS = accepts("write:accounts")


@routes("POST", "/api/v1/statuses", scopes=WRITE_STATUSES, throttles=("statuses",))
async def create(ctx: Ctx) -> t.Status | t.ScheduledStatus:
    p = ctx.params
    if p.raw("quoted_status_id") not in (None, "") and p.id("quoted_status_id") is None:
        raise NotFound("status")  # no id could name it
    new = statuses.NewStatus(
        text=p.text("status") or "",
        spoiler_text=p.text("spoiler_text") or "",
        visibility=p.text("visibility") or None,
        sensitive=p.boolean("sensitive"),
        language=p.text("language") or None,
        in_reply_to_id=p.id("in_reply_to_id"),
        media_ids=p.ids("media_ids"),
        poll=new_poll(p),
        quoted_status_id=p.id("quoted_status_id"),
        quote_policy=p.text("quote_approval_policy") or None,
    )
    if p.raw("scheduled_at") not in (None, ""):
        return await schedule(ctx, new)
    bundle = await statuses.create(
        ctx.db,
        ctx.settings,
        ctx.account,
        ctx.user,
        new,
        application_id=ctx.principal.token.application_id if ctx.principal else None,
    )
    return await first_status(ctx, bundle)


@routes("GET", "/api/v1/statuses/{id:int}", scopes=accepts("read:statuses"), auth="optional")
async def show(ctx: Ctx) -> t.Status:
    return await first_status(ctx, await status_threads.show(ctx.db, ctx.viewer, ctx.path_id()))


@routes("DELETE", "/api/v1/statuses/{id:int}", scopes=WRITE_STATUSES, throttles=("api_delete",))
async def delete(ctx: Ctx) -> t.Status:
    files = ctx.files if ctx.params.boolean("delete_media") else None
    bundle = await status_deletion.delete(ctx.db, ctx.account, ctx.path_id(), files=files)
    return await first_status(ctx, bundle, with_source=True)


@routes("POST", "/api/v1/statuses/{id:int}/reblog", scopes=WRITE_STATUSES)
async def reblog(ctx: Ctx) -> t.Status:
    bundle = await statuses.reblog(
        ctx.db, ctx.account, ctx.path_id(), ctx.params.text("visibility")
    )
    return await first_status(ctx, bundle)


@routes(
    "POST", "/api/v1/statuses/{id:int}/unreblog", scopes=WRITE_STATUSES, throttles=("api_delete",)
)
async def unreblog(ctx: Ctx) -> t.Status:
    return await first_status(ctx, await statuses.unreblog(ctx.db, ctx.account, ctx.path_id()))


@routes("POST", "/api/v1/statuses/{id:int}/pin", scopes=WRITE_ACCOUNTS)
async def pin(ctx: Ctx) -> t.Status:
    return await first_status(
        ctx, await status_pins.pin(ctx.db, ctx.settings, ctx.account, ctx.path_id())
    )


@routes("POST", "/api/v1/statuses/{id:int}/unpin", scopes=WRITE_ACCOUNTS)
async def unpin(ctx: Ctx) -> t.Status:
    return await first_status(ctx, await status_pins.unpin(ctx.db, ctx.account, ctx.path_id()))
