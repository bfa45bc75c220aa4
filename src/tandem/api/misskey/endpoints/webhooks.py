"""i/webhooks/*: HTTP callbacks for events on the user's account."""

from __future__ import annotations

from dataclasses import replace

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.misc import webhook
from tandem.api.misskey.entities.types import Webhook as WebhookJson
from tandem.api.misskey.schema import REQ_ID, P
from tandem.core import webhooks
from tandem.core.i18n import Text

_EVENTS = P("array", unique_items=True, items=P("string", enum=webhooks.EVENTS))
_NO_SUCH = {"not_found:webhook": e.err("NO_SUCH_WEBHOOK", "No such webhook.", status=400)}


@endpoint(
    "i/webhooks/create",
    kind="write:account",
    params={
        "name": P("string", required=True, min_length=1, max_length=100),
        "url": P("string", required=True, min_length=1, max_length=1024),
        "secret": P("string", max_length=1024, default=""),
        "on": replace(_EVENTS, required=True),
    },
    limit=(3_600_000, 10),
    errors={
        "TOO_MANY_WEBHOOKS": e.err(
            "TOO_MANY_WEBHOOKS",
            Text("You cannot create more than {count} webhooks.", count=webhooks.LIMIT),
        )
    },
)
async def create(call: Call) -> WebhookJson:
    p = call.params
    hook = await webhooks.create(
        call.db, call.account, name=p["name"], url=p["url"], secret=p["secret"], events=p["on"]
    )
    return webhook(hook)


@endpoint("i/webhooks/list", kind="read:account")
async def list_(call: Call) -> list[WebhookJson]:
    return [webhook(h) for h in await webhooks.all_of(call.db, call.account)]


@endpoint("i/webhooks/show", kind="read:account", params={"webhookId": REQ_ID}, errors=_NO_SUCH)
async def show(call: Call) -> WebhookJson:
    return webhook(await webhooks.own(call.db, call.account, call.params["webhookId"]))


@endpoint(
    "i/webhooks/update",
    kind="write:account",
    params={
        "webhookId": REQ_ID,
        "name": P("string", min_length=1, max_length=100),
        "url": P("string", min_length=1, max_length=1024),
        "secret": P("string", nullable=True, max_length=1024),
        "on": _EVENTS,
        "active": P("boolean"),
    },
    errors=_NO_SUCH,
)
async def update(call: Call) -> None:
    p = call.params
    await webhooks.update(
        call.db,
        call.account,
        p["webhookId"],
        name=p.get("name"),
        url=p.get("url"),
        secret=(p["secret"] or "") if "secret" in p else None,
        events=p.get("on"),
        active=p.get("active"),
    )


@endpoint("i/webhooks/delete", kind="write:account", params={"webhookId": REQ_ID}, errors=_NO_SUCH)
async def delete(call: Call) -> None:
    await webhooks.delete(call.db, call.account, call.params["webhookId"])


@endpoint(
    "i/webhooks/test",
    kind="read:account",
    params={
        "webhookId": REQ_ID,
        "type": P("string", required=True, enum=webhooks.EVENTS),
        "override": P(
            "object",
            properties={
                "url": P("string", min_length=1, max_length=1024),
                "secret": P("string", max_length=1024),
            },
        ),
    },
    limit=(60_000, 10),
    errors=_NO_SUCH,
)
async def test(call: Call) -> None:
    """Queue a sample delivery of the event (to the override URL/secret when given)."""
    p = call.params
    override = p.get("override") or {}
    await webhooks.queue_test(
        call.db,
        call.account,
        p["webhookId"],
        p["type"],
        override.get("url"),
        override.get("secret"),
    )
