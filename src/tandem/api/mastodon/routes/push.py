"""/api/v1/push/subscription: the Web Push subscription of the calling access token.

One per token (POST replaces it; it goes when the token is revoked); `subscription[…]` says
where and how to encrypt, `data[alerts][<type>]` and `data[policy]` what to push. Bodies
come as JSON, forms or nested-bracket keys (`data[alerts][admin.sign_up]=true`).
"""

from __future__ import annotations

from typing import Any

from tandem.api.mastodon.endpoint import Ctx, MastodonError, bearer_token, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.params import Params
from tandem.core import push, vapid
from tandem.core.push import Subscription

SCOPES = ("push",)


def _entity(sub: Subscription, server_key: str) -> t.WebPushSubscription:
    alerts: Any = {name: sub.alerts.get(name, False) for name in push.ALERTS}
    policy: Any = sub.policy
    return {
        "id": str(sub.id),
        "endpoint": sub.endpoint,
        "standard": bool(sub.standard),
        "alerts": alerts,
        "policy": policy,
        "server_key": server_key,
    }


def _hash(params: Params, name: str) -> dict[str, Any]:
    """A nested parameter, {} when absent; something else than a hash is refused (400)."""
    return params.mapping(name) or {}


def _data(params: Params) -> tuple[dict[str, bool] | None, str | None]:
    """`data[alerts]` (Rails-cast booleans) and `data[policy]`; None where not given.
    A top-level `policy` counts when `data[policy]` is absent: Mastodon.py sends it there
    (Mastodon ignores it, so that client's policy never took effect)."""
    data = Params(_hash(params, "data"))
    given = data.mapping("alerts")
    alerts = None
    if given is not None:
        shown = Params(given)
        alerts = {name: bool(shown.boolean(name)) for name in push.ALERTS if shown.has(name)}
    return alerts, data.text("policy") or params.text("policy")


def _token_id(ctx: Ctx) -> int:
    assert ctx.principal is not None
    return ctx.principal.token.id


@routes("POST", "/api/v1/push/subscription", scopes=SCOPES)
async def create(ctx: Ctx) -> t.WebPushSubscription:
    given = ctx.params.mapping("subscription")
    if not given:
        raise MastodonError(400, "param is missing or the value is empty: subscription")
    subscription = Params(given)
    keys = Params(subscription.mapping("keys") or {})
    alerts, policy = _data(ctx.params)
    token = bearer_token(ctx.request, ctx.params)
    secret = ctx.services.settings.secret_key
    sub = await push.subscribe(
        ctx.db,
        ctx.account,
        _token_id(ctx),
        endpoint=subscription.text("endpoint"),
        p256dh=keys.text("p256dh"),
        auth=keys.text("auth"),
        standard=subscription.boolean("standard"),
        alerts=alerts or {},
        policy=policy,
        sealed_token=vapid.seal(secret, token) if token and secret else None,
        allow_loopback=ctx.services.settings.allow_loopback_fetch,
    )
    return _entity(sub, ctx.services.vapid_key)


@routes("GET", "/api/v1/push/subscription", scopes=SCOPES)
async def show(ctx: Ctx) -> t.WebPushSubscription:
    return _entity(await push.of_token(ctx.db, _token_id(ctx)), ctx.services.vapid_key)


@routes("PUT", "/api/v1/push/subscription", scopes=SCOPES)
async def update(ctx: Ctx) -> t.WebPushSubscription:
    # As Mastodon, the data part is replaced as a whole: alerts not given are off.
    alerts, policy = _data(ctx.params)
    sub = await push.change(ctx.db, _token_id(ctx), alerts or {}, policy or "all")
    return _entity(sub, ctx.services.vapid_key)


@routes("DELETE", "/api/v1/push/subscription", scopes=SCOPES)
async def destroy(ctx: Ctx) -> dict[str, Any]:
    await push.unsubscribe(ctx.db, _token_id(ctx))
    return {}
