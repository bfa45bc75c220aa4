"""Small Misskey entities: Webhook, Signin, Antenna, Clip, UserList, App."""

from __future__ import annotations

from tandem.api.misskey.entities import types as t
from tandem.api.misskey.entities.common import Ctx, iso, sid
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.core.antennas import Antenna
from tandem.core.clips import Clip
from tandem.core.ids import id_time
from tandem.core.models import Account, Application, SignIn, UserList
from tandem.core.webhooks import Webhook


def webhook(hook: Webhook) -> t.Webhook:
    return {
        "id": str(hook.id),
        "userId": str(hook.account_id),
        "name": hook.name,
        "on": hook.events,
        "url": hook.url,
        "secret": hook.secret,
        "active": hook.active,
        "latestSentAt": iso(hook.latest_sent_at),
        "latestStatus": hook.latest_status,
    }


def signin(entry: SignIn) -> t.Signin:
    return {
        "id": str(entry.id),
        "createdAt": iso(entry.created_at),
        "ip": entry.ip,
        "headers": entry.headers,
        "success": entry.success,
    }


def antenna(item: Antenna) -> t.Antenna:
    return {
        "id": str(item.id),
        "createdAt": iso(item.created_at),
        "name": item.name,
        "keywords": item.keywords,
        "excludeKeywords": item.exclude_keywords,
        "src": item.src,
        "userListId": sid(item.list_id),
        "users": item.users,
        "caseSensitive": item.case_sensitive,
        "localOnly": item.local_only,
        "excludeBots": item.exclude_bots,
        "withReplies": item.with_replies,
        "withFile": item.with_file,
        "isActive": item.is_active,
        "hasUnreadNote": False,
        "notify": False,
        "excludeNotesInSensitiveChannel": False,
    }


def clip(ctx: Ctx, item: Clip, owner: Account) -> t.Clip:
    return {
        "id": str(item.id),
        "createdAt": iso(item.created_at),
        "lastClippedAt": iso(item.last_clipped_at),
        "userId": str(item.account_id),
        "user": user_lite(ctx, owner),
        "name": item.name,
        "description": item.description,
        "isPublic": item.is_public,
        "favoritedCount": 0,
        "isFavorited": False,
    }


def user_list(item: UserList, member_ids: list[int]) -> t.UserList:
    return {
        "id": str(item.id),
        # a list keeps no creation time; its id holds the millisecond it was made (core/ids.py)
        "createdAt": iso(id_time(item.id)),
        "name": item.title,
        "userIds": [str(i) for i in member_ids],
        "isPublic": item.is_public,
    }


def app(item: Application, *, with_secret: bool) -> t.App:
    data: t.App = {
        "id": str(item.id),
        "name": item.name,
        "callbackUrl": item.callback_url,
        "permission": list(item.scopes),
    }
    if with_secret:
        data["secret"] = item.client_secret
    return data
