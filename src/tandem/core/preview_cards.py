"""Preview cards (Mastodon's PreviewCard): the first link of a local status is fetched by a
job (jobs/preview_cards.py, through the outbound guard), its page's OpenGraph / Twitter /
<title> / description read with the standard HTML parser, and the card stored once per
normalised URL; the status then shows it. A card is fetched again when a status links it
more than two weeks after it was fetched (Mastodon's rule).

When the page names a JSON oEmbed endpoint (`<link type="application/json+oembed">`), that
document is fetched too (same guard, bounded size and time) and, when valid, makes the card
(core/oembed.py, Mastodon's mapping): a "photo" card (its image and `embed_url`), or a
"video"/"rich" card whose `html` is one `<iframe>` tandem rebuilt from the allowed attributes
(https `src` only); a page's `twitter:player` makes a "video" card the same way. Remote markup
is never stored or served as given; an unusable oEmbed document leaves the "link" card.
Misskey's `GET /url` (api/misskey/url_preview.py) answers from the same cards, fetching a
missing or stale one on the spot.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import escape as html_escape
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from tandem.config import Settings
from tandem.core import clock, oembed
from tandem.core import statuses as status_rules
from tandem.core.ids import new_id
from tandem.core.images import ImageProblem, Upload, process_media
from tandem.core.models import Account, ImageRef, Page, Status
from tandem.store import preview_cards as store
from tandem.store import status_threads as thread_store
from tandem.store import statuses as status_store
from tandem.store.db import Conn, Database
from tandem.store.files import MediaFiles
from tandem.store.jobs import enqueue

CardData = store.CardData
PreviewCard = store.PreviewCard

REFRESH_AFTER = timedelta(days=14)
URL_LIMIT = 2048
TITLE_LIMIT = 2000
DESCRIPTION_LIMIT = 2000
NAME_LIMIT = 1000
IMAGE_LIMIT = 5 * 1024 * 1024


class _Links(HTMLParser):
    """The hrefs of a status's rendered links that are neither mentions nor hashtags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        rel = (values.get("rel") or "").lower().split()
        href = (values.get("href") or "").strip()
        if href and "mention" not in classes and "hashtag" not in classes and "tag" not in rel:
            self.hrefs.append(href)


def normalise(url: str) -> str | None:
    """The URL as cards are keyed (scheme and host lower-cased, default port and fragment
    dropped, an empty path made "/", non-ASCII percent-encoded); None when it is no http(s)
    URL with a host or is too long."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != (80 if scheme == "http" else 443):
        host = f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    normal = urlunsplit((scheme, host, path, query, ""))
    return normal if len(normal) <= URL_LIMIT else None


def first_link(status: Status) -> str | None:
    """The first link of a status that may get a card (as Mastodon picks it)."""
    if status.reblog_of_id or not status.content:
        return None
    parser = _Links()
    parser.feed(status.content)
    for href in parser.hrefs:
        found = normalise(href)
        if found is not None:
            return found
    return None


def is_local(settings: Settings, url: str) -> bool:
    return (urlsplit(url).netloc or "").lower() == settings.domain.lower()


async def on_saved(conn: Conn, status: Status, *, edited: bool = False) -> None:
    """A status was posted or edited (inside its write): a card for its first link is fetched
    by a job; a card for a link it no longer has is dropped."""
    url = first_link(status)
    if url is None and not edited:
        return  # a new status without a link: nothing to fetch, no card to drop
    shown = await store.of_statuses(conn, [status.id]) if edited else {}
    current = shown.get(status.id)
    if current is not None and current.url != url:
        await store.unlink(conn, status.id)
    if url is None or (current is not None and current.url == url):
        return
    await enqueue(
        conn,
        "fetch_preview_card",
        {"status_id": status.id, "url": url},
        dedupe_key=f"fetch_preview_card:{status.id}",
        max_attempts=3,
    )


# --- reading a page ---------------------------------------------------------------------------


class _PageMeta(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self.language: str | None = None
        self._in_title = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html" and values.get("lang"):
            self.language = values["lang"]
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.meta:
                self.meta[key] = values["content"]
        elif tag == "title" and not self.title:
            self._in_title = True
        elif tag == "body":
            self._done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _clean(value: str | None, limit: int) -> str:
    return re.sub(r"\s+", " ", value or "").strip()[:limit]


def _web_url(value: str, base: str) -> str:
    found = normalise(urljoin(base, value.strip())) if value.strip() else None
    return found or ""


_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}")


def _moment(value: str) -> str | None:
    """An ISO 8601 moment as UTC ISO text (a date alone is its midnight), or None."""
    try:
        found = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found.astimezone(UTC).isoformat()


def parse(html: str, page_url: str) -> CardData | None:
    """The card a page describes, or None when it has no title (Mastodon keeps no card then)."""
    parser = _PageMeta()
    try:
        parser.feed(html)
        parser.close()
    except (ValueError, AssertionError):
        pass  # whatever was read before the markup went wrong still counts
    meta = parser.meta

    def first(*keys: str) -> str:
        for key in keys:
            if meta.get(key, "").strip():
                return meta[key]
        return ""

    title = _clean(first("og:title", "twitter:title") or parser.title, TITLE_LIMIT)
    if not title:
        return None
    language = None
    found_lang = _LANGUAGE.match(first("og:locale") or parser.language or "")
    if found_lang:
        language = found_lang.group(0).lower()
    published = first("article:published_time", "og:published_time").strip()
    author_name = _clean(first("article:author", "author", "twitter:creator"), NAME_LIMIT)
    author_url = ""
    if author_name.startswith(("http://", "https://")):
        author_url, author_name = _web_url(author_name, page_url), ""
    site = _clean(first("og:site_name", "application-name"), NAME_LIMIT)
    root = urlsplit(page_url)
    data = CardData(
        title=title,
        description=_clean(
            first("og:description", "twitter:description", "description"), DESCRIPTION_LIMIT
        ),
        type="link",
        author_name=author_name,
        author_url=author_url,
        provider_name=site,
        provider_url=f"{root.scheme}://{root.netloc}/" if site else "",
        image_url=_web_url(first("og:image", "og:image:url", "twitter:image"), page_url),
        image_description=_clean(first("og:image:alt", "twitter:image:alt"), DESCRIPTION_LIMIT),
        language=language,
        published_at=_moment(published) if published else None,
        authors=[{"name": author_name, "url": author_url}] if author_name or author_url else [],
    )
    return _with_player(
        data, first("twitter:player"), first("twitter:player:width"), first("twitter:player:height")
    )


def _with_player(data: CardData, src: str, width: str, height: str) -> CardData:
    """A page's `twitter:player` makes its card a "video" one (as Mastodon), the iframe built
    by tandem (https players only)."""
    if not src.strip():
        return data
    markup = (
        f'<iframe src="{html_escape(src.strip(), quote=True)}" '
        f'width="{html_escape(width.strip(), quote=True)}" '
        f'height="{html_escape(height.strip(), quote=True)}" frameborder="0" scrolling="no">'
        "</iframe>"
    )
    found = oembed.player(markup)
    if found is None:
        return data
    markup, _src, frame_width, frame_height = found
    return replace(data, type="video", html=markup, width=frame_width, height=frame_height)


def with_oembed(page: CardData | None, doc: object, endpoint_url: str) -> CardData | None:
    """The card of a page whose oEmbed document was fetched: the oEmbed card when the
    document is valid and usable, else the page's own (OpenGraph) card."""
    return oembed.card(doc, endpoint_url, page) or page


