"""Looking at users: users/show, users/relation, followers and following, block and mute lists."""

from __future__ import annotations

from tandem.api import remote_lookup
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities import relations
from tandem.api.misskey.entities.responses import UserRelation
from tandem.api.misskey.entities.types import (
    Blocking,
    FollowingWithFollowee,
    FollowingWithFollower,
    Muting,
    UserDetailed,
)
from tandem.api.misskey.schema import ID, PAGE, REQ_ID, P, invalid
from tandem.api.misskey.views import in_order, page, user, users
from tandem.core import accounts, endorsements, relationships
from tandem.core.errors import NotFound
from tandem.core.models import Account, Relationship

NO_SUCH_USER = e.err("NO_SUCH_USER", "No such user.", "4362f8dc-731f-4ad8-a694-be5a88922a24")


@endpoint(
    "users/show",
    credential=False,
    params={
        "userId": ID,
        "userIds": P("array", unique_items=True, max_items=100, items=ID),
        "username": P("string"),
        "host": P("string", nullable=True),
    },
    errors={"not_found:account": NO_SUCH_USER},
    replay=True,
)
async def show(call: Call) -> UserDetailed | list[UserDetailed]:
    """One user by userId or username (+host), or several by userIds."""
    p = call.params
    if "userIds" in p:
        found = {a.id: a for a in await accounts.get_many(call.db, p["userIds"])}
        # in the order asked, loaded together
        return await users(call, [found[i] for i in p["userIds"] if i in found])
    if "userId" in p:
        return await user(call, p["userId"])  # loads the account once (not found: NO_SUCH_USER)
    if "username" in p:
        return await user(call, (await _by_name(call, p["username"], p.get("host"))).id)
    raise invalid("userId", "send userId, userIds or username")


async def _by_name(call: Call, username: str, host: str | None) -> Account:
    """A user by username and host: stored, else (on another server) found through
    WebFinger and stored, as Misskey resolves it."""
    try:
        return await accounts.lookup(
            call.db, call.settings, f"{username}@{host}" if host else username
        )
    except NotFound:
        if not host or not username:
            raise
        found = await remote_lookup.handle_in(call.db, call.settings, f"{username}@{host}")
        if found is None:
            raise
        return found


def _relation(rel: Relationship) -> UserRelation:
    return {
        "id": str(rel.target_id),
        "isFollowing": rel.following,
        "hasPendingFollowRequestFromYou": rel.requested,
        "hasPendingFollowRequestToYou": rel.requested_by,
        "isFollowed": rel.followed_by,
        "isBlocking": rel.blocking,
        "isBlocked": rel.blocked_by,
        "isMuted": rel.muting,
        "isRenoteMuted": False,
    }


_ID_OR_IDS = P("any", required=True, any_of=(ID, P("array", min_items=1, items=ID)))


@endpoint("users/relation", kind="read:account", params={"userId": _ID_OR_IDS})
async def relation(call: Call) -> UserRelation | list[UserRelation] | None:
    """userId is one id (answered with one relation) or an array (answered with a list)."""
    raw = call.params["userId"]
    many = isinstance(raw, list)
    ids: list[int] = raw if many else [raw]
    found = await relationships.for_targets(call.db, call.account, ids)
    shown = [_relation(r) for r in found]
    return shown if many else (shown[0] if shown else None)


_COLLECTION = {**PAGE, "userId": ID, "username": P("string"), "host": P("string", nullable=True)}


async def _owner(call: Call) -> int:
    p = call.params
    if "userId" in p:
        return int(p["userId"])  # the listing itself answers NO_SUCH_USER: no read before it
    if "username" in p:
        acct = p["username"] + (f"@{p['host']}" if p.get("host") else "")
        return (await accounts.lookup(call.db, call.settings, acct)).id
    raise invalid("userId", "send userId or username")


@endpoint(
    "users/followers",
    credential=False,
    params=_COLLECTION,
    errors={"not_found:account": NO_SUCH_USER},
)
async def followers(call: Call) -> list[FollowingWithFollower]:
    owner = await _owner(call)
    window, ascending = page(call)
    found = in_order(await accounts.followers(call.db, call.viewer, owner, window), ascending)
    shown = await users(call, [a for _, a in found])
    pairs = zip(found, shown, strict=True)
    return [relations.follower(cursor, owner, u) for (cursor, _), u in pairs]


@endpoint(
    "users/following",
    credential=False,
    params=_COLLECTION,
    errors={"not_found:account": NO_SUCH_USER},
)
async def following(call: Call) -> list[FollowingWithFollowee]:
    owner = await _owner(call)
    window, ascending = page(call)
    found = in_order(await accounts.following(call.db, call.viewer, owner, window), ascending)
    shown = await users(call, [a for _, a in found])
    pairs = zip(found, shown, strict=True)
    return [relations.followee(cursor, owner, u) for (cursor, _), u in pairs]


async def _listed(call: Call, kind: str) -> list[tuple[int, Account, dict[str, object]]]:
    window, ascending = page(call)
    return in_order(await relationships.listed(call.db, call.account, kind, window), ascending)


@endpoint("blocking/list", kind="read:blocks", params=PAGE)
async def blocking_list(call: Call) -> list[Blocking]:
    found = await _listed(call, "blocks")
    shown = await users(call, [a for _, a, _ in found])
    return [relations.blocking(row_id, u) for (row_id, _, _), u in zip(found, shown, strict=True)]


@endpoint("mute/list", kind="read:mutes", params=PAGE)
async def mute_list(call: Call) -> list[Muting]:
    found = await _listed(call, "mutes")
    shown = await users(call, [a for _, a, _ in found])
    return [
        relations.muting(row_id, u, extra.get("expires_at"))
        for (row_id, _, extra), u in zip(found, shown, strict=True)
    ]


@endpoint(
    "users/update-memo",
    kind="write:account",
    params={"userId": REQ_ID, "memo": P("string", required=True, nullable=True)},
    errors={"not_found:account": NO_SUCH_USER},
    param_names={"comment": "memo"},
)
async def update_memo(call: Call) -> None:
    """A private memo on a user (Mastodon's account note); null or blank deletes it."""
    p = call.params
    await endorsements.set_note(call.db, call.account, p["userId"], p["memo"])
