"""Mastodon's JSON entities as TypedDicts: the exact shape each builder and handler returns.

They are plain dicts at run time (no validation, no cost); mypy checks every builder against
them. Keys are declared in the order the builders write them (the order on the wire).
`NotRequired` marks keys sent only sometimes; `list[Never]` a list this server always sends empty
(nothing here produces those items yet)."""

from typing import Literal, Never, NotRequired, TypedDict

from tandem.api.mastodon.entities.account_collection_types import (
    Collection,
    NotificationFallback,
)
from tandem.api.mastodon.entities.card_types import PreviewCard
from tandem.api.mastodon.entities.filter_types import FilterResult
from tandem.core.models import MediaKind, Visibility

# An empty JSON object: the answer of deletes and other actions with nothing to show.
Empty = dict[str, Never]


class CustomEmoji(TypedDict):
    shortcode: str
    url: str
    static_url: str
    visible_in_picker: bool
    category: str | None


class Field(TypedDict):
    name: str
    value: str
    verified_at: str | None


class AccountRole(TypedDict):
    """A highlighted role as listed on a local account."""

    id: str
    name: str
    color: str


class BuiltinRole(TypedDict):
    id: str
    name: str
    permissions: str  # permission bits, as a string
    color: str
    highlighted: bool


class Role(BuiltinRole):
    collection_limit: int


class FeatureApproval(TypedDict):
    automatic: list[Literal["public", "followers"]]
    manual: list[Literal["public", "followers"]]
    current_user: Literal["automatic", "denied"]


class Account(TypedDict):
    id: str
    username: str
    acct: str
    display_name: str
    locked: bool
    bot: bool
    discoverable: bool | None
    indexable: bool
    group: bool
    created_at: str
    note: str
    url: str
    uri: str
    avatar: str
    avatar_static: str
    avatar_description: str
    header: str
    header_static: str
    header_description: str
    followers_count: int
    following_count: int
    statuses_count: int
    last_status_at: str | None
    hide_collections: bool | None
    show_media: bool
    show_media_replies: bool
    show_featured: bool
    emojis: list[CustomEmoji]
    fields: list[Field]
    feature_approval: FeatureApproval
    noindex: NotRequired[bool]  # local accounts only
    roles: NotRequired[list[AccountRole]]  # local accounts only
    suspended: NotRequired[Literal[True]]
    memorial: NotRequired[Literal[True]]
    # Mastodon sends these only for a moved or a silenced account; tandem has neither yet.
    moved: NotRequired["Account | None"]
    limited: NotRequired[Literal[True]]


class Source(TypedDict):
    privacy: str
    sensitive: bool
    language: str | None
    note: str
    fields: list[Field]
    follow_requests_count: int
    hide_collections: bool | None
    discoverable: bool | None
    indexable: bool
    attribution_domains: list[str]
    quote_policy: Literal["public", "followers", "nobody"]
    role: Role  # not in Mastodon's serializer, but masto.js's AccountSource declares it


class CredentialAccount(Account):
    source: Source
    role: Role


class MutedAccount(Account):
    mute_expires_at: str | None


class FeaturedTag(TypedDict):
    id: str
    name: str
    url: str
    statuses_count: str  # Mastodon sends this count as a string
    last_status_at: str | None


class Profile(TypedDict):
    id: str
    display_name: str
    note: str
    fields: list[Field]
    formatted_note: str
    formatted_fields: list[Field]
    avatar: str | None
    avatar_static: str | None
    avatar_description: str
    header: str | None
    header_static: str | None
    header_description: str
    locked: bool
    bot: bool
    hide_collections: bool | None
    discoverable: bool | None
    indexable: bool
    show_media: bool
    show_media_replies: bool
    show_featured: bool
    attribution_domains: list[str]
    featured_tags: list[FeaturedTag]


class Relationship(TypedDict):
    id: str
    following: bool
    showing_reblogs: bool
    notifying: bool
    languages: list[str] | None
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool
    muting_expires_at: str | None
    requested: bool
    requested_by: bool
    domain_blocking: bool
    endorsed: bool
    note: str


class FamiliarFollowers(TypedDict):
    id: str
    accounts: list[Account]


class MediaSize(TypedDict):
    width: int
    height: int
    size: str
    aspect: float


class MediaFocus(TypedDict):
    x: float
    y: float


class MediaFileMeta(TypedDict, total=False):
    """meta.original of a video (all keys) or audio file (duration and bitrate only)."""

    width: int
    height: int
    frame_rate: str  # a fraction, as FFmpeg gives it: "30/1"
    duration: float
    bitrate: int


class MediaMeta(TypedDict):
    original: NotRequired[MediaSize | MediaFileMeta]  # none while a video is processed
    small: NotRequired[MediaSize]  # none for audio without a thumbnail
    focus: MediaFocus


class MediaAttachment(TypedDict):
    id: str
    type: MediaKind
    url: str | None  # null while the file is being processed
    preview_url: str | None  # null for audio without a thumbnail
    remote_url: str | None
    preview_remote_url: str | None
    text_url: str | None
    meta: MediaMeta
    description: str | None
    blurhash: str | None


class PollOption(TypedDict):
    title: str
    votes_count: int | None  # hidden until the end when the author hides totals


class Poll(TypedDict):
    id: str
    expires_at: str | None
    expired: bool
    multiple: bool
    votes_count: int
    voters_count: int | None
    options: list[PollOption]
    emojis: list[CustomEmoji]
    voted: NotRequired[bool]  # for a signed-in viewer
    own_votes: NotRequired[list[int]]


