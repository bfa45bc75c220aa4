"""Notes (the same posts as Mastodon statuses) and favorites (Mastodon's bookmarks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.common import FROM_MISSKEY, iso
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.responses import CreatedNote, NoteFavorite
from tandem.api.misskey.entities.types import Note
from tandem.api.misskey.schema import ID, PAGE, REQ_ID, P, invalid
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import clock, favorites, poll_rules, status_deletion, statuses

_IDS = P("array", unique_items=True, min_items=1, max_items=16, items=ID)
_CREATE_ERRORS = {
    "not_found:reply_target": e.err(
        "NO_SUCH_REPLY_TARGET", "No such reply target.", "749ee0f6-d3da-459a-bf02-282e2da4292c"
    ),
    "not_found:status": e.err(
        "NO_SUCH_RENOTE_TARGET", "No such renote target.", "b5c90186-4ab0-49c8-9bba-a1f76c282ba4"
    ),
    "not_found:file": e.err(
        "NO_SUCH_FILE", "No such file.", "b6992544-63e7-67f0-fa7f-32444b1b5306"
    ),
    "not_found:recipient": e.err("NO_SUCH_USER", "A user in visibleUserIds does not exist."),
    "forbidden": e.err(
        "CANNOT_RENOTE", "This note cannot be renoted (it is not public).", status=400
    ),
    # Quotes (a renote with text, files or a poll), refused by core/quote_rules.py.
    "QUOTE_REBLOG": e.err(
        "CANNOT_RENOTE_TO_A_PURE_RENOTE",
        "You can not Renote a pure Renote.",
        "fd4cc33e-2a37-48dd-99cc-9b806eb2031a",
    ),
    "QUOTE_BLOCKED": e.err(
        "YOU_HAVE_BEEN_BLOCKED",
        "You cannot quote this note: you blocked its author or they blocked you.",
        "b390d7e1-8a5e-46ed-b625-06271cafd3d3",
    ),
    "QUOTE_PRIVATE": e.err(
        "CANNOT_RENOTE_DUE_TO_VISIBILITY",
        "You can not Renote due to target visibility.",
        "be9529e9-fe72-4de0-ae43-0b363c4938af",
    ),
    "QUOTE_DENIED": e.err(
        "CANNOT_QUOTE", "The author of this note does not allow you to quote it."
    ),
}
_POLL = P(
    "object",
    nullable=True,
    properties={
        "choices": P(
            "array",
            required=True,
            unique_items=True,
            min_items=2,
            max_items=10,
            items=P("string", min_length=1, max_length=50),
        ),
        "multiple": P("boolean"),
        "expiresAt": P("integer", nullable=True),
        "expiredAfter": P("integer", nullable=True, minimum=1),
    },
)
EXPIRED_POLL = e.err(
    "CANNOT_CREATE_ALREADY_EXPIRED_POLL",
    "Poll is already expired.",
    "04da457d-b083-4055-9082-955525eda5a5",
)
CONTENT_REQUIRED = e.err(
    "CONTENT_REQUIRED",
    "Content required. You need to set text, fileIds or renoteId.",
    "6f57e42b-c348-439b-bc45-993995cc515a",
)


@endpoint(
    "notes/create",
    kind="write:notes",
    params={
        "visibility": P("string", enum=tuple(FROM_MISSKEY), default="public"),
        "visibleUserIds": P("array", unique_items=True, items=ID),
        "cw": P("string", nullable=True, max_length=100),
        "localOnly": P("boolean", default=False),
        "reactionAcceptance": P("string", nullable=True),
        "noExtractMentions": P("boolean", default=False),
        "noExtractHashtags": P("boolean", default=False),
        "noExtractEmojis": P("boolean", default=False),
        "replyId": P("id", nullable=True),
        "renoteId": P("id", nullable=True),
        "channelId": P("id", nullable=True),
        "text": P("string", nullable=True, min_length=1),
        "fileIds": _IDS,
        "mediaIds": _IDS,
        "poll": _POLL,
    },
    limit=(3_600_000, 300),
    errors=_CREATE_ERRORS,
    param_names={"media_attachments": "fileIds", "spoiler_text": "cw"},
)
async def create(call: Call) -> CreatedNote:
    p = call.params
    text = (p.get("text") or "").strip()
    files = p.get("fileIds") or p.get("mediaIds") or []
    if p.get("channelId") is not None:
        raise e.err(
            "NO_SUCH_CHANNEL", "No such channel.", "b1653923-5453-4edc-b786-7c4f39bb0bbb"
        ).raise_()
    poll = _new_poll(p.get("poll"))
    if p.get("renoteId") is not None and not (text or files or poll is not None):
        visibility = FROM_MISSKEY[p["visibility"]]
        b = await statuses.reblog(call.db, call.account, p["renoteId"], visibility)
        return {"createdNote": note(ctx(call), b.statuses[0], b)}
    if not text and not files and poll is None:
        raise CONTENT_REQUIRED.raise_()
    new = statuses.NewStatus(
        text=text,
        spoiler_text=p.get("cw") or "",
        visibility=FROM_MISSKEY[p["visibility"]],
        in_reply_to_id=p.get("replyId"),
        media_ids=files,
        recipient_ids=p.get("visibleUserIds") or () if p["visibility"] == "specified" else (),
        poll=poll,
        quoted_status_id=p.get("renoteId"),  # a renote with content is a quote
    )
    token = call.principal.token if call.principal else None
    b = await statuses.create(
        call.db,
        call.settings,
        call.account,
        call.user,
        new,
        token.application_id if token else None,
    )
    return {"createdNote": note(ctx(call), b.statuses[0], b)}


def _new_poll(raw: dict[str, Any] | None) -> poll_rules.NewPoll | None:
    """Misskey's poll: `expiresAt` (ms since the epoch) or `expiredAfter` (ms from now)."""
    if raw is None:
        return None
    now = clock.now()
    expires_at = None
    try:
        if raw.get("expiresAt") is not None:
            expires_at = datetime.fromtimestamp(raw["expiresAt"] / 1000, UTC)
            if expires_at <= now:
                raise EXPIRED_POLL.raise_()
        elif raw.get("expiredAfter") is not None:
            expires_at = now + timedelta(milliseconds=raw["expiredAfter"])
    except (OverflowError, ValueError, OSError):
        raise invalid("poll", "ends beyond the year 9999") from None
    return poll_rules.NewPoll(
        options=raw["choices"], expires_at=expires_at, multiple=bool(raw.get("multiple"))
    )


