"""The inbox (each actor's and the shared one): a POST is checked at once (size, JSON, the
HTTP signature, that the signer is the activity's actor, the sender's server not refused, no
replay) and answered 202; the activity then waits as an `ap_inbox` job (federation/
inbox_jobs.py does what it says).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tandem.api.http import JSON, read_body
from tandem.core import actor_keys, clock, federation_delivery
from tandem.federation import parse, resolve
from tandem.federation.signatures import SignatureError, verify_request
from tandem.services import Services

log = logging.getLogger("tandem.federation")
MAX_ACTIVITY_BYTES = 1024 * 1024
SKEW = timedelta(hours=1)


def fetch_key(services: Services) -> Callable[[str, bool], Awaitable[str | None]]:
    """The signature checker's key source: the stored key, else (or on `refresh`) the
    signer's actor fetched anew."""

    async def lookup(key_id: str, refresh: bool) -> str | None:
        if not refresh:
            found = await actor_keys.by_key_id(services.db, key_id)
            if found is not None:
                return found[1]
        return await resolve.refresh_key(services.db, services.settings, key_id)

    return lookup


def _refused(status: int, message: str) -> Response:
    return JSON({"error": message}, status_code=status)


async def inbox(request: Request) -> Response:
    services: Services = request.app.state.services
    body = await read_body(request, MAX_ACTIVITY_BYTES)
    try:
        activity = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _refused(400, "The body is not JSON.")
    if not isinstance(activity, dict) or not parse.types(activity):
        return _refused(400, "The body is not an activity.")
    actor_uri = parse.ident(activity.get("actor"))
    if not actor_uri:
        return _refused(400, "The activity names no actor.")
    try:
        signed = await verify_request(
            method="POST",
            target=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            authority=request.headers.get("host", ""),
            headers=request.headers,
            body=body,
            now=clock.now(),
            fetch_key=fetch_key(services),
            max_skew=SKEW,
            scheme=request.url.scheme,
        )
    except SignatureError as err:
        if "Delete" in parse.types(activity) and parse.ident(activity.get("object")) == actor_uri:
            # A deleted actor's key is gone with it: nothing to check, nothing to keep.
            return Response(status_code=202)
        return _refused(401, str(err))
    signer = await actor_keys.by_key_id(services.db, signed.key_id)
    if signer is None or signer[0].uri != actor_uri:
        return _refused(401, "The request is not signed by the activity's actor.")
    if await resolve.refused_domain(services, parse.host(actor_uri)):
        return _refused(403, "This server does not accept activities from yours.")
    if not await federation_delivery.first_sighting(services.db, signed.replay_key, SKEW):
        return _refused(401, "This signed request was received before (a replay).")
    await federation_delivery.queue_inbox(services.db, activity, signer[0].id)
    return Response(status_code=202)


async def instance_inbox(request: Request) -> Response:
    """The instance actor's inbox: accepted like the shared inbox."""
    return await inbox(request)


routes = [
    Route("/inbox", inbox, methods=["POST"]),
    Route("/actor/inbox", instance_inbox, methods=["POST"]),
    Route("/ap/users/{account_id}/inbox", inbox, methods=["POST"]),
]