class StatusReaction(TypedDict):
    """A reaction on a status, as GoToSocial and Pleroma-family servers show them."""

    name: str
    count: int
    me: bool
    url: str | None
    static_url: str | None


class StatusMention(TypedDict):
    id: str
    username: str
    url: str
    acct: str


class StatusTag(TypedDict):
    name: str
    url: str


class StatusApplication(TypedDict):
    name: str
    website: str | None


class ShallowQuote(TypedDict):
    state: str
    quoted_status_id: str | None


class Quote(TypedDict):
    state: str
    quoted_status: "Status | None"


class QuoteApproval(TypedDict):
    automatic: list[str]
    manual: list[str]
    current_user: Literal["automatic", "manual", "denied", "unknown"]


class Status(TypedDict):
    id: str
    created_at: str
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    sensitive: bool
    spoiler_text: str
    visibility: Visibility
    language: str | None
    uri: str
    url: str | None
    replies_count: int
    reblogs_count: int
    favourites_count: int
    edited_at: str | None
    content: str
    reblog: "Status | None"
    application: StatusApplication | None
    account: Account
    media_attachments: list[MediaAttachment]
    mentions: list[StatusMention]
    tags: list[StatusTag]
    emojis: list[CustomEmoji]
    card: PreviewCard | None
    poll: "Poll | None"
    reactions: list[StatusReaction]
    quote: Quote | ShallowQuote | None
    quote_approval: QuoteApproval
    quotes_count: int
    # For a signed-in viewer only:
    favourited: NotRequired[bool]
    reblogged: NotRequired[bool]
    muted: NotRequired[bool]
    bookmarked: NotRequired[bool]
    filtered: NotRequired[list[FilterResult]]  # api/mastodon/filtering.py fills it
    pinned: NotRequired[bool]  # the viewer's own statuses, reblogs and direct ones excepted
    text: NotRequired[str]  # the source, after a delete (for "delete and redraft")


class StatusEditPollOption(TypedDict):
    title: str


class StatusEditPoll(TypedDict):
    options: list[StatusEditPollOption]


class StatusEdit(TypedDict):
    content: str
    spoiler_text: str
    sensitive: bool
    created_at: str
    account: Account
    poll: StatusEditPoll | None
    media_attachments: list[MediaAttachment]
    emojis: list[CustomEmoji]


class StatusSource(TypedDict):
    id: str
    text: str
    spoiler_text: str


class ScheduledStatusPoll(TypedDict):
    options: list[str]
    expires_in: int
    multiple: bool
    hide_totals: bool


class ScheduledStatusParams(TypedDict):
    text: str
    poll: ScheduledStatusPoll | None
    media_ids: list[str] | None
    sensitive: bool | None
    spoiler_text: str | None
    visibility: str
    scheduled_at: None
    in_reply_to_id: int | None
    quoted_status_id: str | None
    quote_approval_policy: NotRequired[str]  # only when the post chose one
    language: str | None
    application_id: int
    idempotency: None
    with_rate_limit: bool


class ScheduledStatus(TypedDict):
    id: str
    scheduled_at: str
    params: ScheduledStatusParams
    media_attachments: list[MediaAttachment]


class Context(TypedDict):
    ancestors: list[Status]
    descendants: list[Status]


class Notification(TypedDict):
    id: str
    type: str
    group_key: str
    created_at: str
    account: Account
    status: NotRequired[Status]
    collection: NotRequired[Collection | None]  # added_to_collection
    fallback: NotRequired[NotificationFallback]  # a type the client says it cannot show


class Application(TypedDict):
    id: str
    name: str
    website: str | None
    scopes: list[str]
    redirect_uris: list[str]
    redirect_uri: str
    vapid_key: str
    # CredentialApplication: only when the app was just created.
    client_id: NotRequired[str]
    client_secret: NotRequired[str]
    client_secret_expires_at: NotRequired[int]


class Token(TypedDict):
    access_token: str
    token_type: Literal["Bearer"]
    scope: str
    created_at: int
    refresh_token: NotRequired[str]


class List(TypedDict):
    id: str
    title: str
    replies_policy: Literal["followed", "list", "none"]
    exclusive: bool


class TagHistory(TypedDict):
    day: str
    uses: str
    accounts: str


class Tag(TypedDict):
    """A hashtag as suggested for featuring (no id: it is not a stored tag yet)."""

    name: str
    url: str
    history: list[TagHistory]


class Rule(TypedDict):
    id: str
    text: str
    hint: str


class UserInfo(TypedDict):
    """OpenID Connect's userinfo for the token's account."""

    iss: str
    sub: str
    name: str
    preferred_username: str
    profile: str
    picture: str


class OAuthServerMetadata(TypedDict):
    issuer: str
    service_documentation: str
    authorization_endpoint: str
    token_endpoint: str
    app_registration_endpoint: str
    revocation_endpoint: str
    userinfo_endpoint: str
    scopes_supported: list[str]
    response_types_supported: list[str]
    response_modes_supported: list[str]
    code_challenge_methods_supported: list[str]
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]


# Mastodon's alert names hold dots ("admin.sign_up"): the functional TypedDict syntax.
PushAlerts = TypedDict(
    "PushAlerts",
    {
        "mention": bool,
        "status": bool,
        "reblog": bool,
        "follow": bool,
        "follow_request": bool,
        "favourite": bool,
        "poll": bool,
        "update": bool,
        "admin.sign_up": bool,
        "admin.report": bool,
        "quote": bool,
        "quoted_update": bool,
    },
)


class WebPushSubscription(TypedDict):
    id: str
    endpoint: str
    standard: bool
    alerts: PushAlerts
    policy: Literal["all", "followed", "follower", "none"]
    server_key: str
