"""announcements, announcements/show, i/read-announcement and the moderators'
admin/announcements/create|update|delete|list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.announcements import (
    admin_announcement,
    announcement,
    announcements,
)
from tandem.api.misskey.entities.types import AdminAnnouncement
from tandem.api.misskey.entities.types import Announcement as AnnouncementJson
from tandem.api.misskey.schema import ID, LIMIT, PAGE, REQ_ID, P
from tandem.api.misskey.views import ctx, in_order, page
from tandem.core import announcements as core
from tandem.core.models import Page


def _no_such(id_: str) -> dict[str, e.ErrorDef]:
    return {"not_found:announcement": e.err("NO_SUCH_ANNOUNCEMENT", "No such announcement.", id_)}


_NO_SUCH_USER = {"not_found:user": e.err("NO_SUCH_USER", "No such user.")}
_TITLE = P("string", min_length=1, max_length=core.TITLE_LIMIT)
_TEXT = P("string", min_length=1, max_length=core.TEXT_LIMIT)
_ICON = P("string", enum=core.ICONS)
_DISPLAY = P("string", enum=core.DISPLAYS)
# Misskey's admin params and the core's columns.
_COLUMNS = {
    "title": "title",
    "text": "text",
    "imageUrl": "image_url",
    "icon": "icon",
    "display": "display",
    "forExistingUsers": "for_existing_users",
    "silence": "silence",
    "needConfirmationToRead": "need_confirmation",
    "isActive": "is_active",
}
_NAMES = {column: param for param, column in _COLUMNS.items()}


@endpoint(
    "announcements", credential=False, params={**PAGE, "isActive": P("boolean", default=True)}
)
async def listed(call: Call) -> list[AnnouncementJson]:
    """`isActive: false` lists only the inactive ones (as Misskey does), not every one."""
    window, ascending = page(call)
    found = await core.listed(call.db, call.viewer, window, active=call.params["isActive"])
    return in_order(announcements(ctx(call), found), ascending)


@endpoint(
    "announcements/show",
    credential=False,
    params={"announcementId": REQ_ID},
    errors=_no_such("b57b5e1d-4f49-404a-9edb-46b00268f121"),
)
async def show(call: Call) -> AnnouncementJson:
    found = await core.show(call.db, call.viewer, call.params["announcementId"])
    return announcement(ctx(call), found.items[0], found.read)


@endpoint("i/read-announcement", kind="write:account", params={"announcementId": REQ_ID})
async def read(call: Call) -> None:
    """As Misskey: an unknown or already read announcement is no error."""
    await core.read(call.db, call.account, call.params["announcementId"], strict=False)


def _values(params: dict[str, Any]) -> dict[str, Any]:
    values = {_COLUMNS[k]: v for k, v in params.items() if k in _COLUMNS}
    if "image_url" in values:
        values["image_url"] = values["image_url"] or None  # "" clears it, as Misskey
    return values


@endpoint(
    "admin/announcements/create",
    kind="write:admin:announcements",
    moderator=True,
    params={
        "title": replace(_TITLE, required=True),
        "text": replace(_TEXT, required=True),
        "imageUrl": P("string", required=True, nullable=True, min_length=1, max_length=1024),
        "icon": P("string", enum=core.ICONS, default="info"),
        "display": P("string", enum=core.DISPLAYS, default="normal"),
        "forExistingUsers": P("boolean", default=False),
        "silence": P("boolean", default=False),
        "needConfirmationToRead": P("boolean", default=False),
        "userId": P("id", nullable=True, default=None),
    },
    param_names=_NAMES,
    errors=_NO_SUCH_USER,
)
async def create(call: Call) -> AdminAnnouncement:
    values = _values(call.params)
    values["account_id"] = call.params["userId"]
    made = await core.create(call.db, **values)
    return admin_announcement(made, 0)


@endpoint(
    "admin/announcements/update",
    kind="write:admin:announcements",
    moderator=True,
    params={
        "id": REQ_ID,
        "title": _TITLE,
        "text": _TEXT,
        "imageUrl": P("string", nullable=True, max_length=1024),
        "icon": _ICON,
        "display": _DISPLAY,
        "forExistingUsers": P("boolean"),
        "silence": P("boolean"),
        "needConfirmationToRead": P("boolean"),
        "isActive": P("boolean"),
    },
    param_names=_NAMES,
    errors=_no_such("d3aae5a7-6372-4cb4-b61c-f511ffc2d7cc"),
)
async def update(call: Call) -> None:
    await core.update(call.db, call.params["id"], **_values(call.params))


@endpoint(
    "admin/announcements/delete",
    kind="write:admin:announcements",
    moderator=True,
    params={"id": REQ_ID},
    errors=_no_such("ecad8040-a276-4e85-bda9-015a708d291e"),
)
async def delete(call: Call) -> None:
    await core.delete(call.db, call.params["id"])


@endpoint(
    "admin/announcements/list",
    kind="read:admin:announcements",
    moderator=True,
    params={
        "limit": LIMIT,
        "sinceId": ID,
        "untilId": ID,
        "userId": P("id", nullable=True),
    },
)
async def list_(call: Call) -> list[AdminAnnouncement]:
    """Every announcement, drafts and inactive ones too: global ones, or one user's."""
    p = call.params
    since, until = p.get("sinceId"), p.get("untilId")
    ascending = since is not None and until is None
    window = (
        Page(limit=p["limit"], min_id=since)
        if ascending
        else Page(limit=p["limit"], max_id=until, since_id=since)
    )
    found = await core.for_moderators(call.db, p.get("userId"), window)
    items = [admin_announcement(a, found.reads.get(a.id, 0)) for a in found.items]
    return in_order(items, ascending)
