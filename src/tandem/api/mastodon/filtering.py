"""The viewer's content filters on rendered statuses: `filtered` for the filters a status
matches in the context the client is reading (home, notifications, public, thread, account),
and statuses matching a `hide` filter left out, as Mastodon does.

Call `apply` on statuses rendered from a bundle, naming the context."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.filters import result
from tandem.core import filters
from tandem.core.filters import Match
from tandem.core.statuses import StatusBundle


async def matches(ctx: Ctx, bundle: StatusBundle, context: str) -> dict[int, list[Match]]:
    """Matches by status id (reblogs and the statuses they reblog both keyed)."""
    if ctx.viewer is None:
        return {}
    found = await filters.in_force(ctx.db, ctx.viewer)
    if not found:
        return {}
    everything = [*bundle.statuses, *bundle.originals.values()]
    return filters.matches(found, everything, context)


def hidden(m: list[Match]) -> bool:
    return any(x.filter.filter_action == "hide" for x in m)


def mark(shown: t.Status, found: dict[int, list[Match]]) -> bool:
    """Set `filtered` on a rendered status (and the status it reblogs); False when a `hide`
    filter matches and the status should not be shown at all."""
    m = found.get(int(shown["id"]), [])
    inner = shown.get("reblog")
    if inner is not None:
        inner_m = found.get(int(inner["id"]), [])
        if inner_m:
            inner["filtered"] = [result(x) for x in inner_m]
        m = m or inner_m
    if m:
        shown["filtered"] = [result(x) for x in m]
    return not hidden(m)


async def apply(
    ctx: Ctx, bundle: StatusBundle, shown: list[t.Status], context: str
) -> list[t.Status]:
    found = await matches(ctx, bundle, context)
    if not found:
        return shown
    return [s for s in shown if mark(s, found)]