@endpoint(
    "notes/show",
    credential=False,
    params={"noteId": REQ_ID},
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "24fcbfc6-2e37-42b6-8388-c29b3861a08d"
        )
    },
)
async def show(call: Call) -> Note:
    b = await statuses.show(call.db, call.viewer, call.params["noteId"])
    return note(ctx(call), b.statuses[0], b)


@endpoint(
    "notes/delete",
    kind="write:notes",
    params={"noteId": REQ_ID},
    limit=(3_600_000, 300),
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "490be23f-8c1f-4796-819f-94cb4f9d1630"
        )
    },
)
async def delete(call: Call) -> None:
    await status_deletion.delete(call.db, call.account, call.params["noteId"])


@endpoint(
    "notes/favorites/create",
    kind="write:favorites",
    params={"noteId": REQ_ID},
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "6dd26674-e060-4816-909a-45ba3f4da458"
        ),
        "ALREADY_FAVORITED": e.err(
            "ALREADY_FAVORITED",
            "The note has already been marked as a favorite.",
            "a402c12b-34dd-41d2-97d8-4d2ffd96a1a6",
        ),
    },
)
async def favorite(call: Call) -> None:
    await favorites.add(call.db, call.account, call.params["noteId"])


@endpoint(
    "notes/favorites/delete",
    kind="write:favorites",
    params={"noteId": REQ_ID},
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "80848a2c-398f-4343-baa9-df1d57696c56"
        ),
        "NOT_FAVORITED": e.err(
            "NOT_FAVORITED",
            "You have not marked that note a favorite.",
            "b625fc69-635e-45e9-86f4-dbefbef35af5",
        ),
    },
)
async def unfavorite(call: Call) -> None:
    await favorites.remove(call.db, call.account, call.params["noteId"])


@endpoint("i/favorites", kind="read:favorites", params=PAGE)
async def my_favorites(call: Call) -> list[NoteFavorite]:
    window, ascending = page(call)
    found, b = await favorites.page(call.db, call.account, window)
    shown = {s.id: s for s in b.statuses}
    c = ctx(call)
    return [
        {
            "id": str(f.id),
            "createdAt": iso(f.created_at),
            "noteId": str(f.status_id),
            "note": note(c, shown[f.status_id], b),
        }
        for f in in_order(found, ascending)
    ]
