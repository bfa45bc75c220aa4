"""Mastodon's cursor pagination: reading max_id/since_id/min_id and writing Link headers."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from tandem.api.mastodon.endpoint import Ctx
from tandem.core.models import Page

ACCOUNTS_LIMIT = 40
STATUSES_LIMIT = 20


def page(ctx: Ctx, default: int, *, with_min_id: bool = True) -> Page:
    p = ctx.params
    return Page(
        limit=p.limit(default),
        max_id=p.id("max_id"),
        since_id=p.id("since_id"),
        min_id=p.id("min_id") if with_min_id else None,
    )


def set_links(
    ctx: Ctx,
    path: str,
    cursors: Sequence[int],
    limit: int,
    *,
    prev_key: str = "since_id",
    keep: Sequence[str] = (),
) -> None:
    """`next` when the page is full, `prev` when it is not empty; absolute URLs, sorted keys."""
    carried: dict[str, str] = {}
    if ctx.params.has("limit"):
        carried["limit"] = str(ctx.params.raw("limit"))
    for key in keep:
        value = ctx.params.raw(key)
        if isinstance(value, str | int | bool) and value != "":
            carried[key] = str(value).lower() if isinstance(value, bool) else str(value)
    links = []
    base = ctx.settings.base_url + path
    if cursors and limit and len(cursors) >= limit:
        query = urlencode(sorted({**carried, "max_id": str(cursors[-1])}.items()))
        links.append(f'<{base}?{query}>; rel="next"')
    if cursors:
        query = urlencode(sorted({**carried, prev_key: str(cursors[0])}.items()))
        links.append(f'<{base}?{query}>; rel="prev"')
    if links:
        ctx.response_headers["Link"] = ", ".join(links)
