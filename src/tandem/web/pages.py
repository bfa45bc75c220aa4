"""HTML pages: sign-in, the OAuth consent screen, e-mail confirmation and profile pages."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from tandem.api.http import (
    MAX_FIELDS,
    PAGE_FORM_LIMIT,
    BadRequest,
    check_values,
    client_ip,
    read_body,
)
from tandem.api.locale import request_locale
from tandem.core import accounts, oauth, registration, sessions, signins, twofactor, urls
from tandem.core.errors import AuthenticationFailed, NotFound, RateLimited
from tandem.core.i18n import Text, render
from tandem.core.oauth import OOB, AuthorizationRequest, OAuthError
from tandem.core.ratelimits import retry_after
from tandem.federation.documents import wants_activity_json
from tandem.services import Services
from tandem.web import security, tickets

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "tandem_session"
CSRF_COOKIE = "tandem_csrf"
_AUTHORIZE_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

BLOCKED_TEXT = {
    "disabled": Text("Your account is disabled."),
    "unconfirmed": Text(
        "Confirm your e-mail address first: follow the link in the message we sent you."
    ),
    "pending": Text("Your account is waiting for approval by the server's staff."),
}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def page(
    request: Request,
    template: str,
    status: int = 200,
    *,
    form_action: Sequence[str | None] = (),
    account_locale: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A rendered page with its CSP; `form_action` names where submitting its form may end
    in a redirect (an app's callback: browsers check `form-action` on redirects too). An
    app's icon (`icon_url`) is picked up here. Texts are in the request's language (`lang`,
    then Accept-Language, then the signed-in account's `account_locale`): templates write
    `_("…")`, and any `Text` value is rendered."""
    services = _services(request)
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    locale = request_locale(request, fallback=account_locale)
    shown = {k: render(v, locale) if isinstance(v, Text) else v for k, v in context.items()}

    def translate(template: str, **params: object) -> str:
        return render(Text(template, **params) if params else template, locale)

    body = _templates.get_template(template).render(
        instance=services.settings.instance_title, csrf=csrf, lang=locale, _=translate, **shown
    )
    response = HTMLResponse(body, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    images = [context.get("icon_url")]
    headers = security.page_headers(services.settings, images=images, forms=form_action)
    response.headers.update(headers)
    if CSRF_COOKIE not in request.cookies:
        _set_cookie(response, services, CSRF_COOKIE, csrf)
    return response


def _set_cookie(response: Response, services: Services, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=services.settings.scheme == "https",
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
    )


async def read_form(request: Request) -> dict[str, str]:
    """The page's form fields; a body over PAGE_FORM_LIMIT (413) or a NUL character (400) is a
    BadRequest, answered as an error page by the app's handler (`api.guard.bad_request`)."""
    await read_body(request, PAGE_FORM_LIMIT)
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    check_values(fields)
    return fields


def csrf_ok(request: Request, form: dict[str, str]) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = form.get("csrf", "").encode()  # as bytes: compare_digest refuses non-ASCII str
    return bool(cookie) and hmac.compare_digest(cookie.encode(), given)


def _safe_return(target: str | None) -> str:
    """Only same-site paths: never redirect a login to another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def message(
    request: Request,
    title: str,
    text: str,
    status: int = 200,
    *,
    account_locale: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "message.html",
        status,
        account_locale=account_locale,
        title=title,
        message=text,
        error=status >= 400,
    )


def _too_many(request: Request, err: RateLimited) -> Response:
    response = message(
        request, Text("Too many attempts"), Text("Wait a few minutes and try again."), 429
    )
    response.headers["Retry-After"] = str(retry_after(err.retry_at))
    return response


async def _callback_of(services: Services, return_to: str) -> str | None:
    """Where signing in may end up redirecting when the form returns to an OAuth authorization
    (an app authorized before is sent straight back): the redirect URI that authorization
    resolves to, which is the app's only registered one when the request names none. None
    when the form returns elsewhere or the authorization request is not valid."""
    if not return_to.startswith("/oauth/authorize?"):
        return None
    values = dict(parse_qsl(urlsplit(return_to).query, keep_blank_values=True))
    try:
        check_values(values)
        return (await _authorization_request(services, values)).redirect_uri
    except (BadRequest, OAuthError):
        return None


async def sign_in_page(request: Request) -> Response:
    return_to = _safe_return(request.query_params.get("return_to"))
    return page(
        request,
        "sign_in.html",
        form_action=[await _callback_of(_services(request), return_to)],
        return_to=return_to,
        login="",
        error=None,
        app_name=None,
    )


async def sign_in(request: Request) -> Response:
    services = _services(request)
    form = await read_form(request)
    return_to = _safe_return(form.get("return_to"))
    if not csrf_ok(request, form):
        return message(
            request, Text("Session expired"), Text("Reload the page and try again."), 403
        )
    attempt = signins.Attempt(client_ip(request), dict(request.headers))
    try:
        account, _user = await signins.sign_in(
            services.db, form.get("login"), form.get("password"), None, attempt, services.limiter
        )
    except RateLimited as err:
        return _too_many(request, err)
    except signins.SecondFactorNeeded:
        found = await sessions.find_user(services.db, form.get("login"))
        assert found is not None
        ticket = tickets.issue(services.settings.secret_key, found[0].id)
        return page(
            request,
            "two_factor.html",
            form_action=[await _callback_of(services, return_to)],
            ticket=ticket,
            return_to=return_to,
            error=None,
        )
    except AuthenticationFailed as err:
        return page(
            request,
            "sign_in.html",
            401,
            form_action=[await _callback_of(services, return_to)],
            return_to=return_to,
            login=form.get("login", ""),
            error=err.message,
            app_name=None,
        )
    return await _signed_in(request, account.id, return_to)


async def _signed_in(request: Request, account_id: int, return_to: str) -> Response:
    services = _services(request)
    secret = await sessions.start(
        services.db, account_id, client_ip(request), request.headers.get("user-agent")
    )
    response = RedirectResponse(return_to, status_code=303)
    _set_cookie(response, services, SESSION_COOKIE, secret)
    return response


async def sign_in_second_factor(request: Request) -> Response:
    services = _services(request)
    form = await read_form(request)
    return_to = _safe_return(form.get("return_to"))
    if not csrf_ok(request, form):
        return message(
            request, Text("Session expired"), Text("Reload the page and try again."), 403
        )
    account_id = tickets.redeem(services.settings.secret_key, form.get("ticket", ""))
    found = await sessions.user_of(services.db, account_id) if account_id else None
    if found is None:
        return message(request, Text("Session expired"), Text("Log in again."), 403)
    attempt = signins.Attempt(client_ip(request), dict(request.headers))
    try:  # codes are guessed against the same budget of failures as passwords
        reservation = await signins.reserve_failure(services.limiter, attempt.ip, found[0].id)
    except RateLimited as err:
        return _too_many(request, err)
    if not await twofactor.verify(services.db, found[1], form.get("code")):
        await signins.record(services.db, found[0].id, attempt, success=False)
        error = Text("That code is not right. Try the current one from your app.")
        ticket = form.get("ticket", "")
        return page(
            request,
            "two_factor.html",
            401,
            form_action=[await _callback_of(services, return_to)],
            ticket=ticket,
            return_to=return_to,
            error=error,
        )
    await reservation.refund()
    await signins.record(services.db, found[0].id, attempt, success=True)
    return await _signed_in(request, found[0].id, return_to)


async def sign_out(request: Request) -> Response:
    services = _services(request)
    form = await read_form(request)
    if not csrf_ok(request, form):
        return message(
            request, Text("Session expired"), Text("Reload the page and try again."), 403
        )
    await sessions.end(services.db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(_safe_return(form.get("return_to")), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def _authorization_request(
    services: Services, values: dict[str, str]
) -> AuthorizationRequest:
    return await oauth.check_authorization_request(
        services.db,
        client_id=values.get("client_id"),
        redirect_uri=values.get("redirect_uri"),
        response_type=values.get("response_type"),
        scope=values.get("scope"),
        state=values.get("state"),
        code_challenge=values.get("code_challenge"),
        code_challenge_method=values.get("code_challenge_method"),
    )


def _redirect_with(request_: AuthorizationRequest, **params: str) -> Response:
    if request_.state:
        params["state"] = request_.state
    parts = urlsplit(request_.redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    target = parts._replace(query=urlencode(query)).geturl()
    return RedirectResponse(target, status_code=302)


async def _grant(request: Request, request_: AuthorizationRequest, account_id: int) -> Response:
    code = await oauth.create_code(_services(request).db, request_, account_id)
    if request_.redirect_uri == OOB:
        return page(
            request,
            "code.html",
            title=Text("Authorization code"),
            code=code,
            app_name=request_.app.name,
        )
    return _redirect_with(request_, code=code)


async def authorize_page(request: Request) -> Response:
    services = _services(request)
    values = dict(request.query_params)
    try:
        request_ = await _authorization_request(services, values)
    except OAuthError as err:
        return message(
            request, Text("This authorization request is not valid"), err.description, 400
        )
    signed_in = await sessions.account_for(services.db, request.cookies.get(SESSION_COOKIE))
    return_to = f"/oauth/authorize?{urlencode(values)}"
    if signed_in is None or values.get("force_login") in ("true", "1"):
        return page(
            request,
            "sign_in.html",
            form_action=[request_.redirect_uri],  # the resolved one: the app's own if omitted
            return_to=return_to.replace("force_login=true", "").replace("force_login=1", ""),
            login="",
            error=None,
            app_name=request_.app.name,
        )
    account, user = signed_in
    locale = user.locale or account.lang
    blocked = sessions.login_block(user, account)
    if blocked is not None:
        title = Text("You cannot authorize apps yet")
        return message(request, title, BLOCKED_TEXT[blocked], 403, account_locale=locale)
    if await oauth.already_authorized(services.db, request_, account.id):
        return await _grant(request, request_, account.id)
    fields = [(k, values[k]) for k in _AUTHORIZE_FIELDS if values.get(k)]
    return page(
        request,
        "authorize.html",
        form_action=[request_.redirect_uri],  # approving redirects there (not for OOB)
        account_locale=locale,
        title=Text("Authorize"),
        app_name=request_.app.name,
        website=request_.app.website,
        username=account.username,
        scopes=request_.scopes,
        fields=fields,
        return_to=return_to,
    )


async def authorize(request: Request) -> Response:
    services = _services(request)
    form = await read_form(request)
    if not csrf_ok(request, form):
        return message(
            request, Text("Session expired"), Text("Reload the page and try again."), 403
        )
    signed_in = await sessions.account_for(services.db, request.cookies.get(SESSION_COOKIE))
    if signed_in is None:
        return message(
            request, Text("Not logged in"), Text("Log in again to authorize this app."), 401
        )
    try:
        request_ = await _authorization_request(services, form)
    except OAuthError as err:
        return message(
            request, Text("This authorization request is not valid"), err.description, 400
        )
    account, user = signed_in
    blocked = sessions.login_block(user, account)
    if blocked is not None:
        return message(request, Text("You cannot authorize apps yet"), BLOCKED_TEXT[blocked], 403)
    if form.get("decision") != "approve":
        if request_.redirect_uri == OOB:
            return message(
                request, Text("Authorization denied"), Text("You denied access to this app.")
            )
        return _redirect_with(
            request_,
            error="access_denied",
            error_description=oauth.OAUTH_DESCRIPTIONS["access_denied"],
        )
    return await _grant(request, request_, account.id)


async def confirm_email(request: Request) -> Response:
    services = _services(request)
    token = request.query_params.get("confirmation_token", "")
    try:
        await registration.confirm_email(services.db, token)
    except NotFound:
        return message(
            request,
            Text("Link not valid"),
            Text("This confirmation link is unknown or was already used."),
            404,
        )
    return message(
        request,
        Text("E-mail confirmed"),
        Text("Your e-mail address is confirmed. You can log in now."),
    )


async def profile_page(request: Request) -> Response:
    services = _services(request)
    try:
        account = await accounts.lookup(
            services.db, services.settings, request.path_params["username"]
        )
    except NotFound:
        return message(
            request, Text("Not found"), Text("There is no account with this name here."), 404
        )
    if wants_activity_json(request):  # ActivityPub clients get the actor document
        return RedirectResponse(urls.actor_uri(services.settings, account), status_code=302)
    avatar = urls.image_urls(services.settings, account.avatar)
    return page(
        request,
        "profile.html",
        title=account.display_name or account.username,
        username=account.username,
        acct=f"{account.username}@{services.settings.domain}",
        display_name=account.display_name,
        note_html=account.note_html,
        fields=account.fields,
        avatar=avatar[0] if avatar else urls.missing_image(services.settings, "avatar"),
        avatar_description=account.avatar_description,
        statuses_count=account.statuses_count,
        following_count=account.following_count,
        followers_count=account.followers_count,
    )


def _static(name: str) -> Any:
    async def serve(_request: Request) -> Response:
        return FileResponse(STATIC / name, headers={"Cache-Control": "public, max-age=86400"})

    return serve


routes = [
    Route("/auth/sign_in", sign_in_page, methods=["GET"]),
    Route("/auth/sign_in", sign_in, methods=["POST"]),
    Route("/auth/sign_in/two_factor", sign_in_second_factor, methods=["POST"]),
    Route("/auth/sign_out", sign_out, methods=["POST"]),
    Route("/auth/confirmation", confirm_email, methods=["GET"]),
    Route("/oauth/authorize", authorize_page, methods=["GET"]),
    Route("/oauth/authorize", authorize, methods=["POST"]),
    Route("/@{username}", profile_page, methods=["GET"]),
    Route("/avatars/original/missing.png", _static("missing-avatar.png"), methods=["GET"]),
    Route("/headers/original/missing.png", _static("missing-header.png"), methods=["GET"]),
    Route("/thumbnail.png", _static("thumbnail.png"), methods=["GET"]),
]
