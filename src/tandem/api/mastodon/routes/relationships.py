"""Follow, block, mute, endorse and note another account; read relationships."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import relationship
from tandem.api.mastodon.views import accounts_json
from tandem.core import accounts, endorsements, relationships
from tandem.core.relationships import KEEP
from tandem.core.scopes import accepts

WRITE_FOLLOWS = accepts("write:follows", legacy_follow=True)
WRITE_BLOCKS = accepts("write:blocks", legacy_follow=True)
WRITE_MUTES = accepts("write:mutes", legacy_follow=True)
WRITE_ACCOUNTS = accepts("write:accounts")
READ_FOLLOWS = accepts("read:follows")  # Mastodon does not take `follow` here


@routes("POST", "/api/v1/accounts/{id:int}/follow", scopes=WRITE_FOLLOWS, throttles=("follows",))
async def follow(ctx: Ctx) -> t.Relationship:
    p = ctx.params
    reblogs, notify = p.boolean("reblogs"), p.boolean("notify")
    rel = await relationships.follow(
        ctx.db,
        ctx.account,
        ctx.path_id(),
        reblogs=KEEP if reblogs is None else reblogs,
        notify=KEEP if notify is None else notify,
        languages_=p.strings("languages") if p.has("languages") else KEEP,
        max_follows=ctx.settings.max_follows,
    )
    return relationship(rel.relationship)


@routes("POST", "/api/v1/accounts/{id:int}/unfollow", scopes=WRITE_FOLLOWS)
async def unfollow(ctx: Ctx) -> t.Relationship:
    done = await relationships.unfollow(ctx.db, ctx.account, ctx.path_id())
    return relationship(done.relationship)


@routes("POST", "/api/v1/accounts/{id:int}/remove_from_followers", scopes=WRITE_FOLLOWS)
async def remove_from_followers(ctx: Ctx) -> t.Relationship:
    done = await relationships.remove_from_followers(ctx.db, ctx.account, ctx.path_id())
    return relationship(done.relationship)


@routes("POST", "/api/v1/accounts/{id:int}/block", scopes=WRITE_BLOCKS)
async def block(ctx: Ctx) -> t.Relationship:
    done = await relationships.block(ctx.db, ctx.account, ctx.path_id())
    return relationship(done.relationship)


@routes("POST", "/api/v1/accounts/{id:int}/unblock", scopes=WRITE_BLOCKS)
async def unblock(ctx: Ctx) -> t.Relationship:
    done = await relationships.unblock(ctx.db, ctx.account, ctx.path_id())
    return relationship(done.relationship)


@routes("POST", "/api/v1/accounts/{id:int}/mute", scopes=WRITE_MUTES)
async def mute(ctx: Ctx) -> t.Relationship:
    p = ctx.params
    duration = p.integer("duration") or 0  # checked by the core (422 naming duration)
    rel = await relationships.mute(
        ctx.db,
        ctx.account,
        ctx.path_id(),
        notifications=p.flag("notifications", default=True),
        duration=duration,
    )
    return relationship(rel.relationship)


@routes("POST", "/api/v1/accounts/{id:int}/unmute", scopes=WRITE_MUTES)
async def unmute(ctx: Ctx) -> t.Relationship:
    done = await relationships.unmute(ctx.db, ctx.account, ctx.path_id())
    return relationship(done.relationship)


async def _endorse(ctx: Ctx) -> t.Relationship:
    return relationship(await endorsements.endorse(ctx.db, ctx.account, ctx.path_id()))


async def _unendorse(ctx: Ctx) -> t.Relationship:
    return relationship(await endorsements.unendorse(ctx.db, ctx.account, ctx.path_id()))


for verb in ("pin", "endorse"):
    routes("POST", f"/api/v1/accounts/{{id:int}}/{verb}", scopes=WRITE_ACCOUNTS)(_endorse)
for verb in ("unpin", "unendorse"):
    routes("POST", f"/api/v1/accounts/{{id:int}}/{verb}", scopes=WRITE_ACCOUNTS)(_unendorse)


@routes("POST", "/api/v1/accounts/{id:int}/note", scopes=WRITE_ACCOUNTS)
async def note(ctx: Ctx) -> t.Relationship:
    rel = await endorsements.set_note(
        ctx.db, ctx.account, ctx.path_id(), ctx.params.text("comment")
    )
    return relationship(rel)


@routes("GET", "/api/v1/accounts/relationships", scopes=READ_FOLLOWS)
async def relationships_index(ctx: Ctx) -> list[t.Relationship]:
    found = await relationships.for_targets(
        ctx.db,
        ctx.account,
        ctx.params.ids("id"),
        with_suspended=ctx.params.flag("with_suspended"),
    )
    return [relationship(r) for r in found]


@routes("GET", "/api/v1/accounts/familiar_followers", scopes=READ_FOLLOWS)
async def familiar_followers(ctx: Ctx) -> list[t.FamiliarFollowers]:
    found = await accounts.familiar_followers(ctx.db, ctx.account, ctx.params.ids("id"))
    return [
        {"id": str(target), "accounts": await accounts_json(ctx, known)} for target, known in found
    ]
