"""Looking things up on other servers by URI: ap/show (a user or note, fetched and stored,
shown as this server shows it) and ap/get (the raw ActivityPub document, administrators
only)."""

from __future__ import annotations

from typing import Any, Literal, TypedDict
from urllib.parse import urlsplit

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.types import Note, UserDetailed
from tandem.api.misskey.schema import P
from tandem.api.misskey.views import ctx, user
from tandem.core import domain_policies, statuses, urls
from tandem.federation import resolve

NO_SUCH_OBJECT = e.err("NO_SUCH_OBJECT", "No such object.", "dc94d745-1262-4e63-a17d-fecaa57efc82")
URI_INVALID = e.err("URI_INVALID", "URI is invalid.", "1a5eab56-e47b-48c2-8d5e-217b897d70db")
REQUEST_FAILED = e.err("REQUEST_FAILED", "Request failed.", "81b539cf-4f57-4b29-bc98-032c33c0792e")
FEDERATION_NOT_ALLOWED = e.err(
    "FEDERATION_NOT_ALLOWED",
    "Federation for this host is not allowed.",
    "974b799e-1a29-4889-b706-18d4dd93e266",
)
NOT_ADMIN = e.err(
    "ROLE_PERMISSION_DENIED",
    "You are not assigned to an administrator role.",
    "c3d38592-54c0-429d-be96-5636b0431a61",
    403,
    "permission",
)
_ERRORS = {
    "not_found:account": NO_SUCH_OBJECT,
    "not_found:status": NO_SUCH_OBJECT,
}
_URI = {"uri": P("string", required=True)}
_HOURLY_30 = (3_600_000, 30)  # Misskey's limit for both


class ShownUser(TypedDict):
    type: Literal["User"]
    object: UserDetailed


class ShownNote(TypedDict):
    type: Literal["Note"]
    object: Note


async def _checked_host(call: Call, uri: str) -> str:
    """The URI's host, after refusing what cannot be fetched (not http(s), a refused server)."""
    parts = urlsplit(uri.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise URI_INVALID.raise_()
    policy = await domain_policies.policy_for(call.db, call.settings, parts.netloc)
    if policy.refused:
        raise FEDERATION_NOT_ALLOWED.raise_()
    return parts.netloc


async def _shown_note(call: Call, status_id: int) -> ShownNote:
    found = await statuses.show(call.db, call.viewer, status_id)  # hidden: NO_SUCH_OBJECT
    return {"type": "Note", "object": note(ctx(call), found.statuses[0], found)}


@endpoint("ap/show", kind="read:account", params=_URI, limit=_HOURLY_30, errors=_ERRORS)
async def show(call: Call) -> ShownUser | ShownNote:
    """A user or note by its ActivityPub id (or another URL its server answers for it):
    this server's own, one already stored, else fetched from its server and stored."""
    uri = call.params["uri"].strip()
    host = await _checked_host(call, uri)
    local_account = urls.local_actor_id(call.settings, uri)
    if local_account is not None:
        return {"type": "User", "object": await user(call, local_account)}
    local_status = urls.local_status_id(call.settings, uri)
    if local_status is not None:
        return await _shown_note(call, local_status)
    if resolve.is_local_domain(call.settings, host):
        raise NO_SUCH_OBJECT.raise_()
    try:
        account, status_id = await resolve.object_by_url(call.db, call.settings, uri)
    except resolve.NotAnObject:
        raise NO_SUCH_OBJECT.raise_() from None
    except resolve.ResolveError:
        raise REQUEST_FAILED.raise_() from None
    if account is not None:
        return {"type": "User", "object": await user(call, account.id)}
    if status_id is not None:
        return await _shown_note(call, status_id)
    raise NO_SUCH_OBJECT.raise_()


@endpoint("ap/get", kind="read:federation", params=_URI, limit=_HOURLY_30, moderator=True)
async def get(call: Call) -> dict[str, Any]:
    """The ActivityPub document at a URI, as its server answers this server's signed GET."""
    if call.account.role not in ("admin", "owner"):
        raise NOT_ADMIN.raise_()  # (Misskey's requireAdmin; moderators are refused too)
    uri = call.params["uri"].strip()
    await _checked_host(call, uri)
    try:
        return await resolve.raw_object(call.db, call.settings, uri)
    except resolve.ResolveError:
        raise REQUEST_FAILED.raise_() from None
