"""TypedDicts of grouped notifications, the notification policy and read markers."""

from typing import NotRequired, TypedDict

from tandem.api.mastodon.entities.types import Account, Status


class NotificationGroup(TypedDict):
    group_key: str
    notifications_count: int
    type: str
    most_recent_notification_id: int
    page_min_id: NotRequired[str]
    page_max_id: NotRequired[str]
    latest_page_notification_at: NotRequired[str | None]
    sample_account_ids: list[str]
    status_id: NotRequired[str | None]


class GroupedNotificationsResults(TypedDict):
    accounts: list[Account]
    statuses: list[Status]
    notification_groups: list[NotificationGroup]


class PolicySummary(TypedDict):
    pending_requests_count: int
    pending_notifications_count: int


class NotificationPolicy(TypedDict):
    for_not_following: str
    for_not_followers: str
    for_new_accounts: str
    for_private_mentions: str
    for_limited_accounts: str
    summary: PolicySummary


class V1NotificationPolicy(TypedDict):
    filter_not_following: bool
    filter_not_followers: bool
    filter_new_accounts: bool
    filter_private_mentions: bool
    summary: PolicySummary


class Marker(TypedDict):
    last_read_id: str
    version: int
    updated_at: str


class Count(TypedDict):
    count: int


class NotificationRequest(TypedDict):
    """Filtered notifications from one account (core/notification_requests.py)."""

    id: str
    created_at: str
    updated_at: str
    notifications_count: str  # a string, as Mastodon's serializer sends it
    account: Account
    last_status: Status | None


NotificationRequests = list[NotificationRequest]


class Merged(TypedDict):
    merged: bool


# Keys with colons: the functional TypedDict form.
Preferences = TypedDict(
    "Preferences",
    {
        "posting:default:visibility": str,
        "posting:default:sensitive": bool,
        "posting:default:language": str | None,
        "posting:default:quote_policy": str,
        "reading:expand:media": str,
        "reading:expand:spoilers": bool,
        "reading:autoplay:gifs": bool,
    },
)
