"""A note's thread: notes/children, notes/replies, notes/renotes, notes/conversation, and
notes/thread-muting/create|delete."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.notes import notes
from tandem.api.misskey.entities.types import Note
from tandem.api.misskey.schema import ID, LIMIT, REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import status_threads

_NO_SUCH_NOTE = {"not_found:status": e.err("NO_SUCH_NOTE", "No such note.")}
_PAGED = {"noteId": REQ_ID, "limit": LIMIT, "sinceId": ID, "untilId": ID}


async def _replies(call: Call) -> list[Note]:
    window, ascending = page(call)
    b = await status_threads.replies(call.db, call.viewer, call.params["noteId"], window)
    b.statuses = in_order(b.statuses, ascending)
    return notes(ctx(call), b)


@endpoint("notes/children", credential=False, allow_get=True, params=_PAGED, errors=_NO_SUCH_NOTE)
async def children(call: Call) -> list[Note]:
    return await _replies(call)


@endpoint("notes/replies", credential=False, allow_get=True, params=_PAGED, errors=_NO_SUCH_NOTE)
async def replies(call: Call) -> list[Note]:
    return await _replies(call)


@endpoint(
    "notes/renotes",
    credential=False,
    allow_get=True,
    params={**_PAGED, "userId": ID},
    errors=_NO_SUCH_NOTE,
)
async def renotes(call: Call) -> list[Note]:
    window, ascending = page(call)
    p = call.params
    b = await status_threads.reblogs(call.db, call.viewer, p["noteId"], window, p.get("userId"))
    b.statuses = in_order(b.statuses, ascending)
    return notes(ctx(call), b)


@endpoint(
    "notes/conversation",
    credential=False,
    allow_get=True,
    params={"noteId": REQ_ID, "limit": LIMIT, "offset": P("integer", minimum=0, default=0)},
    errors=_NO_SUCH_NOTE,
)
async def conversation(call: Call) -> list[Note]:
    p = call.params
    b = await status_threads.conversation(
        call.db, call.viewer, p["noteId"], int(p.get("limit", 10)), int(p.get("offset", 0))
    )
    return notes(ctx(call), b)


@endpoint(
    "notes/thread-muting/create",
    kind="write:account",
    params={"noteId": REQ_ID},
    limit=(3_600_000, 10),
    errors=_NO_SUCH_NOTE,
)
async def mute_thread(call: Call) -> None:
    await status_threads.set_thread_muted(call.db, call.account, call.params["noteId"], True)


@endpoint(
    "notes/thread-muting/delete",
    kind="write:account",
    params={"noteId": REQ_ID},
    errors=_NO_SUCH_NOTE,
)
async def unmute_thread(call: Call) -> None:
    await status_threads.set_thread_muted(call.db, call.account, call.params["noteId"], False)
