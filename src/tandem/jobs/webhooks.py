"""deliver_webhook: POST one event to a user's webhook in Misskey's body shape.

Server errors, 429 and network failures are retried with backoff (the worker's attempts);
other 4xx answers are final. Every attempt records latestSentAt and latestStatus.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from tandem import __version__
from tandem.api.misskey.entities.common import Ctx, iso
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.types import UserLite
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.api.misskey.entities.users import user_detailed
from tandem.core import accounts, clock, statuses, user_views, webhooks
from tandem.core.errors import NotFound
from tandem.core.webhooks import Webhook
from tandem.jobs.outbound import may_reach
from tandem.jobs.worker import JobContext
from tandem.tls import client_context

NOTE_EVENTS = ("note", "reply", "renote", "mention")
NETWORK_ERROR = 1  # latestStatus when no HTTP answer came back


class DeliveryFailed(Exception):
    """A delivery worth trying again."""


def _sample_note(ctx: Ctx, owner: UserLite) -> dict[str, Any]:
    """What a test delivery of a note event carries (no real note is involved)."""
    return {
        "id": "dummy-note-1",
        "createdAt": iso(clock.now()),
        "userId": owner["id"],
        "user": owner,
        "text": "This is a test delivery from tandem.",
        "cw": None,
        "visibility": "public",
        "localOnly": False,
        "renoteCount": 0,
        "repliesCount": 0,
        "reactions": {},
        "fileIds": [],
        "files": [],
        "replyId": None,
        "renoteId": None,
    }


async def _content(ctx: JobContext, hook: Webhook) -> dict[str, Any] | None:
    """The event's body; None when what it was about is gone."""
    p = ctx.payload
    services = ctx.services
    render = Ctx(services.settings, hook.account_id)
    owner = await accounts.find(services.db, hook.account_id)
    if owner is None:
        return None
    if p.get("test"):
        me = user_lite(render, owner)
        return {"note": _sample_note(render, me)} if p["type"] in NOTE_EVENTS else {"user": me}
    if p["type"] in NOTE_EVENTS:
        try:
            b = await statuses.show(services.db, owner, p["note_id"])
        except NotFound:
            return None
        return {"note": note(render, b.statuses[0], b)}
    try:
        view = await user_views.of(services.db, owner, p["user_id"])
    except NotFound:
        return None
    return {"user": user_detailed(render, view)}


async def deliver_webhook(ctx: JobContext) -> None:
    services = ctx.services
    settings = services.settings
    p = ctx.payload
    hook = await webhooks.get(services.db, p["webhook_id"])
    if hook is None or not (hook.active or p.get("test")):
        return
    content = await _content(ctx, hook)
    if content is None:
        return
    url = p.get("url") or hook.url
    secret: str = p["secret"] if p.get("secret") is not None else hook.secret
    body = {
        "server": settings.base_url,
        "hookId": str(hook.id),
        "userId": str(hook.account_id),
        "eventId": str(p["event_id"]),
        "createdAt": p["created_at"],
        "type": p["type"],
        "body": content,
    }
    headers = {
        "User-Agent": f"Misskey-Hooks (tandem/{__version__})",
        "X-Misskey-Host": settings.domain,
        "X-Misskey-Hook-Id": str(hook.id),
        "X-Misskey-Hook-Secret": secret,
        "Content-Type": "application/json",
    }
    record = p.get("url") is None  # a test sent elsewhere leaves the webhook's record alone
    if not await may_reach(url, settings.allow_loopback_fetch):
        if record:
            await webhooks.record_delivery(services.db, hook.id, clock.now(), NETWORK_ERROR)
        return  # a private address will not become public by retrying
    try:
        async with httpx.AsyncClient(
            timeout=15, follow_redirects=False, verify=client_context()
        ) as client:
            response = await client.post(url, content=orjson.dumps(body), headers=headers)
        status = response.status_code
    except httpx.HTTPError as exc:
        if record:
            await webhooks.record_delivery(services.db, hook.id, clock.now(), NETWORK_ERROR)
        raise DeliveryFailed(f"could not reach {url}: {exc}") from None
    if record:
        await webhooks.record_delivery(services.db, hook.id, clock.now(), status)
    if status >= 500 or status == 429:
        raise DeliveryFailed(f"{url} answered {status}")
