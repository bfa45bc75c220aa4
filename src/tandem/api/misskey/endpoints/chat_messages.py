"""chat/history, chat/read-all and chat/messages/*: direct and room messages.

Where Misskey answers a user's mistake with a 500 (a refused recipient, a bad reaction…),
these answer a 4xx with a code of its own (new codes have ids of their own).
"""

from __future__ import annotations

from typing import Any

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.chat import (
    ChatMessageJson,
    ChatMessageLite1on1,
    ChatMessageLiteRoom,
    chat_message,
    chat_message_lite_1on1,
    chat_message_lite_room,
)
from tandem.api.misskey.schema import DATE, ID, LIMIT, REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import chat_messages, chat_reactions, chat_reads, chat_search
from tandem.core.chat_models import TEXT_LIMIT

CHAT_UNAVAILABLE = e.err(
    "CHAT_UNAVAILABLE",
    "Chat is not available to your account.",
    "07a74f8d-1c9b-4f30-8f64-b94cea221ad9",
    403,
    "permission",
)
COMMON: dict[str, e.ErrorDef] = {"CHAT_UNAVAILABLE": CHAT_UNAVAILABLE}
NOT_A_ROOM_MEMBER = e.err(
    "NOT_A_ROOM_MEMBER",
    "You are not a member of this room.",
    "208d5eca-82b2-4260-aabc-292565536113",
    403,
    "permission",
)
PAGING: dict[str, P] = {
    "limit": LIMIT,
    "sinceId": ID,
    "untilId": ID,
    "sinceDate": DATE,
    "untilDate": DATE,
}
_CONTENT: dict[str, P] = {
    "text": P("string", nullable=True, max_length=TEXT_LIMIT),
    "fileId": ID,
}
_SEND_LIMIT = (3_600_000, 500)


def _no_such_message(id_: str) -> dict[str, e.ErrorDef]:
    return {"not_found:chat_message": e.err("NO_SUCH_MESSAGE", "No such message.", id_)}


@endpoint(
    "chat/history",
    kind="read:chat",
    params={"limit": LIMIT, "room": P("boolean", default=False)},
    errors=COMMON,
)
async def history(call: Call) -> list[ChatMessageJson]:
    p = call.params
    found = await chat_messages.history(call.db, call.account, p["limit"], p["room"])
    c = ctx(call)
    return [chat_message(c, m) for m in found]


@endpoint("chat/read-all", kind="write:chat", errors=COMMON)
async def read_all(call: Call) -> None:
    await chat_reads.read_all(call.db, call.account)


@endpoint(
    "chat/messages/create-to-user",
    kind="write:chat",
    params={"toUserId": REQ_ID, **_CONTENT},
    limit=_SEND_LIMIT,
    errors={
        **COMMON,
        "RECIPIENT_IS_YOURSELF": e.err(
            "RECIPIENT_IS_YOURSELF",
            "You can not send a message to yourself.",
            "17e2ba79-e22a-4cbc-bf91-d327643f4a7e",
        ),
        "not_found:account": e.err(
            "NO_SUCH_USER", "No such user.", "11795c64-40ea-4198-b06e-3c873ed9039d"
        ),
        "not_found:file": e.err(
            "NO_SUCH_FILE", "No such file.", "4372b8e2-185d-4146-8749-2f68864a3e5f"
        ),
        "CONTENT_REQUIRED": e.err(
            "CONTENT_REQUIRED", "Content required.", "25587321-b0e6-449c-9239-f8925092942c"
        ),
        "YOU_HAVE_BEEN_BLOCKED": e.err(
            "YOU_HAVE_BEEN_BLOCKED",
            "You cannot send a message because you have been blocked by this user.",
            "c15a5199-7422-4968-941a-2a462c478f7d",
        ),
        "YOU_ARE_BLOCKING": e.err(
            "YOU_ARE_BLOCKING",
            "You cannot send a message to a user you are blocking.",
            "80e95564-20c3-4529-b99e-b776205c9cd2",
        ),
        "CHAT_NOT_ALLOWED": e.err(
            "CHAT_NOT_ALLOWED",
            "This user does not accept chat messages from you.",
            "87f7435f-21d1-4bb7-b733-3c7e2839746d",
        ),
        "RECIPIENT_CANNOT_CHAT": e.err(
            "RECIPIENT_CANNOT_CHAT",
            "This user cannot receive chat messages.",
            "49e05d75-9680-400b-bf59-4d0039a01144",
        ),
    },
)
async def create_to_user(call: Call) -> ChatMessageLite1on1:
    p = call.params
    sent = await chat_messages.to_user(
        call.db, call.account, p["toUserId"], p.get("text"), p.get("fileId")
    )
    return chat_message_lite_1on1(ctx(call), sent)


@endpoint(
    "chat/messages/create-to-room",
    kind="write:chat",
    params={"toRoomId": REQ_ID, **_CONTENT},
    limit=_SEND_LIMIT,
    errors={
        **COMMON,
        "not_found:chat_room": e.err(
            "NO_SUCH_ROOM", "No such room.", "8098520d-2da5-4e8f-8ee1-df78b55a4ec6"
        ),
        "not_found:file": e.err(
            "NO_SUCH_FILE", "No such file.", "b6accbd3-1d7b-4d9f-bdb7-eb185bac06db"
        ),
        "CONTENT_REQUIRED": e.err(
            "CONTENT_REQUIRED", "Content required.", "340517b7-6d04-42c0-bac1-37ee804e3594"
        ),
        "NOT_A_ROOM_MEMBER": NOT_A_ROOM_MEMBER,
    },
)
async def create_to_room(call: Call) -> ChatMessageLiteRoom:
    p = call.params
    sent = await chat_messages.to_room(
        call.db, call.account, p["toRoomId"], p.get("text"), p.get("fileId")
    )
    return chat_message_lite_room(ctx(call), sent)


