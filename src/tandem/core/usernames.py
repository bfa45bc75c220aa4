"""Rules for local usernames: characters, length and the reserved list."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_LENGTH = 30
_VALID = re.compile(r"\A[a-z0-9_]+\Z", re.IGNORECASE)
# Names that would let someone pose as the server's staff (Mastodon's seeded username blocks).
RESERVED_EXACT = frozenset(
    [
        "abuse",
        "account",
        "accounts",
        "admin",
        "administration",
        "administrator",
        "admins",
        "help",
        "helpdesk",
        "instance",
        "mod",
        "moderator",
        "moderators",
        "mods",
        "owner",
        "root",
        "security",
        "server",
        "staff",
        "support",
        "webmaster",
    ]
)
RESERVED_CONTAINS = ("mastodon", "mastadon")
_HOMOGLYPHS = str.maketrans("123457890", "izeastbgo")


def normalize(username: str) -> str:
    """Lower-case and undo digit look-alikes, so `Adm1n` matches `admin`."""
    return username.lower().translate(_HOMOGLYPHS)


def is_valid(username: str) -> bool:
    return bool(_VALID.match(username))


def is_reserved(username: str, extra: Iterable[str] = ()) -> bool:
    name = normalize(username)
    if name in RESERVED_EXACT or any(normalize(e) == name for e in extra):
        return True
    return any(word in name for word in RESERVED_CONTAINS)
