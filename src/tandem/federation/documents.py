"""The documents other servers read: WebFinger, host-meta, actors (content-negotiated with the
profile page), their collections, and posts as Notes.

With the `authorized_fetch` setting (Mastodon's secure mode) actors, collections and posts
are served to signed requests only (WebFinger, host-meta and the instance actor stay open:
a server needs them to sign at all).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tandem.api.http import JSON
from tandem.core import (
    accounts,
    actor_keys,
    clock,
    featured_tags,
    federation_objects,
    statuses,
    urls,
)
from tandem.core.errors import NotFound
from tandem.core.ids import parse_id
from tandem.core.models import Account, Page
from tandem.core.statuses import AccountStatusesQuery
from tandem.federation import render
from tandem.federation.inbox import fetch_key
from tandem.federation.signatures import SignatureError, verify_request
from tandem.services import Services

AP_JSON = "application/activity+json; charset=utf-8"
PAGE_SIZE = 20


def wants_activity_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/activity+json" in accept or (
        "application/ld+json" in accept and "activitystreams" in accept
    )


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def activity_json(body: dict[str, Any], status: int = 200) -> Response:
    return JSON(body, status_code=status, headers={"Content-Type": AP_JSON, "Vary": "Accept"})


def _not_found() -> Response:
    return JSON({"error": "Record not found"}, status_code=404)


async def _signed_if_required(request: Request) -> Response | None:
    """Secure mode: a 401 unless the GET is signed by a key this server can check."""
    services = _services(request)
    if not services.settings.authorized_fetch:
        return None

    try:
        await verify_request(
            method="GET",
            target=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            authority=request.headers.get("host", ""),
            headers=request.headers,
            body=b"",
            now=clock.now(),
            fetch_key=fetch_key(services),
            scheme=request.url.scheme,
        )
    except SignatureError as err:
        return JSON({"error": str(err)}, status_code=401)
    return None


async def webfinger(request: Request) -> Response:
    services = _services(request)
    settings = services.settings
    resource = request.query_params.get("resource", "").strip()
    if not resource:
        return JSON({"error": "resource is required"}, status_code=400)
    account: Account | None = None
    try:
        if resource.startswith("acct:") or ("@" in resource and "/" not in resource):
            account = await accounts.lookup(services.db, settings, resource.removeprefix("acct:"))
        elif (account_id := urls.local_actor_id(settings, resource)) is not None:
            account = await federation_objects.local_account(services.db, account_id)
        elif resource.startswith(f"{settings.base_url}/@"):
            name = resource.removeprefix(f"{settings.base_url}/@")
            account = await accounts.lookup(services.db, settings, name)
    except NotFound:
        account = None
    if resource in (
        f"acct:{settings.domain}@{settings.domain}",
        actor_keys.instance_actor_uri(settings),
    ):
        return _jrd(
            f"acct:{settings.domain}@{settings.domain}",
            actor_keys.instance_actor_uri(settings),
            f"{settings.base_url}/about/more?instance_actor=true",
            settings.base_url,
        )
    if account is None or not account.local or account.suspended:
        return _not_found()
    actor = urls.actor_uri(settings, account)
    return _jrd(
        f"acct:{account.username}@{settings.domain}",
        actor,
        urls.profile_url(settings, account),
        settings.base_url,
    )


def _jrd(subject: str, actor: str, profile: str, base: str) -> Response:
    body = {
        "subject": subject,
        "aliases": [profile, actor],
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile},
            {"rel": "self", "type": "application/activity+json", "href": actor},
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": f"{base}/authorize_interaction?uri={{uri}}",
            },
        ],
    }
    return JSON(
        body,
        headers={"Content-Type": "application/jrd+json; charset=utf-8", "Vary": "Accept"},
    )


async def host_meta(request: Request) -> Response:
    base = _services(request).settings.base_url
    template = escape(f"{base}/.well-known/webfinger?resource={{uri}}", {'"': "&quot;"})
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    return Response(xml, media_type="application/xrd+xml; charset=utf-8")


async def _account(request: Request) -> Account | None:
    account_id = parse_id(request.path_params["account_id"])
    if account_id is None:
        return None
    found = await federation_objects.local_account(_services(request).db, account_id)
    return found if found is not None and not found.suspended else None


async def actor(request: Request) -> Response:
    services = _services(request)
    account = await _account(request)
    if account is None:
        return _not_found()
    if not wants_activity_json(request):
        return RedirectResponse(urls.profile_url(services.settings, account), status_code=302)
    if (refused := await _signed_if_required(request)) is not None:
        return refused
    key = await actor_keys.local_key(services.db, services.settings, account)
    extras = await federation_objects.actor_extras(services.db, services.settings, account)
    return activity_json(render.actor(services.settings, account, key.public_key_pem, extras))


async def instance_actor(request: Request) -> Response:
    return activity_json(render.instance_actor(_services(request).settings))


def _collection_visible(account: Account, side: str) -> bool | None:
    """True: items shown; False: the count only (Mastodon's hidden collections); None: not
    at all (Misskey's private or followers-only lists answer 403)."""
    setting = account.followers_visibility if side == "followers" else account.following_visibility
    if setting == "public":
        return True
    return False if account.hide_collections else None


ActorDocument = Callable[[Request, Services, Account, str], Awaitable[Response]]


def actor_document(handler: ActorDocument) -> Callable[[Request], Awaitable[Response]]:
    """A document of one local actor's: 404 for an unknown or suspended account, secure
    mode's signature check, then the handler with the account and its actor id."""

    async def serve(request: Request) -> Response:
        services = _services(request)
        account = await _account(request)
        if account is None:
            return _not_found()
        if (refused := await _signed_if_required(request)) is not None:
            return refused
        return await handler(request, services, account, urls.actor_uri(services.settings, account))

    return serve


@actor_document
async def collection(
    request: Request, services: Services, account: Account, actor_uri: str
) -> Response:
    side = "followers" if request.url.path.endswith("/followers") else "following"
    uri = f"{actor_uri}/{side}"
    visible = _collection_visible(account, side)
    if visible is None:
        return JSON({"error": "This collection is not public"}, status_code=403)
    total = account.followers_count if side == "followers" else account.following_count
    if not visible:
        return activity_json(render.collection(uri, total))
    if "page" not in request.query_params:
        return activity_json(render.collection(uri, total, first=f"{uri}?page=1"))
    max_id = parse_id(request.query_params.get("max_id", ""))
    window = Page(limit=PAGE_SIZE, max_id=max_id)
    lister = accounts.followers if side == "followers" else accounts.following
    rows = await lister(services.db, None, account.id, window)
    items = [urls.actor_uri(services.settings, a) for _, a in rows]
    next_page = f"{uri}?page=1&max_id={rows[-1][0]}" if len(rows) == PAGE_SIZE else None
    page_uri = f"{uri}?page=1" + (f"&max_id={max_id}" if max_id else "")
    return activity_json(render.collection_page(page_uri, uri, items, next_page))


async def _notes(services: Services, status_ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for status_id in status_ids:
        parts = await federation_objects.note_parts(services.db, services.settings, status_id)
        if parts is not None:
            found.append(render.note_of(services.settings, parts))
    return found


@actor_document
async def outbox(
    request: Request, services: Services, account: Account, actor_uri: str
) -> Response:
    uri = f"{actor_uri}/outbox"
    if "page" not in request.query_params:
        return activity_json(render.collection(uri, account.statuses_count, first=f"{uri}?page=1"))
    max_id = parse_id(request.query_params.get("max_id", ""))
    shown = await statuses.of_account(
        services.db,
        None,
        account.id,
        Page(limit=PAGE_SIZE, max_id=max_id),
        AccountStatusesQuery(exclude_reblogs=True, exclude_direct=True),
    )
    public = [s.id for s in shown.statuses if s.visibility == "public"]
    items = [render.create_of(note, context=False) for note in await _notes(services, public)]
    last = shown.statuses[-1].id if len(shown.statuses) == PAGE_SIZE else None
    next_page = f"{uri}?page=1&max_id={last}" if last else None
    return activity_json(render.collection_page(f"{uri}?page=1", uri, items, next_page))


@actor_document
async def featured(
    request: Request, services: Services, account: Account, actor_uri: str
) -> Response:
    shown = await statuses.of_account(
        services.db, None, account.id, Page(limit=40), AccountStatusesQuery(pinned=True)
    )
    items = await _notes(services, [s.id for s in shown.statuses])
    return activity_json(render.collection(f"{actor_uri}/collections/featured", len(items), items))


@actor_document
async def featured_tags_collection(
    request: Request, services: Services, account: Account, actor_uri: str
) -> Response:
    tags = await featured_tags.of_account(services.db, account.id)
    items = [
        {"type": "Hashtag", "href": urls.tag_url(services.settings, t.name), "name": f"#{t.name}"}
        for t in tags
    ]
    return activity_json(render.collection(f"{actor_uri}/collections/tags", len(items), items))


@actor_document
async def note(request: Request, services: Services, account: Account, actor_uri: str) -> Response:
    status_id = parse_id(request.path_params["status_id"])
    parts = (
        await federation_objects.note_parts(services.db, services.settings, status_id)
        if status_id is not None
        else None
    )
    if (
        parts is None
        or parts.author.id != account.id
        or parts.status.visibility not in ("public", "unlisted")
        or parts.status.reblog_of_id is not None
    ):
        return _not_found()
    body = render.note_of(services.settings, parts)
    if request.url.path.endswith("/activity"):
        return activity_json(render.create_of(body, context=True))
    return activity_json({"@context": render.CONTEXT, **body})


routes = [
    Route("/.well-known/webfinger", webfinger, methods=["GET"]),
    Route("/.well-known/host-meta", host_meta, methods=["GET"]),
    Route("/actor", instance_actor, methods=["GET"]),
    Route("/ap/users/{account_id}", actor, methods=["GET"]),
    Route("/ap/users/{account_id}/outbox", outbox, methods=["GET"]),
    Route("/ap/users/{account_id}/collections/featured", featured, methods=["GET"]),
    Route("/ap/users/{account_id}/collections/tags", featured_tags_collection, methods=["GET"]),
    Route("/ap/users/{account_id}/followers", collection, methods=["GET"], name="followers"),
    Route("/ap/users/{account_id}/following", collection, methods=["GET"], name="following"),
    Route("/ap/users/{account_id}/statuses/{status_id}", note, methods=["GET"]),
    Route("/ap/users/{account_id}/statuses/{status_id}/activity", note, methods=["GET"]),
]
