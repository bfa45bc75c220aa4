"""Plain text to HTML, the way Mastodon renders bios, field values and statuses.

Text between links is escaped; URLs with a scheme, #hashtags and @mentions of known accounts
become links; multi-line text gets <p> paragraphs and <br /> line breaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

import regex

_SCHEMES = (
    r"(?:https?://|dat://|dweb://|ipfs://|ipns://|ssb://|gopher://|gemini://|xmpp:|magnet:\?)"
)
_SCHEME = re.compile(_SCHEMES, re.IGNORECASE)
_URL = re.compile(rf"(?<![\w/@.]){_SCHEMES}[^\s<>\"'\u00a0\u3000]+", re.IGNORECASE)
_URL_PREFIX = re.compile(r"\A(?:https?://(?:www\.)?|xmpp:)", re.IGNORECASE)
_TRAILING = ".,:;!?'\"*"
_HASHTAG = re.compile(r"(?<![=/)\w])#([\w·\u200c]*[^\W\d][\w·\u200c]*)")
# A domain may carry a port (a server reached as host:port, as development servers are).
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@(\w+(?:[.-]+\w+)*(?::\d{1,5}\b)?))?",
    re.IGNORECASE,
)
URL_COUNTS_AS = 23
DISPLAY_URL_LENGTH = 30


@dataclass(frozen=True)
class Entity:
    kind: Literal["url", "hashtag", "mention"]
    start: int
    end: int
    text: str
    username: str = ""
    domain: str | None = None


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _trim_url(url: str) -> str:
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    for open_, close in (("(", ")"), ("[", "]")):
        while url.endswith(close) and url.count(close) > url.count(open_):
            url = url[:-1]
            while url and url[-1] in _TRAILING:
                url = url[:-1]
    return url


def extract(text: str) -> list[Entity]:
    """URLs first; hashtags and mentions count only outside them."""
    found: list[Entity] = []
    for m in _URL.finditer(text):
        url = _trim_url(m.group(0))
        scheme = _SCHEME.match(url)
        if scheme and len(url) - scheme.end() >= 2:  # a bare "https://x" is not a link
            found.append(Entity("url", m.start(), m.start() + len(url), url))

    def free(start: int, end: int) -> bool:
        return all(end <= e.start or start >= e.end for e in found)

    extra: list[Entity] = []
    for m in _HASHTAG.finditer(text):
        name = m.group(1).rstrip("·\u200c")
        end = m.start(1) + len(name)
        if free(m.start(), end):
            extra.append(Entity("hashtag", m.start(), end, text[m.start() : end], username=name))
    for m in _MENTION.finditer(text):
        if free(m.start(), m.end()):
            extra.append(Entity("mention", m.start(), m.end(), m.group(0), m.group(1), m.group(2)))
    return sorted(found + extra, key=lambda e: e.start)


def tag_key(name: str) -> str:
    """How hashtags compare: NFKC, then lower case (as Misskey and Mastodon normalise them)."""
    return unicodedata.normalize("NFKC", name).lower()


def hashtags(text: str) -> list[str]:
    """The hashtags of a text, once each (the first spelling of each key), in order."""
    seen: dict[str, str] = {}
    for e in extract(text):
        if e.kind == "hashtag":
            seen.setdefault(tag_key(e.username), e.username)
    return list(seen.values())


def mentions(text: str) -> list[tuple[str, str | None]]:
    seen: dict[tuple[str, str | None], None] = {}
    for e in extract(text):
        if e.kind == "mention":
            seen.setdefault((e.username, e.domain), None)
    return list(seen)


def mention_key(username: str, domain: str | None) -> str:
    return f"{username}@{domain}".lower() if domain else username.lower()


def countable_length(text: str) -> int:
    """Length as Mastodon counts it: graphemes, each URL as 23, `@user@domain` as `@user`."""
    out: list[str] = []
    last = 0
    for e in extract(text):
        out.append(text[last : e.start])
        if e.kind == "url":
            out.append("x" * URL_COUNTS_AS)
        elif e.kind == "mention":
            out.append("@" + e.username)
        else:
            out.append(e.text)
        last = e.end
    out.append(text[last:])
    return len(regex.findall(r"\X", "".join(out)))


def shortened_link(url: str, *, rel_me: bool = False) -> str:
    prefix_match = _URL_PREFIX.match(url)
    prefix = prefix_match.group(0) if prefix_match else ""
    rest = url[len(prefix) :]
    display, suffix = rest[:DISPLAY_URL_LENGTH], rest[DISPLAY_URL_LENGTH:]
    if len(suffix) == 1:  # cutting one character would save nothing
        display, suffix = rest, ""
    rel = "nofollow noopener me" if rel_me else "nofollow noopener"
    return (
        f'<a href="{escape(url)}" target="_blank" rel="{rel}" translate="no">'
        f'<span class="invisible">{escape(prefix)}</span>'
        f'<span class="{"ellipsis" if suffix else ""}">{escape(display)}</span>'
        f'<span class="invisible">{escape(suffix)}</span></a>'
    )


def _simple_format(html: str) -> str:
    """Rails' simple_format, then newlines dropped (they are now <p> and <br />)."""
    text = html.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = re.split(r"\n\n+", text)
    while paragraphs and paragraphs[-1] == "":
        paragraphs.pop()
    if not paragraphs:
        return "<p></p>"
    body = "\n\n".join(
        "<p>" + re.sub(r"([^\n]\n)(?=[^\n])", r"\1<br />", p) + "</p>" for p in paragraphs
    )
    return body.replace("\n", "")


def render(
    text: str,
    *,
    base_url: str,
    mention_urls: Mapping[str, tuple[str, str]],
    multiline: bool = True,
    rel_me: bool = False,
    with_domains: bool = False,
) -> str:
    """`mention_urls` maps `mention_key` → (profile URL, acct) for accounts that exist."""
    if not text.strip():
        return ""
    parts: list[str] = []
    last = 0
    for e in extract(text):
        parts.append(escape(text[last : e.start]))
        last = e.end
        if e.kind == "url":
            parts.append(shortened_link(e.text, rel_me=rel_me))
        elif e.kind == "hashtag":
            href = f"{base_url}/tags/{quote(e.username, safe='')}"
            parts.append(
                f'<a href="{escape(href)}" class="mention hashtag" rel="tag">'
                f"#<span>{escape(e.username)}</span></a>"
            )
        else:
            target = mention_urls.get(mention_key(e.username, e.domain))
            if target is None:
                parts.append(escape(e.text))
                continue
            url, acct = target
            shown = acct if with_domains else e.username
            parts.append(
                f'<span class="h-card" translate="no"><a href="{escape(url)}" '
                f'class="u-url mention">@<span>{escape(shown)}</span></a></span>'
            )
    parts.append(escape(text[last:]))
    html = "".join(parts)
    return _simple_format(html) if multiline else html
