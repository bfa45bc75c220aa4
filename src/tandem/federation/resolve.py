"""Finding remote accounts and posts: a handle through WebFinger, an actor or object by its
URL; each fetched document is stored through core, so both dialects then show it like a
local one."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from tandem.config import Settings
from tandem.core import actor_keys, clock, domain_policies, remote_accounts, remote_statuses, urls
from tandem.core.handles import Database
from tandem.core.models import Account
from tandem.federation import parse
from tandem.federation.fetch import FetchError, Signer, get_jrd, get_json
from tandem.services import Services

log = logging.getLogger("tandem.federation")
REFRESH_AFTER = timedelta(days=1)  # a stored actor older than this is fetched again


class ResolveError(Exception):
    """Nothing usable was found; str(err) says why."""


class NotAnObject(ResolveError):
    """The document was fetched, but is neither an actor nor a post."""


async def refused_domain(services: Services, domain: str) -> bool:
    """Does this server refuse that one (suspended, or not on the allow-list)?"""
    policy = await domain_policies.policy_for(services.db, services.settings, domain)
    return policy.refused


async def _fetch(db: Database, settings: Settings, url: str) -> tuple[str, dict[str, Any]]:
    """A signed GET of an ActivityPub document, unless its server is refused."""
    policy = await domain_policies.policy_for(db, settings, parse.host(url))
    if policy.refused:
        raise ResolveError(f"{parse.host(url)} is blocked here")
    try:
        return await get_json(settings, url, signer=instance_signer(settings))
    except FetchError as err:
        raise ResolveError(str(err)) from err


def instance_signer(settings: Settings) -> Signer:
    """Fetches are signed by the instance actor (servers in secure mode require it)."""
    return Signer(actor_keys.instance_key_id(settings), actor_keys.instance_private_key(settings))


def is_local_domain(settings: Settings, domain: str) -> bool:
    local = settings.domain.lower()
    return domain.lower() in (local, local.split(":")[0])


async def webfinger(settings: Settings, username: str, domain: str) -> str:
    """The actor URL a handle names, as its server's WebFinger answers."""
    scheme = "http" if settings.allow_loopback_fetch and _loopback(domain) else "https"
    resource = quote(f"acct:{username}@{domain}", safe="@:")
    url = f"{scheme}://{domain}/.well-known/webfinger?resource={resource}"
    try:
        jrd = await get_jrd(settings, url)
    except FetchError as err:
        raise ResolveError(str(err)) from err
    for link in jrd.get("links") or []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and str(link.get("type", "")).split(";")[0].strip()
            in ("application/activity+json", "application/ld+json")
            and isinstance(link.get("href"), str)
        ):
            return str(link["href"])
    raise ResolveError(f"{username}@{domain} has no ActivityPub actor")


def _loopback(domain: str) -> bool:
    name = domain.rsplit(":", 1)[0] if not domain.endswith("]") else domain
    return name in ("localhost", "127.0.0.1", "[::1]") or name.startswith("127.")


async def account_by_handle(
    db: Database, settings: Settings, username: str, domain: str
) -> Account:
    """A remote account by handle: stored, refreshed when stale, else found through
    WebFinger."""
    if is_local_domain(settings, domain):
        raise ResolveError("that handle is local")
    if (await domain_policies.policy_for(db, settings, domain)).refused:
        raise ResolveError(f"{domain} is blocked here")
    known = await remote_accounts.by_handle(db, username, domain)
    if known is not None and not _stale(known):
        return known
    actor_url = await webfinger(settings, username, domain)
    return await account_by_uri(db, settings, actor_url, refresh=True, domain=domain)


def _stale(account: Account) -> bool:
    return account.fetched_at is None or clock.now() - account.fetched_at > REFRESH_AFTER


async def account_by_uri(
    db: Database,
    settings: Settings,
    uri: str,
    *,
    refresh: bool = False,
    domain: str | None = None,
) -> Account:
    """The account of an actor URL: stored, else (or with `refresh`) fetched and stored."""
    local_id = urls.local_actor_id(settings, uri)
    if local_id is not None:
        raise ResolveError("that actor is local")
    if not refresh:
        known = await remote_accounts.by_uri(db, uri)
        if known is not None and not _stale(known):
            return known
    final_url, document = await _fetch(db, settings, uri)
    return await _save_actor(db, settings, uri, final_url, document, domain)


