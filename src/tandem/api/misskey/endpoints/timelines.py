"""Misskey timelines: notes/timeline (home), local, hybrid (social), global, user lists,
users/notes and notes/search-by-tag, over the same core as Mastodon's timelines.

The caller's word mutes (`mutedWords`, `hardMutedWords`) apply to every one of them; the
caller's own notes are never hidden by them.
"""

from __future__ import annotations

from typing import Any

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.types import Note
from tandem.api.misskey.schema import PAGE, REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import statuses, timelines
from tandem.core.statuses import StatusBundle

_BOOL = P("boolean")
_RENOTE_FLAGS = {
    "allowPartial": P("boolean", default=False),
    "includeMyRenotes": P("boolean", default=True),
    "includeRenotedMyNotes": P("boolean", default=True),
    "includeLocalRenotes": P("boolean", default=True),
}
_WITH = {
    "withFiles": P("boolean", default=False),
    "withRenotes": P("boolean", default=True),
}
BOTH_REPLIES_AND_FILES_LTL = e.err(
    "BOTH_WITH_REPLIES_AND_WITH_FILES",
    "Specifying both withReplies and withFiles is not supported",
    "dd9c8400-1cb5-4eef-8a31-200c5f933793",
)
BOTH_REPLIES_AND_FILES_STL = e.err(
    "BOTH_WITH_REPLIES_AND_WITH_FILES",
    "Specifying both withReplies and withFiles is not supported",
    "dfaa3eb7-8002-4cb7-bcc4-1095df46656f",
)
BOTH_REPLIES_AND_FILES_USER = e.err(
    "BOTH_WITH_REPLIES_AND_WITH_FILES",
    "Specifying both withReplies and withFiles is not supported",
    "91c8cb9f-36ed-46e7-9ca2-7df96ed6e222",
)
NO_SUCH_LIST = e.err("NO_SUCH_LIST", "No such list.", "8fb1fbd5-e476-4c37-9fb0-43d55b63a2ff")
NO_SUCH_USER = e.err("NO_SUCH_USER", "No such user.", "27e494ba-2ac2-48e8-893b-10d4d8c2387b")


def _notes(call: Call, b: StatusBundle, ascending: bool) -> list[Note]:
    c = ctx(call)
    return [note(c, s, b) for s in in_order(b.statuses, ascending)]


def _drop_own_renotes(call: Call, b: StatusBundle) -> StatusBundle:
    """includeMyRenotes=false: the caller's own pure renotes stay out."""
    if call.params.get("includeMyRenotes", True) or call.viewer is None:
        return b
    me = call.viewer.id
    b.statuses = [s for s in b.statuses if not (s.reblog_of_id and s.account_id == me)]
    return b


@endpoint("notes/timeline", params={**PAGE, **_RENOTE_FLAGS, **_WITH})
async def home(call: Call) -> list[Note]:
    p = call.params
    window, ascending = page(call)
    b = await timelines.home(
        call.db,
        call.account,
        window,
        with_reblogs=p["withRenotes"],
        only_media=p["withFiles"],
        word_mutes=True,
    )
    return _notes(call, _drop_own_renotes(call, b), ascending)


def _shown(call: Call, *, local: bool | None) -> timelines.Shown:
    p = call.params
    return timelines.Shown(
        local=local,
        only_media=p["withFiles"],
        with_replies=bool(p.get("withReplies", False)),
        with_reblogs=p["withRenotes"],
    )


@endpoint(
    "notes/local-timeline",
    credential=False,
    params={**_WITH, "withReplies": P("boolean", default=False), **PAGE, "allowPartial": _BOOL},
)
async def local(call: Call) -> list[Note]:
    if call.params["withReplies"] and call.params["withFiles"]:
        raise BOTH_REPLIES_AND_FILES_LTL.raise_()
    window, ascending = page(call)
    b = await timelines.public(
        call.db, call.viewer, window, _shown(call, local=True), word_mutes=True
    )
    return _notes(call, b, ascending)


@endpoint(
    "notes/hybrid-timeline",
    params={**PAGE, **_RENOTE_FLAGS, **_WITH, "withReplies": P("boolean", default=False)},
)
async def hybrid(call: Call) -> list[Note]:
    if call.params["withReplies"] and call.params["withFiles"]:
        raise BOTH_REPLIES_AND_FILES_STL.raise_()
    window, ascending = page(call)
    b = await timelines.hybrid(
        call.db, call.account, window, _shown(call, local=True), word_mutes=True
    )
    return _notes(call, _drop_own_renotes(call, b), ascending)


