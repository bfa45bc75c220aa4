"""Polls: GET /api/v1/polls/:id and voting; a poll's params on a new status."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import poll
from tandem.api.mastodon.params import Params
from tandem.core import poll_rules, polls
from tandem.core.errors import ValidationFailed
from tandem.core.i18n import Text
from tandem.core.scopes import accepts


def new_poll(p: Params) -> poll_rules.NewPoll | None:
    """`poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]`, within
    the limits the instance advertises. Media may come with it: current Mastodon lets a post
    carry both (mastodon/mastodon#39203), as Misskey does."""
    raw = p.mapping("poll")
    if raw is None:
        return None
    fields = Params(raw)
    options = fields.strings("options") or []
    expires_in = fields.integer("expires_in")
    if len(options) > poll_rules.MASTODON_MAX_OPTIONS:
        raise ValidationFailed.one(
            "poll",
            "too_many_options",
            Text("can't have more than {count} options", count=poll_rules.MASTODON_MAX_OPTIONS),
        )
    if expires_in is None or not (
        poll_rules.MIN_EXPIRATION <= expires_in <= poll_rules.MAX_EXPIRATION
    ):
        raise ValidationFailed.one(
            "poll",
            "expires_in",
            Text(
                "expires_in must be between {min} and {max} seconds",
                min=poll_rules.MIN_EXPIRATION,
                max=poll_rules.MAX_EXPIRATION,
            ),
        )
    return poll_rules.NewPoll(
        options=options,
        expires_at=poll_rules.expires_in(expires_in),
        multiple=fields.flag("multiple"),
        hide_totals=fields.flag("hide_totals"),
    )


@routes("GET", "/api/v1/polls/{id:int}", scopes=accepts("read:statuses"), auth="optional")
async def show(ctx: Ctx) -> t.Poll:
    found = await polls.show(ctx.db, ctx.viewer, ctx.path_id())
    return poll(found, ctx.viewer.id if ctx.viewer else None)


@routes("POST", "/api/v1/polls/{id:int}/votes", scopes=accepts("write:statuses"))
async def vote(ctx: Ctx) -> t.Poll:
    choices = []
    for raw in ctx.params.strings("choices") or []:
        text = raw.strip()
        # An index past any poll's options is as invalid as a word (and never a huge int).
        if not text.isascii() or not text.isdigit() or len(text) > 6:
            raise ValidationFailed.one("choices", "invalid", "must be option indexes, like 0")
        choices.append(int(text))
    found = await polls.vote(ctx.db, ctx.account, choices, poll_id=ctx.path_id())
    return poll(found, ctx.account.id)
