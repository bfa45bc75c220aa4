"""i/move: move the caller's account to another (here or on another server) that lists it
among its aliases; the followers here follow the new account, other servers hear Move."""

from __future__ import annotations

from tandem.api import remote_lookup
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.types import MeDetailed
from tandem.api.misskey.schema import P
from tandem.api.misskey.views import me
from tandem.core import account_moves, accounts
from tandem.core.errors import NotFound

NO_SUCH_USER = e.err("NO_SUCH_USER", "No such user.", "fcd2eef9-a9b2-4c4f-8624-038099e90aa5")
_ERRORS = {
    "DESTINATION_ACCOUNT_FORBIDS": e.err(
        "DESTINATION_ACCOUNT_FORBIDS",
        "Destination account doesn't have proper 'Known As' alias, or has already moved.",
        "b5c90186-4ab0-49c8-9bba-a1f766282ba4",
    ),
    "NOT_ROOT_FORBIDDEN": e.err(
        "NOT_ROOT_FORBIDDEN", "The root can't migrate.", "4362e8dc-731f-4ad8-a694-be2a88922a24"
    ),
    "ALREADY_MOVED": e.err(
        "ALREADY_MOVED",
        "Account was already moved to another account.",
        "b234a14e-9ebe-4581-8000-074b3c215962",
    ),
    "not_found:account": NO_SUCH_USER,
}


@endpoint(
    "i/move",
    secure=True,
    params={"moveToAccount": P("string", required=True, min_length=1)},
    limit=(86_400_000, 5),
    errors=_ERRORS,
)
async def move(call: Call) -> MeDetailed:
    """`moveToAccount` is a handle (`@user@host`, or `@user` here)."""
    handle = str(call.params["moveToAccount"]).strip()
    try:
        target = await accounts.lookup(call.db, call.settings, handle)
    except NotFound:
        found = await remote_lookup.handle_in(call.db, call.settings, handle)
        if found is None:
            raise NO_SUCH_USER.raise_() from None
        target = found
    old = call.viewer
    assert old is not None
    await account_moves.move_local(call.db, call.settings, old, target)
    return await me(call, reload=True)
