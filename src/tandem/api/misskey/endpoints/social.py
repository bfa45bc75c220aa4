"""Following, blocking and muting: the same relationships the Mastodon dialect manages."""

from __future__ import annotations

import math
from typing import Any

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.api.misskey.schema import MAX_DATE_MS, PAGE, REQ_ID, P, invalid
from tandem.api.misskey.views import ctx, in_order, page, user
from tandem.core import accounts, clock, follow_requests, relationships
from tandem.core.models import Relationship

_USER = {"userId": REQ_ID}


def _no_such_user(error_id: str | None = None) -> dict[str, e.ErrorDef]:
    return {"not_found:Record": e.err("NO_SUCH_USER", "No such user.", error_id, status=400)}


async def _relation(call: Call) -> Relationship:
    """The caller's relationship to userId (NO_SUCH_USER when there is no such account)."""
    target = await accounts.get(call.db, call.params["userId"])
    found = await relationships.relationships(call.db, call.account, [target.id])
    return found[0]


# Misskey's "already done" answers: from the pre-check, or from core when a concurrent
# request got there first (the same answer either way).
_ALREADY = {
    "ALREADY_FOLLOWING": e.err(
        "ALREADY_FOLLOWING",
        "You are already following that user.",
        "35387507-38c7-4cb9-9197-300b93783fa0",
    ),
    "NOT_FOLLOWING": e.err(
        "NOT_FOLLOWING",
        "You are not following that user.",
        "5dbf82f5-c92b-40b1-87d1-6c8c0741fd09",
    ),
    "ALREADY_BLOCKING": e.err(
        "ALREADY_BLOCKING",
        "You are already blocking that user.",
        "787fed64-acb9-464a-82eb-afbd745b9614",
    ),
    "NOT_BLOCKING": e.err(
        "NOT_BLOCKING",
        "You are not blocking that user.",
        "291b2efa-60c6-45c0-9f6a-045c8f9b02cd",
    ),
    "ALREADY_MUTING": e.err(
        "ALREADY_MUTING",
        "You are already muting that user.",
        "7e7359cb-160c-4956-b08f-4d1c653cd007",
    ),
    "NOT_MUTING": e.err(
        "NOT_MUTING", "You are not muting that user.", "5467d020-daa9-4553-81e1-135c0c35a96d"
    ),
}


def _errors(error_id: str | None, *codes: str) -> dict[str, e.ErrorDef]:
    return {**_no_such_user(error_id), **{code: _ALREADY[code] for code in codes}}


def _yourself(call: Call, code: str, error_id: str) -> None:
    if call.params["userId"] == call.account.id:
        raise e.err(code, f"{code.split('_')[0].capitalize()} is yourself.", error_id).raise_()


@endpoint(
    "following/create",
    kind="write:following",
    params={**_USER, "withReplies": P("boolean")},
    limit=(3_600_000, 100),
    errors=_errors("fcd2eef9-a9b2-4c4f-8624-038099e90aa5", "ALREADY_FOLLOWING"),
)
async def follow(call: Call) -> dict[str, Any]:
    _yourself(call, "FOLLOWEE_IS_YOURSELF", "26fbe7bb-a331-4857-af17-205b426669a9")
    rel = await _relation(call)
    if rel.following or rel.requested:
        raise _ALREADY["ALREADY_FOLLOWING"].raise_()
    if rel.blocking:
        raise e.err(
            "BLOCKING", "You are blocking that user.", "4e2206ec-aa4f-4960-b865-6c23ac38e2d9"
        ).raise_()
    if rel.blocked_by:
        raise e.err(
            "BLOCKED", "You are blocked by that user.", "c4ab57cc-4e41-45e9-bfd9-584f61e35ce0"
        ).raise_()
    await relationships.follow(
        call.db,
        call.account,
        call.params["userId"],
        max_follows=call.settings.max_follows,
        again_ok=False,
    )
    target = await accounts.get(call.db, call.params["userId"])
    return user_lite(ctx(call), target)


@endpoint(
    "following/delete",
    kind="write:following",
    params=_USER,
    limit=(3_600_000, 100),
    errors=_errors("5b12c78d-2b28-4dca-99d2-f56139b42ff8", "NOT_FOLLOWING"),
)
async def unfollow(call: Call) -> dict[str, Any]:
    _yourself(call, "FOLLOWEE_IS_YOURSELF", "d9e400b9-36b0-4808-b1d8-79e707f1296c")
    rel = await _relation(call)
    if not (rel.following or rel.requested):
        raise _ALREADY["NOT_FOLLOWING"].raise_()
    await relationships.unfollow(call.db, call.account, call.params["userId"], again_ok=False)
    return user_lite(ctx(call), await accounts.get(call.db, call.params["userId"]))


_NOT_FOLLOWED = e.err("NOT_FOLLOWING", "That user is not following you.")


