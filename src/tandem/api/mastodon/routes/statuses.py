"""/api/v1/statuses: post, show, delete, reblog and pin."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import status
from tandem.api.mastodon.views import bundle_render
from tandem.core import statuses
from tandem.core.errors import ValidationFailed
from tandem.core.scopes import accepts
from tandem.core.statuses import StatusBundle

WRITE_STATUSES = accepts("write:statuses")
WRITE_ACCOUNTS = accepts("write:accounts")


async def _one(ctx: Ctx, bundle: StatusBundle, *, with_source: bool = False) -> t.Status:
    return status(
        bundle.statuses[0], bundle, await bundle_render(ctx, bundle), with_source=with_source
    )


@routes("POST", "/api/v1/statuses", scopes=WRITE_STATUSES, throttles=("statuses",))
async def create(ctx: Ctx) -> t.Status:
    p = ctx.params
    for unsupported in ("poll", "scheduled_at", "quoted_status_id"):
        if p.raw(unsupported) not in (None, "", {}):
            raise ValidationFailed.one(
                unsupported,
                "unsupported",
                "is not supported by this server yet; send the post without it",
            )
    bundle = await statuses.create(
        ctx.db,
        ctx.settings,
        ctx.account,
        ctx.user,
        statuses.NewStatus(
            text=p.text("status") or "",
            spoiler_text=p.text("spoiler_text") or "",
            visibility=p.text("visibility") or None,
            sensitive=p.boolean("sensitive"),
            language=p.text("language") or None,
            in_reply_to_id=p.id("in_reply_to_id"),
            media_ids=p.ids("media_ids"),
        ),
        application_id=ctx.principal.token.application_id if ctx.principal else None,
    )
    return await _one(ctx, bundle)


@routes("GET", "/api/v1/statuses/{id:int}", scopes=accepts("read:statuses"), auth="optional")
async def show(ctx: Ctx) -> t.Status:
    return await _one(ctx, await statuses.show(ctx.db, ctx.viewer, ctx.path_id()))


@routes("DELETE", "/api/v1/statuses/{id:int}", scopes=WRITE_STATUSES, throttles=("api_delete",))
async def delete(ctx: Ctx) -> t.Status:
    bundle = await statuses.delete(ctx.db, ctx.account, ctx.path_id())
    return await _one(ctx, bundle, with_source=True)


@routes("POST", "/api/v1/statuses/{id:int}/reblog", scopes=WRITE_STATUSES)
async def reblog(ctx: Ctx) -> t.Status:
    bundle = await statuses.reblog(
        ctx.db, ctx.account, ctx.path_id(), ctx.params.text("visibility")
    )
    return await _one(ctx, bundle)


@routes(
    "POST", "/api/v1/statuses/{id:int}/unreblog", scopes=WRITE_STATUSES, throttles=("api_delete",)
)
async def unreblog(ctx: Ctx) -> t.Status:
    return await _one(ctx, await statuses.unreblog(ctx.db, ctx.account, ctx.path_id()))


@routes("POST", "/api/v1/statuses/{id:int}/pin", scopes=WRITE_ACCOUNTS)
async def pin(ctx: Ctx) -> t.Status:
    return await _one(ctx, await statuses.pin(ctx.db, ctx.settings, ctx.account, ctx.path_id()))


@routes("POST", "/api/v1/statuses/{id:int}/unpin", scopes=WRITE_ACCOUNTS)
async def unpin(ctx: Ctx) -> t.Status:
    return await _one(ctx, await statuses.unpin(ctx.db, ctx.account, ctx.path_id()))
