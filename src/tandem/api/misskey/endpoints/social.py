"""Following, blocking and muting: the same relationships the Mastodon dialect manages.

Each endpoint is one core write called strictly (`again_ok=False`): the core decides
"already following" and the like inside its transaction; nothing is read beforehand.
"""

from __future__ import annotations

import math

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.responses import FollowRequest
from tandem.api.misskey.entities.types import UserDetailed, UserLite
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.api.misskey.schema import MAX_DATE_MS, PAGE, REQ_ID, P, invalid
from tandem.api.misskey.views import ctx, in_order, page, user
from tandem.core import clock, follow_requests, relationships
from tandem.core.i18n import Text

_USER = {"userId": REQ_ID}


def _no_such_user(error_id: str | None = None) -> dict[str, e.ErrorDef]:
    return {"not_found:account": e.err("NO_SUCH_USER", "No such user.", error_id, status=400)}


# Misskey's "already so" answers, keyed by the core's AlreadyDone codes.
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


# Why the core refused a follow (its Forbidden codes).
_REFUSED = {
    "BLOCKING": e.err(
        "BLOCKING", "You are blocking that user.", "4e2206ec-aa4f-4960-b865-6c23ac38e2d9"
    ),
    "BLOCKED": e.err(
        "BLOCKED", "You are blocked by that user.", "c4ab57cc-4e41-45e9-bfd9-584f61e35ce0"
    ),
}


_YOURSELF = {
    "FOLLOWEE_IS_YOURSELF": Text("Followee is yourself."),
    "BLOCKEE_IS_YOURSELF": Text("Blockee is yourself."),
    "MUTEE_IS_YOURSELF": Text("Mutee is yourself."),
}


def _yourself(call: Call, code: str, error_id: str) -> None:
    if call.params["userId"] == call.account.id:
        raise e.err(code, _YOURSELF[code], error_id).raise_()


@endpoint(
    "following/create",
    kind="write:following",
    params={**_USER, "withReplies": P("boolean")},
    limit=(3_600_000, 100),
    errors={**_errors("fcd2eef9-a9b2-4c4f-8624-038099e90aa5", "ALREADY_FOLLOWING"), **_REFUSED},
)
async def follow(call: Call) -> UserLite:
    _yourself(call, "FOLLOWEE_IS_YOURSELF", "26fbe7bb-a331-4857-af17-205b426669a9")
    done = await relationships.follow(
        call.db,
        call.account,
        call.params["userId"],
        max_follows=call.settings.max_follows,
        again_ok=False,
    )
    return user_lite(ctx(call), done.target)


@endpoint(
    "following/delete",
    kind="write:following",
    params=_USER,
    limit=(3_600_000, 100),
    errors=_errors("5b12c78d-2b28-4dca-99d2-f56139b42ff8", "NOT_FOLLOWING"),
)
async def unfollow(call: Call) -> UserLite:
    _yourself(call, "FOLLOWEE_IS_YOURSELF", "d9e400b9-36b0-4808-b1d8-79e707f1296c")
    done = await relationships.unfollow(
        call.db, call.account, call.params["userId"], again_ok=False
    )
    return user_lite(ctx(call), done.target)


_NOT_FOLLOWED = e.err("NOT_FOLLOWING", "That user is not following you.")


@endpoint(
    "following/invalidate",
    kind="write:following",
    params=_USER,
    errors={**_no_such_user(), "NOT_FOLLOWING": _NOT_FOLLOWED},
)
async def remove_follower(call: Call) -> UserLite:
    """Make the user stop following you."""
    done = await relationships.remove_from_followers(
        call.db, call.account, call.params["userId"], again_ok=False
    )
    return user_lite(ctx(call), done.target)


@endpoint(
    "blocking/create",
    kind="write:blocks",
    params=_USER,
    limit=(3_600_000, 20),
    errors=_errors("7cc4f851-e2f1-4621-9633-ec9e1d00c01e", "ALREADY_BLOCKING"),
)
async def block(call: Call) -> UserDetailed:
    _yourself(call, "BLOCKEE_IS_YOURSELF", "b0df6025-f2e8-44b4-a26a-17ad99104612")
    await relationships.block(call.db, call.account, call.params["userId"], again_ok=False)
    return await user(call, call.params["userId"])


@endpoint(
    "blocking/delete",
    kind="write:blocks",
    params=_USER,
    limit=(3_600_000, 100),
    errors=_errors("8621d8bf-c358-4303-a066-5ea78610eb3f", "NOT_BLOCKING"),
)
async def unblock(call: Call) -> UserDetailed:
    _yourself(call, "BLOCKEE_IS_YOURSELF", "06f6fac6-524b-473c-a354-e97a40ae6eac")
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
    await relationships.unmute(call.db, call.account, call.params["userId"], again_ok=False)


@endpoint("following/requests/list", kind="read:following", params=PAGE)
async def requests(call: Call) -> list[FollowRequest]:
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
    "not_found:follow_request": e.err(
        "NO_FOLLOW_REQUEST", "No follow request.", "bcde4f8b-0913-4614-8881-614e522fb041"
    ),
}


@endpoint("following/requests/accept", kind="write:following", params=_USER, errors=_NO_REQUEST)
async def accept(call: Call) -> None:
    await follow_requests.authorize(call.db, call.account, call.params["userId"])


@endpoint("following/requests/reject", kind="write:following", params=_USER, errors=_NO_REQUEST)
async def reject(call: Call) -> None:
    await follow_requests.reject(call.db, call.account, call.params["userId"])


@endpoint(
    "following/requests/cancel",
    kind="write:following",
    params=_USER,
    errors=_NO_REQUEST,
)
async def cancel(call: Call) -> UserLite:
    done = await relationships.withdraw_request(call.db, call.account, call.params["userId"])
    return user_lite(ctx(call), done.target)
