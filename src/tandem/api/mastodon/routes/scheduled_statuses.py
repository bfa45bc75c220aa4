"""Scheduled statuses: /api/v1/scheduled_statuses (and `scheduled_at` on a new status)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from tandem.api.mastodon import pagination
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import media_attachment
from tandem.api.mastodon.formats import iso_ms
from tandem.core import scheduled_statuses, statuses
from tandem.core.errors import ValidationFailed
from tandem.core.scopes import accepts

READ = accepts("read:statuses")
WRITE = accepts("write:statuses")


def parse_time(raw: Any) -> datetime:
    """An ISO 8601 time (UTC when it names no zone)."""
    try:
        if not isinstance(raw, str):
            raise ValueError
        at = datetime.fromisoformat(raw.strip())
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationFailed.one(
            "scheduled_at", "invalid", "must be an ISO 8601 time, like 2030-01-01T12:00:00Z"
        ) from None


def entity(ctx: Ctx, view: scheduled_statuses.ScheduledView) -> t.ScheduledStatus:
    p = view.item.params
    poll = p.get("poll")
    shown: t.ScheduledStatus = {
        "id": str(view.item.id),
        "scheduled_at": cast(str, iso_ms(view.item.scheduled_at)),
        "params": {
            "text": p.get("text") or "",
            "poll": {
                "options": list(poll["options"]),
                "expires_in": int(poll.get("expires_in") or 0),
                "multiple": bool(poll.get("multiple")),
                "hide_totals": bool(poll.get("hide_totals")),
            }
            if poll
            else None,
            "media_ids": p.get("media_ids"),
            "sensitive": p.get("sensitive"),
            "spoiler_text": p.get("spoiler_text") or None,
            "visibility": p.get("visibility") or "public",
            "scheduled_at": None,
            "in_reply_to_id": p.get("in_reply_to_id"),
            "quoted_status_id": str(p["quoted_status_id"]) if p.get("quoted_status_id") else None,
            "language": p.get("language"),
            "application_id": int(p.get("application_id") or 0),
            "idempotency": None,
            "with_rate_limit": False,
        },
        "media_attachments": [media_attachment(ctx.settings, m) for m in view.media],
    }
    if p.get("quote_approval_policy"):
        shown["params"]["quote_approval_policy"] = str(p["quote_approval_policy"])
    return shown


async def schedule(ctx: Ctx, new: statuses.NewStatus) -> t.ScheduledStatus:
    """POST /api/v1/statuses with `scheduled_at`."""
    view = await scheduled_statuses.schedule(
        ctx.db,
        ctx.settings,
        ctx.account,
        ctx.user,
        new,
        parse_time(ctx.params.raw("scheduled_at")),
        ctx.principal.token.application_id if ctx.principal else None,
    )
    return entity(ctx, view)


@routes("GET", "/api/v1/scheduled_statuses", scopes=READ)
async def index(ctx: Ctx) -> list[t.ScheduledStatus]:
    page = pagination.page(ctx, pagination.STATUSES_LIMIT)
    found = await scheduled_statuses.page(ctx.db, ctx.account, page)
    pagination.set_links(ctx, "/api/v1/scheduled_statuses", [v.item.id for v in found], page.limit)
    return [entity(ctx, v) for v in found]


@routes("GET", "/api/v1/scheduled_statuses/{id:int}", scopes=READ)
async def show(ctx: Ctx) -> t.ScheduledStatus:
    return entity(ctx, await scheduled_statuses.show(ctx.db, ctx.account, ctx.path_id()))


@routes("PUT", "/api/v1/scheduled_statuses/{id:int}", scopes=WRITE)
async def update(ctx: Ctx) -> t.ScheduledStatus:
    at = parse_time(ctx.params.raw("scheduled_at"))
    view = await scheduled_statuses.reschedule(ctx.db, ctx.settings, ctx.account, ctx.path_id(), at)
    return entity(ctx, view)


@routes("DELETE", "/api/v1/scheduled_statuses/{id:int}", scopes=WRITE)
async def delete(ctx: Ctx) -> t.Empty:
    await scheduled_statuses.cancel(ctx.db, ctx.account, ctx.path_id())
    return {}