async def _save_actor(
    db: Database,
    settings: Settings,
    uri: str,
    final_url: str,
    document: dict[str, Any],
    domain: str | None,
) -> Account:
    """Store a fetched actor document (an actor met by URL takes its id's host as its
    handle's domain)."""
    try:
        actor = parse.actor(document, domain)
    except parse.ParseError as err:
        raise ResolveError(f"{uri}: {err}") from err
    if parse.host(actor.uri) != parse.host(final_url):
        raise ResolveError(f"{uri}: the actor's id is on another server")
    counts = await asyncio.gather(
        *(_total(db, settings, url) for url in (actor.followers, actor.following, actor.outbox))
    )
    actor = replace(
        actor, followers_count=counts[0], following_count=counts[1], statuses_count=counts[2]
    )
    policy = await domain_policies.policy_for(db, settings, actor.domain)
    if policy.reject_media:
        actor = replace(actor, icon_url=None, image_url=None)  # no avatar, no header
    return await remote_accounts.save(db, actor, silenced=policy.severity == "silence")


async def _total(db: Database, settings: Settings, url: str | None) -> int | None:
    """A collection's totalItems as its server reports it (None: hidden or unreachable)."""
    if not url or parse.host(url) == settings.domain.lower():
        return None
    try:
        _, document = await _fetch(db, settings, url)
    except ResolveError:
        return None
    total = document.get("totalItems")
    return total if isinstance(total, int) and 0 <= total < 1 << 31 else None


async def refresh_key(db: Database, settings: Settings, key_id: str) -> str | None:
    """The public key a keyId names, fetched anew (its owner may have rotated it)."""
    actor_url = key_id.split("#", 1)[0]
    try:
        account = await account_by_uri(db, settings, actor_url, refresh=True)
    except ResolveError as err:
        log.info("key %s could not be fetched: %s", key_id, err)
        return None
    found = await actor_keys.by_key_id(db, key_id)
    if found is None or found[0].id != account.id:
        return None
    return found[1]


async def status_by_uri(db: Database, settings: Settings, uri: str) -> int | None:
    """A post by its URL: stored, else fetched (with its author) and stored."""
    known = await remote_statuses.status_id_by_uri(db, uri)
    if known is not None:
        return known
    local = urls.local_status_id(settings, uri)
    if local is not None:
        return local
    final_url, document = await _fetch(db, settings, uri)
    try:
        author_uri = parse.ident(document.get("attributedTo"))
        if not author_uri:
            raise parse.ParseError("the note has no attributedTo")
        author = await account_by_uri(db, settings, author_uri)
        note = parse.note(document, author.followers_url)
    except parse.ParseError as err:
        raise ResolveError(f"{uri}: {err}") from err
    if parse.host(note.uri) != parse.host(final_url):
        raise ResolveError(f"{uri}: the note's id is on another server")
    return await remote_statuses.receive(db, settings, author, note)


def split_handle(query: str) -> tuple[str, str] | None:
    """`user@domain` or `@user@domain` as (user, domain); None for anything else."""
    handle = query.strip().removeprefix("@")
    username, at, domain = handle.partition("@")
    if not at or not username or not domain or "@" in domain or "/" in domain:
        return None
    if not domain.isascii():  # an internationalised name is looked up as IDNA
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if len(domain) > parse.MAX_DOMAIN or len(username) > 255:
        return None
    return username, domain


def looks_like_url(query: str) -> bool:
    parts = urlsplit(query.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


async def object_by_url(
    db: Database, settings: Settings, url: str
) -> tuple[Account | None, int | None]:
    """What a URL names on another server, fetched once: (account, None) for an actor,
    (None, status id) for a post."""
    if parse.host(url) == settings.domain.lower():
        raise ResolveError("that URL is local")
    known = await remote_accounts.by_uri(db, url)
    if known is not None:
        return known, None
    known_status = await remote_statuses.status_id_by_uri(db, url)
    if known_status is not None:
        return None, known_status
    final_url, document = await _fetch(db, settings, url)
    kinds = parse.types(document)
    if any(t in parse.ACTOR_TYPES for t in kinds):
        return await _save_actor(db, settings, url, final_url, document, None), None
    if any(t in parse.NOTE_TYPES for t in kinds):
        note_uri = parse.ident(document) or ""
        if parse.host(note_uri) != parse.host(final_url):
            raise ResolveError(f"{url}: the note's id is on another server")
        return None, await status_by_uri(db, settings, note_uri)
    raise NotAnObject(f"{url} is neither an actor nor a post")


async def raw_object(db: Database, settings: Settings, url: str) -> dict[str, Any]:
    """The document at a URL as its server answers it (a signed GET; refused servers are
    not asked): Misskey's ap/get."""
    if not looks_like_url(url):
        raise ResolveError(f"{url} is not an http(s) URL")
    _, document = await _fetch(db, settings, url)
    return document
