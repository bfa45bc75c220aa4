"""Registering OAuth applications (Mastodon's POST /api/v1/apps)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tandem.core import clock, scopes
from tandem.core.errors import Errors
from tandem.core.i18n import Text, too_long
from tandem.core.ids import new_id
from tandem.core.models import Application
from tandem.core.oauth import OOB
from tandem.core.tokens import new_secret
from tandem.store import oauth as store
from tandem.store.db import Database

_FORBIDDEN_SCHEMES = {"data", "vbscript", "javascript", "file"}  # Doorkeeper's, and file:


def _redirect_uri_problem(uri: str) -> str | None:
    if uri == OOB:
        return None
    parts = urlsplit(uri)
    if not parts.scheme:
        return Text("must be an absolute URI.")
    if parts.scheme.lower() in _FORBIDDEN_SCHEMES:
        return Text("is forbidden by the server.")
    if parts.fragment:
        return Text("cannot contain a fragment.")
    if parts.scheme in ("http", "https") and not parts.netloc:
        return Text("must be a valid URI.")
    return None


def _split_uris(raw: str | list[str] | None) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else raw.split("\n")
    return [u.strip() for u in items if isinstance(u, str) and u.strip()]


async def create_application(
    db: Database,
    *,
    name: str | None,
    redirect_uris: str | list[str] | None,
    scopes_raw: str | list[str] | None,
    website: str | None,
    owner_account_id: int | None = None,
) -> Application:
    errors = Errors()
    name = (name or "").strip()
    if not name:
        errors.add("name", "blank", "can't be blank")
    elif len(name) > 60:
        errors.add("name", "too_long", too_long(60))
    uris = _split_uris(redirect_uris)
    raw_total = (
        len("\n".join(redirect_uris))
        if isinstance(redirect_uris, list)
        else len(redirect_uris or "")
    )
    if not uris:
        errors.add("redirect_uri", "blank", "can't be blank")
    elif raw_total > 2000:
        errors.add("redirect_uri", "too_long", too_long(2000))
    else:
        for uri in uris:
            problem = _redirect_uri_problem(uri)
            if problem:
                errors.add("redirect_uri", "invalid", problem)
                break
    wanted = (
        scopes.parse(" ".join(s for s in scopes_raw if isinstance(s, str)))
        if isinstance(scopes_raw, list)
        else scopes.parse(scopes_raw)
    ) or scopes.DEFAULT
    if scopes.unknown(wanted):
        bad = ", ".join(scopes.unknown(wanted))
        errors.add(
            "scopes",
            "invalid",
            Text("doesn't match configured on the server ({scopes}).", scopes=bad),
        )
    website = (website or "").strip() or None
    if website is not None:
        parts = urlsplit(website)
        if len(website) > 2000:
            errors.add("website", "too_long", too_long(2000))
        elif parts.scheme not in ("http", "https") or not parts.netloc:
            errors.add("website", "invalid", "is invalid (must be an http or https URL)")
    errors.raise_if_any()
    app = Application(
        id=new_id(),
        name=name,
        website=website,
        redirect_uris=tuple(uris),
        scopes=wanted,
        client_id=new_secret(32),
        client_secret=new_secret(32),
        created_at=clock.now(),
        owner_account_id=owner_account_id,
    )
    async with db.write() as conn:
        await store.insert_app(conn, app)
    return app
