"""Antennas, clips and user lists (user lists are Mastodon's lists)."""

from __future__ import annotations

from dataclasses import replace

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.misc import antenna, clip, user_list
from tandem.api.misskey.entities.types import Antenna, Clip
from tandem.api.misskey.entities.types import UserList as UserListJson
from tandem.api.misskey.schema import ID, PAGE, REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import antennas, clips, lists
from tandem.core.i18n import Text
from tandem.core.models import Page, UserList

_WORDS = P("array", items=P("array", items=P("string")))
_BOOL = P("boolean", default=False)


@endpoint(
    "antennas/create",
    kind="write:account",
    params={
        "name": P("string", required=True, min_length=1, max_length=100),
        "src": P("string", required=True, enum=antennas.SOURCES),
        "userListId": P("id", nullable=True),
        "keywords": replace(_WORDS, required=True),
        "excludeKeywords": replace(_WORDS, required=True),
        "users": P("array", required=True, items=P("string")),
        "caseSensitive": P("boolean", required=True),
        "localOnly": _BOOL,
        "excludeBots": _BOOL,
        "withReplies": P("boolean", required=True),
        "withFile": P("boolean", required=True),
        "notify": _BOOL,
        "excludeNotesInSensitiveChannel": _BOOL,
    },
    limit=(3_600_000, 10),
    errors={
        "not_found:list": e.err(
            "NO_SUCH_USER_LIST", "No such user list.", "1c6b35c9-943e-48c2-81e4-2844989407f7"
        ),
        "TOO_MANY_ANTENNAS": e.err(
            "TOO_MANY_ANTENNAS",
            Text("You cannot create more than {count} antennas.", count=antennas.LIMIT),
            "faf47050-e8b5-438c-913c-db2b1576fde4",
        ),
        "EMPTY_KEYWORD": e.err(
            "EMPTY_KEYWORD",
            "Either keywords or excludeKeywords is required.",
            "53ee222e-1ddd-4f9a-92e5-9fb82ddb463a",
        ),
    },
)
async def create_antenna(call: Call) -> Antenna:
    p = call.params
    spec = antennas.AntennaSpec(
        name=p["name"],
        src=p["src"],
        list_id=p.get("userListId"),
        keywords=p["keywords"],
        exclude_keywords=p["excludeKeywords"],
        users=p["users"],
        case_sensitive=p["caseSensitive"],
        local_only=p["localOnly"],
        exclude_bots=p["excludeBots"],
        with_replies=p["withReplies"],
        with_file=p["withFile"],
    )
    return antenna(await antennas.create(call.db, call.account, spec))


@endpoint("antennas/list", kind="read:account")
async def list_antennas(call: Call) -> list[Antenna]:
    return [antenna(a) for a in await antennas.all_of(call.db, call.account)]


@endpoint(
    "antennas/delete",
    kind="write:account",
    params={"antennaId": REQ_ID},
    errors={
        "not_found:antenna": e.err(
            "NO_SUCH_ANTENNA", "No such antenna.", "b34dcf9d-348f-44bb-99d0-6c9314cfe2df"
        )
    },
)
async def delete_antenna(call: Call) -> None:
    await antennas.delete(call.db, call.account, call.params["antennaId"])


@endpoint(
    "clips/create",
    kind="write:account",
    params={
        "name": P("string", required=True, min_length=1, max_length=100),
        "isPublic": _BOOL,
        "description": P("string", nullable=True, min_length=1, max_length=2048),
    },
    limit=(3_600_000, 10),
    errors={
        "TOO_MANY_CLIPS": e.err(
            "TOO_MANY_CLIPS",
            Text("You cannot create more than {count} clips.", count=clips.LIMIT),
            "920f7c2d-6208-4b76-8082-e632020f5883",
        )
    },
)
async def create_clip(call: Call) -> Clip:
    p = call.params
    made = await clips.create(call.db, call.account, p["name"], p.get("description"), p["isPublic"])
    return clip(ctx(call), made, call.account)


@endpoint("clips/list", kind="read:account", params=PAGE)
async def list_clips(call: Call) -> list[Clip]:
    window, ascending = page(call)
    found = await clips.page(call.db, call.account, window)
    c = ctx(call)
    return [clip(c, item, call.account) for item in in_order(found, ascending)]


