"""chat/rooms/* and chat/rooms/invitations/*."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.endpoints.chat_messages import COMMON, NOT_A_ROOM_MEMBER, PAGING
from tandem.api.misskey.entities.chat import (
    ChatRoomInvitationJson,
    ChatRoomJson,
    ChatRoomMembershipJson,
    chat_room,
    invitation,
    membership,
)
from tandem.api.misskey.schema import REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import chat_rooms
from tandem.core.chat_models import ROOM_DESCRIPTION_LIMIT, ROOM_NAME_LIMIT

_ROOM_PAGING = {**PAGING, "limit": P("integer", minimum=1, maximum=100, default=30)}
_ROOM_ID = {"roomId": REQ_ID}


def _no_such_room(id_: str) -> dict[str, e.ErrorDef]:
    return {**COMMON, "not_found:chat_room": e.err("NO_SUCH_ROOM", "No such room.", id_)}


_NO_INVITATION = e.err(
    "NO_INVITATION", "You have no invitation to this room.", "4be834de-603e-43ef-91b4-cf2a70322c15"
)
_ROOM_IS_FULL = e.err(
    "ROOM_IS_FULL",
    "This room has too many members already.",
    "8c2af215-427f-4c04-aaf2-218f7db5890b",
)


@endpoint(
    "chat/rooms/create",
    kind="write:chat",
    params={
        "name": P("string", required=True, max_length=ROOM_NAME_LIMIT),
        "description": P("string", max_length=ROOM_DESCRIPTION_LIMIT, default=""),
    },
    limit=(86_400_000, 10),
    errors=COMMON,
)
async def create(call: Call) -> ChatRoomJson:
    p = call.params
    room = await chat_rooms.create(call.db, call.account, p["name"], p["description"])
    return chat_room(ctx(call), room)


@endpoint(
    "chat/rooms/update",
    kind="write:chat",
    params={
        "roomId": REQ_ID,
        "name": P("string", max_length=ROOM_NAME_LIMIT),
        "description": P("string", max_length=ROOM_DESCRIPTION_LIMIT),
    },
    errors=_no_such_room("fcdb0f92-bda6-47f9-bd05-343e0e020932"),
)
async def update(call: Call) -> ChatRoomJson:
    p = call.params
    room = await chat_rooms.update(
        call.db, call.account, p["roomId"], p.get("name"), p.get("description")
    )
    return chat_room(ctx(call), room)


@endpoint(
    "chat/rooms/delete",
    kind="write:chat",
    params=_ROOM_ID,
    errors=_no_such_room("d4e3753d-97bf-4a19-ab8e-21080fbc0f4b"),
)
async def delete(call: Call) -> None:
    await chat_rooms.delete(call.db, call.account, call.params["roomId"])


@endpoint(
    "chat/rooms/show",
    kind="read:chat",
    params=_ROOM_ID,
    errors=_no_such_room("857ae02f-8759-4d20-9adb-6e95fffe4fd7"),
)
async def show(call: Call) -> ChatRoomJson:
    return chat_room(ctx(call), await chat_rooms.show(call.db, call.account, call.params["roomId"]))


@endpoint(
    "chat/rooms/join",
    kind="write:chat",
    params=_ROOM_ID,
    errors={
        **_no_such_room("84416476-5ce8-4a2c-b568-9569f1b10733"),
        "NO_INVITATION": _NO_INVITATION,
        "ROOM_IS_FULL": _ROOM_IS_FULL,
    },
)
async def join(call: Call) -> None:
    await chat_rooms.join(call.db, call.account, call.params["roomId"])


_MEMBER_ONLY = {"NOT_A_ROOM_MEMBER": NOT_A_ROOM_MEMBER}


@endpoint(
    "chat/rooms/leave",
    kind="write:chat",
    params=_ROOM_ID,
    errors={
        **_no_such_room("cb7f3179-50e8-4389-8c30-dbe2650a67c9"),
        **_MEMBER_ONLY,
        "OWNER_CANNOT_LEAVE": e.err(
            "OWNER_CANNOT_LEAVE",
            "The owner cannot leave the room (delete it instead).",
            "fcd1709f-862b-4171-9eac-973fab34fd9f",
        ),
    },
)
async def leave(call: Call) -> None:
    await chat_rooms.leave(call.db, call.account, call.params["roomId"])


@endpoint(
    "chat/rooms/mute",
    kind="write:chat",
    params={"roomId": REQ_ID, "mute": P("boolean", required=True)},
    errors={
        **_no_such_room("c2cde4eb-8d0f-42f1-8f2f-c4d6bfc8e5df"),
        **_MEMBER_ONLY,
        "OWNER_CANNOT_MUTE": e.err(
            "OWNER_CANNOT_MUTE",
            "The owner cannot mute the room.",
            "01ea1db2-519a-45c5-ae28-0389d10475e5",
        ),
    },
)
async def mute(call: Call) -> None:
    p = call.params
    await chat_rooms.mute(call.db, call.account, p["roomId"], p["mute"])


@endpoint(
    "chat/rooms/members",
    kind="write:chat",  # sic: Misskey declares it so
    params={"roomId": REQ_ID, **_ROOM_PAGING},
    errors=_no_such_room("7b9fe84c-eafc-4d21-bf89-485458ed2c18"),
)
async def members(call: Call) -> list[ChatRoomMembershipJson]:
    window, ascending = page(call)
    found = await chat_rooms.members(call.db, call.account, call.params["roomId"], window)
    c = ctx(call)
    return [membership(c, m, with_user=True, with_room=False) for m in in_order(found, ascending)]


@endpoint("chat/rooms/owned", kind="read:chat", params=_ROOM_PAGING, errors=COMMON)
async def owned(call: Call) -> list[ChatRoomJson]:
    window, ascending = page(call)
    found = await chat_rooms.owned(call.db, call.account, window)
    c = ctx(call)
    return [chat_room(c, r) for r in in_order(found, ascending)]


@endpoint("chat/rooms/joining", kind="read:chat", params=_ROOM_PAGING, errors=COMMON)
async def joining(call: Call) -> list[ChatRoomMembershipJson]:
    window, ascending = page(call)
    found = await chat_rooms.joining(call.db, call.account, window)
    c = ctx(call)
    return [membership(c, m, with_user=False, with_room=True) for m in in_order(found, ascending)]


@endpoint(
    "chat/rooms/invitations/create",
    kind="write:chat",
    params={"roomId": REQ_ID, "userId": REQ_ID},
    limit=(86_400_000, 50),
    errors={
        **_no_such_room("916f9507-49ba-4e90-b57f-1fd4deaa47a5"),
        "not_found:account": e.err(
            "NO_SUCH_USER", "No such user.", "fe3a41ac-8151-4ca3-9e2b-77b1b2c34161"
        ),
        "ROOM_IS_FULL": _ROOM_IS_FULL,
        "ALREADY_INVITED": e.err(
            "ALREADY_INVITED",
            "This user is invited already.",
            "6d714ed9-a08d-4968-a324-27413ee1ea10",
        ),
        "ALREADY_A_MEMBER": e.err(
            "ALREADY_A_MEMBER",
            "This user is a member of the room already.",
            "59263930-dfde-4a5a-92ae-8fd41f40fd5b",
        ),
        "CANNOT_INVITE_YOURSELF": e.err(
            "CANNOT_INVITE_YOURSELF",
            "You cannot invite yourself.",
            "bad44b11-d9b9-49aa-ba3f-2c697c54c355",
        ),
    },
)
async def invitations_create(call: Call) -> ChatRoomInvitationJson:
    p = call.params
    made = await chat_rooms.invite(call.db, call.account, p["roomId"], p["userId"])
    return invitation(ctx(call), made)


@endpoint("chat/rooms/invitations/inbox", kind="read:chat", params=_ROOM_PAGING, errors=COMMON)
async def invitations_inbox(call: Call) -> list[ChatRoomInvitationJson]:
    window, ascending = page(call)
    found = await chat_rooms.inbox(call.db, call.account, window)
    c = ctx(call)
    return [invitation(c, i) for i in in_order(found, ascending)]


@endpoint(
    "chat/rooms/invitations/outbox",
    kind="read:chat",
    params={"roomId": REQ_ID, **_ROOM_PAGING},
    errors=_no_such_room("a3c6b309-9717-4316-ae94-a69b53437237"),
)
async def invitations_outbox(call: Call) -> list[ChatRoomInvitationJson]:
    window, ascending = page(call)
    found = await chat_rooms.outbox(call.db, call.account, call.params["roomId"], window)
    c = ctx(call)
    return [invitation(c, i) for i in in_order(found, ascending)]


@endpoint(
    "chat/rooms/invitations/ignore",
    kind="write:chat",
    params=_ROOM_ID,
    errors={
        **_no_such_room("5130557e-5a11-4cfb-9cc5-fe60cda5de0d"),
        "NO_INVITATION": _NO_INVITATION,
    },
)
async def invitations_ignore(call: Call) -> None:
    await chat_rooms.ignore(call.db, call.account, call.params["roomId"])
