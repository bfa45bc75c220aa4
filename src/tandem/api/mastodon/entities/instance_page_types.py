"""TypedDicts of the instance sub-pages and the small start-up answers."""

from typing import TypedDict

from tandem.api.mastodon.entities.types import Account


class Activity(TypedDict):
    week: str
    statuses: str
    logins: str
    registrations: str


class Language(TypedDict):
    code: str
    name: str


class Page(TypedDict):
    """ExtendedDescription, PrivacyPolicy."""

    updated_at: str
    content: str


class Suggestion(TypedDict):
    source: str
    sources: list[str]
    account: Account
