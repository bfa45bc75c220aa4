"""How Misskey apps get a token: MiAuth sessions, and the older app + auth-session flow."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from tandem.core import clock, permissions
from tandem.core.errors import NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import AccessToken, Account, Application, Principal, TokenKind
from tandem.core.oauth import InvalidToken
from tandem.core.tokens import digest, new_secret
from tandem.store import accounts as account_store
from tandem.store import app_auth as store
from tandem.store import oauth as oauth_store
from tandem.store import userkeys
from tandem.store.db import Conn, Database

_SESSION = re.compile(r"\A[A-Za-z0-9_-]{8,128}\Z")
_APP_SCHEME = re.compile(r"\A[a-z][a-z0-9+.-]*\Z")
# Schemes a browser runs or reads locally instead of handing to an app: never a callback.
DANGEROUS_SCHEMES = frozenset(
    {
        "javascript",
        "vbscript",
        "livescript",
        "data",
        "file",
        "blob",
        "filesystem",
        "about",
        "view-source",
        "jar",
    }
)


def callback_problem(url: str) -> str | None:
    """Why an app's callback URL may not receive the user, if it may not.

    Allowed: http(s) URLs with a host, and an app's own scheme (`myapp://done`).
    Never: schemes a browser would run or open itself (`javascript:`, `data:`, `file:`…).
    """
    if any(ord(c) < 0x21 or c in "\x7f\\" for c in url):
        return Text("must not contain spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
    except ValueError:
        return Text("must be a valid URL")
    scheme = parts.scheme.lower()
    if not scheme:
        return Text("must be an absolute URL")
    if scheme in DANGEROUS_SCHEMES or not _APP_SCHEME.match(scheme):
        return Text("must not use the {scheme}: scheme", scheme=scheme)
    if scheme in ("http", "https") and not parts.hostname:
        return Text("must name a host")
    return None


def _check_callback(attribute: str, url: str | None) -> None:
    problem = callback_problem(url) if url else None
    if problem is not None:
        raise ValidationFailed.one(attribute, "invalid", problem)


@dataclass(frozen=True)
class MiAuthRequest:
    session: str
    name: str | None
    icon_url: str | None
    callback_url: str | None
    permissions: tuple[str, ...]
    approved: bool


async def _issue(
    conn: Conn,
    account_id: int,
    kind: TokenKind,
    scopes: tuple[str, ...],
    *,
    secret: str,
    application_id: int | None = None,
    name: str | None = None,
    icon_url: str | None = None,
    token_id: int | None = None,
) -> int:
    token = AccessToken(
        id=token_id if token_id is not None else new_id(),
        application_id=application_id,
        account_id=account_id,
        scopes=scopes,
        created_at=clock.now(),
        kind=kind,
        name=name,
        icon_url=icon_url,
    )
    await oauth_store.insert_token(conn, token, digest(secret), None)
    return token.id


async def miauth_request(
    db: Database,
    session: str,
    *,
    name: str | None,
    icon_url: str | None,
    callback_url: str | None,
    permission: str | None,
) -> MiAuthRequest:
    """What the MiAuth page shows; the first visit records the request."""
    if not _SESSION.match(session):
        raise ValidationFailed.one("session", "invalid", "must be 8 to 128 letters, digits, - or _")
    _check_callback("callback", callback_url)
    wanted = permissions.parse(permission)
    async with db.write() as conn:
        row = await store.miauth(conn, session)
        if row is None:
            await store.insert_miauth(
                conn,
                id=new_id(),
                session=session,
                name=(name or "").strip()[:255] or None,
                icon_url=icon_url,
                callback_url=callback_url,
                permissions=" ".join(wanted),
                created_at=clock.now(),
            )
            row = await store.miauth(conn, session)
    assert row is not None
    return MiAuthRequest(
        session=row.session,
        name=row.name,
        icon_url=row.icon_url,
        callback_url=row.callback_url,
        permissions=tuple(row.permissions.split()),
        approved=row.approved_at is not None,
    )


async def miauth_approve(db: Database, session: str, account: Account) -> MiAuthRequest:
    async with db.write() as conn:
        row = await store.miauth(conn, session)
        if row is None:
            raise NotFound("session")
        if row.approved_at is not None:
            raise Unprocessable("This session was already approved.", code="ALREADY_APPROVED")
        secret = new_secret(32)
        await _issue(
            conn,
            account.id,
            "miauth",
            tuple(row.permissions.split()),
            secret=secret,
            name=row.name,
            icon_url=row.icon_url,
        )
        await store.update_miauth(
            conn, row.id, account_id=account.id, token=secret, approved_at=clock.now()
        )
    return await miauth_request(
        db, session, name=None, icon_url=None, callback_url=None, permission=None
    )


async def miauth_collect(db: Database, session: str) -> tuple[str, Account] | None:
    """The app picks up its token once; before approval (or after pickup) there is none."""
    async with db.write() as conn:
        row = await store.miauth(conn, session)
        if row is None or row.token is None or row.account_id is None:
            return None
        account = await account_store.get(conn, row.account_id)
        await store.update_miauth(conn, row.id, token=None)
    assert account is not None
    return row.token, account


# The older flow: app/create, auth/session/generate, the user approves, auth/session/userkey.


async def create_app(
    db: Database,
    owner: Account | None,
    *,
    name: str,
    description: str,
    permission: list[str],
    callback_url: str | None,
) -> Application:
    if not name.strip():
        raise ValidationFailed.one("name", "blank", "can't be blank")
    _check_callback("callback_url", callback_url)
    app = Application(
        id=new_id(),
        name=name.strip()[:255],
        website=None,
        redirect_uris=(callback_url,) if callback_url else (),
        scopes=permissions.parse(" ".join(permission)),
        client_id=new_secret(32),
        client_secret=secrets.token_hex(16),
        created_at=clock.now(),
        owner_account_id=owner.id if owner else None,
        description=description,
        callback_url=callback_url,
    )
    async with db.write() as conn:
        await oauth_store.insert_app(conn, app)
    return app


async def app_by_secret(db: Database, secret: str) -> Application:
    async with db.read() as conn:
        app = await oauth_store.app_by_secret(conn, secret)
    if app is None:
        raise NotFound("app")
    return app


async def app_by_id(db: Database, app_id: int) -> Application:
    async with db.read() as conn:
        app = await oauth_store.app_by_id(conn, app_id)
    if app is None:
        raise NotFound("app")
    return app


async def start_session(db: Database, app: Application) -> str:
    token = secrets.token_hex(16)
    async with db.write() as conn:
        await store.insert_auth_session(
            conn, id=new_id(), token=token, application_id=app.id, created_at=clock.now()
        )
    return token


async def session_app(db: Database, token: str) -> tuple[int, Application, int | None]:
    async with db.read() as conn:
        row = await store.auth_session(conn, token)
        app = await oauth_store.app_by_id(conn, row.application_id) if row else None
    if row is None or app is None:
        raise NotFound("session")
    return row.id, app, row.account_id


async def accept_session(db: Database, token: str, account: Account) -> None:
    row_id, _app, _ = await session_app(db, token)
    async with db.write() as conn:
        await store.accept_auth_session(conn, row_id, account.id)


# The raw access token `auth/session/userkey` hands out is `<token id>.<32 hex>`: Misskey
# accepts it as `i` as well as sha256(accessToken + appSecret), and only the hashed form's
# digest is stored. The id finds the row (one primary-key query) and its app's secret turns
# the raw form into the hashed one, checked against the stored digest. No other token has a
# dot, so the form is told by shape, never by a failed lookup.
_USERKEY = re.compile(r"\A([0-9]{1,19})\.[0-9a-f]{32}\Z")


def _hashed(access: str, app_secret: str) -> str:
    return hashlib.sha256((access + app_secret).encode()).hexdigest()


async def session_userkey(db: Database, app_secret: str, token: str) -> tuple[str, Account]:
    """The access token for an approved session; the app sends it or sha256(token + secret)."""
    app = await app_by_secret(db, app_secret)
    row_id, session_app_, account_id = await session_app(db, token)
    if session_app_.id != app.id:
        raise NotFound("session")
    if account_id is None:
        raise Unprocessable("This session is not completed yet.", code="PENDING_SESSION")
    token_id = new_id()
    access = f"{token_id}.{secrets.token_hex(16)}"
    async with db.write() as conn:
        await _issue(
            conn,
            account_id,
            "session",
            app.scopes,
            secret=_hashed(access, app.client_secret),
            application_id=app.id,
            name=app.name,
            token_id=token_id,
        )
        await store.delete_auth_session(conn, row_id)
        account = await account_store.get(conn, account_id)
    assert account is not None
    return access, account


def is_userkey(raw: str) -> bool:
    """Whether `raw` has the shape of a raw `auth/session/userkey` access token."""
    return _USERKEY.match(raw) is not None


async def userkey_token(conn: Conn, raw: str) -> AccessToken | None:
    """The token a raw userkey access token stands for (i/revoke-token names it so)."""
    match = _USERKEY.match(raw)
    if match is None or int(match[1]) >= 2**63:
        return None
    found = await userkeys.session_token(conn, int(match[1]))
    if found is None:
        return None
    token, stored, app, _account, _user = found
    valid = hmac.compare_digest(digest(_hashed(raw, app.client_secret)), stored)
    return token if valid else None


async def userkey_principal(db: Database, raw: str) -> Principal:
    """The caller behind a raw userkey access token; raises InvalidToken as oauth.principal."""
    match = _USERKEY.match(raw)
    if match is None or int(match[1]) >= 2**63:  # past a BIGINT: no such row
        raise InvalidToken("invalid")
    async with db.read() as conn:
        found = await userkeys.session_token(conn, int(match[1]))
    if found is None:
        raise InvalidToken("invalid")
    token, stored, app, account, user = found
    if not hmac.compare_digest(digest(_hashed(raw, app.client_secret)), stored):
        raise InvalidToken("invalid")
    if token.revoked:
        raise InvalidToken("revoked")
    if token.expires_at is not None and token.expires_at <= clock.now():
        raise InvalidToken("expired")
    if account is None or user is None:
        raise InvalidToken("invalid")
    return Principal(token=token, application=app, user=user, account=account)
