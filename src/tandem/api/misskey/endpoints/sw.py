"""sw/*: the Web Push subscriptions of Misskey's service worker.

`register`, `show-registration` and `update-registration` are `secure` (the native token
only); `unregister` needs no credential: without one it deletes every subscription with the
endpoint (the endpoint URL, known only to the browser and its push service, is the proof).
"""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.types import SwRegistration, SwSubscription
from tandem.api.misskey.schema import P
from tandem.core import push
from tandem.core.push import Subscription

_ENDPOINT = P("string", required=True, min_length=1, max_length=push.MAX_ENDPOINT)
# (Misskey's id for this error starts with a space; clients compare it as it is.)
_NO_SUCH = {
    "not_found:push_subscription": e.err(
        "NO_SUCH_REGISTRATION", "No such registration.", " b09d8066-8064-5613-efb6-0e963b21d012"
    )
}


def _subscription(sub: Subscription) -> SwSubscription:
    return {
        "userId": str(sub.account_id),
        "endpoint": sub.endpoint,
        "sendReadMessage": sub.send_read_message,
    }


@endpoint(
    "sw/register",
    secure=True,
    params={
        "endpoint": _ENDPOINT,
        "auth": P("string", required=True, max_length=push.MAX_KEY),
        "publickey": P("string", required=True, max_length=push.MAX_KEY),
        "sendReadMessage": P("boolean", default=False),
    },
)
async def register(call: Call) -> SwRegistration:
    p = call.params
    created, sub = await push.register(
        call.db,
        call.account,
        endpoint=p["endpoint"],
        auth=p["auth"],
        publickey=p["publickey"],
        send_read_message=p["sendReadMessage"],
        allow_loopback=call.services.settings.allow_loopback_fetch,
    )
    return {
        "state": "subscribed" if created else "already-subscribed",
        "key": call.services.vapid_key or None,
        "userId": str(sub.account_id),
        "endpoint": sub.endpoint,
        "sendReadMessage": sub.send_read_message,
    }


@endpoint("sw/show-registration", secure=True, params={"endpoint": _ENDPOINT})
async def show_registration(call: Call) -> SwSubscription | None:
    sub = await push.registration(call.db, call.account, call.params["endpoint"])
    return _subscription(sub) if sub is not None else None  # none: 204, as Misskey


@endpoint(
    "sw/update-registration",
    secure=True,
    params={"endpoint": _ENDPOINT, "sendReadMessage": P("boolean")},
    errors=_NO_SUCH,
)
async def update_registration(call: Call) -> SwSubscription:
    p = call.params
    sub = await push.update_registration(
        call.db, call.account, p["endpoint"], p.get("sendReadMessage")
    )
    return _subscription(sub)


@endpoint("sw/unregister", credential=False, params={"endpoint": _ENDPOINT})
async def unregister(call: Call) -> None:
    principal = call.principal
    owner = principal.account if principal is not None else None
    await push.unregister(call.db, owner, call.params["endpoint"])
