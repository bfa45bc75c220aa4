"""OAuth scopes: the set Mastodon defines, parsing, and which scopes imply which."""

from __future__ import annotations

from collections.abc import Iterable

_READ = (
    "accounts",
    "blocks",
    "bookmarks",
    "collections",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
)
_WRITE = (
    "accounts",
    "blocks",
    "bookmarks",
    "collections",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
)
_ADMIN = (
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
)
# The deprecated `follow` scope covers these granular ones.
FOLLOW_IMPLIES = frozenset(
    f"{mode}:{what}" for mode in ("read", "write") for what in ("blocks", "follows", "mutes")
)

ALL_SCOPES: tuple[str, ...] = (
    "read",
    *(f"read:{s}" for s in _READ),
    "write",
    *(f"write:{s}" for s in _WRITE),
    "follow",
    "push",
    "profile",
    "admin:read",
    *(f"admin:read:{s}" for s in _ADMIN),
    "admin:write",
    *(f"admin:write:{s}" for s in _ADMIN),
)
KNOWN = frozenset(ALL_SCOPES)
DEFAULT: tuple[str, ...] = ("read",)


def parse(raw: str | None) -> tuple[str, ...]:
    """Space- or '+'-separated scopes, duplicates dropped, order kept."""
    if not raw:
        return ()
    seen: dict[str, None] = {}
    for part in raw.replace("+", " ").split():
        seen.setdefault(part, None)
    return tuple(seen)


def unknown(scopes: Iterable[str]) -> list[str]:
    return [s for s in scopes if s not in KNOWN]


def covers(granted: str, wanted: str) -> bool:
    """Does one granted scope include the wanted one (`read` ⊇ `read:accounts`, `follow` ⊇ …)?"""
    if granted == wanted:
        return True
    if wanted.startswith(granted + ":"):
        return True
    return granted == "follow" and wanted in FOLLOW_IMPLIES


def all_covered(wanted: Iterable[str], granted: Iterable[str]) -> bool:
    granted = tuple(granted)
    return all(any(covers(g, w) for g in granted) for w in wanted)


def accepts(scope: str, *, legacy_follow: bool = False, profile: bool = False) -> tuple[str, ...]:
    """The scopes an endpoint accepts, Mastodon-style: the granular one and its parent.

    Mastodon lists parents explicitly per endpoint instead of computing a hierarchy, which is
    why `follow` is accepted by follow/block/mute but not by relationships; `legacy_follow`
    and `profile` reproduce those choices.
    """
    parent = scope.rsplit(":", 1)[0] if scope.count(":") >= 1 else scope
    found = [parent, scope] if parent != scope else [scope]
    if legacy_follow:
        found.append("follow")
    if profile:
        found.append("profile")
    return tuple(found)
