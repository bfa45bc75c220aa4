"""Misskey search: users/search, users/search-by-username-and-host and notes/search, over the
same core as Mastodon's /api/v2/search."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.types import Note, UserDetailed, UserLite
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.api.misskey.schema import LIMIT, PAGE, P
from tandem.api.misskey.views import ctx, in_order, page, users
from tandem.core import search
from tandem.core.models import Account

UNAVAILABLE = e.err(
    "UNAVAILABLE", "Search of notes unavailable.", "0b44998d-77aa-4427-80d0-d2c9b8523011"
)
_OFFSET = P("integer", minimum=0, maximum=2000, default=0)
_DETAIL = P("boolean", default=True)


def _on_host_local(host: str, local_host: str) -> bool:
    wanted = host.strip().lower()
    return wanted in (".", local_host.lower(), local_host.lower().split(":")[0])


def _on_host(a: Account, host: str | None, local_host: str) -> bool:
    """Misskey's host filter: "." (or this server's name) is local, another name that host."""
    if host is None:
        return True
    wanted = host.strip().lower()
    if _on_host_local(host, local_host):
        return a.local
    return a.domain is not None and a.domain.lower() == wanted


async def _users(call: Call, found: list[Account]) -> list[UserDetailed] | list[UserLite]:
    if call.params["detail"]:
        return await users(call, found)  # loaded together, not one by one
    c = ctx(call)
    return [user_lite(c, a) for a in found]


@endpoint(
    "users/search",
    credential=False,
    params={
        "query": P("string", required=True),
        "offset": _OFFSET,
        "limit": LIMIT,
        "origin": P("string", enum=("local", "remote", "combined"), default="combined"),
        "detail": _DETAIL,
    },
)
async def users_search(call: Call) -> list[UserDetailed] | list[UserLite]:
    p = call.params
    found = await search.search(
        call.db,
        call.settings,
        call.viewer,
        search.Query(text=p["query"], kinds=("accounts",), limit=p["limit"], offset=p["offset"]),
    )
    origin = p["origin"]
    kept = [a for a in found.accounts if origin == "combined" or a.local == (origin == "local")]
    return await _users(call, kept)


@endpoint(
    "users/search-by-username-and-host",
    credential=False,
    params={
        "username": P("string", nullable=True),
        "host": P("string", nullable=True),
        "limit": LIMIT,
        "detail": _DETAIL,
    },
)
async def users_by_username_and_host(call: Call) -> list[UserDetailed] | list[UserLite]:
    p = call.params
    username = (p.get("username") or "").strip().removeprefix("@")
    if not username:
        return []  # accounts of a host alone are not listed
    host = p.get("host")
    remote = host is not None and not _on_host_local(host, call.settings.domain)
    # Another server's host narrows the search itself (`user@host`), so that the page is
    # not filled with local names first.
    text = f"{username}@{host.strip()}" if remote and host else username
    found = await search.search(
        call.db,
        call.settings,
        call.viewer,
        search.Query(text=text, kinds=("accounts",), limit=p["limit"]),
    )
    kept = [a for a in found.accounts if _on_host(a, host, call.settings.domain)]
    return await _users(call, kept)


@endpoint(
    "notes/search",
    credential=False,
    params={
        "query": P("string", required=True),
        **PAGE,
        "offset": _OFFSET,
        "host": P("string", nullable=True),
        "userId": P("id", nullable=True),
        "channelId": P("id", nullable=True),
    },
)
async def notes_search(call: Call) -> list[Note]:
    """Notes the caller may see holding every word of `query` (signed-in callers only, as
    Misskey's default policy `canSearchNotes` is off for guests)."""
    if call.viewer is None:
        raise UNAVAILABLE.raise_()
    p = call.params
    host = p.get("host")
    local_host = call.settings.domain.lower()
    if p.get("channelId") is not None or (
        host is not None and host.lower() not in (".", local_host, local_host.split(":")[0])
    ):
        return []  # no channels, and no notes of other servers yet
    window, ascending = page(call)
    found = await search.search(
        call.db,
        call.settings,
        call.viewer,
        search.Query(
            text=p["query"],
            kinds=("statuses",),
            limit=window.limit,
            offset=p["offset"],
            account_id=p.get("userId"),
            local_only=host is not None,
            page=window,
        ),
    )
    c = ctx(call)
    b = found.statuses
    return [note(c, s, b) for s in in_order(b.statuses, ascending)]
