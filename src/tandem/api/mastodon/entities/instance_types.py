"""The instance documents (/api/v2/instance, /api/v1/instance) as TypedDicts, piece by piece.

Built in routes/instance.py; keys in the order they are written there."""

from typing import Literal, Never, TypedDict

from tandem.api.mastodon.entities.types import Account, Rule

FeedAccess = Literal["public", "authenticated", "disabled"]


class InstanceUrls(TypedDict):
    streaming: str
    status: str | None
    about: str
    privacy_policy: str | None
    terms_of_service: str | None


class Vapid(TypedDict):
    public_key: str


class AccountLimits(TypedDict):
    max_featured_tags: int
    max_pinned_statuses: int
    max_display_name_length: int
    max_note_length: int
    max_avatar_description_length: int
    max_header_description_length: int
    max_profile_fields: int
    profile_field_name_limit: int
    profile_field_value_limit: int


class StatusLimits(TypedDict):
    max_characters: int
    max_media_attachments: int
    characters_reserved_per_url: int


class MediaLimits(TypedDict):
    supported_mime_types: list[str]
    description_limit: int
    image_size_limit: int
    image_matrix_limit: int
    video_size_limit: int
    video_frame_rate_limit: int
    video_matrix_limit: int


class PollLimits(TypedDict):
    max_options: int
    max_characters_per_option: int
    min_expiration: int
    max_expiration: int


class Translation(TypedDict):
    enabled: bool


class FeedsAccess(TypedDict):
    local: FeedAccess
    remote: FeedAccess


class TimelinesAccess(TypedDict):
    live_feeds: FeedsAccess
    hashtag_feeds: FeedsAccess
    trending_link_feeds: FeedsAccess


class Configuration(TypedDict):
    urls: InstanceUrls
    vapid: Vapid
    accounts: AccountLimits
    statuses: StatusLimits
    media_attachments: MediaLimits
    polls: PollLimits
    translation: Translation
    timelines_access: TimelinesAccess
    limited_federation: bool


class Registrations(TypedDict):
    enabled: bool
    approval_required: bool
    reason_required: bool
    message: str | None
    min_age: int | None
    url: str | None


class UsersUsage(TypedDict):
    active_month: int


class Usage(TypedDict):
    users: UsersUsage


class Thumbnail(TypedDict):
    url: str
    blurhash: str | None
    versions: dict[str, str]


class ApiVersions(TypedDict):
    mastodon: int


class Contact(TypedDict):
    email: str
    account: Account | None


class Instance(TypedDict):
    domain: str
    title: str
    version: str
    source_url: str
    description: str
    usage: Usage
    thumbnail: Thumbnail
    icon: list[Never]  # no instance icons yet
    languages: list[str]
    configuration: Configuration
    registrations: Registrations
    api_versions: ApiVersions
    contact: Contact
    rules: list[Rule]


class V1Urls(TypedDict):
    streaming_api: str


class V1Stats(TypedDict):
    user_count: int
    status_count: int
    domain_count: int


class V1Configuration(TypedDict):
    accounts: AccountLimits
    statuses: StatusLimits
    media_attachments: MediaLimits
    polls: PollLimits


class V1Instance(TypedDict):
    uri: str
    title: str
    short_description: str
    description: str
    email: str
    version: str
    urls: V1Urls
    stats: V1Stats
    thumbnail: str
    languages: list[str]
    registrations: bool
    approval_required: bool
    invites_enabled: bool
    configuration: V1Configuration
    contact_account: Account | None
    rules: list[Rule]


class DomainBlock(TypedDict):
    """A server this one limits, as /api/v1/instance/domain_blocks lists it."""

    domain: str  # partly hidden with `*` when the block is obfuscated
    digest: str  # sha256 hex of the real domain
    severity: Literal["silence", "suspend"]
    comment: str | None
