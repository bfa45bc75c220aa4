"""Your own account: verify/update credentials and the /api/v1/profile API."""

from __future__ import annotations

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import accounts as entities
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.params import Params
from tandem.api.mastodon.views import render
from tandem.core import featured_tags, profiles
from tandem.core.profiles import REMOVE, ProfileChanges
from tandem.core.scopes import accepts

READ_OWN = accepts("read:accounts", profile=True)
WRITE_ACCOUNTS = accepts("write:accounts")
_NULLABLE = ("discoverable", "hide_collections")
_FLAGS = ("locked", "bot", "discoverable", "hide_collections", "indexable")
_PROFILE_FLAGS = ("show_media", "show_media_replies", "show_featured")


def _changes(p: Params, *, with_source: bool, flags: tuple[str, ...]) -> ProfileChanges:
    changes = ProfileChanges()
    for name in ("display_name", "note", "avatar_description", "header_description"):
        if p.has(name):
            setattr(changes, name, p.text(name) or "")
    for name in flags:
        if p.has(name):
            value = p.boolean(name)
            setattr(changes, name, value if value is not None or name in _NULLABLE else False)
    fields = p.fields()
    if fields is not None:
        changes.fields = fields
    if p.has("attribution_domains"):
        changes.attribution_domains = p.strings("attribution_domains") or []
    for kind in ("avatar", "header"):
        upload = p.upload(kind)
        if upload is not None:
            setattr(changes, kind, upload)
    source = p.mapping("source") if with_source else None
    if source:
        src = Params(source)
        if src.has("privacy"):
            changes.privacy = src.text("privacy") or ""
        if src.has("sensitive"):
            changes.sensitive = src.flag("sensitive")
        if src.has("language"):
            changes.language = src.text("language") or None
        if src.has("quote_policy"):
            changes.quote_policy = src.text("quote_policy") or ""
    return changes


async def _credential(ctx: Ctx) -> t.CredentialAccount:
    account, user, waiting = await profiles.current(ctx.db, ctx.account.id)
    return entities.credential_account(account, user, waiting, await render(ctx, [account]))


async def _profile(ctx: Ctx) -> t.Profile:
    account, _user, _ = await profiles.current(ctx.db, ctx.account.id)
    tags = await featured_tags.of_account(ctx.db, account.id)
    return entities.profile(account, tags, await render(ctx, [account]))


@routes("GET", "/api/v1/accounts/verify_credentials", scopes=READ_OWN, replay=True)
async def verify_credentials(ctx: Ctx) -> t.CredentialAccount:
    # The caller's account and user were loaded with the token moments ago.
    waiting = await profiles.waiting_requests(ctx.db, ctx.account.id)
    r = await render(ctx, [ctx.account])
    return entities.credential_account(ctx.account, ctx.user, waiting, r)


async def _update_credentials(ctx: Ctx) -> t.CredentialAccount:
    changes = _changes(ctx.params, with_source=True, flags=_FLAGS)
    await profiles.update_profile(ctx.db, ctx.settings, ctx.files, ctx.account, ctx.user, changes)
    return await _credential(ctx)


for method in ("PATCH", "PUT"):
    routes(method, "/api/v1/accounts/update_credentials", scopes=WRITE_ACCOUNTS)(
        _update_credentials
    )


@routes("GET", "/api/v1/profile", scopes=READ_OWN)
async def show_profile(ctx: Ctx) -> t.Profile:
    return await _profile(ctx)


# Mastodon routes `resource :profile`, so an update comes as PATCH or PUT (masto.js sends PUT).
@routes("PUT", "/api/v1/profile", scopes=WRITE_ACCOUNTS)
@routes("PATCH", "/api/v1/profile", scopes=WRITE_ACCOUNTS)
async def update_profile(ctx: Ctx) -> t.Profile:
    changes = _changes(ctx.params, with_source=False, flags=_FLAGS + _PROFILE_FLAGS)
    await profiles.update_profile(ctx.db, ctx.settings, ctx.files, ctx.account, ctx.user, changes)
    return await _profile(ctx)


async def _remove_image(ctx: Ctx, kind: str) -> t.CredentialAccount:
    changes = ProfileChanges()
    setattr(changes, kind, REMOVE)
    await profiles.update_profile(ctx.db, ctx.settings, ctx.files, ctx.account, ctx.user, changes)
    return await _credential(ctx)


@routes("DELETE", "/api/v1/profile/avatar", scopes=WRITE_ACCOUNTS)
async def delete_avatar(ctx: Ctx) -> t.CredentialAccount:
    return await _remove_image(ctx, "avatar")


@routes("DELETE", "/api/v1/profile/header", scopes=WRITE_ACCOUNTS)
async def delete_header(ctx: Ctx) -> t.CredentialAccount:
    return await _remove_image(ctx, "header")
