"""Instance documents: /api/v1/instance, /api/v2/instance and small discovery endpoints."""

from __future__ import annotations

from tandem import MASTODON_API_VERSION, MASTODON_COMPAT_VERSION, __version__
from tandem.api.mastodon.endpoint import (
    INVALID_TOKEN,
    USER_REQUIRED,
    Ctx,
    MastodonError,
    routes,
)
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import Render, account
from tandem.api.mastodon.entities.instance_types import (
    Configuration,
    DomainBlock,
    Instance,
    Registrations,
    V1Instance,
)
from tandem.config import Settings
from tandem.core import domain_policies, images, instance, poll_rules, role_policies, video
from tandem.core.i18n import Text, render
from tandem.core.media import DESCRIPTION_LIMIT
from tandem.core.profile_changes import DESCRIPTION_LIMIT as PROFILE_DESCRIPTION_LIMIT
from tandem.core.text import URL_COUNTS_AS

VERSION = f"{MASTODON_COMPAT_VERSION} (compatible; tandem {__version__})"


def _streaming_url(settings: Settings) -> str:
    """Where Mastodon clients open their streams: `streaming_url` when set, else the main
    origin, or with `stream_port` set, that port on the same host (the streaming listener)."""
    if settings.streaming_url:
        return settings.streaming_url
    scheme = "wss" if settings.scheme == "https" else "ws"
    if not settings.stream_port:
        return f"{scheme}://{settings.domain}"
    domain = settings.domain
    host = domain[: domain.index("]") + 1] if domain.startswith("[") else domain.split(":")[0]
    return f"{scheme}://{host}:{settings.stream_port}"


def _configuration(settings: Settings, vapid_key: str) -> Configuration:
    return {
        "urls": {
            "streaming": _streaming_url(settings),
            "status": None,
            "about": f"{settings.base_url}/about",
            "privacy_policy": None,
            "terms_of_service": None,
        },
        "vapid": {"public_key": vapid_key},
        "accounts": {
            "max_featured_tags": settings.max_featured_tags,
            "max_pinned_statuses": settings.max_pinned_statuses,
            "max_display_name_length": settings.max_display_name_length,
            "max_note_length": settings.max_note_length,
            "max_avatar_description_length": PROFILE_DESCRIPTION_LIMIT,
            "max_header_description_length": PROFILE_DESCRIPTION_LIMIT,
            "max_profile_fields": settings.max_profile_fields,
            "profile_field_name_limit": settings.profile_field_name_limit,
            "profile_field_value_limit": settings.profile_field_value_limit,
        },
        "statuses": {
            "max_characters": settings.max_status_characters,
            "max_media_attachments": settings.max_media_attachments,
            "characters_reserved_per_url": URL_COUNTS_AS,
        },
        "media_attachments": {
            "supported_mime_types": sorted({*images.ALLOWED_TYPES, *video.AV_TYPES}),
            "description_limit": DESCRIPTION_LIMIT,
            "image_size_limit": settings.max_media_size,
            "image_matrix_limit": images.MAX_PIXELS,
            "video_size_limit": settings.max_video_size,
            "video_frame_rate_limit": video.MAX_FRAME_RATE,
            "video_matrix_limit": video.MAX_VIDEO_PIXELS,
        },
        "polls": {
            "max_options": poll_rules.MASTODON_MAX_OPTIONS,
            "max_characters_per_option": poll_rules.MAX_OPTION_CHARS,
            "min_expiration": poll_rules.MIN_EXPIRATION,
            "max_expiration": poll_rules.MAX_EXPIRATION,
        },
        "translation": {"enabled": False},
        "timelines_access": {
            "live_feeds": {"local": "public", "remote": "public"},
            "hashtag_feeds": {"local": "public", "remote": "public"},
            "trending_link_feeds": {"local": "public", "remote": "public"},
        },
        "limited_federation": settings.federation_mode == "allowlist",
    }


def _registrations(settings: Settings, locale: str) -> Registrations:
    return {
        "enabled": settings.registrations in ("open", "approval"),
        "approval_required": settings.registrations == "approval",
        "reason_required": settings.registrations == "approval" and settings.require_invite_text,
        "message": render(Text("Registrations are closed."), locale)
        if settings.registrations == "closed"
        else render(Text("Sign-up is by invitation: ask a member for an invite link."), locale)
        if settings.registrations == "invite"
        else None,
        "min_age": settings.min_age or None,
        "url": None,
    }


