"""Announcement (Misskey's packed announcement) and the moderators' list entries."""

from __future__ import annotations

from tandem.api.misskey.entities.common import Ctx, iso, sid
from tandem.api.misskey.entities.types import AdminAnnouncement
from tandem.api.misskey.entities.types import Announcement as AnnouncementJson
from tandem.core.announcements import Announcement, Shown


def announcement(ctx: Ctx, a: Announcement, read: set[int] | None) -> AnnouncementJson:
    """`read`: the ids the viewer read (None: anonymous, no isRead)."""
    data: AnnouncementJson = {
        "id": str(a.id),
        "createdAt": iso(a.created_at),
        "updatedAt": iso(a.updated_at),
        "text": a.text,
        "title": a.title,
        "imageUrl": a.image_url,
        "icon": a.icon,
        "display": a.display,
        "needConfirmationToRead": a.need_confirmation,
        "silence": a.silence,
        "forYou": a.account_id is not None and a.account_id == ctx.viewer_id,
    }
    if read is not None:
        data["isRead"] = a.id in read
    return data


def announcements(ctx: Ctx, shown: Shown) -> list[AnnouncementJson]:
    return [announcement(ctx, a, shown.read) for a in shown.items]


def admin_announcement(a: Announcement, reads: int) -> AdminAnnouncement:
    return {
        "id": str(a.id),
        "createdAt": iso(a.created_at),
        "updatedAt": iso(a.updated_at),
        "title": a.title,
        "text": a.text,
        "imageUrl": a.image_url,
        "icon": a.icon,
        "display": a.display,
        "isActive": a.is_active,
        "forExistingUsers": a.for_existing_users,
        "silence": a.silence,
        "needConfirmationToRead": a.need_confirmation,
        "userId": sid(a.account_id),
        "reads": reads,
    }
