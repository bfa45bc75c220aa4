"""UserLite, UserDetailed and MeDetailed."""

from __future__ import annotations

from tandem.api.misskey.entities.announcements import announcement
from tandem.api.misskey.entities.common import Ctx, iso, sid
from tandem.api.misskey.entities.notes import note
from tandem.api.misskey.entities.types import (
    MeDetailed,
    MeDetailedWithSecrets,
    Note,
    Policies,
    UserDetailedNotMe,
    UserDetailedWithRelation,
)
from tandem.api.misskey.entities.user_lite import user_lite
from tandem.core import (
    account_aliases,
    antennas,
    chat_rules,
    clips,
    lists,
    twofactor,
    urls,
    webhooks,
)
from tandem.core.role_policies import RolePolicies
from tandem.core.user_views import UserView


def _collection_count(view: UserView, setting: str, count: int) -> int:
    """Counts follow the visibility of the list they count (Misskey hides them otherwise)."""
    if view.user is not None or setting == "public":
        return count
    following = view.relationship is not None and view.relationship.following
    return count if setting == "followers" and following else 0


def user_detailed(ctx: Ctx, view: UserView) -> UserDetailedNotMe:
    a = view.account
    banner = urls.image_urls(ctx.settings, a.header)
    data: UserDetailedNotMe = {
        **user_lite(ctx, a),
        "url": None if a.local else a.url,
        "uri": None if a.local else a.uri,
        "movedTo": sid(a.moved_to_account_id),  # (Misskey shows ids, not URIs)
        "alsoKnownAs": _aliases(ctx, view),
        "createdAt": iso(a.created_at),
        "updatedAt": iso(a.updated_at),
        "lastFetchedAt": iso(a.fetched_at),
        "bannerUrl": banner[0] if banner else None,
        "bannerBlurhash": None,
        "isLocked": a.locked,
        "isSilenced": False,
        "isSuspended": a.suspended,
        "description": a.note or None,
        "location": a.location,
        "birthday": a.birthday,
        "lang": a.lang,
        "fields": [{"name": f.name, "value": f.value} for f in a.fields],
        "verifiedLinks": [f.value for f in a.fields if f.verified_at is not None],
        "followersCount": _collection_count(view, a.followers_visibility, a.followers_count),
        "followingCount": _collection_count(view, a.following_visibility, a.following_count),
        "notesCount": a.statuses_count,
        "pinnedNoteIds": [str(s.id) for s in view.pinned.statuses],
        "pinnedNotes": _pinned_notes(ctx, view),
        "pinnedPageId": None,
        "pinnedPage": None,
        "publicReactions": a.public_reactions and a.local,  # (Misskey: false for remote)
        "followingVisibility": a.following_visibility,
        "followersVisibility": a.followers_visibility,
        "roles": [],
        "chatScope": a.chat_scope,
        "canChat": chat_rules.can_chat(a),
        "memo": view.relationship.note or None if view.relationship else None,
    }
    rel = view.relationship
    if rel is None:
        return data
    # A new dict rather than update(): the relation's keys belong to a subtype (a copy of
    # ~40 keys, well under a microsecond).
    related: UserDetailedWithRelation = {
        **data,
        "isFollowing": rel.following,
        "isFollowed": rel.followed_by,
        "hasPendingFollowRequestFromYou": rel.requested,
        "hasPendingFollowRequestToYou": rel.requested_by,
        "isBlocking": rel.blocking,
        "isBlocked": rel.blocked_by,
        "isMuted": rel.muting,
        "isRenoteMuted": False,
        "notify": "normal" if rel.notifying else "none",
        "withReplies": False,
    }
    return related


def _aliases(ctx: Ctx, view: UserView) -> list[str] | None:
    found = account_aliases.alias_ids(ctx.settings, view.account, view.aliases_known)
    return None if found is None else [str(i) for i in found]


def _pinned_notes(ctx: Ctx, view: UserView) -> list[Note]:
    return [note(ctx, s, view.pinned) for s in view.pinned.statuses]


