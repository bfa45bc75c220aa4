"""The signed-in user's notifications."""

from __future__ import annotations

from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.misc import NOTIFICATION_TYPES, notification
from tandem.api.misskey.entities.types import Notification
from tandem.api.misskey.schema import DATE, ID, LIMIT, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import notifications

# Every type a Misskey client may name; the ones tandem never sends simply match nothing.
MISSKEY_TYPES = (
    "note", "follow", "mention", "reply", "renote", "quote", "reaction", "pollEnded",
    "scheduledNotePosted", "scheduledNotePostFailed", "receiveFollowRequest",
    "followRequestAccepted", "roleAssigned", "chatRoomInvitationReceived", "achievementEarned",
    "exportCompleted", "login", "createToken", "app", "test", "pollVote", "groupInvited",
)  # fmt: skip
_FROM_MISSKEY: dict[str, list[str]] = {}
for ours, theirs in NOTIFICATION_TYPES.items():
    _FROM_MISSKEY.setdefault(theirs, []).append(ours)
_TYPES = P("array", items=P("string", enum=MISSKEY_TYPES))


def _ours(names: list[str] | None) -> list[str] | None:
    if names is None:
        return None
    return [ours for name in names for ours in _FROM_MISSKEY.get(name, [])]


@endpoint(
    "i/notifications",
    kind="read:notifications",
    params={
        "limit": LIMIT,
        "sinceId": ID,
        "untilId": ID,
        "sinceDate": DATE,
        "untilDate": DATE,
        "markAsRead": P("boolean", default=True),
        "includeTypes": _TYPES,
        "excludeTypes": _TYPES,
    },
    limit=(60_000, 300),
)
async def my_notifications(call: Call) -> list[Notification]:
    p = call.params
    window, ascending = page(call)
    included = _ours(p.get("includeTypes"))
    if included == []:
        return []  # only types tandem never sends were asked for
    found = await notifications.page(
        call.db,
        call.account,
        window,
        types=included,
        exclude=_ours(p.get("excludeTypes")),
    )
    if p["markAsRead"]:
        await notifications.mark_read(call.db, call.account)
    c = ctx(call)
    return [notification(c, found, n) for n in in_order(found.items, ascending)]


@endpoint("notifications/mark-all-as-read", kind="write:notifications")
async def mark_all_as_read(call: Call) -> None:
    await notifications.mark_read(call.db, call.account)
