"""Word mutes as Misskey keeps them: AND-groups of words, or /regular expressions/."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tandem.core.errors import Unprocessable
from tandem.core.i18n import Text

LIMIT = 200  # characters over all entries, as Misskey's default role policy
_REGEX = re.compile(r"\A/(.+)/([a-z]*)\Z", re.DOTALL)
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "u": 0, "g": 0, "y": 0}

Entry = str | Sequence[str]


def _compiles(pattern: str, flags: str) -> bool:
    if any(f not in _FLAGS for f in flags):
        return False
    value = 0
    for f in flags:
        value |= _FLAGS[f]
    try:
        re.compile(pattern, value)
    except re.error:
        return False
    return True


def check(entries: Sequence[Entry]) -> list[Entry]:
    """The entries to keep; a plain string must be a valid /regex/flags."""
    total = 0
    for entry in entries:
        if isinstance(entry, str):
            total += len(entry)
            found = _REGEX.match(entry)
            if found is None or not _compiles(found.group(1), found.group(2)):
                raise Unprocessable(
                    Text(
                        "{entry} is not a valid regular expression (write it as /pattern/flags).",
                        entry=repr(entry),
                    ),
                    code="INVALID_REGEXP",
                )
        else:
            total += sum(len(word) for word in entry)
    if total > LIMIT:
        raise Unprocessable(
            Text(
                "Muted words may hold {max} characters in all; these hold {count}.",
                max=LIMIT,
                count=total,
            ),
            code="TOO_MANY_MUTED_WORDS",
        )
    return list(entries)
