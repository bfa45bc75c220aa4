"""ActivityStreams JSON from other servers read into core's typed values.

Servers differ in shape (a property may be a string, an object, or a list of either; Misskey
and Mastodon add their own terms), so each reader takes what it needs defensively and
refuses only what cannot be used (ParseError). Remote HTML is sanitised here, before core
stores it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tandem.core.federation_models import (
    ActorType,
    RemoteActor,
    RemoteField,
    RemoteMedia,
    RemoteNote,
    RemotePoll,
)
from tandem.core.models import Visibility
from tandem.federation.sanitize import clean_html, html_to_text

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_PUBLIC_NAMES = {PUBLIC, "as:Public", "Public"}
ACTOR_TYPES: tuple[ActorType, ...] = ("Person", "Service", "Application", "Group", "Organization")
NOTE_TYPES = ("Note", "Article", "Question", "Page", "Video", "Event")
MAX_TEXT = 100_000
MAX_URL = 2048  # the longest id or URL kept (the columns' size)
MAX_DOMAIN = 255


class ParseError(ValueError):
    """The document cannot be used; str(err) says why."""


def ident(value: Any) -> str | None:
    """The id a property names: a string, or an object's `id` (or `href`), or a list's first.
    Longer than MAX_URL: none (no column keeps it)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("id") or value.get("href")
    return value if isinstance(value, str) and 0 < len(value) <= MAX_URL else None


def ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [found for item in items if (found := ident(item))]


def types(obj: dict[str, Any]) -> list[str]:
    found = obj.get("type")
    return [t for t in (found if isinstance(found, list) else [found]) if isinstance(t, str)]


