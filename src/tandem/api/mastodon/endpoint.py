"""How every Mastodon route runs: parse, authenticate, throttle, authorize, call, render errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tandem.api.caller import CallerView
from tandem.api.http import (
    JSON,
    BadRequest,
    Kept,
    client_ip,
    rate_limit_headers,
    read_params,
    refused_headers,
)
from tandem.api.locale import request_locale
from tandem.api.mastodon.params import Params
from tandem.core import caller_cache, oauth, permissions, sessions
from tandem.core.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RateLimited,
    Unprocessable,
    ValidationFailed,
)
from tandem.core.i18n import Text, render, render_tree
from tandem.core.ids import parse_id
from tandem.core.models import Principal
from tandem.core.ratelimits import Hit, ip_key, tightest
from tandem.services import Services

Auth = Literal["user", "optional", "token", "app", "none", "user_only"]
Handler = Callable[["Ctx"], Awaitable[Any]]

INVALID_TOKEN = Text("The access token is invalid")
OUT_OF_SCOPE = Text("This action is outside the authorized scopes")
USER_REQUIRED = Text("This method requires an authenticated user")
APP_REQUIRED = Text("This method requires an client credentials authentication")
BLOCKED_MESSAGES = {
    "disabled": Text("Your login is currently disabled"),
    "unconfirmed": Text("Your login is missing a confirmed e-mail address"),
    "pending": Text("Your login is currently pending approval"),
}
PUBLIC_CACHE = "public, max-age=15, stale-while-revalidate=30, stale-if-error=86400"
PAGING_KEYS = ("page", "min_id", "max_id", "since_id")
# Which key each route-specific throttle counts by.
THROTTLE_KEYS = {
    "api_sign_up": "ip",
    "app_registrations": "ip",
    "api_media": "account",
    "api_delete": "account",
    "follows": "account",
    "statuses": "account",
    "reports": "account",
    "login_attempts": "ip",
}

# How attributes are named in a validation summary (others: the name, capitalized).
LABELS = {
    "email": Text("E-mail address"),
    "agreement": Text("Service agreement"),
    "redirect_uri": Text("Redirect URI"),
    "date_of_birth": Text("Date of birth"),
    "text": Text("Text"),
    "username": Text("Username"),
    "password": Text("Password"),
    "display_name": Text("Display name"),
    "note": Text("Bio"),
    "fields": Text("Profile metadata"),
    "locale": Text("Locale"),
    "reason": Text("Reason"),
    "name": Text("Name"),
    "title": Text("Title"),
    "website": Text("Website"),
    "scopes": Text("Scopes"),
    "visibility": Text("Visibility"),
    "language": Text("Language"),
    "media_attachments": Text("Media attachments"),
    "poll": Text("Poll"),
    "description": Text("Description"),
    "context": Text("Context"),
    "expires_in": Text("Expires in"),
    "scheduled_at": Text("Scheduled at"),
    "comment": Text("Comment"),
    "replies_policy": Text("Replies policy"),
    "keywords.keyword": Text("Keyword"),
    "filter_action": Text("Filter action"),
    "source[privacy]": Text("Default post privacy"),
    "source[language]": Text("Posting language"),
    "source[quote_policy]": Text("Quote policy"),
    "avatar": Text("Avatar"),
    "header": Text("Header"),
    "avatar_description": Text("Avatar description"),
    "header_description": Text("Header description"),
    "attribution_domains": Text("Attribution domains"),
    "file": Text("File"),
    "focus": Text("Focus"),
    "duration": Text("Duration"),
    "languages": Text("Languages"),
}


class MastodonError(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self, locale: str = "en") -> dict[str, Any]:
        """The JSON body, its texts in `locale` (codes such as `details[*].error` unchanged)."""
        return {"error": render(self.error, locale), **render_tree(self.extra, locale)}


def label(attribute: str) -> str:
    """How an attribute is named in a summary ("Text is too long…"), translatable."""
    if attribute in LABELS:
        return LABELS[attribute]
    if "[" in attribute:
        return attribute
    return attribute.replace("_", " ").capitalize()


def validation_error(err: ValidationFailed) -> MastodonError:
    details: dict[str, list[dict[str, str]]] = {}
    for e in err.errors:
        details.setdefault(e.attribute, []).append(
            {"error": f"ERR_{e.code.upper()}", "description": e.message}
        )
    summary = [
        Text("{attribute} {message}", attribute=label(e.attribute), message=e.message)
        for e in err.errors
    ]
    return MastodonError(
        422, Text("Validation failed: {errors}", errors=summary), extra={"details": details}
    )


def domain_error(err: DomainError) -> MastodonError:
    if isinstance(err, ValidationFailed):
        return validation_error(err)
    if isinstance(err, NotFound):
        return MastodonError(404, "Record not found")
    if isinstance(err, Conflict):  # a racing twin wrote it first: Mastodon's RecordNotUnique
        return MastodonError(422, "Duplicate record")
    if isinstance(err, Forbidden):
        return MastodonError(403, err.message or "This action is not allowed")
    if isinstance(err, Unprocessable):
        return MastodonError(422, Text("Validation failed: {errors}", errors=[err.message]))
    if isinstance(err, RateLimited):
        return MastodonError(429, "Too many requests")
    if isinstance(err, oauth.InvalidToken):
        return MastodonError(401, err.message)
    if isinstance(err, oauth.OAuthError):
        return MastodonError(err.status, err.error, extra={"error_description": err.description})
    if isinstance(err, AuthenticationFailed):
        return MastodonError(401, err.message)
    return MastodonError(422, err.message or type(err).__name__)


def _vary(also: str | None) -> str:
    return f"Authorization, {also}" if also else "Authorization"


def _locale(request: Request, principal: Principal | None, params: Params | None) -> str:
    """The language of an error's texts: `lang`, the user's locale, then Accept-Language."""
    return request_locale(request, principal, params.raw("lang") if params is not None else None)


def rate_headers(hit: Hit) -> dict[str, str]:
    return rate_limit_headers(hit.limit, hit.remaining, hit.reset_at)


@dataclass
class Ctx(CallerView):
    request: Request
    services: Services
    params: Params
    principal: Principal | None
    response_headers: dict[str, str] = field(default_factory=dict)

    def locale(self) -> str:
        """The caller's language, for a text the answer carries: `lang`, the user's locale,
        then Accept-Language (so the answer varies by that header)."""
        self.response_headers["Vary"] = "Accept-Language"
        return _locale(self.request, self.principal, self.params)

    def path_id(self, name: str = "id") -> int:
        """An id from the path; something that cannot be an id is simply not found."""
        found = parse_id(self.request.path_params.get(name))
        if found is None:
            raise MastodonError(404, "Record not found")
        return found


def header_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    for name, value in request.scope["headers"]:  # (no Headers object for one lookup)
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


def bearer_token(request: Request, params: Params, header: str | None = None) -> str | None:
    """The header's token, else an `access_token` or `bearer_token` parameter."""
    found = header if header is not None else header_token(request)
    if found is not None:
        return found
    for name in ("access_token", "bearer_token"):
        token = params.raw(name)
        if isinstance(token, str) and token:
            return token
    return None