@endpoint(
    "chat/messages/delete",
    kind="write:chat",
    params={"messageId": REQ_ID},
    errors={**COMMON, **_no_such_message("36b67f0e-66a6-414b-83df-992a55294f17")},
)
async def delete(call: Call) -> None:
    await chat_messages.delete(call.db, call.account, call.params["messageId"])


_REACTION_ERRORS: dict[str, e.ErrorDef] = {
    "CANNOT_REACT_TO_OWN_MESSAGE": e.err(
        "CANNOT_REACT_TO_OWN_MESSAGE",
        "You cannot react to your own message.",
        "9e421009-baf4-48f8-8050-d6b84be1a942",
    ),
    "NO_SUCH_EMOJI": e.err(
        "NO_SUCH_EMOJI",
        "No such emoji: use a Unicode emoji or the :name: of a custom emoji of this server.",
        "56d866a6-34ea-4373-bebd-b971ca773ddb",
    ),
    "INVALID_REACTION": e.err(
        "INVALID_REACTION",
        "A reaction is one emoji or the :name: of a custom emoji.",
        "539ad020-151e-4ef0-b065-a725fe3fc0c0",
    ),
    "TOO_MANY_REACTIONS": e.err(
        "TOO_MANY_REACTIONS",
        "This message has too many reactions already.",
        "c5f1fcdd-56dc-4680-9ca0-4b1963af07e6",
    ),
}
_REACTION_PARAMS: dict[str, P] = {
    "messageId": REQ_ID,
    "reaction": P("string", required=True, min_length=1, max_length=256),
}


@endpoint(
    "chat/messages/react",
    kind="write:chat",
    params=_REACTION_PARAMS,
    errors={
        **COMMON,
        **_REACTION_ERRORS,
        **_no_such_message("9b5839b9-0ba0-4351-8c35-37082093d200"),
    },
)
async def react(call: Call) -> None:
    p = call.params
    await chat_reactions.react(call.db, call.account, p["messageId"], p["reaction"])


@endpoint(
    "chat/messages/unreact",
    kind="write:chat",
    params=_REACTION_PARAMS,
    errors={
        **COMMON,
        **_REACTION_ERRORS,
        **_no_such_message("c39ea42f-e3ca-428a-ad57-390e0a711595"),
    },
)
async def unreact(call: Call) -> None:
    p = call.params
    await chat_reactions.unreact(call.db, call.account, p["messageId"], p["reaction"])


@endpoint(
    "chat/messages/user-timeline",
    kind="read:chat",
    params={"userId": REQ_ID, **PAGING},
    errors={
        **COMMON,
        "not_found:account": e.err(
            "NO_SUCH_USER", "No such user.", "11795c64-40ea-4198-b06e-3c873ed9039d"
        ),
    },
)
async def user_timeline(call: Call) -> list[ChatMessageLite1on1]:
    window, ascending = page(call)
    found = await chat_messages.user_timeline(call.db, call.account, call.params["userId"], window)
    c = ctx(call)
    return [chat_message_lite_1on1(c, m) for m in in_order(found, ascending)]


@endpoint(
    "chat/messages/room-timeline",
    kind="read:chat",
    params={"roomId": REQ_ID, **PAGING},
    errors={
        **COMMON,
        "not_found:chat_room": e.err(
            "NO_SUCH_ROOM", "No such room.", "c4d9f88c-9270-4632-b032-6ed8cee36f7f"
        ),
    },
)
async def room_timeline(call: Call) -> list[ChatMessageLiteRoom]:
    window, ascending = page(call)
    room_id = call.params["roomId"]
    found = await chat_messages.room_timeline(call.db, call.account, room_id, window)
    c = ctx(call)
    return [chat_message_lite_room(c, m, room_id) for m in in_order(found, ascending)]


@endpoint(
    "chat/messages/search",
    kind="read:chat",
    params={
        "query": P("string", required=True, min_length=1, max_length=256),
        "limit": LIMIT,
        "userId": P("id", nullable=True),
        "roomId": P("id", nullable=True),
    },
    errors={
        **COMMON,
        "not_found:chat_room": e.err(
            "NO_SUCH_ROOM", "No such room.", "460b3669-81b0-4dc9-a997-44442141bf83"
        ),
    },
)
async def search(call: Call) -> list[ChatMessageJson]:
    p: dict[str, Any] = call.params
    found = await chat_search.search(
        call.db,
        call.account,
        p["query"],
        p["limit"],
        other_id=p.get("userId"),
        room_id=p.get("roomId"),
    )
    c = ctx(call)
    return [chat_message(c, m) for m in found]


@endpoint(
    "chat/messages/show",
    kind="read:chat",
    params={"messageId": REQ_ID},
    errors={**COMMON, **_no_such_message("3710865b-1848-4da9-8d61-cfed15510b93")},
)
async def show(call: Call) -> ChatMessageJson:
    return chat_message(
        ctx(call), await chat_messages.show(call.db, call.account, call.params["messageId"])
    )
