"""Keep secrets out of every log line: tokens, passwords, client secrets, cookies, SQL params.

`install()` makes every log record (any logger, any level, handlers created later included,
such as uvicorn's access log) pass through `redact` before it can be formatted: the message
with its arguments, and the text of an attached exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

# Parameter, field and header names whose values are secrets.
_NAMES = (
    r"[\w-]*(?:password|passwd|secret|token)[\w-]*"
    r"|i|code|otp|code_verifier|appsecret|credential|authorization|cookie|set-cookie"
    r"|tandem_session|tandem_csrf|ticket"
)
# The names whose values are secret even when written "name: value" (YAML, prose).
_STRONG = r"[\w-]*(?:password|passwd|secret|token)[\w-]*|otp|code_verifier|appsecret|credential"
_NOT_DONE = r"(?!\[REDACTED\])"

_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # SQLAlchemy's "[parameters: ...]" (statement values), whatever engine raised it.
    (re.compile(r"\[parameters: [^\n]*"), f"[parameters: {REDACTED}]"),
    # PostgreSQL's "DETAIL:  Key (client_secret)=(abc) already exists."
    (re.compile(r"(Key \([^)\n]*\)=\()[^\n]*?(\) )"), rf"\g<1>{REDACTED}\g<2>"),
    # PostgreSQL's "DETAIL:  Failing row contains (1, alice, $2b$..., ...)." (NOT NULL, CHECK):
    # the whole row, up to the ")." that ends a line (a value may hold line breaks), else to
    # the end of its line.
    (
        re.compile(r"(Failing row contains )\((?:.*?\)\.(?=[ \t]*(?:\n|\Z))|[^\n]*)", re.S),
        rf"\g<1>({REDACTED}).",
    ),
    # "password": "x", 'i': 'x', password='x'  (JSON, reprs, keyword arguments)
    (
        re.compile(
            rf"""(?i)(?<![\w-])((?:{_NAMES})['"]?\s*[:=]\s*(?:b?['"]))"""
            rf"""{_NOT_DONE}(?:\\.|[^'"\\\n])*"""
        ),
        rf"\g<1>{REDACTED}",
    ),
    # password: x  (YAML, prose, logfmt with a colon): the rest of the line.
    (
        re.compile(
            rf"""(?im)(?<![\w-])((?:{_STRONG})['"]?[ \t]*:[ \t]*)"""
            rf"""{_NOT_DONE}(?![bB]?['"])(?!//)[^\s'"][^\r\n]*"""
        ),
        rf"\g<1>{REDACTED}",
    ),
    # Header lines: "Authorization: Bearer x", "Cookie: a=b; c=d" (to the end of the line).
    (
        re.compile(
            r"(?im)(?<![\w-])((?:proxy-)?authorization|cookie|set-cookie)(\s*:\s*)"
            rf"{_NOT_DONE}[^\r\n'\"]+"
        ),
        rf"\g<1>\g<2>{REDACTED}",
    ),
    # Schemes with credentials anywhere: "Bearer x", "Basic x".
    (re.compile(rf"(?i)\b(Bearer|Basic)\s+{_NOT_DONE}[\w.~+/=-]+"), rf"\g<1> {REDACTED}"),
    # Query strings, forms, logfmt: ?access_token=x&i=y, client_secret=x password=y
    (
        re.compile(rf"(?i)(?<![\w-])((?:{_NAMES})=){_NOT_DONE}[^\s&;,'\"<>)\]}}]+"),
        rf"\g<1>{REDACTED}",
    ),
    # Secrets that travel in a path: /miauth/<session>, /auth/<token> (Misskey app sessions).
    (re.compile(r"(/miauth/)[^/?#\s\"']+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(/auth/)(?!sign_in|sign_out|two_factor)[0-9a-fA-F]{16,}"), rf"\g<1>{REDACTED}"),
    # postgresql://user:password@host, redis://:password@host, a password holding "@" (up to
    # the last "@" before the host), a user name holding "@".
    (re.compile(r"(://[^/\s:]*:)[^/\s]*(@)"), rf"\g<1>{REDACTED}\g<2>"),
]


# For each rule, a test its pattern cannot match without (on the text and its lowercase):
# most lines (every access-log line) pass none, and a substring test costs a hundredth of
# running the rule.
_QUOTED_VALUE = re.compile(r"""[:=]\s*[bB]?['"]""")
# On the lowercase text: a strong name before a colon, any secret name before "=".
_STRONG_COLON = re.compile(
    r"""(?:passw|secret|token|otp|code_verifier|appsecret|credential)[\w-]*['"]?[ \t]*:"""
)
_NAME_EQUALS = re.compile(  # (no lookbehind for "i": it would make this test slow)
    r"(?:passw|secret|token)[\w-]*=|(?:i|code|otp|code_verifier|appsecret"
    r"|credential|authorization|cookie|tandem_session|tandem_csrf|ticket)="
)
_NEEDS: list[Callable[[str, str], bool]] = [
    lambda text, _: "[parameters: " in text,
    lambda text, _: "Key (" in text,
    lambda text, _: "Failing row contains " in text,
    lambda text, _: _QUOTED_VALUE.search(text) is not None,
    lambda text, low: ":" in text and _STRONG_COLON.search(low) is not None,
    lambda _, low: "authorization" in low or "cookie" in low,
    lambda _, low: "bearer" in low or "basic" in low,
    lambda text, low: "=" in text and _NAME_EQUALS.search(low) is not None,
    lambda text, _: "/miauth/" in text,
    lambda text, _: "/auth/" in text,
    lambda text, _: "://" in text,
]
assert len(_NEEDS) == len(_RULES)


def redact(text: str) -> str:
    """The text with every secret this module knows how to recognise replaced."""
    lowered = text.lower()
    for (pattern, replacement), may_match in zip(_RULES, _NEEDS, strict=True):
        if may_match(text, lowered):
            text = pattern.sub(replacement, text)
            lowered = text.lower()
    return text


def _redact_arg(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    cleaned = redact(text)
    return value if cleaned == text and not isinstance(value, str) else cleaned


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record in place: message and arguments, exception and stack text."""
    if record.name.startswith("uvicorn.access") and isinstance(record.args, tuple):
        # Its formatter unpacks the arguments (client, method, path?query, version, status).
        record.args = tuple(_redact_arg(a) for a in record.args)
        record.msg = redact(str(record.msg))
    else:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep its parts, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(text)
        record.exc_info = None  # formatters print exc_text instead of formatting it again
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """The same redaction as a filter, for logging set up by hand (dictConfig, handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_installed: list[Callable[..., logging.LogRecord]] = []


def install() -> None:
    """Redact every log record from now on, whichever logger or handler it goes to."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    _installed.append(factory)
    logging.setLogRecordFactory(factory)


def scrub_mapping(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a mapping with secret-named keys' values replaced (for structured logs)."""
    names = re.compile(rf"(?i)\A(?:{_NAMES})\Z")
    return {k: REDACTED if names.match(k) else v for k, v in values.items()}
