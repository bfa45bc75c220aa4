"""Misskey's app consent pages: MiAuth (/miauth/:session) and app sessions (/auth/:token)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tandem.core import app_auth, sessions
from tandem.core.errors import NotFound, Unprocessable, ValidationFailed
from tandem.core.i18n import Text
from tandem.core.models import Account
from tandem.services import Services
from tandem.web.pages import (
    BLOCKED_TEXT,
    SESSION_COOKIE,
    csrf_ok,
    message,
    page,
    read_form,
)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return parts._replace(query=urlencode(query)).geturl()


async def _signed_in(request: Request) -> tuple[Account | None, Response | None]:
    """The signed-in account, or the page to show instead (log in first, or why not)."""
    services: Services = request.app.state.services
    found = await sessions.account_for(services.db, request.cookies.get(SESSION_COOKIE))
    if found is None:
        return_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = page(
            request, "sign_in.html", return_to=return_to, login="", error=None, app_name=None
        )
        return None, login
    account, user = found
    blocked = sessions.login_block(user, account)
    if blocked is not None:
        title = Text("You cannot allow apps yet")
        locale = user.locale or account.lang
        return None, message(request, title, BLOCKED_TEXT[blocked], 403, account_locale=locale)
    return account, None


def _consent(
    request: Request,
    account: Account,
    app_name: str,
    icon: str | None,
    wanted: Sequence[str],
    callback: str | None = None,
) -> Response:
    return page(
        request,
        "app_consent.html",
        form_action=[callback],  # approving redirects there: the page's CSP must allow it
        account_locale=account.lang,
        title=Text("Allow an app"),
        app_name=app_name,
        icon_url=icon,
        permissions=wanted,
        username=account.username,
        action=request.url.path,
    )


async def _approving(request: Request) -> tuple[Account | None, Response | None]:
    """The account approving the app, or the page to show instead (expired form, denial…)."""
    form = await read_form(request)
    if not csrf_ok(request, form):
        return None, message(
            request, Text("Session expired"), Text("Reload the page and try again."), 403
        )
    account, instead = await _signed_in(request)
    if account is not None and form.get("decision") != "approve":
        return None, message(request, Text("Access denied"), Text("You denied access to this app."))
    return account, instead


def _allowed(request: Request, callback: str | None, **query: str) -> Response:
    # Checked again here: a callback stored before the rule existed must not run either.
    if callback and app_auth.callback_problem(callback) is None:
        return RedirectResponse(_with_query(callback, **query), 303)
    return message(request, Text("Access allowed"), Text("You can go back to the app now."))


async def miauth_page(request: Request) -> Response:
    services: Services = request.app.state.services
    q = request.query_params
    try:
        wanted = await app_auth.miauth_request(
            services.db,
            request.path_params["session"],
            name=q.get("name"),
            icon_url=q.get("icon"),
            callback_url=q.get("callback"),
            permission=q.get("permission"),
        )
    except ValidationFailed as err:
        return message(request, Text("This request is not valid"), err.message, 400)
    if wanted.approved:
        return message(
            request, Text("Already allowed"), Text("This app already received its access.")
        )
    account, instead = await _signed_in(request)
    if account is None:
        return instead or message(request, Text("Not signed in"), Text("Sign in first."), 401)
    return _consent(
        request,
        account,
        wanted.name or Text("An application"),
        wanted.icon_url,
        wanted.permissions,
        wanted.callback_url,
    )


async def miauth_decide(request: Request) -> Response:
    services: Services = request.app.state.services
    account, instead = await _approving(request)
    if account is None:
        return instead or message(request, Text("Not signed in"), Text("Sign in first."), 401)
    session = request.path_params["session"]
    try:
        approved = await app_auth.miauth_approve(services.db, session, account)
    except (NotFound, Unprocessable) as err:
        return message(request, Text("This request is not valid"), err.message, 400)
    return _allowed(request, approved.callback_url, session=session)


async def session_page(request: Request) -> Response:
    services: Services = request.app.state.services
    try:
        _row, app, approved_by = await app_auth.session_app(
            services.db, request.path_params["token"]
        )
    except NotFound:
        return message(
            request, Text("Unknown request"), Text("This authorization link is not valid."), 404
        )
    if approved_by is not None:
        return message(
            request, Text("Already allowed"), Text("This app already received its access.")
        )
    account, instead = await _signed_in(request)
    if account is None:
        return instead or message(request, Text("Not signed in"), Text("Sign in first."), 401)
    return _consent(request, account, app.name, None, app.scopes, app.callback_url)


async def session_decide(request: Request) -> Response:
    services: Services = request.app.state.services
    account, instead = await _approving(request)
    if account is None:
        return instead or message(request, Text("Not signed in"), Text("Sign in first."), 401)
    token = request.path_params["token"]
    try:
        _row, app, _ = await app_auth.session_app(services.db, token)
        await app_auth.accept_session(services.db, token, account)
    except NotFound:
        return message(
            request, Text("Unknown request"), Text("This authorization link is not valid."), 404
        )
    return _allowed(request, app.callback_url, token=token)


routes = [
    Route("/miauth/{session}", miauth_page, methods=["GET"]),
    Route("/miauth/{session}", miauth_decide, methods=["POST"]),
    Route("/auth/{token}", session_page, methods=["GET"]),
    Route("/auth/{token}", session_decide, methods=["POST"]),
]