@endpoint("notes/global-timeline", credential=False, params={**_WITH, **PAGE})
async def global_(call: Call) -> list[Note]:
    window, ascending = page(call)
    b = await timelines.public(
        call.db, call.viewer, window, _shown(call, local=None), word_mutes=True
    )
    return _notes(call, b, ascending)


@endpoint(
    "notes/user-list-timeline",
    params={"listId": REQ_ID, **PAGE, **_RENOTE_FLAGS, **_WITH},
    errors={"not_found:list": NO_SUCH_LIST},
)
async def user_list(call: Call) -> list[Note]:
    p = call.params
    window, ascending = page(call)
    shown = timelines.Shown(only_media=p["withFiles"], with_reblogs=p["withRenotes"])
    b = await timelines.of_list(call.db, call.account, p["listId"], window, shown, word_mutes=True)
    return _notes(call, _drop_own_renotes(call, b), ascending)


@endpoint(
    "users/notes",
    credential=False,
    params={
        "userId": REQ_ID,
        "withReplies": P("boolean", default=False),
        "withRenotes": P("boolean", default=True),
        "withChannelNotes": P("boolean", default=False),
        "withFiles": P("boolean", default=False),
        "allowPartial": _BOOL,
        **PAGE,
    },
    errors={"not_found:account": NO_SUCH_USER},
)
async def user_notes(call: Call) -> list[Note]:
    p = call.params
    if p["withReplies"] and p["withFiles"]:
        raise BOTH_REPLIES_AND_FILES_USER.raise_()
    window, ascending = page(call)
    b = await statuses.of_account(
        call.db,
        call.viewer,
        p["userId"],
        window,
        statuses.AccountStatusesQuery(
            only_media=p["withFiles"],
            exclude_replies=not p["withReplies"],
            exclude_reblogs=not p["withRenotes"],
        ),
    )
    return _notes(call, b, ascending)


_WORDS = P("array", items=P("array", items=P("string"), max_items=10), max_items=10)


@endpoint(
    "notes/search-by-tag",
    credential=False,
    params={
        "tag": P("string", min_length=1),
        "query": _WORDS,
        "reply": P("boolean", nullable=True, default=None),
        "renote": P("boolean", nullable=True, default=None),
        "withFiles": P("boolean", default=False),
        "poll": P("boolean", nullable=True, default=None),
        **PAGE,
    },
)
async def search_by_tag(call: Call) -> list[Note]:
    """`tag`, or `query`: any of its groups, each group all of its tags."""
    p = call.params
    window, ascending = page(call)
    groups: list[list[str]] = []
    if p.get("tag"):
        groups = [[str(p["tag"])]]
    elif p.get("query"):
        groups = [[str(t) for t in g if str(t).strip()] for g in p["query"]]
    shown = timelines.Shown(
        viewer_id=None,
        only_media=p["withFiles"],
        with_replies=p["reply"] is not False,
        with_reblogs=p["renote"] is not False,
    )
    if p["poll"] is True:  # no polls here yet: no note has one
        return []
    found: dict[int, Any] = {}
    merged: StatusBundle | None = None
    for group in [g for g in groups if g][:10]:
        b = await timelines.tag(
            call.db,
            call.viewer,
            window,
            shown,
            timelines.Tagged(any_of=group[:1], all_of=group[1:]),
        )
        merged = b if merged is None else _merge(merged, b)
        found.update({s.id: s for s in b.statuses})
    if merged is None:
        return []
    keep = sorted(found.values(), key=lambda s: s.id, reverse=True)[: window.limit or None]
    if p["reply"] is True:
        keep = [s for s in keep if s.in_reply_to_id is not None]
    if p["renote"] is True:
        keep = [s for s in keep if s.reblog_of_id is not None]
    merged.statuses = keep
    return _notes(call, merged, ascending)


def _merge(a: StatusBundle, b: StatusBundle) -> StatusBundle:
    a.originals.update(b.originals)
    a.accounts.update(b.accounts)
    a.applications.update(b.applications)
    a.reblogged |= b.reblogged
    a.pinned |= b.pinned
    a.favorited |= b.favorited
    return a
