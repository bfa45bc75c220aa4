"""Misskey's Notification (and the `reaction:grouped` / `renote:grouped` of
i/notifications-grouped), from notifications stored under Mastodon's type names."""

from __future__ import annotations

from tandem.api.misskey.entities import types as t
from tandem.api.misskey.entities.chat import invitation
from tandem.api.misskey.entities.common import Ctx, iso
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.core import chat_rooms
from tandem.core.models import Notification, Status
from tandem.core.notifications import NotificationPage

# stored type → Misskey's ("mention" becomes "reply" when it answers the owner's note;
# an edit ("update") has no Misskey type and is not listed to Misskey clients).
MISSKEY_TYPES = {
    "follow": "follow",
    "follow_request": "receiveFollowRequest",
    "follow_request_accepted": "followRequestAccepted",
    "mention": "mention",
    "reblog": "renote",
    "quote": "quote",
    "favourite": "reaction",
    "poll": "pollEnded",
    "status": "note",
    "export_completed": "exportCompleted",
    "import_completed": "app",
    "chat_room_invitation_received": "chatRoomInvitationReceived",
}
HIDDEN = ("update", "quoted_update")
DEFAULT_REACTION = "\u2764"


def _note_of(page: NotificationPage, n: Notification) -> Status | None:
    wanted = page.reblogs.get(n.id, n.status_id)
    return next((s for s in page.statuses.statuses if s.id == wanted), None)


def kind(n: Notification, shown: Status | None) -> str:
    if n.type == "mention" and shown is not None and shown.in_reply_to_account_id == n.account_id:
        return "reply"
    return MISSKEY_TYPES.get(n.type, "app")


def notification(ctx: Ctx, page: NotificationPage, n: Notification) -> t.Notification:
    shown = _note_of(page, n)
    data: t.Notification = {"id": str(n.id), "createdAt": iso(n.created_at), "type": kind(n, shown)}
    sender = page.accounts.get(n.from_account_id) if n.from_account_id else None
    if sender is not None:
        data["userId"] = str(sender.id)
        data["user"] = user_lite(ctx, sender)
    if shown is not None:
        data["note"] = note(ctx, shown, page.statuses)
    if n.type == "favourite":
        reaction = n.payload.get("reaction")
        data["reaction"] = reaction if isinstance(reaction, str) else DEFAULT_REACTION
    elif n.type == "follow_request_accepted":
        data["message"] = None
    elif n.type == "chat_room_invitation_received":
        found = page.chat_invitations.get(chat_rooms.invitation_of(n) or 0)
        if found is not None:
            data["invitation"] = invitation(ctx, found)
    elif n.type == "export_completed":
        data["exportedEntity"] = n.payload.get("entity")
        data["fileId"] = n.payload.get("file_id")
    elif n.type not in MISSKEY_TYPES or n.type == "import_completed":
        header, body = n.payload.get("header"), n.payload.get("body")
        data["header"] = header if isinstance(header, str) else None
        data["body"] = body if isinstance(body, str) else ""
        data["icon"] = None
    return data


def grouped(ctx: Ctx, page: NotificationPage, items: list[Notification]) -> list[t.Notification]:
    """Misskey's grouping: a run of reactions to (or renotes of) one note becomes one entry,
    with the id and date of the newest notification in the run."""
    out: list[t.Notification] = []
    last: t.Notification | None = None
    last_note: int | None = None
    for n in items:
        one = notification(ctx, page, n)
        kind_now = one["type"]
        if (
            last is not None
            and kind_now in ("reaction", "renote")
            and last["type"] in (kind_now, f"{kind_now}:grouped")
            and n.status_id == last_note
            and "user" in one
        ):
            if last["type"] == "reaction":
                last["reactions"] = [{"user": last["user"], "reaction": last["reaction"]}]
            elif last["type"] == "renote":
                last["users"] = [last["user"]]
            if kind_now == "reaction":
                last["type"] = "reaction:grouped"
                last.setdefault("reactions", []).append(
                    {"user": one["user"], "reaction": one.get("reaction", DEFAULT_REACTION)}
                )
            else:
                last["type"] = "renote:grouped"
                last.setdefault("users", []).append(one["user"])
            last.pop("user", None)
            last.pop("userId", None)
            last.pop("reaction", None)
            continue
        out.append(one)
        last, last_note = one, n.status_id
    return out
