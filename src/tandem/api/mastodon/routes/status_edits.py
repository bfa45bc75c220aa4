"""Editing a status: PUT /api/v1/statuses/:id, its history and its source."""

from __future__ import annotations

from typing import Any, cast

from tandem.api.http import BadRequest
from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import account
from tandem.api.mastodon.entities.statuses import media_attachment
from tandem.api.mastodon.formats import iso_ms
from tandem.api.mastodon.params import as_upload
from tandem.api.mastodon.routes.polls import new_poll
from tandem.api.mastodon.views import first_status, render
from tandem.core import status_edits
from tandem.core.ids import parse_id
from tandem.core.scopes import accepts

READ = accepts("read:statuses")


def _media_changes(raw: Any) -> list[status_edits.MediaChange]:
    if raw is None or raw == "":
        return []
    items = list(raw.values()) if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise BadRequest("media_attributes must be a list of {id, description, focus}")
    changes = []
    for item in items:
        if not isinstance(item, dict):
            raise BadRequest("each media_attributes entry must be a hash with an id")
        media_id = parse_id(item.get("id"))
        description, focus = item.get("description"), item.get("focus")
        if media_id is None:
            raise BadRequest("each media_attributes entry needs the id of a media attachment")
        if not isinstance(description, str | None) or not isinstance(focus, str | None):
            raise BadRequest("media_attributes description and focus must be strings")
        thumbnail = as_upload("media_attributes[][thumbnail]", item.get("thumbnail"))
        changes.append(status_edits.MediaChange(media_id, description, focus, thumbnail))
    return changes


@routes("PUT", "/api/v1/statuses/{id:int}", scopes=accepts("write:statuses"))
async def update(ctx: Ctx) -> t.Status:
    p = ctx.params
    change = status_edits.Edit(
        text=p.text("status") or "",
        spoiler_text=p.text("spoiler_text") or "",
        sensitive=p.boolean("sensitive"),
        language=p.text("language") or None,
        media_ids=p.ids("media_ids") if p.raw("media_ids") is not None else None,
        media_changes=_media_changes(p.raw("media_attributes")),
        # As Mastodon: the poll is sent again with every edit, and an edit without one
        # removes it.
        poll=new_poll(p) if p.raw("poll") not in (None, "", {}) else None,
        poll_sent=True,
    )
    bundle = await status_edits.edit(
        ctx.db, ctx.settings, ctx.files, ctx.account, ctx.user, ctx.path_id(), change
    )
    return await first_status(ctx, bundle)


@routes("GET", "/api/v1/statuses/{id:int}/history", scopes=READ, auth="optional")
async def history(ctx: Ctx) -> list[t.StatusEdit]:
    found = await status_edits.history(ctx.db, ctx.viewer, ctx.path_id())
    r = await render(ctx, [found.author])
    author = account(found.author, r)
    return [
        {
            "content": v.content,
            "spoiler_text": v.spoiler_text,
            "sensitive": v.sensitive,
            "created_at": cast(str, iso_ms(v.created_at)),
            "account": author,
            "poll": (
                {"options": [{"title": o} for o in v.poll_options]}
                if v.poll_options is not None
                else None
            ),
            "media_attachments": [media_attachment(ctx.settings, m) for m in found.media_of(v)],
            "emojis": [],
        }
        for v in found.versions
    ]


@routes("GET", "/api/v1/statuses/{id:int}/source", scopes=READ)
async def source(ctx: Ctx) -> t.StatusSource:
    found = await status_edits.source(ctx.db, ctx.account, ctx.path_id())
    return {"id": str(found.id), "text": found.text, "spoiler_text": found.spoiler_text}