def me_detailed(ctx: Ctx, view: UserView, *, secrets: bool = True) -> MeDetailed:
    a, u = view.account, view.user
    assert u is not None
    prefs = u.client_prefs
    data: MeDetailed = {
        **user_detailed(ctx, view),
        "avatarId": sid(a.avatar_file_id),
        "bannerId": sid(a.banner_file_id),
        "followedMessage": prefs.get("followedMessage"),
        "isModerator": a.role in ("moderator", "admin", "owner"),
        "isAdmin": a.role in ("admin", "owner"),
        "injectFeaturedNote": bool(prefs.get("injectFeaturedNote", True)),
        "receiveAnnouncementEmail": bool(prefs.get("receiveAnnouncementEmail", True)),
        "alwaysMarkNsfw": bool(prefs.get("alwaysMarkNsfw", False)),
        "autoSensitive": bool(prefs.get("autoSensitive", False)),
        "carefulBot": a.careful_bot,
        "autoAcceptFollowed": a.auto_accept_followed,
        "noCrawle": a.noindex,
        "preventAiLearning": a.prevent_ai_learning,
        "isExplorable": bool(a.discoverable),
        "isDeleted": False,
        "twoFactorBackupCodesStock": twofactor.backup_stock(u),
        "hideOnlineStatus": a.hide_online_status,
        "hasUnreadSpecifiedNotes": False,
        "hasUnreadMentions": False,
        "hasUnreadAnnouncement": bool(view.unread_announcements),
        "unreadAnnouncements": [announcement(ctx, x, set()) for x in view.unread_announcements],
        "hasUnreadAntenna": False,
        "hasUnreadChannel": False,
        "hasUnreadChatMessages": view.unread_chat,
        "hasUnreadNotification": view.unread_notifications > 0,
        "hasPendingReceivedFollowRequest": view.pending_requests > 0,
        "unreadNotificationsCount": view.unread_notifications,
        "mutedWords": prefs.get("mutedWords", []),
        "hardMutedWords": prefs.get("hardMutedWords", []),
        "mutedInstances": prefs.get("mutedInstances", []),
        "notificationRecieveConfig": prefs.get("notificationRecieveConfig", {}),
        "emailNotificationTypes": prefs.get(
            "emailNotificationTypes", ["follow", "receiveFollowRequest"]
        ),
        "achievements": [],
        "loggedInDays": 0,
        "policies": policies(ctx, view.policies),
        "twoFactorEnabled": u.two_factor_enabled,
        "usePasswordLessLogin": u.password_less_login,
        "securityKeys": False,
    }
    if not secrets:
        return data
    with_secrets: MeDetailedWithSecrets = {  # a subtype, as for the relation above
        **data,
        "email": u.unconfirmed_email or u.email,
        "emailVerified": u.unconfirmed_email is None and u.email is not None and u.confirmed,
        "securityKeysList": [],
    }
    return with_secrets


def policies(ctx: Ctx, granted: RolePolicies) -> Policies:
    """What this server lets a role do (Misskey role policies): the invitation policies as the
    operator set them for the role (`granted`), the others from tandem's own limits."""
    s = ctx.settings
    return {
        "gtlAvailable": True,
        "ltlAvailable": True,
        "canPublicNote": True,
        "mentionLimit": 20,  # Misskey's default policy
        "canInitiateConversation": True,
        "canCreateContent": True,
        "canUpdateContent": True,
        "canInvite": granted.can_invite,
        "inviteLimit": granted.invite_limit,
        "inviteLimitCycle": granted.invite_limit_cycle,
        "inviteExpirationTime": granted.invite_expiration_time,
        "canManageCustomEmojis": False,
        "canManageAvatarDecorations": False,
        "canSearchNotes": False,
        "canSearchUsers": True,
        "canUseTranslator": False,
        "canHideAds": True,
        "canCreateChannel": False,  # no channels here
        "driveCapacityMb": s.drive_capacity // (1024 * 1024),
        "maxFileSizeMb": max(s.max_media_size, s.max_image_size) // (1024 * 1024),
        "uploadableFileTypes": ["*/*"],  # a type is sniffed; unknown files are downloads
        "alwaysMarkNsfw": False,
        "canUpdateBioMedia": True,
        "pinLimit": s.max_pinned_statuses,
        "antennaLimit": antennas.LIMIT,
        "wordMuteLimit": 200,
        "webhookLimit": webhooks.LIMIT,
        "clipLimit": clips.LIMIT,
        "noteEachClipsLimit": clips.NOTES_PER_CLIP,
        "userListLimit": lists.MAX_LISTS,
        "userEachUserListsLimit": lists.MAX_MEMBERS,
        "rateLimitFactor": 1,
        "avatarDecorationLimit": 0,
        "canImportAntennas": True,
        "canImportBlocking": True,
        "canImportFollowing": True,
        "canImportMuting": True,
        "canImportUserLists": True,
        "chatAvailability": "available",
        "noteDraftLimit": 0,  # no drafts here
        "scheduledNoteLimit": 0,  # scheduled posts are Mastodon's (scheduled_at)
        "watermarkAvailable": False,
    }
