"""The signed-in user's notifications: i/notifications, i/notifications-grouped, mark read."""

from __future__ import annotations

from typing import Any

from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.notifications import HIDDEN, MISSKEY_TYPES, grouped, notification
from tandem.api.misskey.entities.types import Notification
from tandem.api.misskey.schema import DATE, ID, LIMIT, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import notifications
from tandem.core.notification_kinds import Selection

# Every type a Misskey client may name; the ones tandem never sends simply match nothing.
TYPE_NAMES = (
    "note", "follow", "mention", "reply", "renote", "quote", "reaction", "pollEnded",
    "scheduledNotePosted", "scheduledNotePostFailed", "receiveFollowRequest",
    "followRequestAccepted", "roleAssigned", "chatRoomInvitationReceived", "achievementEarned",
    "exportCompleted", "login", "createToken", "app", "test", "pollVote", "groupInvited",
)  # fmt: skip
_FROM_MISSKEY: dict[str, set[str]] = {}
for ours, theirs in MISSKEY_TYPES.items():
    _FROM_MISSKEY.setdefault(theirs, set()).add(ours)
_FROM_MISSKEY["reply"] = {"mention"}
_TYPES = P("array", items=P("string", enum=TYPE_NAMES))
_MENTION_KINDS = frozenset({"mention", "reply"})


def selection(include: list[str] | None, exclude: list[str] | None) -> Selection | None:
    """Misskey's type filters over stored types; None when nothing at all can match.

    "mention" and "reply" are both stored mentions, told apart by whether the note replies
    to the owner: the ones wanted narrow `replies`."""
    included = set(include) if include is not None else None
    excluded = set(exclude or ())
    kinds = (included if included is not None else set(_MENTION_KINDS)) & _MENTION_KINDS
    kinds -= excluded
    stored_in: set[str] | None = None
    if included is not None:
        stored_in = {s for name in included for s in _FROM_MISSKEY.get(name, set())}
    stored_out = {s for name in excluded - _MENTION_KINDS for s in _FROM_MISSKEY.get(name, set())}
    stored_out |= set(HIDDEN)
    if not kinds:
        stored_out.add("mention")
    if stored_in is not None:
        stored_in -= stored_out
        if not stored_in:
            return None
    replies = None if kinds in (set(_MENTION_KINDS), set()) else "reply" in kinds
    return Selection(
        types=tuple(sorted(stored_in)) if stored_in is not None else None,
        exclude=tuple(sorted(stored_out)),
        replies=replies,
    )


_PARAMS: dict[str, Any] = {
    "limit": LIMIT,
    "sinceId": ID,
    "untilId": ID,
    "sinceDate": DATE,
    "untilDate": DATE,
    "markAsRead": P("boolean", default=True),
    "includeTypes": _TYPES,
    "excludeTypes": _TYPES,
}


async def _listed(call: Call, *, group: bool) -> list[Notification]:
    p = call.params
    window, ascending = page(call)
    chosen = selection(p.get("includeTypes"), p.get("excludeTypes"))
    if chosen is None:
        return []  # only types tandem never sends were asked for
    found = await notifications.page(call.db, call.account, window, chosen)
    if p["markAsRead"]:
        await notifications.mark_read(call.db, call.account)
    c = ctx(call)
    items = in_order(found.items, ascending)
    if group:
        return grouped(c, found, items)
    return [notification(c, found, n) for n in items]


@endpoint("i/notifications", kind="read:notifications", params=_PARAMS, limit=(60_000, 300))
async def my_notifications(call: Call) -> list[Notification]:
    return await _listed(call, group=False)


@endpoint("i/notifications-grouped", kind="read:notifications", params=_PARAMS, limit=(60_000, 300))
async def my_notifications_grouped(call: Call) -> list[Notification]:
    return await _listed(call, group=True)


@endpoint("notifications/mark-all-as-read", kind="write:notifications")
async def mark_all_as_read(call: Call) -> None:
    await notifications.mark_read(call.db, call.account)