@endpoint(
    "following/invalidate",
    kind="write:following",
    params=_USER,
    errors={**_no_such_user(), "NOT_FOLLOWING": _NOT_FOLLOWED},
)
async def remove_follower(call: Call) -> dict[str, Any]:
    """Make the user stop following you."""
    rel = await _relation(call)
    if not rel.followed_by:
        raise _NOT_FOLLOWED.raise_()
    await relationships.remove_from_followers(
        call.db, call.account, call.params["userId"], again_ok=False
    )
    return user_lite(ctx(call), await accounts.get(call.db, call.params["userId"]))


@endpoint(
    "blocking/create",
    kind="write:blocks",
    params=_USER,
    limit=(3_600_000, 20),
    errors=_errors("7cc4f851-e2f1-4621-9633-ec9e1d00c01e", "ALREADY_BLOCKING"),
)
async def block(call: Call) -> dict[str, Any]:
    _yourself(call, "BLOCKEE_IS_YOURSELF", "b0df6025-f2e8-44b4-a26a-17ad99104612")
    if (await _relation(call)).blocking:
        raise _ALREADY["ALREADY_BLOCKING"].raise_()
    await relationships.block(call.db, call.account, call.params["userId"], again_ok=False)
    return await user(call, call.params["userId"])


@endpoint(
    "blocking/delete",
    kind="write:blocks",
    params=_USER,
    limit=(3_600_000, 100),
    errors=_errors("8621d8bf-c358-4303-a066-5ea78610eb3f", "NOT_BLOCKING"),
)
async def unblock(call: Call) -> dict[str, Any]:
    _yourself(call, "BLOCKEE_IS_YOURSELF", "06f6fac6-524b-473c-a354-e97a40ae6eac")
    if not (await _relation(call)).blocking:
        raise _ALREADY["NOT_BLOCKING"].raise_()
    await relationships.unblock(call.db, call.account, call.params["userId"], again_ok=False)
    return await user(call, call.params["userId"])


@endpoint(
    "mute/create",
    kind="write:mutes",
    params={**_USER, "expiresAt": P("integer", nullable=True, maximum=MAX_DATE_MS)},
    limit=(3_600_000, 20),
    errors=_errors(None, "ALREADY_MUTING"),
    param_names={"duration": "expiresAt"},  # the core refuses an end too far ahead
)
async def mute(call: Call) -> None:
    """Mute, until expiresAt (milliseconds since the epoch) when given."""
    _yourself(call, "MUTEE_IS_YOURSELF", "6fef56f3-e765-4957-88e5-c6f65329b8a5")
    if (await _relation(call)).muting:
        raise _ALREADY["ALREADY_MUTING"].raise_()
    expires = call.params.get("expiresAt")
    duration = 0
    if expires is not None:
        duration = math.ceil(expires / 1000 - clock.now().timestamp())
        if duration <= 0:
            raise invalid("expiresAt", "must be in the future")
    await relationships.mute(
        call.db, call.account, call.params["userId"], duration=duration, again_ok=False
    )


@endpoint(
    "mute/delete",
    kind="write:mutes",
    params=_USER,
    errors=_errors(None, "NOT_MUTING"),
)
async def unmute(call: Call) -> None:
    _yourself(call, "MUTEE_IS_YOURSELF", "f428b029-6b39-4d48-a1d2-cc1ae6dd5cf9")
    if not (await _relation(call)).muting:
        raise _ALREADY["NOT_MUTING"].raise_()
    await relationships.unmute(call.db, call.account, call.params["userId"], again_ok=False)


@endpoint("following/requests/list", kind="read:following", params=PAGE)
async def requests(call: Call) -> list[dict[str, Any]]:
    window, ascending = page(call)
    found = await relationships.listed(call.db, call.account, "follow_requests", window)
    c = ctx(call)
    me = user_lite(c, call.account)
    return [
        {"id": str(row_id), "follower": user_lite(c, requester), "followee": me}
        for row_id, requester, _ in in_order(found, ascending)
    ]


_NO_REQUEST = {
    **_no_such_user(),
    "not_found:Follow request": e.err(
        "NO_FOLLOW_REQUEST", "No follow request.", "bcde4f8b-0913-4614-8881-614e522fb041"
    ),
}


async def _require_request(call: Call) -> None:
    if not (await _relation(call)).requested_by:
        raise _NO_REQUEST["not_found:Follow request"].raise_()


@endpoint("following/requests/accept", kind="write:following", params=_USER, errors=_NO_REQUEST)
async def accept(call: Call) -> None:
    await _require_request(call)
    await follow_requests.authorize(call.db, call.account, call.params["userId"])


@endpoint("following/requests/reject", kind="write:following", params=_USER, errors=_NO_REQUEST)
async def reject(call: Call) -> None:
    await _require_request(call)
    await follow_requests.reject(call.db, call.account, call.params["userId"])


@endpoint(
    "following/requests/cancel",
    kind="write:following",
    params=_USER,
    errors=_NO_REQUEST,
)
async def cancel(call: Call) -> dict[str, Any]:
    if not (await _relation(call)).requested:
        raise _NO_REQUEST["not_found:Follow request"].raise_()
    await relationships.unfollow(call.db, call.account, call.params["userId"])
    return user_lite(ctx(call), await accounts.get(call.db, call.params["userId"]))
