"""i/registry/*: the key/value store clients keep their settings in."""

from __future__ import annotations

from typing import Any

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.common import iso
from tandem.api.misskey.entities.responses import RegistryDetail, RegistryScopes
from tandem.api.misskey.schema import P
from tandem.core import registry

_SCOPE = P("array", default=[], items=P("string", pattern=r"^[a-zA-Z0-9_.-]+$"))
_WHERE = {"scope": _SCOPE, "domain": P("string", nullable=True)}
_KEY = P("string", required=True, min_length=1)


def _no_such_key(error_id: str) -> dict[str, e.ErrorDef]:
    return {"not_found:key": e.err("NO_SUCH_KEY", "No such key.", error_id)}


def _place(call: Call) -> registry.Place:
    """Sign-in tokens may name any domain; an app's token always uses its own."""
    token = call.principal.token if call.principal else None
    if token is not None and not token.native:
        domain: str | None = str(token.id)
    else:
        domain = call.params.get("domain")
    return registry.place(call.account, call.params["scope"], domain)


@endpoint(
    "i/registry/get",
    kind="read:account",
    params={"key": _KEY, **_WHERE},
    errors=_no_such_key("ac3ed68a-62f0-422b-a7bc-d5e09e8f6a6a"),
)
async def get(call: Call) -> Any:
    item = await registry.get(call.db, _place(call), call.params["key"])
    return item.value  # any JSON value; null answers 204 as Misskey does


@endpoint(
    "i/registry/get-detail",
    kind="read:account",
    params={"key": _KEY, **_WHERE},
    errors=_no_such_key("97a1e8e7-c0f7-47d2-957a-92e61256e01a"),
)
async def get_detail(call: Call) -> RegistryDetail:
    item = await registry.get(call.db, _place(call), call.params["key"])
    return {"updatedAt": iso(item.updated_at), "value": item.value}


@endpoint("i/registry/get-all", kind="read:account", params=_WHERE)
async def get_all(call: Call) -> dict[str, Any]:
    return {item.key: item.value for item in await registry.items(call.db, _place(call))}


@endpoint(
    "i/registry/set",
    kind="write:account",
    params={"key": _KEY, "value": P("any", required=True, nullable=True), **_WHERE},
)
async def set_(call: Call) -> None:
    await registry.put(call.db, _place(call), call.params["key"], call.params["value"])


@endpoint(
    "i/registry/remove",
    kind="write:account",
    params={"key": _KEY, **_WHERE},
    errors=_no_such_key("1fac4e8a-a6cd-4e39-a4a5-3a7e11f1b019"),
)
async def remove(call: Call) -> None:
    await registry.remove(call.db, _place(call), call.params["key"])


@endpoint("i/registry/keys", kind="read:account", params=_WHERE)
async def keys(call: Call) -> list[str]:
    return [item.key for item in await registry.items(call.db, _place(call))]


@endpoint("i/registry/keys-with-type", kind="read:account", params=_WHERE)
async def keys_with_type(call: Call) -> dict[str, str]:
    found = await registry.items(call.db, _place(call))
    return {item.key: registry.type_name(item.value) for item in found}


# Misskey makes this one native-token only (secure, no kind): it lists every app's domain.
@endpoint("i/registry/scopes-with-domain", secure=True)
async def scopes_with_domain(call: Call) -> list[RegistryScopes]:
    grouped = await registry.scopes_by_domain(call.db, call.account)
    return [{"scopes": scopes, "domain": domain} for domain, scopes in grouped]