@routes("GET", "/api/v2/instance", auth="none")
async def instance_v2(ctx: Ctx) -> Instance:
    s = ctx.settings
    stats = await instance.stats(ctx.db, ctx.settings.contact_username)
    render = Render(s)
    return {
        "domain": s.domain,
        "title": s.instance_title,
        "version": VERSION,
        "source_url": s.source_url,
        "description": s.instance_description,
        "usage": {"users": {"active_month": stats.active_month}},
        "thumbnail": {"url": f"{s.base_url}/thumbnail.png", "blurhash": None, "versions": {}},
        "icon": [],
        "languages": ["en"],
        "configuration": _configuration(s, ctx.services.vapid_key),
        "registrations": _registrations(s, ctx.locale()),
        "api_versions": {"mastodon": MASTODON_API_VERSION},
        "contact": {
            "email": s.contact,
            "account": account(stats.contact, render) if stats.contact else None,
        },
        "rules": [],
    }


@routes("GET", "/api/v1/instance", auth="none")
async def instance_v1(ctx: Ctx) -> V1Instance:
    s = ctx.settings
    stats = await instance.stats(ctx.db, ctx.settings.contact_username)
    configuration = _configuration(s, ctx.services.vapid_key)
    return {
        "uri": s.domain,
        "title": s.instance_title,
        "short_description": s.instance_description,
        "description": s.instance_description,
        "email": s.contact,
        "version": VERSION,
        "urls": {"streaming_api": configuration["urls"]["streaming"]},
        "stats": {"user_count": stats.users, "status_count": stats.statuses, "domain_count": 0},
        "thumbnail": f"{s.base_url}/thumbnail.png",
        "languages": ["en"],
        "registrations": s.registrations in ("open", "approval"),
        "approval_required": s.registrations == "approval",
        # Mastodon's: whether users (its everyone role) may invite; here the `user` role's
        # canInvite policy (`tandem admin role-policy`).
        "invites_enabled": (await role_policies.of_role(ctx.db, "user")).can_invite,
        "configuration": {
            "accounts": configuration["accounts"],
            "statuses": configuration["statuses"],
            "media_attachments": configuration["media_attachments"],
            "polls": configuration["polls"],
        },
        "contact_account": account(stats.contact, Render(s)) if stats.contact else None,
        "rules": [],
    }


def _require_user_when_limited(ctx: Ctx) -> None:
    """In allow-list mode (Mastodon's limited federation) the lists are for users only."""
    if ctx.settings.federation_mode != "allowlist":
        return
    if ctx.principal is None:
        raise MastodonError(401, INVALID_TOKEN)
    if ctx.principal.user is None:
        raise MastodonError(422, USER_REQUIRED)


@routes("GET", "/api/v1/instance/peers", auth="optional")
async def peers(ctx: Ctx) -> list[str]:
    """The domains of known remote accounts, without suspended ones; none in allow-list
    mode (404, as Mastodon)."""
    _require_user_when_limited(ctx)
    if ctx.settings.federation_mode == "allowlist":
        raise MastodonError(404, "Record not found")
    return await domain_policies.peers(ctx.db)


@routes("GET", "/api/v1/instance/domain_blocks", auth="optional")
async def domain_blocks(ctx: Ctx) -> list[DomainBlock]:
    """The silenced and suspended servers, if `show_domain_blocks` lets the caller see them
    (else 404, as Mastodon); their public comments as `show_domain_blocks_rationale` says."""
    _require_user_when_limited(ctx)
    signed_in = ctx.principal is not None and ctx.principal.user is not None
    if not domain_policies.domain_blocks_visible(ctx.settings, signed_in):
        raise MastodonError(404, "Record not found")
    return [
        {"domain": b.domain, "digest": b.digest, "severity": b.severity, "comment": b.comment}
        for b in await domain_policies.public_blocks(ctx.db, ctx.settings, signed_in)
    ]


@routes("GET", "/api/v1/instance/rules", auth="none")
async def rules(ctx: Ctx) -> list[t.Rule]:
    return []
