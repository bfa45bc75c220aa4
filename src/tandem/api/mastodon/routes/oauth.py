"""OAuth 2 endpoints: token, revoke, userinfo and the server metadata document."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from starlette.responses import Response

from tandem.api.http import JSON, refused_headers
from tandem.api.mastodon.endpoint import Ctx, MastodonError, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.misc import token
from tandem.core import oauth, scopes, signins, urls
from tandem.core.errors import AuthenticationFailed, RateLimited
from tandem.core.models import Application

GRANT_TYPES = ["authorization_code", "client_credentials", "password", "refresh_token"]


def _client_credentials(ctx: Ctx) -> tuple[str | None, str | None]:
    """HTTP Basic first (client_secret_basic), then the body (client_secret_post)."""
    header = ctx.request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise oauth.OAuthError("invalid_client", status=401) from None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return ctx.params.text("client_id"), ctx.params.text("client_secret")


async def _client(ctx: Ctx) -> Application:
    client_id, secret = _client_credentials(ctx)
    return await oauth.authenticate_client(ctx.db, client_id, secret)


def _no_store(body: t.Token) -> Response:
    return JSON(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@routes("POST", "/oauth/token", auth="none")
async def issue_token(ctx: Ctx) -> Response:
    p = ctx.params
    grant = p.text("grant_type")
    if grant not in GRANT_TYPES:
        if not grant:
            raise oauth.OAuthError("invalid_request", "Missing required parameter: grant_type.")
        raise oauth.OAuthError("unsupported_grant_type")
    app = await _client(ctx)
    if grant == "client_credentials":
        issued = await oauth.client_credentials_grant(ctx.db, app, p.text("scope"))
    elif grant == "authorization_code":
        issued = await oauth.authorization_code_grant(
            ctx.db,
            app,
            code=p.text("code"),
            redirect_uri=p.text("redirect_uri"),
            code_verifier=p.text("code_verifier"),
        )
    elif grant == "refresh_token":
        issued = await oauth.refresh_token_grant(
            ctx.db, app, p.text("refresh_token"), p.text("scope")
        )
    else:
        attempt = signins.Attempt(ctx.ip, dict(ctx.request.headers))
        try:
            account, _user = await signins.sign_in(
                ctx.db,
                p.text("username"),
                p.text("password"),
                p.text("otp"),
                attempt,
                ctx.services.limiter,
            )
        except RateLimited as err:
            headers = refused_headers(err.limit, err.retry_at)
            raise MastodonError(429, "Too many requests", headers=headers) from None
        except signins.SecondFactorNeeded:
            raise oauth.OAuthError(
                "invalid_grant",
                "This account uses two-factor authentication: send the current code as `otp`.",
            ) from None
        except AuthenticationFailed:
            raise oauth.OAuthError("invalid_grant") from None
        issued = await oauth.password_grant(ctx.db, app, account.id, p.text("scope"))
    return _no_store(token(issued))


@routes("POST", "/oauth/revoke", auth="none")
async def revoke(ctx: Ctx) -> t.Empty:
    app = await _client(ctx)
    await oauth.revoke(ctx.db, app, ctx.params.text("token"))
    return {}


async def _userinfo(ctx: Ctx) -> t.UserInfo:
    account = ctx.account
    avatar = urls.image_urls(ctx.settings, account.avatar)
    return {
        "iss": ctx.settings.base_url + "/",
        "sub": urls.actor_uri(ctx.settings, account),
        "name": account.display_name,
        "preferred_username": account.username,
        "profile": urls.profile_url(ctx.settings, account),
        "picture": avatar[0] if avatar else urls.missing_image(ctx.settings, "avatar"),
    }


routes("GET", "/oauth/userinfo", scopes=("profile",))(_userinfo)
routes("POST", "/oauth/userinfo", scopes=("profile",))(_userinfo)


@routes("GET", "/.well-known/oauth-authorization-server", auth="none")
async def metadata(ctx: Ctx) -> t.OAuthServerMetadata:
    base = ctx.settings.base_url
    return {
        "issuer": base + "/",
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "app_registration_endpoint": f"{base}/api/v1/apps",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "userinfo_endpoint": f"{base}/oauth/userinfo",
        "scopes_supported": list(scopes.ALL_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": GRANT_TYPES,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }
