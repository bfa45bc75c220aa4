"""invite/*: invitation codes, for roles with the canInvite policy (Misskey's RolePolicies)."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.endpoints.chat_messages import PAGING
from tandem.api.misskey.entities.invites import InviteCode, InviteLimit, invite_code
from tandem.api.misskey.schema import REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import invites

_LIST_PAGING = {**PAGING, "limit": P("integer", minimum=1, maximum=100, default=30)}


@endpoint(
    "invite/create",
    kind="write:invite-codes",
    policy="canInvite",
    errors={
        "EXCEEDED_LIMIT_OF_CREATE_INVITE_CODE": e.err(
            "EXCEEDED_LIMIT_OF_CREATE_INVITE_CODE",
            "You have exceeded the limit for creating an invitation code.",
            "8b165dd3-6f37-4557-8db1-73175d63c641",
        )
    },
)
async def create(call: Call) -> InviteCode:
    made = await invites.create(call.db, call.account)
    return invite_code(ctx(call), made, {call.account.id: call.account})


@endpoint(
    "invite/delete",
    kind="write:invite-codes",
    policy="canInvite",
    params={"inviteId": REQ_ID},
    errors={
        "not_found:invite": e.err(
            "NO_SUCH_INVITE_CODE", "No such invite code.", "cd4f9ae4-7854-4e3e-8df9-c296f051e634"
        ),
        "CAN_NOT_DELETE_INVITE_CODE": e.err(
            "CAN_NOT_DELETE_INVITE_CODE",
            "You can't delete this invite code.",
            "ff17af39-000c-4d4e-abdf-848fa30fc1ce",
        ),
        "ACCESS_DENIED": e.err(
            "ACCESS_DENIED", "Access denied.", "5eb8d909-2540-4970-90b8-dd6f86088121"
        ),
    },
)
async def delete(call: Call) -> None:
    await invites.delete(call.db, call.account, call.params["inviteId"])


@endpoint("invite/list", kind="read:invite-codes", policy="canInvite", params=_LIST_PAGING)
async def list_(call: Call) -> list[InviteCode]:
    window, ascending = page(call)
    found = await invites.listed(call.db, call.account, window)
    people = await invites.people(call.db, found)
    c = ctx(call)
    return [invite_code(c, i, people) for i in in_order(found, ascending)]


@endpoint("invite/limit", kind="read:invite-codes", policy="canInvite")
async def limit(call: Call) -> InviteLimit:
    """`remaining: null` when the role's inviteLimit is 0: unlimited (Misskey's answer, which
    the seed's "null means unlimited" describes too)."""
    return {"remaining": await invites.remaining(call.db, call.account)}
