"""Public URLs of local things (profiles, actors, tags, files)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from tandem.config import Settings
from tandem.core.models import Account, ImageRef, Status


def profile_url(settings: Settings, account: Account) -> str:
    if account.local:
        return f"{settings.base_url}/@{account.username}"
    return account.url or account.uri or ""


def actor_uri(settings: Settings, account: Account) -> str:
    if account.local:
        return f"{settings.base_url}/ap/users/{account.id}"
    return account.uri or ""


def status_uri(settings: Settings, author: Account, status_id: int) -> str:
    return f"{actor_uri(settings, author)}/statuses/{status_id}"


def status_url(settings: Settings, author: Account, status_id: int) -> str:
    return f"{profile_url(settings, author)}/{status_id}"


def note_uri(settings: Settings, author: Account, status: Status) -> str:
    """A status's ActivityPub id: ours for a local one, its server's for a remote one."""
    return status.uri or status_uri(settings, author, status.id)


def note_url(settings: Settings, author: Account, status: Status) -> str:
    return status.url or status.uri or status_url(settings, author, status.id)


def tag_url(settings: Settings, name: str) -> str:
    return f"{settings.base_url}/tags/{quote(name, safe='')}"


def account_tag_url(settings: Settings, account: Account, name: str) -> str:
    return f"{settings.base_url}/@{account.acct()}/tagged/{quote(name, safe='')}"


def media_base(settings: Settings) -> str:
    """Where user files are served: the `media_url` setting, else this server's /system."""
    return settings.media_url.rstrip("/") or f"{settings.base_url}/system"


def media_origin(settings: Settings) -> str | None:
    """The origin of `media_url` when files are served from another one (for CSP), else None."""
    if not settings.media_url:
        return None
    parts = urlsplit(settings.media_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return None if origin == settings.base_url else origin


def file_url(settings: Settings, path: str) -> str:
    """Every URL of a user file (avatars, headers, attachments, Drive files) is built here.
    A remote account's files are referenced where their server keeps them (not copied)."""
    if path.startswith(("https://", "http://")):
        return path
    return f"{media_base(settings)}/{path}"


def image_urls(settings: Settings, image: ImageRef | None) -> tuple[str, str] | None:
    """(original, static) URLs; static is the first frame of an animation, else the original."""
    if image is None:
        return None
    original = file_url(settings, image.path)
    return original, file_url(settings, image.static_path) if image.static_path else original


def missing_image(settings: Settings, kind: str) -> str:
    return f"{settings.base_url}/{kind}s/original/missing.png"


def local_actor_id(settings: Settings, uri: str) -> int | None:
    """The account id an ActivityPub id of ours names (`<base>/ap/users/<id>`), else None."""
    rest = uri.removeprefix(f"{settings.base_url}/ap/users/")
    if rest == uri or not rest.isdigit():
        return None
    return int(rest)


def local_status_id(settings: Settings, uri: str) -> int | None:
    """The status id an ActivityPub id of ours names (`…/ap/users/<a>/statuses/<id>`)."""
    rest = uri.removeprefix(f"{settings.base_url}/ap/users/")
    account, sep, status = rest.partition("/statuses/")
    if rest == uri or not sep or not account.isdigit() or not status.isdigit():
        return None
    return int(status)
