"""The invite link page, `/invite/<code>` (Mastodon's public invite URL): a sign-up form with
the code filled in, or a page saying plainly why the code cannot be used (unknown, used up,
expired). The form posts back to the same address; the code is checked again (and spent,
atomically) by the sign-up itself, so a code used meanwhile is refused with the reason."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tandem.api.http import client_ip
from tandem.api.locale import request_locale
from tandem.core import invites, registration
from tandem.core.errors import Forbidden, ValidationFailed
from tandem.core.i18n import Text, render
from tandem.core.ratelimits import ip_key, retry_after
from tandem.services import Services
from tandem.web.pages import csrf_ok, message, page, read_form

# What the page says about a code that cannot be used, and its status.
_UNUSABLE: dict[invites.Refusal, tuple[str, int]] = {
    "blank": (Text("This invite link is not valid."), 404),
    "invalid": (Text("This invite link is not valid: there is no such invite here."), 404),
    "used": (Text("This invite link has already been used."), 410),
    "expired": (Text("This invite link has expired."), 410),
}
_FIELDS = ("username", "email", "date_of_birth")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _shown(request: Request, text: str) -> str:
    """A field's message in the page's language (the page renders only its own texts)."""
    return render(text, request_locale(request))


def _unusable(request: Request, refused: invites.Refusal) -> Response:
    text, status = _UNUSABLE[refused]
    return message(request, Text("Invite link"), text, status)


def _closed(request: Request) -> Response:
    return message(request, Text("Sign up"), Text("Registrations are closed."), 403)


def _form(
    request: Request,
    code: str,
    status: int = 200,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    settings = _services(request).settings
    return page(
        request,
        "invite.html",
        status,
        title=Text("Sign up"),
        code=code,
        values={name: (values or {}).get(name, "") for name in _FIELDS},
        errors=errors or {},
        ask_birth_date=bool(settings.min_age),
    )


async def invite_page(request: Request) -> Response:
    services = _services(request)
    if services.settings.registrations == "closed":
        return _closed(request)
    code = request.path_params["code"]
    _invite, refused = await invites.check(services.db, code)
    if refused is not None:
        return _unusable(request, refused)
    return _form(request, code)


async def sign_up(request: Request) -> Response:
    services = _services(request)
    code = request.path_params["code"]
    form = await read_form(request)
    if not csrf_ok(request, form):
        return message(
            request, Text("Session expired"), Text("Reload the page and try again."), 403
        )
    if services.settings.registrations == "closed":
        return _closed(request)
    hit = await services.limiter.hit("api_sign_up", ip_key(client_ip(request)))
    if hit is not None and hit.exceeded:
        response = message(
            request, Text("Too many attempts"), Text("Wait a few minutes and try again."), 429
        )
        response.headers["Retry-After"] = str(retry_after(hit.reset_at))
        return response
    _invite, refused = await invites.check(services.db, code)
    if refused is not None:
        return _unusable(request, refused)
    if form.get("password", "") != form.get("password_confirmation", ""):
        mismatch = {"password_confirmation": [_shown(request, Text("does not match the password"))]}
        return _form(request, code, 422, values=form, errors=mismatch)
    try:
        _account, user, _ = await registration.register(
            services.db,
            services.settings,
            registration.SignUp(
                username=form.get("username"),
                email=form.get("email"),
                password=form.get("password"),
                agreement="1" if form.get("agreement") else None,
                locale=request_locale(request),
                invite_code=code,
                date_of_birth=form.get("date_of_birth"),
                ip=client_ip(request),
            ),
            None,
        )
    except ValidationFailed as err:
        for problem in err.errors:  # the code went bad meanwhile: say why, not the form
            for why in _UNUSABLE:
                if problem.attribute == "invite_code" and problem.code == why:
                    return _unusable(request, why)
        errors: dict[str, list[str]] = {}
        for problem in err.errors:
            errors.setdefault(problem.attribute, []).append(_shown(request, problem.message))
        return _form(request, code, 422, values=form, errors=errors)
    except Forbidden:
        return _closed(request)
    if not user.confirmed_at:
        return message(
            request,
            Text("Almost done"),
            Text("We sent you an e-mail: follow its link to confirm your address."),
        )
    return message(
        request, Text("Welcome"), Text("Your account is ready. You can log in now."), 200
    )


routes = [
    Route("/invite/{code}", invite_page, methods=["GET"]),
    Route("/invite/{code}", sign_up, methods=["POST"]),
]
