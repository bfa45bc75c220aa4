"""TypedDicts of a hashtag as the viewer sees it."""

from typing import Never, TypedDict


class TagWithState(TypedDict):
    id: str
    name: str
    url: str
    history: list[Never]  # usage history is not kept yet
    following: bool
    featuring: bool
