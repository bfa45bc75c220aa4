"""hashtags/*: list by Misskey's counters, search by prefix, show, trend, and who wears a tag."""

from __future__ import annotations

from typing import cast

from starlette.responses import Response

from tandem.api.http import JSON
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.hashtags import Hashtag, TrendEntry, hashtag, trend_entry
from tandem.api.misskey.entities.types import UserDetailed
from tandem.api.misskey.schema import LIMIT, P
from tandem.api.misskey.views import users
from tandem.core import hashtags
from tandem.core.hashtags import Counter, UserSort

# `+` is largest first and `-` smallest first, as Misskey sorts them.
_COUNTERS: dict[str, Counter] = {
    "mentionedUsers": "mentioned_users",
    "mentionedLocalUsers": "mentioned_local_users",
    "mentionedRemoteUsers": "mentioned_remote_users",
    "attachedUsers": "attached_users",
    "attachedLocalUsers": "attached_local_users",
    "attachedRemoteUsers": "attached_remote_users",
}
_LIST_SORTS = tuple(f"{sign}{name}" for name in _COUNTERS for sign in "+-")
_USER_SORTS = tuple(
    f"{sign}{name}" for name in ("follower", "createdAt", "updatedAt") for sign in "+-"
)
_WEARING: tuple[tuple[str, Counter], ...] = (
    ("attachedToUserOnly", "attached_users"),
    ("attachedToLocalUserOnly", "attached_local_users"),
    ("attachedToRemoteUserOnly", "attached_remote_users"),
)
_NO_SUCH_HASHTAG = e.err(
    "NO_SUCH_HASHTAG", "No such hashtag.", id="110ee688-193e-4a3a-9ecf-c167b2e6981e"
)


@endpoint(
    "hashtags/list",
    credential=False,
    params={
        "sort": P("string", required=True, enum=_LIST_SORTS),
        "limit": LIMIT,
        **{flag: P("boolean", default=False) for flag, _ in _WEARING},
    },
)
async def list_(call: Call) -> list[Hashtag]:
    p = call.params
    sort: str = p["sort"]
    wearing = next((counter for flag, counter in _WEARING if p[flag]), None)
    found = await hashtags.listed(
        call.db, _COUNTERS[sort[1:]], sort.startswith("+"), p["limit"], wearing
    )
    return [hashtag(t) for t in found]


@endpoint(
    "hashtags/search",
    credential=False,
    params={
        "query": P("string", required=True),
        "limit": LIMIT,
        "offset": P("integer", minimum=0, default=0),
    },
)
async def search(call: Call) -> list[str]:
    p = call.params
    return await hashtags.search(call.db, p["query"], p["limit"], p["offset"])


@endpoint(
    "hashtags/show",
    credential=False,
    params={"tag": P("string", required=True)},
    errors={"not_found:tag": _NO_SUCH_HASHTAG},
)
async def show(call: Call) -> Hashtag:
    return hashtag(await hashtags.show(call.db, call.params["tag"]))


@endpoint("hashtags/trend", credential=False, allow_get=True)
async def trend(call: Call) -> list[TrendEntry] | Response:
    ranked = [trend_entry(t) for t in await hashtags.trend(call.db)]
    if call.request.method == "GET" and call.principal is None:
        return JSON(ranked, headers={"Cache-Control": "public, max-age=60"})
    return ranked


@endpoint(
    "hashtags/users",
    credential=False,
    params={
        "tag": P("string", required=True),
        "sort": P("string", required=True, enum=_USER_SORTS),
        "limit": LIMIT,
        "offset": P("integer", minimum=0, default=0),
        "state": P("string", enum=("all", "alive"), default="all"),
        "origin": P("string", enum=("combined", "local", "remote"), default="local"),
    },
)
async def wearers(call: Call) -> list[UserDetailed]:
    p = call.params
    sort: str = p["sort"]
    found = await hashtags.wearers(
        call.db,
        p["tag"],
        sort=cast(UserSort, sort[1:]),
        descending=sort.startswith("+"),
        origin=p["origin"],
        alive=p["state"] == "alive",
        limit=p["limit"],
        offset=p["offset"],
    )
    return await users(call, found)