@endpoint(
    "clips/add-note",
    kind="write:account",
    params={"clipId": REQ_ID, "noteId": REQ_ID},
    limit=(3_600_000, 20),
    errors={
        "not_found:clip": e.err(
            "NO_SUCH_CLIP", "No such clip.", "d6e76cc0-a1b5-4c7c-a287-73fa9c716dcf"
        ),
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "fc8c0b49-c7a3-4664-a0a6-b418d386bb8b"
        ),
        "ALREADY_CLIPPED": e.err(
            "ALREADY_CLIPPED",
            "The note has already been clipped.",
            "734806c4-542c-463a-9311-15c512803965",
        ),
        "TOO_MANY_CLIP_NOTES": e.err(
            "TOO_MANY_CLIP_NOTES",
            Text("A clip holds at most {count} notes.", count=clips.NOTES_PER_CLIP),
            "f0dba960-ff73-4615-8df4-d6ac5d9dc118",
        ),
    },
)
async def add_note(call: Call) -> None:
    await clips.add_note(call.db, call.account, call.params["clipId"], call.params["noteId"])


NO_SUCH_LIST = {
    "not_found:list": e.err("NO_SUCH_LIST", "No such list.", "7f44670e-ab16-43b8-b4c1-ccd2ee89cc02")
}


async def _shown(call: Call, found: UserList) -> UserListJson:
    members = await lists.members(call.db, call.account, found.id, Page(limit=0))
    return user_list(found, [m.id for m in members])


@endpoint(
    "users/lists/create",
    kind="write:account",
    params={"name": P("string", required=True, min_length=1, max_length=100)},
    limit=(3_600_000, 10),
    errors={
        "LIST_LIMIT": e.err(
            "TOO_MANY_USERLISTS",
            Text("You cannot create more than {count} lists.", count=lists.MAX_LISTS),
            "0cf21a28-7715-4f39-a20d-777bfdb8d138",
        )
    },
    param_names={"title": "name"},
)
async def create_list(call: Call) -> UserListJson:
    made = await lists.create(call.db, call.account, call.params["name"])
    return user_list(made, [])


@endpoint("users/lists/list", kind="read:account", params={"userId": ID})
async def list_lists(call: Call) -> list[UserListJson]:
    """The caller's lists (another user's lists are private here: they are Mastodon lists)."""
    if call.params.get("userId") not in (None, call.account.id):
        return []
    return [await _shown(call, found) for found in await lists.all_of(call.db, call.account)]


@endpoint("users/lists/show", kind="read:account", params={"listId": REQ_ID}, errors=NO_SUCH_LIST)
async def show_list(call: Call) -> UserListJson:
    return await _shown(call, await lists.get(call.db, call.account, call.params["listId"]))


@endpoint(
    "users/lists/delete", kind="write:account", params={"listId": REQ_ID}, errors=NO_SUCH_LIST
)
async def delete_list(call: Call) -> None:
    await lists.delete(call.db, call.account, call.params["listId"])


_MEMBER = {"listId": REQ_ID, "userId": REQ_ID}


@endpoint(
    "users/lists/push",
    kind="write:account",
    params=_MEMBER,
    limit=(3_600_000, 150),
    errors={
        **NO_SUCH_LIST,
        "not_found:account": e.err("NO_SUCH_USER", "No such user."),
        "ALREADY_ADDED": e.err(
            "ALREADY_ADDED",
            "That user has already been added to that list.",
            "1de7c884-1595-49e9-857e-61f12f4d4fc5",
        ),
        "YOU_HAVE_BEEN_BLOCKED": e.err(
            "YOU_HAVE_BEEN_BLOCKED",
            "You cannot push this user because you have been blocked by this user.",
            "990232c5-3f9d-4d83-9f3f-ef27b6332a4b",
        ),
        "TOO_MANY_USERS": e.err(
            "TOO_MANY_USERS",
            Text("A list holds at most {count} users.", count=lists.MAX_MEMBERS),
            "2dd9752e-a338-413d-8eec-41814430989b",
        ),
    },
)
async def push(call: Call) -> None:
    p = call.params
    await lists.add(
        call.db,
        call.account,
        p["listId"],
        [p["userId"]],
        require_follow=False,
        allow_existing=False,
    )


@endpoint(
    "users/lists/pull",
    kind="write:account",
    params=_MEMBER,
    errors={
        **NO_SUCH_LIST,
        "not_found:account": e.err(
            "NO_SUCH_USER", "No such user.", "588e7f72-c744-4a61-b180-d354e912bda2"
        ),
    },
)
async def pull(call: Call) -> None:
    p = call.params
    await lists.get(call.db, call.account, p["listId"])
    from_list = await lists.containing(call.db, call.account, p["userId"])
    if all(found.id != p["listId"] for found in from_list):
        raise e.err("NOT_IN_LIST", "That user is not in that list.").raise_()
    await lists.remove(call.db, call.account, p["listId"], [p["userId"]])
