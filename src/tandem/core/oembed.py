"""oEmbed (Mastodon's FetchOEmbedService and the oEmbed half of FetchLinkCardService): a page
names its JSON oEmbed endpoint with `<link rel="alternate" type="application/json+oembed">`;
the job fetches that document (jobs/preview_cards.py) and `card` turns it into a card.

A "photo" becomes a card of type "photo" (its `url` is the image and `embed_url`), a "video"
or "rich" one keeps its player: the remote `html` is never stored as given. `player` reads it,
keeps the first `<iframe>` only, and builds a new one from the attributes Mastodon's oEmbed
sanitising config allows on an iframe (allowfullscreen, frameborder, height, scrolling, src,
width), each value checked (an https `src`, numeric sizes) and escaped, plus the sandbox
Mastodon adds; markup without such an iframe (a `<script>` widget…) gives no card, so the
page's OpenGraph "link" card is kept instead. Anything malformed does the same. Built, not
sanitised with a library: what may survive is one element with six known attributes, so
writing it anew from checked values is shorter and stricter than configuring a sanitiser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from tandem.store.preview_cards import CardData

DOCUMENT_LIMIT = 256 * 1024  # bytes of an oEmbed document read at most
HTML_LIMIT = 64 * 1024  # characters of an oEmbed `html` looked at
TITLE_LIMIT = 2000
NAME_LIMIT = 1000
URL_LIMIT = 2048
SIZE_LIMIT = 10_000  # widths and heights beyond this are dropped (0)
TYPES = ("application/json+oembed", "text/json+oembed")
IFRAME_FLAGS = ("allowfullscreen",)
IFRAME_SANDBOX = (
    "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-forms"
)


class _EndpointLink(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link" or self.href is not None:
            return
        values = {k.lower(): (v or "").strip() for k, v in attrs}
        if values.get("type", "").lower() in TYPES and values.get("href"):
            self.href = values["href"]


def endpoint(html: str, page_url: str) -> str | None:
    """The JSON oEmbed endpoint a page names (absolute; https when the page was), or None."""
    parser = _EndpointLink()
    try:
        parser.feed(html)
        parser.close()
    except (ValueError, AssertionError):
        pass
    if parser.href is None:
        return None
    found = _absolute(parser.href, page_url)
    if found is None:
        return None
    if urlsplit(page_url).scheme == "https" and found.startswith("http://"):
        found = "https://" + found.removeprefix("http://")
    return found


def _absolute(value: str, base: str) -> str | None:
    """An http(s) URL with a host, resolved against `base`, or None."""
    try:
        joined = urljoin(base, value.strip())
        parts = urlsplit(joined)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(joined) > URL_LIMIT:
        return None
    if any(c in joined for c in "\x00\r\n\t\"'<> ") or not joined.isascii():
        return None
    return urlunsplit(parts)


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())[:limit]


def _size(value: Any) -> int:
    """A width or height as oEmbed gives it (a number or a numeric string); 0 when unusable."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 6:
        value = int(value.strip())
    return value if isinstance(value, int) and 0 <= value <= SIZE_LIMIT else 0


class _Iframes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.first: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe" and self.first is None:
            values: dict[str, str] = {}
            for key, value in attrs:
                values.setdefault(key.lower(), value if value is not None else "")
            self.first = values


def player(html: Any) -> tuple[str, str, int, int] | None:
    """The markup tandem stores for an oEmbed `html`: one iframe rebuilt from its allowed
    attributes (https `src` required), and that src, width and height; None when it has none."""
    if not isinstance(html, str) or not html.strip():
        return None
    parser = _Iframes()
    try:
        parser.feed(html[:HTML_LIMIT])
        parser.close()
    except (ValueError, AssertionError):
        return None
    found = parser.first
    if found is None:
        return None
    src = _absolute(found.get("src", ""), "https://invalid/")
    if src is None or not found.get("src", "").strip().lower().startswith("https://"):
        return None
    width, height = _size(found.get("width")), _size(found.get("height"))
    parts = [f'src="{escape(src, quote=True)}"']
    if width:
        parts.append(f'width="{width}"')
    if height:
        parts.append(f'height="{height}"')
    frameborder = found.get("frameborder", "").strip()
    if frameborder in ("0", "1"):
        parts.append(f'frameborder="{frameborder}"')
    scrolling = found.get("scrolling", "").strip().lower()
    if scrolling in ("yes", "no", "auto"):
        parts.append(f'scrolling="{scrolling}"')
    parts.extend(flag for flag in IFRAME_FLAGS if flag in found)
    parts.append(f'sandbox="{IFRAME_SANDBOX}"')
    return f"<iframe {' '.join(parts)}></iframe>", src, width, height


def card(doc: Any, endpoint_url: str, page: CardData | None) -> CardData | None:
    """The card an oEmbed document describes (Mastodon's mapping), the page's own description,
    language and date kept; None when the document is invalid or unusable (then the caller
    keeps the page's OpenGraph card)."""
    if not isinstance(doc, Mapping):
        return None
    kind = doc.get("type")
    if str(doc.get("version")) != "1.0" or kind not in ("link", "photo", "video", "rich"):
        return None
    title = _text(doc.get("title"), TITLE_LIMIT) or (page.title if page else "")
    if not title:
        return None  # tandem keeps no card without a title (Mastodon's cards all have one)

    def linked(key: str) -> str:
        value = doc.get(key)
        return (_absolute(value, endpoint_url) or "") if isinstance(value, str) else ""

    author_name = _text(doc.get("author_name"), NAME_LIMIT)
    author_url = linked("author_url")
    base = page if page is not None else CardData(title=title)
    data = replace(
        base,
        title=title,
        type=kind,
        author_name=author_name,
        author_url=author_url,
        provider_name=_text(doc.get("provider_name"), NAME_LIMIT),
        provider_url=linked("provider_url"),
        image_url=linked("thumbnail_url"),
        image_description="",
        html="",
        width=0,
        height=0,
        embed_url="",
        authors=[{"name": author_name, "url": author_url}] if author_name or author_url else [],
    )
    if kind == "photo":
        photo = linked("url")
        if not photo:
            return None
        return replace(
            data,
            image_url=photo,
            embed_url=photo,
            width=_size(doc.get("width")),
            height=_size(doc.get("height")),
        )
    if kind in ("video", "rich"):
        found = player(doc.get("html"))
        if found is None:
            return None
        markup, _src, frame_width, frame_height = found
        return replace(
            data,
            html=markup,
            width=_size(doc.get("width")) or frame_width,
            height=_size(doc.get("height")) or frame_height,
        )
    return data
