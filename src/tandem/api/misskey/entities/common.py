"""Shared spellings: Misskey timestamps, visibility names, and the per-request render context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import overload

from tandem.api.misskey.entities.types import MisskeyVisibility
from tandem.config import Settings
from tandem.core.models import Visibility

TO_MISSKEY: dict[Visibility, MisskeyVisibility] = {
    "public": "public",
    "unlisted": "home",
    "private": "followers",
    "direct": "specified",
}
FROM_MISSKEY: dict[MisskeyVisibility, Visibility] = {
    "public": "public",
    "home": "unlisted",
    "followers": "private",
    "specified": "direct",
}


@dataclass(frozen=True)
class Ctx:
    settings: Settings
    viewer_id: int | None = None


@overload
def iso(moment: datetime) -> str: ...
@overload
def iso(moment: datetime | None) -> str | None: ...
def iso(moment: datetime | None) -> str | None:
    """Misskey's timestamps: UTC, milliseconds."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def sid(value: int | None) -> str | None:
    return None if value is None else str(value)