def _str(value: Any, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _bool(value: Any) -> bool:
    return value is True


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _link(value: Any) -> str | None:
    """A URL from a string, a Link or Image object (its `url` or `href`), or a list."""
    if isinstance(value, list):
        for item in value:
            found = _link(item)
            if found:
                return found
        return None
    if isinstance(value, str):
        usable = value.startswith(("https://", "http://")) and len(value) <= MAX_URL
        return value if usable else None
    if isinstance(value, dict):
        return _link(value.get("url")) or _link(value.get("href"))
    return None


def host(url: str) -> str:
    """The host (and port) of a URL, lower-cased, without user info; "" when it has none or
    it is longer than a domain can be."""
    found = (urlsplit(url).netloc or "").rpartition("@")[2].lower()
    return found if len(found) <= MAX_DOMAIN else ""


def _public_key(obj: dict[str, Any], actor_id: str) -> tuple[str | None, str | None]:
    keys = obj.get("publicKey")
    for key in keys if isinstance(keys, list) else [keys]:
        if isinstance(key, dict) and isinstance(key.get("publicKeyPem"), str):
            owner = ident(key.get("owner")) or actor_id
            key_id = ident(key)
            if owner == actor_id and key_id:
                return key_id, key["publicKeyPem"]
    return None, None


def actor(obj: dict[str, Any], domain: str | None = None) -> RemoteActor:
    """A remote actor document; `domain` is its handle's domain when WebFinger told it."""
    actor_id = ident(obj)
    kind = next((t for t in types(obj) if t in ACTOR_TYPES), None)
    username = obj.get("preferredUsername")
    inbox = ident(obj.get("inbox"))
    if not actor_id or kind is None:
        raise ParseError("not an actor")
    if not isinstance(username, str) or not username or len(username) > 2048:
        raise ParseError("the actor has no preferredUsername")
    if not inbox:
        raise ParseError("the actor has no inbox")
    domain = domain or host(actor_id)
    if not domain or len(domain) > MAX_DOMAIN:
        raise ParseError("the actor has no usable domain")
    endpoints = obj.get("endpoints")
    shared = ident(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else None
    key_id, key_pem = _public_key(obj, actor_id)
    fields = [
        RemoteField(_str(item.get("name"), 255), value, html_to_text(value))
        for item in obj.get("attachment") or []
        if isinstance(item, dict)
        and "PropertyValue" in types(item)
        and (value := clean_html(_str(item.get("value"), 2048))) is not None
    ][:16]
    summary = clean_html(_str(obj.get("summary")))
    return RemoteActor(
        uri=actor_id,
        username=username,
        domain=domain,
        actor_type=kind,
        inbox=inbox,
        display_name=_str(obj.get("name"), 2048),
        summary_html=summary,
        summary_text=_str(obj.get("_misskey_summary")) or html_to_text(summary),
        url=_link(obj.get("url")),
        icon_url=_link(obj.get("icon")),
        image_url=_link(obj.get("image")),
        fields=fields,
        locked=_bool(obj.get("manuallyApprovesFollowers")),
        discoverable=obj.get("discoverable") if isinstance(obj.get("discoverable"), bool) else None,
        indexable=_bool(obj.get("indexable")),
        memorial=_bool(obj.get("memorial")),
        is_cat=_bool(obj.get("isCat")),
        published=_when(obj.get("published")),
        also_known_as=ids(obj.get("alsoKnownAs"))[:16],
        moved_to=ident(obj.get("movedTo")),
        shared_inbox=shared,
        outbox=ident(obj.get("outbox")),
        followers=ident(obj.get("followers")),
        following=ident(obj.get("following")),
        featured=ident(obj.get("featured")),
        key_id=key_id,
        public_key_pem=key_pem,
    )


def _visibility(obj: dict[str, Any], followers: str | None) -> Visibility:
    to = set(ids(obj.get("to")))
    cc = set(ids(obj.get("cc")))
    if to & _PUBLIC_NAMES:
        return "public"
    if cc & _PUBLIC_NAMES:
        return "unlisted"
    if followers and followers in to | cc:
        return "private"
    return "direct"


def _media(item: dict[str, Any]) -> RemoteMedia | None:
    url = _link(item.get("url"))
    if url is None:
        return None
    media_type = _str(item.get("mediaType"), 255) or "application/octet-stream"
    width, height = item.get("width"), item.get("height")
    return RemoteMedia(
        url=url,
        media_type=media_type,
        description=_str(item.get("name"), 1500),
        blurhash=_str(item.get("blurhash"), 255) or None,
        width=width if isinstance(width, int) and width > 0 else 0,
        height=height if isinstance(height, int) and height > 0 else 0,
    )


def note(obj: dict[str, Any], author_followers: str | None = None) -> RemoteNote:
    """A remote post (Note, and the other object types Mastodon shows as posts)."""
    note_id = ident(obj)
    author = ident(obj.get("attributedTo"))
    if not note_id or not any(t in NOTE_TYPES for t in types(obj)):
        raise ParseError("not a note")
    if not author:
        raise ParseError("the note has no attributedTo")
    if host(note_id) != host(author):
        raise ParseError("the note's id is not on its author's server")
    content = clean_html(_str(obj.get("content")))
    source = obj.get("source")
    text = _str(obj.get("_misskey_content")) or (
        _str(source.get("content")) if isinstance(source, dict) else ""
    )
    mentions: list[str] = []
    tags: list[str] = []
    for tag in obj.get("tag") or []:
        if not isinstance(tag, dict):
            continue
        if "Mention" in types(tag) and (href := ident(tag)):
            mentions.append(href)
        elif "Hashtag" in types(tag):
            name = _str(tag.get("name"), 256).lstrip("#")
            if name:
                tags.append(name)
    attachments = obj.get("attachment") or []
    media = [
        m
        for item in (attachments if isinstance(attachments, list) else [attachments])
        if isinstance(item, dict) and (m := _media(item)) is not None
    ]
    content_map = obj.get("contentMap")
    language = next(iter(content_map), None) if isinstance(content_map, dict) else None
    published = _when(obj.get("published")) or datetime.now(UTC)
    summary = _str(obj.get("summary"), 5000)
    return RemoteNote(
        uri=note_id,
        author_uri=author,
        content_html=content,
        text=text or html_to_text(content),
        published=published,
        visibility=_visibility(obj, author_followers),
        url=_link(obj.get("url")),
        summary=html_to_text(summary) if "<" in summary else summary,
        sensitive=_bool(obj.get("sensitive")),
        language=language[:16] if isinstance(language, str) else None,
        in_reply_to=ident(obj.get("inReplyTo")),
        quote_of=ident(obj.get("quoteUrl") or obj.get("_misskey_quote") or obj.get("quoteUri")),
        mentions=mentions[:64],
        tags=tags[:64],
        media=media,
        updated=_when(obj.get("updated")),
        poll=_poll(obj) if "Question" in types(obj) else None,
    )


def poll_vote(obj: dict[str, Any]) -> tuple[str, str] | None:
    """(the chosen option, the poll's id) of a vote: a Note with a `name`, in reply to the
    poll, without content (what Mastodon and Misskey send for each choice)."""
    name, parent = obj.get("name"), ident(obj.get("inReplyTo"))
    if "Note" not in types(obj) or not isinstance(name, str) or not name or not parent:
        return None
    if obj.get("content"):
        return None
    return name[:200], parent


def _poll(obj: dict[str, Any]) -> RemotePoll | None:
    """A Question's choices (`oneOf`, or `anyOf` for several answers) and its end."""
    multiple = isinstance(obj.get("anyOf"), list)
    choices = obj.get("anyOf") if multiple else obj.get("oneOf")
    if not isinstance(choices, list):
        return None
    names = [_str(c.get("name"), 200) for c in choices if isinstance(c, dict)]
    names = [n for n in names if n][:20]
    if len(names) < 2:
        return None
    return RemotePoll(
        options=names,
        multiple=multiple,
        expires_at=_when(obj.get("endTime")) or _when(obj.get("closed")),
    )
