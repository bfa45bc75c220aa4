"""notes/reactions/create|delete, notes/reactions (who reacted) and notes/state."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.common import iso
from tandem.api.misskey.entities.responses import NoteReaction, NoteState
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.api.misskey.schema import ID, LIMIT, REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import reactions, status_threads


@endpoint(
    "notes/reactions/create",
    kind="write:reactions",
    params={"noteId": REQ_ID, "reaction": P("string", required=True)},
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "033d0620-5bfe-4027-965d-980b0c85a3ea"
        ),
        "ALREADY_REACTED": e.err(
            "ALREADY_REACTED",
            "You are already reacting to that note.",
            "71efcf98-86d6-4e2b-b2ad-9d032369366b",
        ),
        "YOU_HAVE_BEEN_BLOCKED": e.err(
            "YOU_HAVE_BEEN_BLOCKED",
            "You cannot react this note because you have been blocked by this user.",
            "20ef5475-9f38-4e4c-bd33-de6d979498ec",
        ),
    },
)
async def create(call: Call) -> None:
    p = call.params
    await reactions.react(call.db, call.account, p["noteId"], p["reaction"], again_ok=False)


@endpoint(
    "notes/reactions/delete",
    kind="write:reactions",
    params={"noteId": REQ_ID},
    limit=(3_600_000, 60),
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "764d9fce-f9f2-4a0e-92b1-6ceac9a7ad37"
        ),
        "NOT_REACTED": e.err(
            "NOT_REACTED",
            "You are not reacting to that note.",
            "92f4426d-4196-4125-aa5b-02943e2ec8fc",
        ),
    },
)
async def delete(call: Call) -> None:
    await reactions.unreact(call.db, call.account, call.params["noteId"], again_ok=False)


@endpoint(
    "notes/reactions",
    credential=False,
    allow_get=True,
    params={
        "noteId": REQ_ID,
        "type": P("string", nullable=True),
        "limit": LIMIT,
        "sinceId": ID,
        "untilId": ID,
    },
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "263fff3d-d0e1-4af4-bea7-8408059b451a"
        )
    },
)
async def of_note(call: Call) -> list[NoteReaction]:
    window, ascending = page(call)
    found = await reactions.on_status(
        call.db, call.viewer, call.params["noteId"], window, call.params.get("type") or None
    )
    c = ctx(call)
    return [
        {
            "id": str(r.id),
            "createdAt": iso(r.created_at),
            "user": user_lite(c, r.account),
            "type": r.reaction,
        }
        for r in in_order(found, ascending)
    ]


@endpoint(
    "notes/state",
    kind="read:account",
    params={"noteId": REQ_ID},
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "24fcbfc6-2e37-42b6-8388-c29b3861a08d"
        )
    },
)
async def state(call: Call) -> NoteState:
    found = await status_threads.state(call.db, call.account, call.params["noteId"])
    return {"isFavorited": found.favorited, "isMutedThread": found.muted_thread}
