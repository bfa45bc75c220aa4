"""Helpers turning core results into Mastodon responses for the calling viewer."""

from __future__ import annotations

from collections.abc import Iterable

from tandem.api.mastodon.endpoint import Ctx
from tandem.api.mastodon.entities import accounts as entities
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.statuses import status
from tandem.core import relationships
from tandem.core.models import Account
from tandem.core.statuses import StatusBundle


async def render(ctx: Ctx, shown: Iterable[Account] = ()) -> entities.Render:
    """A Render for this viewer; looks up follows only where `feature_approval` needs them."""
    viewer = ctx.viewer
    if viewer is None:
        return entities.Render(ctx.settings)
    locked = [a.id for a in shown if a.locked and a.discoverable and a.id != viewer.id]
    follows = await relationships.following_among(ctx.db, viewer.id, locked) if locked else set()
    return entities.Render(ctx.settings, viewer.id, frozenset(follows))


async def account_json(ctx: Ctx, account: Account) -> t.Account:
    return entities.account(account, await render(ctx, [account]))


async def accounts_json(ctx: Ctx, found: list[Account]) -> list[t.Account]:
    r = await render(ctx, found)
    return [entities.account(a, r) for a in found]


async def bundle_render(ctx: Ctx, bundle: StatusBundle) -> entities.Render:
    return await render(ctx, bundle.accounts.values())


async def first_status(ctx: Ctx, bundle: StatusBundle, *, with_source: bool = False) -> t.Status:
    """The status a single-status route answers with (the bundle's first)."""
    return status(
        bundle.statuses[0], bundle, await bundle_render(ctx, bundle), with_source=with_source
    )
