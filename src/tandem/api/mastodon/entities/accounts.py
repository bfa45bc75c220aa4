"""Account, CredentialAccount, MutedAccount, Profile, Relationship, Role, FamiliarFollowers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.formats import day, iso_ms, iso_offset, iso_seconds, midnight
from tandem.config import Settings
from tandem.core import urls
from tandem.core.models import Account, FeaturedTag, Relationship, User
from tandem.core.profiles import default_privacy

# Mastodon's built-in roles: id, name, permission bits (as a string), highlighted.
ROLES: dict[str, t.BuiltinRole] = {
    "user": {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False},
    "moderator": {
        "id": "1",
        "name": "Moderator",
        "permissions": "1308",
        "color": "",
        "highlighted": True,
    },
    "admin": {
        "id": "2",
        "name": "Admin",
        "permissions": "983036",
        "color": "",
        "highlighted": True,
    },
    "owner": {"id": "3", "name": "Owner", "permissions": "1", "color": "", "highlighted": True},
}


@dataclass(frozen=True)
class Render:
    """Who is looking, which decides per-viewer bits such as `feature_approval`."""

    settings: Settings
    viewer_id: int | None = None
    viewer_follows: frozenset[int] = field(default_factory=frozenset)


def role(account: Account) -> t.Role:
    return {**ROLES.get(account.role, ROLES["user"]), "collection_limit": 10}


def _images(settings: Settings, account: Account, kind: str) -> tuple[str, str]:
    image = account.avatar if kind == "avatar" else account.header
    found = urls.image_urls(settings, image) if not account.suspended else None
    if found is None:
        missing = urls.missing_image(settings, kind)
        return missing, missing
    return found


def _feature_approval(account: Account, r: Render) -> t.FeatureApproval:
    discoverable = bool(account.discoverable)
    automatic: list[Literal["public", "followers"]] = (
        [("followers" if account.locked else "public")] if discoverable else []
    )
    allowed = (
        discoverable
        and r.viewer_id is not None
        and (not account.locked or r.viewer_id == account.id or account.id in r.viewer_follows)
    )
    return {
        "automatic": automatic,
        "manual": [],
        "current_user": "automatic" if allowed else "denied",
    }


def field_json(name: str, value: str, verified_at: datetime | None) -> t.Field:
    return {"name": name, "value": value, "verified_at": iso_offset(verified_at)}


def account(a: Account, r: Render) -> t.Account:
    s = r.settings
    gone = a.suspended
    avatar, avatar_static = _images(s, a, "avatar")
    header, header_static = _images(s, a, "header")
    data: t.Account = {
        "id": str(a.id),
        "username": a.username,
        "acct": a.acct(),
        "display_name": "" if gone else a.display_name,
        "locked": False if gone else a.locked,
        "bot": False if gone else a.bot,
        "discoverable": False if gone else a.discoverable,
        "indexable": False if gone else a.indexable,
        "group": False if gone else a.group,
        "created_at": midnight(a.created_at),
        "note": "" if gone else a.note_html,
        "url": urls.profile_url(s, a),
        "uri": urls.actor_uri(s, a),
        "avatar": avatar,
        "avatar_static": avatar_static,
        "avatar_description": "" if gone else a.avatar_description,
        "header": header,
        "header_static": header_static,
        "header_description": "" if gone else a.header_description,
        "followers_count": 0 if gone else a.followers_count,
        "following_count": 0 if gone else a.following_count,
        "statuses_count": 0 if gone else a.statuses_count,
        "last_status_at": None if gone else day(a.last_status_at),
        "hide_collections": a.hide_collections,
        "show_media": a.show_media,
        "show_media_replies": a.show_media_replies,
        "show_featured": a.show_featured,
        "emojis": [],
        "fields": []
        if gone
        else [field_json(f.name, f.value_html, f.verified_at) for f in a.fields],
        "feature_approval": _feature_approval(a, r),
    }
    if a.local:
        data["noindex"] = a.noindex
        highlighted = ROLES.get(a.role, ROLES["user"])
        data["roles"] = (
            [{"id": highlighted["id"], "name": highlighted["name"], "color": highlighted["color"]}]
            if highlighted["highlighted"] and not gone
            else []
        )
    if gone:
        data["suspended"] = True
    if a.memorial:
        data["memorial"] = True
    return data


def accounts(items: list[Account], r: Render) -> list[t.Account]:
    return [account(a, r) for a in items]


def credential_account(
    a: Account, user: User, follow_requests_count: int, r: Render
) -> t.CredentialAccount:
    return {
        **account(a, r),
        "source": {
            "privacy": default_privacy(a, user),
            "sensitive": user.settings.default_sensitive,
            "language": user.settings.default_language,
            "note": a.note,
            "fields": [field_json(f.name, f.value, f.verified_at) for f in a.fields],
            "follow_requests_count": follow_requests_count,
            "hide_collections": a.hide_collections,
            "discoverable": a.discoverable,
            "indexable": a.indexable,
            "attribution_domains": a.attribution_domains,
            "quote_policy": user.settings.default_quote_policy,
            "role": role(a),
        },
        "role": role(a),
    }


def muted_account(a: Account, expires_at: datetime | None, r: Render) -> t.MutedAccount:
    return {**account(a, r), "mute_expires_at": iso_ms(expires_at)}


def featured_tag(settings: Settings, owner: Account, tag: FeaturedTag) -> t.FeaturedTag:
    return {
        "id": str(tag.id),
        "name": tag.name,
        "url": urls.account_tag_url(settings, owner, tag.name),
        # Mastodon sends this count as a string.
        "statuses_count": str(tag.statuses_count),
        "last_status_at": day(tag.last_status_at),
    }


def profile(a: Account, tags: list[FeaturedTag], r: Render) -> t.Profile:
    s = r.settings
    avatar = urls.image_urls(s, a.avatar)
    header = urls.image_urls(s, a.header)
    return {
        "id": str(a.id),
        "display_name": a.display_name,
        "note": a.note,
        "fields": [field_json(f.name, f.value, f.verified_at) for f in a.fields],
        "formatted_note": a.note_html,
        "formatted_fields": [field_json(f.name, f.value_html, f.verified_at) for f in a.fields],
        "avatar": avatar[0] if avatar else None,
        "avatar_static": avatar[1] if avatar else None,
        "avatar_description": a.avatar_description,
        "header": header[0] if header else None,
        "header_static": header[1] if header else None,
        "header_description": a.header_description,
        "locked": a.locked,
        "bot": a.bot,
        "hide_collections": a.hide_collections,
        "discoverable": a.discoverable,
        "indexable": a.indexable,
        "show_media": a.show_media,
        "show_media_replies": a.show_media_replies,
        "show_featured": a.show_featured,
        "attribution_domains": a.attribution_domains,
        "featured_tags": [featured_tag(s, a, t) for t in tags],
    }


def relationship(rel: Relationship) -> t.Relationship:
    return {
        "id": str(rel.target_id),
        "following": rel.following,
        "showing_reblogs": rel.showing_reblogs,
        "notifying": rel.notifying,
        "languages": list(rel.languages) if rel.languages else None,
        "followed_by": rel.followed_by,
        "blocking": rel.blocking,
        "blocked_by": rel.blocked_by,
        "muting": rel.muting,
        "muting_notifications": rel.muting_notifications,
        "muting_expires_at": iso_seconds(rel.muting_expires_at),
        "requested": rel.requested,
        "requested_by": rel.requested_by,
        "domain_blocking": rel.domain_blocking,
        "endorsed": rel.endorsed,
        "note": rel.note,
    }
