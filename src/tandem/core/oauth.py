"""OAuth 2: applications, grants (code, client credentials, password, refresh) and tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from tandem.core import caller_cache, clock, scopes
from tandem.core.errors import DomainError
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import AccessToken, Application, IssuedToken, Principal
from tandem.core.tokens import digest, new_secret
from tandem.store import accounts as account_store
from tandem.store import oauth as store
from tandem.store.db import Conn, Database

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)

OAUTH_DESCRIPTIONS: dict[str, str] = {
    "invalid_client": Text(
        "Client authentication failed due to unknown client, no client authentication "
        "included, or unsupported authentication method."
    ),
    "invalid_grant": Text(
        "The provided authorization grant is invalid, expired, revoked, does not match the "
        "redirection URI used in the authorization request, or was issued to another client."
    ),
    "invalid_scope": Text("The requested scope is invalid, unknown, or malformed."),
    "unsupported_grant_type": Text(
        "The authorization grant type is not supported by the authorization server."
    ),
    "invalid_request": Text(
        "The request is missing a required parameter, includes an unsupported parameter "
        "value, or is otherwise malformed."
    ),
    "unsupported_response_type": Text(
        "The authorization server does not support this response type."
    ),
    "access_denied": Text("The resource owner or authorization server denied the request."),
}


class OAuthError(DomainError):
    """An RFC 6749 error: `error` is the standard code, `description` adds what to fix."""

    def __init__(self, error: str, description: str | None = None, status: int = 400) -> None:
        super().__init__(description or OAUTH_DESCRIPTIONS.get(error, error))
        self.error = error
        self.description = self.message
        self.status = status


class InvalidToken(DomainError):
    def __init__(self, reason: Literal["invalid", "revoked", "expired"]) -> None:
        super().__init__(
            Text("The access token is invalid")
            if reason == "invalid"
            else Text("The access token was revoked")
            if reason == "revoked"
            else Text("The access token expired")
        )
        self.reason = reason


def _same(known: str, given: str) -> bool:
    """Constant-time comparison of secrets; as bytes, since compare_digest refuses non-ASCII
    str (a client may send any text)."""
    return hmac.compare_digest(known.encode(), given.encode("utf-8", "surrogatepass"))


async def authenticate_client(
    db: Database, client_id: str | None, secret: str | None
) -> Application:
    if not client_id or "\x00" in client_id:  # HTTP Basic credentials are not checked upstream
        raise OAuthError("invalid_client", status=401)
    async with db.read() as conn:
        app = await store.app_by_client_id(conn, client_id)
    if app is None or secret is None or not _same(app.client_secret, secret):
        raise OAuthError("invalid_client", status=401)
    return app


async def find_client(db: Database, client_id: str | None) -> Application | None:
    if not client_id:
        return None
    async with db.read() as conn:
        return await store.app_by_client_id(conn, client_id)


def requested_scopes(app: Application, raw: str | None) -> tuple[str, ...]:
    """The scopes asked for (default `read`), each of which the app must have registered."""
    wanted = scopes.parse(raw) or scopes.DEFAULT
    if scopes.unknown(wanted) or not scopes.all_covered(wanted, app.scopes):
        raise OAuthError("invalid_scope")
    return wanted


async def issue_token(
    conn: Conn,
    *,
    application_id: int | None,
    account_id: int | None,
    token_scopes: tuple[str, ...],
    refresh: bool,
) -> IssuedToken:
    secret = new_secret(32)
    refresh_secret = new_secret(32) if refresh else None
    token = AccessToken(
        id=new_id(),
        application_id=application_id,
        account_id=account_id,
        scopes=token_scopes,
        created_at=clock.now(),
    )
    await store.insert_token(
        conn, token, digest(secret), digest(refresh_secret) if refresh_secret else None
    )
    return IssuedToken(token=token, access_token=secret, refresh_token=refresh_secret)


NATIVE_SCOPES: tuple[str, ...] = ("read", "write", "follow", "push", "profile")


async def issue_native(db: Database, account_id: int) -> IssuedToken:
    """The token a sign-in hands out (Misskey's `i`): all of the account's rights."""
    secret = new_secret(32)
    token = AccessToken(
        id=new_id(),
        application_id=None,
        account_id=account_id,
        scopes=NATIVE_SCOPES,
        created_at=clock.now(),
        kind="native",
    )
    async with db.write() as conn:
        await store.insert_token(conn, token, digest(secret), None)
    return IssuedToken(token=token, access_token=secret)


async def client_credentials_grant(
    db: Database, app: Application, raw_scope: str | None
) -> IssuedToken:
    wanted = requested_scopes(app, raw_scope)
    async with db.write() as conn:
        return await issue_token(
            conn, application_id=app.id, account_id=None, token_scopes=wanted, refresh=False
        )


async def password_grant(
    db: Database, app: Application, account_id: int, raw_scope: str | None
) -> IssuedToken:
    """Issue a user token once the caller has checked the password (see `sessions.sign_in`)."""
    wanted = requested_scopes(app, raw_scope)
    async with db.write() as conn:
        return await issue_token(
            conn, application_id=app.id, account_id=account_id, token_scopes=wanted, refresh=True
        )


@dataclass(frozen=True)
class AuthorizationRequest:
    app: Application
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None


async def check_authorization_request(
    db: Database,
    *,
    client_id: str | None,
    redirect_uri: str | None,
    response_type: str | None,
    scope: str | None,
    state: str | None,
    code_challenge: str | None,
    code_challenge_method: str | None,
) -> AuthorizationRequest:
    """Validate /oauth/authorize parameters before anything is shown to the user."""
    app = await find_client(db, client_id)
    if app is None:
        raise OAuthError("invalid_client", status=401)
    uri = redirect_uri or (app.redirect_uris[0] if len(app.redirect_uris) == 1 else None)
    if uri is None or uri not in app.redirect_uris:
        raise OAuthError(
            "invalid_request",
            "The redirect uri included is not valid: it must be one the app registered.",
        )
    if response_type != "code":
        raise OAuthError("unsupported_response_type")
    wanted = requested_scopes(app, scope)
    if code_challenge and (code_challenge_method or "plain") != "S256":
        raise OAuthError(
            "invalid_request", "code_challenge_method must be S256 (plain is not supported)."
        )
    return AuthorizationRequest(
        app=app,
        redirect_uri=uri,
        scopes=wanted,
        state=state,
        code_challenge=code_challenge or None,
        code_challenge_method="S256" if code_challenge else None,
    )


async def already_authorized(db: Database, request: AuthorizationRequest, account_id: int) -> bool:
    """Has this user already granted this app these scopes (so no consent screen is needed)?"""
    async with db.read() as conn:
        return await store.account_authorized_app(conn, request.app.id, account_id, request.scopes)


async def create_code(db: Database, request: AuthorizationRequest, account_id: int) -> str:
    code = new_secret(32)
    now = clock.now()
    async with db.write() as conn:
        await store.insert_grant(
            conn,
            id=new_id(),
            code_digest=digest(code),
            application_id=request.app.id,
            account_id=account_id,
            redirect_uri=request.redirect_uri,
            scopes=" ".join(request.scopes),
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    return code


def _pkce_matches(challenge: str, verifier: str) -> bool:
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return _same(computed.decode(), challenge)


async def authorization_code_grant(
    db: Database,
    app: Application,
    *,
    code: str | None,
    redirect_uri: str | None,
    code_verifier: str | None,
) -> IssuedToken:
    if not code:
        raise OAuthError("invalid_request", "Missing required parameter: code.")
    now = clock.now()
    async with db.write() as conn:
        grant = await store.take_grant(conn, digest(code), now)
        if (
            grant is None
            or grant.application_id != app.id
            or grant.expires_at <= now
            or (redirect_uri is not None and redirect_uri != grant.redirect_uri)
        ):
            raise OAuthError("invalid_grant")
        if grant.code_challenge and not (
            code_verifier and _pkce_matches(grant.code_challenge, code_verifier)
        ):
            raise OAuthError("invalid_grant")
        # The token carries the code's scopes whatever `scope` the token request names.
        return await issue_token(
            conn,
            application_id=app.id,
            account_id=grant.account_id,
            token_scopes=tuple(grant.scopes.split()),
            refresh=True,
        )


async def refresh_token_grant(
    db: Database, app: Application, refresh_token: str | None, raw_scope: str | None
) -> IssuedToken:
    if not refresh_token:
        raise OAuthError("invalid_request", "Missing required parameter: refresh_token.")
    async with db.write() as conn:
        old = await store.token_by_refresh_digest(conn, digest(refresh_token))
        if old is None or old.application_id != app.id or old.revoked:
            raise OAuthError("invalid_grant")
        wanted = scopes.parse(raw_scope) or old.scopes
        if not scopes.all_covered(wanted, old.scopes):
            raise OAuthError("invalid_scope")
        if not await store.revoke_token(conn, old.id, clock.now()):
            raise OAuthError("invalid_grant")  # a racing refresh with this token won
        return await issue_token(
            conn,
            application_id=app.id,
            account_id=old.account_id,
            token_scopes=wanted,
            refresh=True,
        )


async def revoke(db: Database, app: Application, token: str | None) -> None:
    """RFC 7009: revoke an access or refresh token of this app; unknown tokens are fine."""
    if not token:
        raise OAuthError("invalid_request", "Missing required parameter: token.")
    async with db.write() as conn:
        found = await store.token_by_digest(conn, digest(token))
        if found is None:
            found = await store.token_by_refresh_digest(conn, digest(token))
        if found is not None and found.application_id == app.id:
            await store.revoke_token(conn, found.id, clock.now())


async def principal(db: Database, raw_token: str) -> Principal:
    """The caller behind a bearer token; raises InvalidToken when it cannot be used."""
    found = await caller_cache.caller(db, digest(raw_token))
    if found is None:
        raise InvalidToken("invalid")
    token, app, account, user = found
    if token.revoked:
        raise InvalidToken("revoked")
    if token.expires_at is not None:
        if token.expires_at <= clock.now():
            raise InvalidToken("expired")
        caller_cache.answer_holds_until(token.expires_at)
    if token.account_id is not None and (account is None or user is None):
        raise InvalidToken("invalid")
    return Principal(token=token, application=app, user=user, account=account)


# How stale "last used" (tokens) and "last active" (accounts, Misskey's online status) may get
# before a request writes them again: each is a write, so not on every request.
TOKEN_TOUCH_EVERY = timedelta(hours=1)
ACTIVE_TOUCH_EVERY = timedelta(minutes=5)


async def seen(db: Database, principal: Principal, ip: str | None) -> None:
    """Record that the token was used and its account was active, when it is time to."""
    now = clock.now()
    last_used = principal.token.last_used_at
    token_stale = last_used is None or now - last_used > TOKEN_TOUCH_EVERY
    account = principal.account
    active = account.last_active_at if account is not None else now
    account_stale = active is None or now - active > ACTIVE_TOUCH_EVERY
    if not (token_stale or account_stale):
        assert last_used is not None and active is not None
        # An answer replayed past this would skip the write due then.
        caller_cache.answer_holds_until(
            min(last_used + TOKEN_TOUCH_EVERY, active + ACTIVE_TOUCH_EVERY)
        )
        return
    async with db.write() as conn:
        if token_stale:
            await store.touch_token(conn, principal.token.id, now, ip)
        if account_stale and account is not None:
            await account_store.set_last_active_at(conn, account.id, now)
