"""A status's context (ancestors and descendants) and muting its thread."""

from __future__ import annotations

from tandem.api.mastodon import filtering
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import status
from tandem.api.mastodon.views import bundle_render, first_status
from tandem.core import status_threads
from tandem.core.scopes import accepts

WRITE_MUTES = accepts("write:mutes")


@routes(
    "GET", "/api/v1/statuses/{id:int}/context", scopes=accepts("read:statuses"), auth="optional"
)
async def context(ctx: Ctx) -> t.Context:
    found = await status_threads.context(ctx.db, ctx.viewer, ctx.path_id())
    b = found.bundle
    r = await bundle_render(ctx, b)
    matched = await filtering.matches(ctx, b, "thread")
    return {
        "ancestors": [x for s in found.ancestors if filtering.mark(x := status(s, b, r), matched)],
        "descendants": [
            x for s in found.descendants if filtering.mark(x := status(s, b, r), matched)
        ],
    }


async def _mute(ctx: Ctx, muted: bool) -> t.Status:
    b = await status_threads.set_thread_muted(ctx.db, ctx.account, ctx.path_id(), muted)
    return await first_status(ctx, b)


@routes("POST", "/api/v1/statuses/{id:int}/mute", scopes=WRITE_MUTES)
async def mute(ctx: Ctx) -> t.Status:
    return await _mute(ctx, True)


@routes("POST", "/api/v1/statuses/{id:int}/unmute", scopes=WRITE_MUTES)
async def unmute(ctx: Ctx) -> t.Status:
    return await _mute(ctx, False)