# --- what the job does through core -----------------------------------------------------------


async def pending_link(db: Database, status_id: int, url: str) -> bool:
    """Does the status still exist and still link this URL (the job's work still wanted)?"""
    async with db.read() as conn:
        status = await status_store.get(conn, status_id)
        return status is not None and first_link(status) == url


async def fresh(db: Database, url: str, now: datetime | None = None) -> PreviewCard | None:
    """The stored card of this URL when it need not be fetched again."""
    async with db.read() as conn:
        card = await store.by_url(conn, url)
    if card is None or card.fetched_at <= (now or clock.now()) - REFRESH_AFTER:
        return None
    return card


async def attach(db: Database, status_id: int, url: str, card_id: int) -> bool:
    async with db.write() as conn:
        return await _attach(conn, status_id, url, card_id)


async def _attach(conn: Conn, status_id: int, url: str, card_id: int) -> bool:
    if not await status_store.lock_statuses(conn, [status_id]):
        return False  # deleted meanwhile
    status = await status_store.get(conn, status_id)
    if status is None or first_link(status) != url:
        return False  # edited meanwhile: the edit queued its own fetch
    await store.link(conn, status_id, card_id)
    return True


def process_image(files: MediaFiles, data: bytes) -> tuple[ImageRef, str] | None:
    """Re-encode a card's image (metadata stripped, size bounded) and store it; None when
    it is no usable image."""
    try:
        processed = process_media(Upload(data), IMAGE_LIMIT)
    except (ImageProblem, OSError, ValueError):
        return None
    small = processed.small
    path = files.new_name("preview_cards/images", new_id(), "small", small.extension)
    files.write(path, small.data)
    ref = ImageRef(path, small.content_type, None, small.width, small.height, len(small.data))
    return ref, processed.blurhash


async def save(
    db: Database,
    files: MediaFiles,
    status_id: int | None,
    url: str,
    data: CardData,
    image: tuple[ImageRef, str] | None,
) -> PreviewCard | None:
    """Store the fetched card of this URL and show it on the status (when it still links it;
    no status for a card fetched for Misskey's `/url`)."""
    ref, blurhash = image if image is not None else (None, None)
    try:
        async with db.write() as conn:
            card, replaced = await store.save(conn, url, data, ref, blurhash, clock.now())
            if status_id is not None:
                await _attach(conn, status_id, url, card.id)
    except BaseException:
        files.delete(ref.path if ref else None)
        raise
    if replaced is not None:
        files.delete(replaced.path)
    return card


# --- the link timeline ------------------------------------------------------------------------


async def link_timeline(
    db: Database, viewer: Account | None, url: str, page: Page
) -> status_rules.StatusBundle | None:
    """Public statuses showing the card of this URL, newest first; None when no card has it
    (tandem serves every known card, not only trending ones as Mastodon does)."""
    key = normalise(url)
    if key is None:
        return None
    async with db.read() as conn:
        card = await store.by_url(conn, key)
        if card is None:
            return None
        ids = await store.status_ids_with(conn, card.id, page)
        found = await status_store.get_many(conn, ids)
        shown = [found[i] for i in ids if i in found]
        if viewer is not None:
            hidden = await thread_store.hidden_authors(
                conn, viewer.id, {s.account_id for s in shown}, clock.now()
            )
            shown = [s for s in shown if s.account_id not in hidden]
        return await status_rules.bundle(conn, viewer.id if viewer else None, shown)
