"""Domain records shared by every dialect: plain dataclasses, no database or HTTP types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Visibility = Literal["public", "unlisted", "private", "direct"]
VISIBILITIES: tuple[Visibility, ...] = ("public", "unlisted", "private", "direct")
RoleName = Literal["user", "moderator", "admin", "owner"]
CollectionVisibility = Literal["public", "followers", "private"]
TokenKind = Literal["oauth", "native", "miauth", "session"]


@dataclass(frozen=True)
class ImageRef:
    """A processed image on disk; paths are relative to the media folder."""

    path: str
    content_type: str
    static_path: str | None = None  # first frame of an animated GIF
    width: int = 0
    height: int = 0
    size: int = 0


@dataclass(frozen=True)
class ProfileField:
    name: str
    value: str
    verified_at: datetime | None = None
    value_html: str = ""


@dataclass
class Account:
    id: int
    username: str
    domain: str | None
    created_at: datetime
    display_name: str = ""
    note: str = ""
    note_html: str = ""
    fields: list[ProfileField] = field(default_factory=list)
    locked: bool = False
    bot: bool = False
    group: bool = False
    discoverable: bool | None = None
    indexable: bool = False
    hide_collections: bool | None = None
    noindex: bool = False
    show_media: bool = True
    show_media_replies: bool = True
    show_featured: bool = True
    avatar: ImageRef | None = None
    header: ImageRef | None = None
    avatar_description: str = ""
    header_description: str = ""
    attribution_domains: list[str] = field(default_factory=list)
    followers_count: int = 0
    following_count: int = 0
    statuses_count: int = 0
    last_status_at: datetime | None = None
    suspended_at: datetime | None = None
    memorial: bool = False
    role: RoleName = "user"
    # Misskey profile attributes.
    location: str | None = None
    birthday: str | None = None  # YYYY-MM-DD
    lang: str | None = None
    is_cat: bool = False
    hide_online_status: bool = False
    public_reactions: bool = True
    following_visibility: CollectionVisibility = "public"
    followers_visibility: CollectionVisibility = "public"
    chat_scope: str = "mutual"  # who may start a chat (core/chat_rules.py)
    prevent_ai_learning: bool = True
    auto_accept_followed: bool = False
    careful_bot: bool = False
    avatar_file_id: int | None = None
    banner_file_id: int | None = None
    last_active_at: datetime | None = None
    uri: str | None = None  # remote accounts only
    url: str | None = None  # remote accounts only
    updated_at: datetime | None = None
    # ActivityPub: a remote actor's type and endpoints (core/federation_models.py reads them
    # from its document); aliases and the account it moved to, for both kinds.
    actor_type: str | None = None
    inbox_url: str | None = None
    shared_inbox_url: str | None = None
    outbox_url: str | None = None
    followers_url: str | None = None
    following_url: str | None = None
    featured_url: str | None = None
    fetched_at: datetime | None = None
    also_known_as: list[str] = field(default_factory=list)
    moved_to_account_id: int | None = None
    silenced_at: datetime | None = None  # a remote account of a silenced server

    @property
    def local(self) -> bool:
        return self.domain is None

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None

    def acct(self) -> str:
        return self.username if self.domain is None else f"{self.username}@{self.domain}"


@dataclass(frozen=True)
class UserSettings:
    default_privacy: Visibility | None = None
    default_sensitive: bool = False
    default_language: str | None = None
    default_quote_policy: Literal["public", "followers", "nobody"] = "public"


@dataclass
class User:
    id: int
    account_id: int
    email: str | None
    password_hash: str
    created_at: datetime
    confirmed_at: datetime | None = None
    approved: bool = True
    disabled: bool = False
    locale: str | None = None
    settings: UserSettings = field(default_factory=UserSettings)
    created_by_application_id: int | None = None
    date_of_birth: date | None = None
    reason: str | None = None
    invite_id: int | None = None
    unconfirmed_email: str | None = None
    two_factor_enabled: bool = False
    two_factor_secret: str | None = None
    two_factor_pending_secret: str | None = None
    two_factor_backup_codes: tuple[str, ...] = ()  # digests; each code works once
    password_less_login: bool = False
    client_prefs: dict[str, object] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(frozen=True)
class Application:
    id: int
    name: str
    website: str | None
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    client_id: str
    client_secret: str
    created_at: datetime
    owner_account_id: int | None = None
    description: str = ""
    callback_url: str | None = None


@dataclass(frozen=True)
class AccessToken:
    id: int
    application_id: int | None
    account_id: int | None
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    kind: TokenKind = "oauth"
    name: str | None = None
    description: str | None = None
    icon_url: str | None = None

    @property
    def native(self) -> bool:
        """A token from signing in (Misskey's `i`): full rights, and the secure endpoints."""
        return self.kind == "native"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed to a client once: the secret is not stored, only its hash."""

    token: AccessToken
    access_token: str
    refresh_token: str | None = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token, and the user behind it when it has one."""

    token: AccessToken
    application: Application | None
    user: User | None
    account: Account | None


@dataclass(frozen=True)
class SignIn:
    id: int
    account_id: int
    ip: str
    headers: dict[str, str]
    success: bool
    created_at: datetime


@dataclass(frozen=True)
class Follow:
    id: int
    account_id: int
    target_account_id: int
    show_reblogs: bool = True
    notify: bool = False
    languages: tuple[str, ...] | None = None
    created_at: datetime | None = None
    uri: str | None = None  # the Follow activity's id, for a follow across servers


@dataclass(frozen=True)
class Mute:
    id: int
    account_id: int
    target_account_id: int
    hide_notifications: bool
    expires_at: datetime | None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Relationship:
    """How the viewer relates to one target account."""

    target_id: int
    following: bool = False
    showing_reblogs: bool = False
    notifying: bool = False
    languages: tuple[str, ...] | None = None
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    muting_notifications: bool = False
    muting_expires_at: datetime | None = None
    requested: bool = False
    requested_by: bool = False
    domain_blocking: bool = False
    endorsed: bool = False
    note: str = ""


MediaKind = Literal["image", "gifv", "video", "audio", "unknown"]
MediaProcessing = Literal["queued", "complete", "failed"]


@dataclass(frozen=True)
class MediaAttachment:
    id: int
    account_id: int
    status_id: int | None
    type: MediaKind
    file: ImageRef
    thumbnail: ImageRef | None
    description: str
    blurhash: str | None
    focus: tuple[float, float]
    created_at: datetime
    name: str = ""
    md5: str = ""
    is_sensitive: bool = False
    processing: MediaProcessing = "complete"  # video/audio wait for a job: queued, then done
    # Mastodon's meta.original of a video or audio: width, height, frame_rate, duration, bitrate
    meta: dict[str, float | int | str] | None = None

    @property
    def processed(self) -> bool:
        return self.processing == "complete"


@dataclass(frozen=True)
class Mention:
    account_id: int
    username: str
    domain: str | None


@dataclass
class Status:
    id: int
    account_id: int
    text: str
    created_at: datetime
    content: str = ""
    visibility: Visibility = "public"
    spoiler_text: str = ""
    sensitive: bool = False
    language: str | None = None
    in_reply_to_id: int | None = None
    in_reply_to_account_id: int | None = None
    reblog_of_id: int | None = None
    application_id: int | None = None
    edited_at: datetime | None = None
    replies_count: int = 0
    reblogs_count: int = 0
    favourites_count: int = 0
    poll_id: int | None = None
    quote_of_id: int | None = None  # the status this one quotes (core/quotes.py)
    quote_state: str | None = None  # "accepted" or "revoked", for a quote
    quote_policy: str | None = None  # who may quote this one; None: its author alone
    quotes_count: int = 0
    tags: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    media: list[MediaAttachment] = field(default_factory=list)
    uri: str | None = None  # a remote status's ActivityPub id
    url: str | None = None  # a remote status's page


@dataclass(frozen=True)
class UserList:
    id: int
    account_id: int
    title: str
    replies_policy: Literal["followed", "list", "none"] = "list"
    exclusive: bool = False
    is_public: bool = False


@dataclass(frozen=True)
class FeaturedTag:
    id: int
    account_id: int
    name: str
    statuses_count: int
    last_status_at: datetime | None


@dataclass(frozen=True)
class Notification:
    id: int
    account_id: int
    type: str
    created_at: datetime
    from_account_id: int | None = None
    status_id: int | None = None
    payload: dict[str, object] = field(default_factory=dict)
    group_key: str | None = None  # None: never grouped (shown as `ungrouped-<id>`)


@dataclass(frozen=True)
class Page:
    """A window over an id-ordered collection (Mastodon's max_id/since_id/min_id)."""

    limit: int
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class Marker:
    """The last item a user has read in one timeline (`home` or `notifications`)."""

    timeline: str
    last_read_id: int
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class NotificationPolicy:
    """What happens to notifications from strangers: "accept", "filter" or "drop" each."""

    for_not_following: str = "accept"
    for_not_followers: str = "accept"
    for_new_accounts: str = "accept"
    for_private_mentions: str = "filter"
    for_limited_accounts: str = "filter"


@dataclass(frozen=True)
class FilterKeyword:
    id: int
    filter_id: int
    keyword: str
    whole_word: bool


@dataclass(frozen=True)
class FilterStatus:
    id: int
    filter_id: int
    status_id: int


@dataclass(frozen=True)
class Filter:
    """A user's content filter (Mastodon's filters v2): keywords and statuses, the contexts
    it applies in, and whether matches are shown with a warning or hidden."""

    id: int
    account_id: int
    title: str
    context: list[str]
    filter_action: str
    expires_at: datetime | None
    created_at: datetime
    keywords: list[FilterKeyword] = field(default_factory=list)
    statuses: list[FilterStatus] = field(default_factory=list)


@dataclass
class Poll:
    """A status's poll, with its votes counted for one viewer."""

    id: int
    status_id: int
    account_id: int
    options: list[str]
    multiple: bool
    hide_totals: bool
    expires_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    counts: list[int] = field(default_factory=list)  # votes per option
    voters: int = 0
    mine: list[int] = field(default_factory=list)  # the viewer's choices


@dataclass(frozen=True)
class TagView:
    """A hashtag as one viewer sees it: whether they follow it and feature it on their profile.
    `id` is None for a valid name no status has used yet."""

    id: int | None
    name: str
    following: bool = False
    featuring: bool = False
    follow_id: int | None = None  # the follow's row id: the followed-tags paging cursor


@dataclass(frozen=True)
class HashtagCounts:
    """A hashtag and Misskey's counters: accounts that used it in a post (`mentioned`) and
    profiles wearing it (`attached`), in all and by origin."""

    id: int
    name: str  # the normalised key (Misskey shows it)
    display_name: str  # the first spelling (Mastodon shows it)
    mentioned_users: int
    mentioned_local_users: int
    mentioned_remote_users: int
    attached_users: int
    attached_local_users: int
    attached_remote_users: int


@dataclass(frozen=True)
class CustomEmoji:
    """A local custom emoji, `:shortcode:` in text, managed by the operator."""

    id: int
    shortcode: str
    image: ImageRef
    category: str | None
    visible_in_picker: bool
    created_at: datetime


@dataclass(frozen=True)
class CollectionItem:
    """An account featured in a collection. `state`: pending (awaiting the featured account's
    consent), accepted, rejected, or revoked (the featured account withdrew it)."""

    id: int
    collection_id: int
    account_id: int
    state: str
    created_at: datetime


@dataclass(frozen=True)
class AccountCollection:
    """A curated list of accounts its owner recommends following (Mastodon 4.6's Collection);
    `items` in the order they were added."""

    id: int
    account_id: int
    name: str
    description: str
    language: str | None
    sensitive: bool
    discoverable: bool
    tag_name: str | None
    created_at: datetime
    updated_at: datetime
    items: tuple[CollectionItem, ...] = ()
