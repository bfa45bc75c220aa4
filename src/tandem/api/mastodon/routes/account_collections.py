"""/api/v1/collections: collections of featured accounts (Mastodon 4.6), their items, and the
collections of (or featuring) an account. Misskey has no such thing (its clips hold notes)."""

from __future__ import annotations

from urllib.parse import urlencode

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import account_collection_types as c
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.account_collections import (
    CollectionWithAccounts,
    collection,
    collection_item,
)
from tandem.api.mastodon.views import accounts_json
from tandem.core import account_collections as collections
from tandem.core.account_collections import PAGE_LIMIT, CollectionsPage
from tandem.core.scopes import accepts

READ = accepts("read:collections")
WRITE = accepts("write:collections")


def _listed(ctx: Ctx, path: str, found: CollectionsPage) -> c.Collections:
    """Offset pagination, as Mastodon: `next` while more follow, `prev` past the start."""
    base = ctx.settings.base_url + path
    links = []
    if found.more:
        query = urlencode({"limit": found.limit, "offset": found.offset + found.limit})
        links.append(f'<{base}?{query}>; rel="next"')
    if found.offset > 0:
        query = urlencode({"limit": found.limit, "offset": max(0, found.offset - found.limit)})
        links.append(f'<{base}?{query}>; rel="prev"')
    if links:
        ctx.response_headers["Link"] = ", ".join(links)
    return {"collections": [collection(ctx.settings, v) for v in found.collections]}


def _window(ctx: Ctx) -> tuple[int, int]:
    p = ctx.params
    return max(p.integer("offset") or 0, 0), p.limit(PAGE_LIMIT) or PAGE_LIMIT


@routes("POST", "/api/v1/collections", scopes=WRITE)
async def create(ctx: Ctx) -> c.WrappedCollection:
    p = ctx.params
    created = await collections.create(
        ctx.db,
        ctx.account,
        name=p.text("name"),
        description=p.text("description"),
        language=p.text("language"),
        tag_name=p.text("tag_name"),
        sensitive=p.flag("sensitive"),
        discoverable=p.flag("discoverable"),
        account_ids=p.ids("account_ids"),
    )
    return {"collection": collection(ctx.settings, created)}


@routes("GET", "/api/v1/collections/{id:int}", scopes=READ, auth="optional")
async def show(ctx: Ctx) -> CollectionWithAccounts:
    found = await collections.show(ctx.db, ctx.viewer, ctx.path_id())
    return {
        "collection": collection(ctx.settings, found.shown),
        "accounts": await accounts_json(ctx, [found.owner, *found.accounts]),
    }


@routes("PATCH", "/api/v1/collections/{id:int}", scopes=WRITE)  # Rails `resources`: PATCH or PUT
@routes("PUT", "/api/v1/collections/{id:int}", scopes=WRITE)
async def update(ctx: Ctx) -> c.WrappedCollection:
    p = ctx.params
    updated = await collections.update(
        ctx.db,
        ctx.account,
        ctx.path_id(),
        name=p.text("name"),
        description=p.text("description"),
        language=p.text("language"),
        tag_name=p.text("tag_name"),
        sensitive=p.boolean("sensitive"),
        discoverable=p.boolean("discoverable"),
    )
    return {"collection": collection(ctx.settings, updated)}


@routes("DELETE", "/api/v1/collections/{id:int}", scopes=WRITE)
async def delete(ctx: Ctx) -> t.Empty:
    await collections.delete(ctx.db, ctx.account, ctx.path_id())
    return {}


@routes("GET", "/api/v1/accounts/{id:int}/collections", scopes=READ, auth="optional")
async def of_account(ctx: Ctx) -> c.Collections:
    account_id = ctx.path_id()
    offset, limit = _window(ctx)
    found = await collections.of_account(ctx.db, ctx.viewer, account_id, offset=offset, limit=limit)
    return _listed(ctx, f"/api/v1/accounts/{account_id}/collections", found)


@routes("GET", "/api/v1/accounts/{id:int}/in_collections", scopes=READ)
async def featuring(ctx: Ctx) -> c.Collections:
    account_id = ctx.path_id()
    offset, limit = _window(ctx)
    found = await collections.featuring(ctx.db, ctx.account, account_id, offset=offset, limit=limit)
    return _listed(ctx, f"/api/v1/accounts/{account_id}/in_collections", found)


@routes("POST", "/api/v1/collections/{id:int}/items", scopes=WRITE)
async def add_item(ctx: Ctx) -> c.WrappedCollectionItem:
    p = ctx.params
    wanted = None if p.raw("account_id") in (None, "") else (p.id("account_id") or 0)
    made = await collections.add_item(ctx.db, ctx.account, ctx.path_id(), wanted)
    return {"collection_item": collection_item(made)}


@routes("DELETE", "/api/v1/collections/{id:int}/items/{item_id}", scopes=WRITE)
async def delete_item(ctx: Ctx) -> t.Empty:
    await collections.delete_item(ctx.db, ctx.account, ctx.path_id(), ctx.path_id("item_id"))
    return {}


@routes("POST", "/api/v1/collections/{id:int}/items/{item_id}/revoke", scopes=WRITE)
async def revoke_item(ctx: Ctx) -> t.Empty:
    await collections.revoke_item(ctx.db, ctx.account, ctx.path_id(), ctx.path_id("item_id"))
    return {}
