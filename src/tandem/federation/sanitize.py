"""Remote HTML made safe before it is stored: nh3 (the Ammonia sanitiser) keeps what
Mastodon keeps (paragraphs, line breaks, links, mentions and hashtags, simple formatting),
links open safely, and classes are limited to the microformats and Mastodon's own."""

from __future__ import annotations

import html
import re

import nh3

_TAGS = {
    "p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong", "u", "i",
    "em", "ul", "ol", "li", "ruby", "rt", "rp", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "class", "translate"},
    "span": {"class", "translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "p": {"class"},
}
_KEPT_CLASSES = ("mention", "hashtag", "ellipsis", "invisible", "quote-inline")
_MICROFORMAT = re.compile(r"^(h|p|u|dt|e)-")
_SCHEMES = {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet",
            "gemini"}  # fmt: skip


def _classes(tag: str, attribute: str, value: str) -> str | None:
    if attribute != "class":
        return value
    kept = [c for c in value.split() if c in _KEPT_CLASSES or _MICROFORMAT.match(c)]
    return " ".join(kept) or None


def clean_html(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        attribute_filter=_classes,
        link_rel="nofollow noopener noreferrer",
        url_schemes=_SCHEMES,
    )


_BREAKS = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)


def html_to_text(raw: str) -> str:
    """The text of an HTML fragment: paragraphs and line breaks kept as line breaks."""
    spaced = _PARAGRAPHS.sub("\n\n", _BREAKS.sub("\n", raw))
    return html.unescape(nh3.clean(spaced, tags=set())).strip()
