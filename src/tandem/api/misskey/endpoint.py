"""How every Misskey endpoint runs: token, credential, permission, rate limit, params, errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route

from tandem.api.caller import CallerView
from tandem.api.http import (
    JSON,
    MISSKEY_JSON_LIMIT,
    BadRequest,
    Kept,
    PayloadTooLarge,
    check_values,
    client_ip,
    content_type,
    header,
    nest,
    read_body,
    refused_headers,
    upload_limit,
)
from tandem.api.locale import request_locale
from tandem.api.misskey import errors as e
from tandem.api.misskey.schema import P, invalid, validate
from tandem.config import Throttle
from tandem.core import app_auth, caller_cache, oauth, permissions, role_policies, sessions
from tandem.core.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RateLimited,
    RowGone,
    Unprocessable,
    ValidationFailed,
)
from tandem.core.i18n import Text
from tandem.core.images import Upload
from tandem.core.models import Principal
from tandem.core.ratelimits import ip_key
from tandem.services import Services

Handler = Callable[["Call"], Awaitable[Any]]
MODERATOR_ROLES = ("moderator", "admin", "owner")


@dataclass
class Call(CallerView):
    request: Request
    services: Services
    params: dict[str, Any]
    principal: Principal | None
    file: Upload | None = None

    def has(self, name: str) -> bool:
        return name in self.params


@dataclass
class Endpoint:
    name: str
    handler: Handler
    params: dict[str, P]
    kind: str | None
    credential: bool
    secure: bool
    limit: tuple[int, int] | None  # (duration in ms, max calls)
    errors: dict[str, e.ErrorDef]
    file: bool
    allow_get: bool
    param_names: dict[str, str] = field(default_factory=dict)  # core attribute -> param
    extra_params: bool = field(default=False)
    replay: bool = False  # see `dispatch`
    policy: role_policies.PolicyName | None = None  # a role policy the caller must have
    moderator: bool = False  # Misskey's requireModerator


REGISTRY: dict[str, Endpoint] = {}


def endpoint(
    name: str,
    *,
    params: dict[str, P] | None = None,
    kind: str | None = None,
    credential: bool = True,
    secure: bool = False,
    limit: tuple[int, int] | None = None,
    errors: dict[str, e.ErrorDef] | None = None,
    file: bool = False,
    allow_get: bool = False,
    param_names: dict[str, str] | None = None,
    replay: bool = False,
    policy: role_policies.PolicyName | None = None,
    moderator: bool = False,
) -> Callable[[Handler], Handler]:
    """Register `POST /api/<name>`; `errors` maps domain outcomes to this endpoint's errors.

    Keys are `not_found:<kind>` for a NotFound (a core `NotFoundKind`: checked here), or the
    code of an Unprocessable (an AlreadyDone's kind), AuthenticationFailed or Forbidden
    ("forbidden" for one without a code).
    `param_names` renames the core's field names in INVALID_PARAM to this endpoint's params.
    `replay`: a call may be answered with the bytes of the last one with the same token and
    parameters while everything it was made of is unchanged (see core/caller_cache.py).
    `policy`: Misskey's `requiredRolePolicy` (e.g. canInvite): callers whose role lacks it
    get ROLE_PERMISSION_DENIED (administrators and owners never do).
    `moderator`: moderators, admins and owners only (Misskey's requireModerator).
    """

    def register(handler: Handler) -> Handler:
        REGISTRY[name] = Endpoint(
            name=name,
            handler=handler,
            params=params or {},
            kind=kind,
            credential=credential,
            secure=secure,
            limit=limit,
            errors=e.checked(name, errors or {}),
            file=file,
            allow_get=allow_get,
            param_names=param_names or {},
            replay=replay,
            policy=policy,
            moderator=moderator,
        )
        return handler

    return register


def _domain_error(ep: Endpoint, err: DomainError) -> e.MisskeyError:
    if isinstance(err, RowGone):  # deleted meanwhile: the endpoint's own "no such …" if one
        own = [k for k in ep.errors if k.startswith("not_found:")]
        if len(own) == 1:
            return ep.errors[own[0]].raise_()
    if isinstance(err, Conflict):  # a racing twin wrote it first
        return e.err("DUPLICATE_RECORD", "That record already exists.", status=409).raise_()
    if isinstance(err, NotFound):
        found = ep.errors.get(f"not_found:{err.kind}")
        if found is None:
            missing = "NO_SUCH_" + err.label.upper().replace(" ", "_")
            found = e.err(missing, Text("No such {thing}.", thing=err.label.lower()))
        return found.raise_()
    if isinstance(err, ValidationFailed):
        first = err.errors[0]
        param = ep.param_names.get(first.attribute, first.attribute)
        return invalid(param, first.message)
    if isinstance(err, RateLimited):
        return rate_limit_exceeded(err.limit, err.retry_at)
    if isinstance(err, oauth.InvalidToken):
        return e.AUTHENTICATION_FAILED.raise_()
    code: str | None = getattr(err, "code", None)
    if isinstance(err, Forbidden):
        denied = ep.errors.get(code or "forbidden")
        return (denied or e.err("FORBIDDEN", err.message, status=403)).raise_()
    if isinstance(err, Unprocessable | AuthenticationFailed) and code:
        return (ep.errors.get(code) or e.err(code, err.message)).raise_()
    return e.err("UNPROCESSABLE", err.message).raise_()


PAYLOAD_TOO_LARGE = e.err("PAYLOAD_TOO_LARGE", "The request body is too large.", status=413)


async def _body(request: Request, ep: Endpoint) -> tuple[dict[str, Any], Upload | None, bool]:
    """Parameters (and an uploaded file) from JSON, multipart or, for GET, the query string.

    Bodies are limited (1 MiB of JSON as Misskey; multipart up to the upload size), and no
    parameter may hold a NUL character or nest too deeply (INVALID_PARAM naming it)."""
    try:
        params, upload, from_text = await _read(request)
        check_values(params)  # the file's name and type too, before it is set apart
    except PayloadTooLarge as err:
        raise PAYLOAD_TOO_LARGE.explained(err.message) from None
    except BadRequest as err:
        raise invalid(err.param or "body", err.reason) from None
    if upload is not None:
        params = {k: v for k, v in params.items() if not isinstance(v, Upload)}
    return params, upload, from_text


async def _read(request: Request) -> tuple[dict[str, Any], Upload | None, bool]:
    if request.method == "GET":
        return dict(request.query_params), None, True
    media_type = content_type(request)
    if media_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        multipart = media_type == "multipart/form-data"
        settings = request.app.state.services.settings
        await read_body(request, upload_limit(settings) if multipart else MISSKEY_JSON_LIMIT)
        try:
            form = await request.form(max_files=2, max_fields=200)
        except Exception:  # python-multipart raises several kinds of parse errors
            reason = Text("the multipart body cannot be parsed")
            raise BadRequest("", param="body", reason=reason) from None
        fields: list[tuple[str, Any]] = []
        upload: Upload | None = None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                upload = Upload(await value.read(), value.content_type, value.filename)
                fields.append((key, upload))
            else:
                fields.append((key, value))
        return nest(fields), upload, True
    raw = await read_body(request, MISSKEY_JSON_LIMIT)
    if not raw.strip():
        return {}, None, False
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("", param="body", reason=Text("the body is not valid JSON")) from None
    if not isinstance(body, dict):
        raise BadRequest("", param="body", reason=Text("the body must be a JSON object"))
    return body, None, False


def request_token(request: HTTPConnection, body: dict[str, Any]) -> str | None:
    """The token in `body["i"]` (taken out of it), else an `Authorization: Bearer` one."""
    given = body.pop("i", None)
    if given is not None:
        if not isinstance(given, str):
            raise invalid("i", "must be string")
        return given
    scheme, _, value = (header(request, b"authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def authenticate(services: Services, token: str | None) -> Principal | None:
    """The caller behind a token (None without one); AUTHENTICATION_FAILED for a bad one."""
    if token is None:
        return None
    try:
        if app_auth.is_userkey(token):  # the raw accessToken of auth/session/userkey
            principal = await app_auth.userkey_principal(services.db, token)
        else:
            principal = await oauth.principal(services.db, token)
    except oauth.InvalidToken:
        raise e.AUTHENTICATION_FAILED.raise_() from None
    return principal if principal.account is not None else None


def _authorize(ep: Endpoint, principal: Principal | None, *, policy_ok: bool = True) -> None:
    if principal is None:
        if ep.secure:  # as Misskey: a secure endpoint refuses anonymous callers the same way
            raise e.ACCESS_DENIED.raise_()
        if ep.credential:
            raise e.CREDENTIAL_REQUIRED.raise_()
        return
    assert principal.user is not None and principal.account is not None
    blocked = sessions.login_block(principal.user, principal.account)
    if blocked == "disabled":
        raise e.SUSPENDED.raise_()
    if blocked is not None and (ep.credential or ep.secure):
        raise e.PENDING.raise_()
    if ep.moderator and principal.account.role not in MODERATOR_ROLES:
        raise e.NOT_MODERATOR.raise_()  # (before the token's kind, as Misskey checks)
    if not policy_ok:  # the role's policy, also before the token's kind (ApiCallService)
        raise ROLE_POLICY_DENIED.raise_()
    native = principal.token.native
    if ep.secure and not native:
        raise e.ACCESS_DENIED.raise_()
    if ep.kind and not native and not permissions.granted(ep.kind, principal.token.scopes):
        raise e.PERMISSION_DENIED.raise_()


# Misskey's refusal for a role without the endpoint's `requiredRolePolicy` (ApiCallService).
ROLE_POLICY_DENIED = e.err(
    "ROLE_PERMISSION_DENIED",
    "You are not assigned to a required role.",
    "7f86f06f-7e15-4057-8561-f4b6d4ac755a",
    403,
    "permission",
)


async def _policy_ok(services: Services, ep: Endpoint, principal: Principal | None) -> bool:
    """Whether the caller's role has the endpoint's policy (no policy, or no caller: `_authorize`
    decides); read before `_authorize`, which is not async, tells the refusal in its turn."""
    if ep.policy is None or principal is None or principal.account is None:
        return True
    return await role_policies.allows(services.db, principal.account.role, ep.policy)


async def _limit(
    services: Services, ep: Endpoint, request: Request, principal: Principal | None
) -> None:
    limiter = services.limiter
    if ep.limit is None or not limiter.enabled:
        return
    duration_ms, most = ep.limit
    allowed = max(1, round(most * services.settings.endpoint_limit_factor))
    actor: str | int = (
        principal.account.id if principal and principal.account else ip_key(client_ip(request))
    )
    hit = await limiter.hit_custom(
        f"misskey:{ep.name}", actor, Throttle(allowed, max(1, duration_ms // 1000))
    )
    if hit is not None and hit.exceeded:
        raise rate_limit_exceeded(hit.limit, hit.reset_at)


def rate_limit_exceeded(limit: int, reset_at: float) -> e.MisskeyError:
    """429 RATE_LIMIT_EXCEEDED with the limiter's info, Retry-After and X-RateLimit-*."""
    info = {"total": limit, "remaining": 0, "reset": int(reset_at), "resetMs": int(reset_at * 1000)}
    return e.MisskeyError(e.RATE_LIMIT_EXCEEDED, info, headers=refused_headers(limit, reset_at))


async def dispatch(request: Request) -> Response:
    services: Services = request.app.state.services
    name: str = request.path_params["name"]
    ep = REGISTRY.get(name)
    principal: Principal | None = None
    try:
        if ep is None:
            raise e.UNKNOWN_ENDPOINT.raise_()
        if request.method == "GET" and not ep.allow_get:
            raise e.err("METHOD_NOT_ALLOWED", "Use POST for this endpoint.", status=405).raise_()
        body, upload, from_text = await _body(request, ep)
        token = request_token(request, body)
        key = _replay_key(ep, token, body) if ep.replay and upload is None else None
        if key is None:
            return (await _answer(services, request, ep, token, body, upload, from_text))[0]
        kept: Kept | None = await caller_cache.replayed(services.db, key)
        if kept is not None:
            await _limit(services, ep, request, kept.principal)
            return kept.response()
        with caller_cache.recorded() as made_of:
            response, principal = await _answer(
                services, request, ep, token, body, upload, from_text
            )
        if response.status_code == 200:
            caller_cache.keep_replay(services.db, key, made_of, Kept.of(response, principal))
        return response
    except e.MisskeyError as err:  # the message in `?lang=`, the user's, or Accept-Language's
        return err.response(request_locale(request, principal, profile_first=True))


def _replay_key(ep: Endpoint, token: str | None, body: dict[str, Any]) -> tuple[object, ...] | None:
    """The call's token and parameters, when every parameter is a plain value (typed: `1`
    and `true` are different calls)."""
    params: list[tuple[str, str, object]] = []
    for name, value in body.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            return None
        params.append((name, type(value).__name__, value))
    return ("misskey", ep.name, token, frozenset(params))


async def _answer(
    services: Services,
    request: Request,
    ep: Endpoint,
    token: str | None,
    body: dict[str, Any],
    upload: Upload | None,
    from_text: bool,
) -> tuple[Response, Principal | None]:
    principal = await authenticate(services, token)
    try:
        await _limit(services, ep, request, principal)
        _authorize(ep, principal, policy_ok=await _policy_ok(services, ep, principal))
        if principal is not None:
            await oauth.seen(services.db, principal, client_ip(request))
        params = validate(ep.params, body, extra=ep.extra_params, from_text=from_text)
        call = Call(request, services, params, principal, upload)
        try:
            result = await ep.handler(call)
        except DomainError as err:
            raise _domain_error(ep, err) from None
    except e.MisskeyError as err:  # in the caller's language (see `dispatch`)
        return err.response(request_locale(request, principal, profile_first=True)), principal
    if result is None:
        return Response(status_code=204), principal
    return (result if isinstance(result, Response) else JSON(result)), principal


class EndpointName(Convertor[str]):
    """A Misskey endpoint name; `v1/…` and `v2/…` stay Mastodon's (their 404s and 405s)."""

    regex = r"(?!v[0-9]+/)[A-Za-z0-9_/-]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("misskey_endpoint", EndpointName())
routes = [Route("/api/{name:misskey_endpoint}", dispatch, methods=["GET", "POST"])]