async def resolve(services: Services, token: str | None, auth: Auth) -> Principal | None:
    if token is None:
        return None
    try:
        return await oauth.principal(services.db, token)
    except oauth.InvalidToken as err:
        # On public endpoints an unknown token is ignored, but a revoked one is refused.
        if auth in ("optional", "none") and err.reason == "invalid":
            return None
        if auth == "none":
            return None
        raise MastodonError(401, err.message) from None


async def throttle(
    services: Services,
    request: Request,
    params: Params,
    principal: Principal | None,
    extra: tuple[str, ...],
) -> Hit | None:
    limiter = services.limiter
    if not limiter.enabled:
        return None
    ip = ip_key(client_ip(request))
    hits: list[Hit | None] = []
    user_id = principal.account.id if principal and principal.account else None
    # As rack-attack: the general limits cover the API only.
    if request.scope["path"].startswith("/api/"):
        if user_id is not None:
            hits.append(await limiter.hit("authenticated_api", user_id))
        else:
            hits.append(await limiter.hit("unauthenticated_api", ip))
        if principal is not None:
            hits.append(await limiter.hit("per_token_api", principal.token.id))
    if any(params.has(k) for k in PAGING_KEYS):
        if user_id is not None:
            hits.append(await limiter.hit("authenticated_paging", user_id))
        else:
            hits.append(await limiter.hit("unauthenticated_paging", ip))
    for name in extra:
        key: str | int | None = ip if THROTTLE_KEYS[name] == "ip" else user_id
        if key is not None:
            hits.append(await limiter.hit(name, key))
    exceeded = [h for h in hits if h is not None and h.exceeded]
    if exceeded:
        worst = max(exceeded, key=lambda h: h.reset_at)
        raise MastodonError(
            429, "Too many requests", headers=refused_headers(worst.limit, worst.reset_at)
        )
    return tightest(hits)


def authorize(principal: Principal | None, auth: Auth, scopes: tuple[str, ...]) -> None:
    if auth == "none":
        return
    if principal is None:
        if auth in ("user", "token", "app"):
            raise MastodonError(401, INVALID_TOKEN)
        if auth == "user_only":
            raise MastodonError(422, USER_REQUIRED)
        return
    if scopes:
        granted = set(principal.token.scopes) | permissions.mastodon_equivalents(
            principal.token.scopes
        )
        if not granted.intersection(scopes):
            raise MastodonError(403, OUT_OF_SCOPE)
    if auth == "app" and principal.user is not None:
        raise MastodonError(403, APP_REQUIRED)
    if principal.user is not None and principal.account is not None:
        blocked = sessions.login_block(principal.user, principal.account)
        if blocked == "disabled" or (blocked and auth in ("user", "user_only")):
            raise MastodonError(403, BLOCKED_MESSAGES[blocked])
    if auth in ("user", "user_only") and principal.user is None:
        raise MastodonError(422, USER_REQUIRED)


