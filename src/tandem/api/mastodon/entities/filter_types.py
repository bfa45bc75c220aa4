"""TypedDicts of content filters (v2 and the v1 view) and of the `filtered` status key."""

from typing import NotRequired, TypedDict


class FilterKeyword(TypedDict):
    id: str
    keyword: str
    whole_word: bool


class FilterStatus(TypedDict):
    id: str
    status_id: str


class Filter(TypedDict):
    id: str
    title: str
    context: list[str]
    expires_at: str | None
    filter_action: str
    keywords: NotRequired[list[FilterKeyword]]
    statuses: NotRequired[list[FilterStatus]]


class FilterResult(TypedDict):
    filter: Filter
    keyword_matches: list[str] | None
    status_matches: list[str] | None


class V1Filter(TypedDict):
    id: str
    phrase: str
    context: list[str]
    whole_word: bool
    expires_at: str | None
    irreversible: bool
