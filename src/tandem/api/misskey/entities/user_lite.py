"""UserLite: the short form of a user, shown inside notes and lists."""

from __future__ import annotations

from datetime import timedelta

from tandem.api.misskey.entities.common import Ctx
from tandem.api.misskey.entities.types import OnlineStatus, UserLite
from tandem.core import clock, urls
from tandem.core.models import Account

ROLE_BADGES = {"moderator": "Moderator", "admin": "Admin", "owner": "Owner"}


def _online_status(account: Account) -> OnlineStatus:
    if account.hide_online_status or account.last_active_at is None:
        return "unknown"
    idle = clock.now() - account.last_active_at
    if idle < timedelta(minutes=10):
        return "online"
    return "active" if idle < timedelta(days=3) else "offline"


def user_lite(ctx: Ctx, a: Account) -> UserLite:
    avatar = urls.image_urls(ctx.settings, a.avatar)
    data: UserLite = {
        "id": str(a.id),
        "name": a.display_name or None,
        "username": a.username,
        "host": a.domain,
        "avatarUrl": avatar[0] if avatar else urls.missing_image(ctx.settings, "avatar"),
        "avatarBlurhash": None,
        "avatarDecorations": [],
        "isBot": a.bot,
        "isCat": a.is_cat,
        "emojis": {},
        "onlineStatus": _online_status(a),
        "badgeRoles": [],
    }
    if a.role in ROLE_BADGES:
        data["badgeRoles"] = [{"name": ROLE_BADGES[a.role], "iconUrl": None, "displayOrder": 0}]
    return data
