"""TypedDicts of a hashtag as the viewer sees it."""

from typing import TypedDict

from tandem.api.mastodon.entities.types import TagHistory


class TagWithState(TypedDict):
    id: str
    name: str
    url: str
    history: list[TagHistory]
    following: bool
    featuring: bool
