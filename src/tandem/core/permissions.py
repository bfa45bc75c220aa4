"""Misskey's app permissions, and how they line up with Mastodon's OAuth scopes.

A token carries either kind of name; checks in both dialects accept the equivalent of the
other, so a token granted through one dialect works through the other.
"""

from __future__ import annotations

from collections.abc import Iterable

PERMISSIONS: tuple[str, ...] = (
    "read:account", "write:account", "read:blocks", "write:blocks", "read:drive", "write:drive",
    "read:favorites", "write:favorites", "read:following", "write:following", "read:messaging",
    "write:messaging", "read:mutes", "write:mutes", "write:notes", "read:notifications",
    "write:notifications", "read:reactions", "write:reactions", "write:votes", "read:pages",
    "write:pages", "write:page-likes", "read:page-likes", "read:user-groups", "write:user-groups",
    "read:channels", "write:channels", "read:gallery", "write:gallery", "read:gallery-likes",
    "write:gallery-likes", "read:flash", "write:flash", "read:flash-likes", "write:flash-likes",
    "write:invite-codes", "read:invite-codes", "write:clip-favorite", "read:clip-favorite",
    "read:federation", "write:report-abuse", "write:chat", "read:chat",
    "read:admin:announcements", "write:admin:announcements",
)  # fmt: skip
KNOWN = frozenset(PERMISSIONS)

# Misskey permission → the Mastodon scopes that grant the same thing.
TO_MASTODON: dict[str, tuple[str, ...]] = {
    "read:account": ("read", "read:accounts"),
    "write:account": ("write", "write:accounts"),
    "read:blocks": ("read", "read:blocks", "follow"),
    "write:blocks": ("write", "write:blocks", "follow"),
    "read:following": ("read", "read:follows", "follow"),
    "write:following": ("write", "write:follows", "follow"),
    "read:mutes": ("read", "read:mutes", "follow"),
    "write:mutes": ("write", "write:mutes", "follow"),
    "write:notes": ("write", "write:statuses"),
    "read:drive": ("read",),
    "write:drive": ("write", "write:media"),
    "read:favorites": ("read", "read:bookmarks"),
    "write:favorites": ("write", "write:bookmarks"),
    "read:notifications": ("read", "read:notifications"),
    "write:notifications": ("write", "write:notifications"),
    "read:reactions": ("read", "read:favourites"),
    "write:reactions": ("write", "write:favourites"),
}


def parse(raw: str | None) -> tuple[str, ...]:
    """Comma- or space-separated permissions; unknown names are dropped."""
    names = (raw or "").replace(",", " ").split()
    return tuple(dict.fromkeys(n for n in names if n in KNOWN))


def granted(kind: str, token_scopes: Iterable[str]) -> bool:
    """Does a token with these names (Misskey permissions or Mastodon scopes) allow `kind`?"""
    names = set(token_scopes)
    return kind in names or any(s in names for s in TO_MASTODON.get(kind, ()))


def mastodon_equivalents(token_scopes: Iterable[str]) -> set[str]:
    """Mastodon scopes a Misskey-permission token stands for (for the Mastodon dialect)."""
    out: set[str] = set()
    for name in token_scopes:
        for scope in TO_MASTODON.get(name, ()):
            if ":" in scope:
                out.add(scope)
    return out
