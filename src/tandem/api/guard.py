"""Input refused before any route runs, and bad input from HTML forms, in each dialect's shape.

NUL characters cannot be stored by PostgreSQL (nor are they in any real name, id or token), so a
path or query string holding one (`%00`) is answered here, once for every route: 404 for a path
(it names nothing), 400 naming the parameter for a query string. Bodies are checked where they
are parsed (`http.read_params`, the Misskey dispatcher, `pages.read_form`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tandem.api.http import JSON, BadRequest
from tandem.api.locale import request_locale
from tandem.api.misskey.endpoint import PAYLOAD_TOO_LARGE
from tandem.api.misskey.schema import invalid
from tandem.core.i18n import Text, render
from tandem.web.pages import message

_MASTODON = ("/api/v1/", "/api/v2/", "/oauth/token", "/oauth/revoke", "/oauth/userinfo")


def dialect(path: str) -> str:
    """Whose error shape a path answers with: "mastodon", "misskey" or "page" (HTML)."""
    if path.startswith(_MASTODON) or path in ("/api/v1", "/api/v2"):
        return "mastodon"
    if path.startswith(("/.well-known/", "/nodeinfo")):
        return "mastodon"
    if path.startswith("/api/"):
        return "misskey"
    return "page"


def _nul_in_query(query: bytes) -> str | None:
    if b"%00" not in query and b"\x00" not in query:
        return None
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "\\0") or "query"
    return "query"


async def refuse_nul(scope: Scope, receive: Receive, send: Send) -> bool:
    """Answer a request whose path or query string holds a NUL character; True if it did.

    (Called for every request: the common case is two substring checks.)"""
    response = None
    if "\x00" in scope["path"]:
        response = await _not_found(Request(scope, receive))
    else:
        param = _nul_in_query(scope.get("query_string", b""))
        if param is not None:
            reason = Text("must not contain NUL characters")
            message_ = Text("{param} {reason}", param=param, reason=reason)
            err = BadRequest(message_, param=param, reason=reason)
            response = await bad_request(Request(scope, receive), err)
    if response is None:
        return False
    await response(scope, receive, send)
    return True


async def _not_found(request: Request) -> Response:
    if dialect(request.url.path) == "page":
        return message(request, Text("Not found"), Text("There is nothing at this address."), 404)
    return JSON({"error": render("Record not found", request_locale(request))}, status_code=404)


async def bad_request(request: Request, exc: Exception) -> Response:
    """A BadRequest that reached the app (HTML forms, the query guard), in the path's shape
    and the request's language (`lang`, then Accept-Language: no one is signed in yet)."""
    assert isinstance(exc, BadRequest)
    shape = dialect(request.url.path)
    if shape == "mastodon":
        locale = request_locale(request)
        return JSON({"error": render(exc.message, locale)}, status_code=exc.status)
    if shape == "misskey":
        locale = request_locale(request, profile_first=True)
        if exc.status == 413:
            return PAYLOAD_TOO_LARGE.explained(exc.message).response(locale)
        return invalid(exc.param or "body", exc.reason).response(locale)
    title = Text("Request too large") if exc.status == 413 else Text("This request is not valid")
    return message(request, title, exc.message, exc.status)