async def _touch(services: Services, principal: Principal | None, ip: str) -> None:
    if principal is not None:
        await oauth.seen(services.db, principal, ip)


NO_PARAMS = Params({})


def _replay_key(request: Request, token: str | None) -> tuple[str, str, str | None] | None:
    """A GET's path and token, when it has no parameters (no query string, no body)."""
    scope = request.scope
    if scope["method"] != "GET" or scope["query_string"]:
        return None
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return None
    return ("mastodon", scope["path"], token)


def endpoint(
    method: str,
    path: str,
    *,
    scopes: tuple[str, ...] = (),
    auth: Auth = "user",
    throttles: tuple[str, ...] = (),
    cache_public: bool = False,
    replay: bool = False,
) -> Callable[[Handler], Route]:
    """Wrap a handler `async (ctx) -> data | Response` into a Starlette route.

    `replay`: a GET without parameters may be answered with the same bytes as the last one
    of the same path and token, while everything it was made of is unchanged (see
    core/caller_cache.py); the route's handler must give the same answer for them."""

    def wrap(handler: Handler) -> Route:
        async def run(request: Request) -> Response:
            services: Services = request.app.state.services
            in_header = header_token(request)
            replay_key = _replay_key(request, in_header) if replay else None
            if replay_key is not None:
                kept = await caller_cache.replayed(services.db, replay_key)
                if kept is not None:
                    return await _replayed(services, request, kept)
                with caller_cache.recorded() as made_of:
                    response, principal = await _answer(services, request, in_header)
                if response.status_code == 200:
                    kept = Kept.of(response, principal)
                    caller_cache.keep_replay(services.db, replay_key, made_of, kept)
                return response
            return (await _answer(services, request, in_header))[0]

        async def _answer(
            services: Services, request: Request, in_header: str | None
        ) -> tuple[Response, Principal | None]:
            principal: Principal | None = None
            headers: dict[str, str] = {}
            response: Response | None = None
            params: Params | None = None
            try:
                params = Params(await read_params(request))
                principal = await resolve(services, bearer_token(request, params, in_header), auth)
                hit = await throttle(services, request, params, principal, throttles)
                if hit is not None:
                    headers.update(rate_headers(hit))
                authorize(principal, auth, scopes)
                await _touch(services, principal, client_ip(request))
                ctx = Ctx(request, services, params, principal)
                result = await handler(ctx)
                headers.update(ctx.response_headers)
                if isinstance(result, Response):
                    response = result
                else:
                    status = 200
            except MastodonError as err:
                result, status = err.body(_locale(request, principal, params)), err.status
                headers.update(err.headers)
            except DomainError as err:
                failure = domain_error(err)
                result = failure.body(_locale(request, principal, params))
                status = failure.status
                if isinstance(err, RateLimited):
                    headers.update(refused_headers(err.limit, err.retry_at))
            except BadRequest as err:
                locale = _locale(request, principal, params)
                result, status = {"error": render(err.message, locale)}, err.status
            if response is None:  # the common case: every header given at once
                if not any(k.lower() == "cache-control" for k in headers):
                    public = cache_public and in_header is None and status == 200
                    headers["Cache-Control"] = PUBLIC_CACHE if public else "private, no-store"
                headers["Vary"] = _vary(headers.get("Vary"))
                return JSON(result, status_code=status, headers=headers), principal
            for key, value in headers.items():
                response.headers[key] = value
            if "cache-control" not in response.headers:
                public = cache_public and in_header is None and response.status_code == 200
                response.headers["Cache-Control"] = PUBLIC_CACHE if public else "private, no-store"
            response.headers["Vary"] = _vary(headers.get("Vary"))
            return response, principal

        async def _replayed(services: Services, request: Request, kept: Kept) -> Response:
            try:
                hit = await throttle(services, request, NO_PARAMS, kept.principal, throttles)
            except MastodonError as err:
                headers = {**err.headers, "Cache-Control": "private, no-store"}
                headers["Vary"] = "Authorization"
                body = err.body(_locale(request, kept.principal, None))
                return JSON(body, status_code=err.status, headers=headers)
            return kept.response(rate_headers(hit) if hit is not None else None)

        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        return Route(path, run, methods=[method])

    return wrap


class Routes(list[Route]):
    """A module's routes: `@routes("GET", "/api/v1/…", scopes=…)` registers a handler."""

    def __call__(
        self,
        method: str,
        path: str,
        *,
        scopes: tuple[str, ...] = (),
        auth: Auth = "user",
        throttles: tuple[str, ...] = (),
        cache_public: bool = False,
        replay: bool = False,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.append(
                endpoint(
                    method,
                    path,
                    scopes=scopes,
                    auth=auth,
                    throttles=throttles,
                    cache_public=cache_public,
                    replay=replay,
                )(handler)
            )
            return handler

        return register


# The dialect's one route list: every module of `routes/` registers on it when imported.
routes = Routes()
