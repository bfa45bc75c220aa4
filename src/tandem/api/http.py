"""Request parsing and JSON responses shared by both dialects."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from tandem.api.proxies import client_address
from tandem.core.i18n import Text
from tandem.core.images import Upload
from tandem.core.models import Principal
from tandem.core.ratelimits import retry_after

if TYPE_CHECKING:
    from tandem.config import Settings

KIB = 1024
MIB = 1024 * KIB
# Body limits, checked on Content-Length before reading and again while the body streams in.
MISSKEY_JSON_LIMIT = 1 * MIB  # Misskey's bodyLimit
PAGE_FORM_LIMIT = 64 * KIB  # HTML page forms: sign-in, consent
UPLOAD_SLACK = 1 * MIB  # multipart framing and the fields around the files
MAX_DEPTH = 32  # nesting of parameters (Rack's param_depth_limit)
MAX_FIELDS = 2000  # parameters in one query string or form
_KEY = re.compile(r"\A([^\[\]]+)((?:\[[^\[\]]*\])*)\Z")
_PART = re.compile(r"\[([^\[\]]*)\]")
_DATA_URI = re.compile(r"\Adata:([\w.+-]+/[\w.+-]+)?(;base64)?,(.*)\Z", re.DOTALL)


class JSON(Response):
    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@dataclass(frozen=True, slots=True)
class Kept:
    """An answer kept for replaying (core/caller_cache.py): its body and encoded headers (rate
    limits aside, counted again for each replay), and the caller it was made for."""

    body: bytes
    raw_headers: tuple[tuple[bytes, bytes], ...]
    principal: Principal | None

    @classmethod
    def of(cls, response: Response, principal: Principal | None) -> Kept:
        headers = tuple((k, v) for k, v in response.raw_headers if not k.startswith(b"x-ratelimit"))
        return cls(bytes(response.body), headers, principal)

    def response(self, extra: dict[str, str] | None = None) -> Response:
        """The kept answer again, plus `extra` headers, without re-encoding the kept ones."""
        return _Replayed(self.body, self.raw_headers, extra)


class _Replayed(Response):
    def __init__(
        self,
        body: bytes,
        raw_headers: tuple[tuple[bytes, bytes], ...],
        extra: dict[str, str] | None,
    ) -> None:
        self.status_code = 200
        self.body = body
        self.background = None
        # a fresh list: middleware may add headers to the one it is sent
        self.raw_headers = list(raw_headers)
        for key, value in (extra or {}).items():
            self.raw_headers.append((key.lower().encode("latin-1"), value.encode("latin-1")))


class BadRequest(Exception):
    """The request body or parameters cannot be read at all (400); `param` names the culprit
    and `reason` says what is wrong with it, for dialects that report them apart."""

    def __init__(
        self, message: str, status: int = 400, *, param: str | None = None, reason: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.param = param
        self.reason = reason or message


class PayloadTooLarge(BadRequest):
    def __init__(self, limit: int) -> None:
        size = f"{limit // MIB} MB" if limit % MIB == 0 else f"{limit // KIB} KB"
        super().__init__(Text("Request body too large (maximum {size})", size=size), 413)
        self.limit = limit


def _largest_upload(settings: Settings) -> int:
    """The most file bytes one request may carry: a media file, or an avatar and a header
    together (Mastodon's update_credentials)."""
    return max(settings.max_media_size, 2 * settings.max_image_size)


def upload_limit(settings: Settings) -> int:
    """The largest multipart body: the biggest upload (a video too) plus some slack."""
    return max(_largest_upload(settings), settings.max_video_size) + UPLOAD_SLACK


def text_body_limit(settings: Settings) -> int:
    """The largest Mastodon JSON or form body. Its files may come as base64 `data:` URIs
    (a third bigger than the file), so: the biggest upload in base64, rounded up to whole
    MiB, plus some slack."""
    encoded = -(-_largest_upload(settings) * 4 // 3)
    return -(-encoded // MIB) * MIB + UPLOAD_SLACK


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it is known to pass `limit`: by its Content-Length
    before anything is read, else while it streams in (a chunked body has no length)."""
    cached: bytes | None = getattr(request, "_body", None)
    if cached is not None:
        return cached
    length = (header(request, b"content-length") or "").strip()
    if length.isdigit() and (len(length) > 18 or int(length) > limit):
        raise PayloadTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._body = body  # request.body() and request.form() now parse what was read here
    return body


def header(request: HTTPConnection, name: bytes) -> str | None:
    """One request header (`name` in lower case), without building every header's object."""
    for key, value in request.scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def content_type(request: Request) -> str:
    """The media type of the body, lower case, without parameters ("" when none)."""
    return (header(request, b"content-type") or "").split(";")[0].strip().lower()


def _shown(name: str) -> str:
    return name.replace("\x00", "\\0")


def check_values(params: dict[str, Any]) -> None:
    """Parsed parameters hold no NUL character (no database stores one) in any key, string or
    file name, and nest at most MAX_DEPTH deep. Errors name the top-level parameter."""
    stack: list[tuple[str, Any, int]] = []
    for key, value in params.items():
        if "\x00" in key:
            raise _nul(key)
        stack.append((key, value, 1))
    while stack:
        param, value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise _nul(param)
        elif isinstance(value, Upload):
            if "\x00" in (value.filename or "") or "\x00" in (value.content_type or ""):
                raise _nul(param)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise _refused(_shown(param), _too_deep())
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(key, str) and "\x00" in key:
                        raise _nul(param)
                    stack.append((param, item, depth + 1))
            else:
                stack.extend((param, item, depth + 1) for item in value)


def _nul(param: str) -> BadRequest:
    return _refused(_shown(param), Text("must not contain NUL characters"))


def _too_deep() -> Text:
    return Text("is nested too deeply (at most {count} levels)", count=MAX_DEPTH)


def _refused(param: str, reason: Text) -> BadRequest:
    """A parameter refused: the message names it (`reason` in the caller's language)."""
    message = Text("{param} {reason}", param=param, reason=reason)
    return BadRequest(message, param=param, reason=reason)


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """A query string or form body as pairs, with at most MAX_FIELDS of them."""
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise BadRequest(Text("Too many parameters (at most {count})", count=MAX_FIELDS)) from None


def nest(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Rails-style keys to nested values: `a[b][]=1` → {"a": {"b": ["1"]}}."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            root[key] = value
            continue
        parts = [match.group(1), *_PART.findall(match.group(2))]
        if len(parts) > MAX_DEPTH:
            raise _refused(_shown(parts[0]), _too_deep())
        _assign(root, parts, value)
    return root


def _assign(container: dict[str, Any], parts: list[str], value: Any) -> None:
    head, rest = parts[0], parts[1:]
    if not rest:
        container[head] = value
        return
    if rest[0] != "":
        sub = container.get(head)
        if not isinstance(sub, dict):
            sub = container[head] = {}
        _assign(sub, rest, value)
        return
    items = container.get(head)
    if not isinstance(items, list):
        items = container[head] = []
    tail = rest[1:]
    if not tail:
        items.append(value)
        return
    # `a[][name]=x&a[][value]=y`: a new hash starts when its first key repeats.
    if not items or not isinstance(items[-1], dict) or tail[0] in items[-1]:
        items.append({})
    _assign(items[-1], tail, value)


def decode_data_uri(text: str) -> Upload | None:
    match = _DATA_URI.match(text)
    if match is None:
        return None
    try:
        data = (
            base64.b64decode(match.group(3), validate=True)
            if match.group(2)
            else match.group(3).encode()
        )
    except (binascii.Error, ValueError):
        return None
    return Upload(data=data, content_type=match.group(1))


def query_text(request: Request) -> str:
    """The raw query string (no URL object built for it); bytes that are not UTF-8 become
    U+FFFD instead of failing the request."""
    raw: bytes = request.scope.get("query_string", b"")
    return raw.decode("utf-8", "replace")


async def read_params(request: Request) -> dict[str, Any]:
    """Query string merged with the body (JSON, form or multipart); files become Uploads.

    Bodies are limited (413), parameters hold no NUL and nest at most MAX_DEPTH deep (400)."""
    params: dict[str, Any] = (
        nest(parse_pairs(query_text(request))) if request.scope.get("query_string") else {}
    )
    if request.method in ("GET", "HEAD"):
        # Rails reads a GET's body as parameters too (Mastodon.py sends familiar_followers'
        # ids as a JSON body); as in Rails, the query string wins over the body.
        params = {**await _body_params(request), **params}
    elif request.method != "OPTIONS":
        params.update(await _body_params(request))
    check_values(params)
    return params


async def _body_params(request: Request) -> dict[str, Any]:
    media_type = content_type(request)
    settings = request.app.state.services.settings
    if media_type == "application/json" or media_type.endswith("+json"):
        raw = await read_body(request, text_body_limit(settings))
        if not raw.strip():
            return {}
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            why = str(exc)
            raise BadRequest(Text("The request body is not valid JSON: {why}", why=why)) from None
        if not isinstance(body, dict):
            raise BadRequest("The JSON request body must be an object")
        return body
    if media_type == "application/x-www-form-urlencoded":
        raw = await read_body(request, text_body_limit(settings))
        try:
            return nest(parse_pairs(raw.decode()))
        except UnicodeDecodeError:
            raise BadRequest("The form body is not valid UTF-8") from None
    if media_type == "multipart/form-data":
        await read_body(request, upload_limit(settings))
        try:
            form = await request.form(max_files=16, max_fields=MAX_FIELDS)
        except Exception as exc:  # python-multipart raises several kinds of parse errors
            raise BadRequest(
                Text("The multipart body cannot be parsed: {why}", why=str(exc))
            ) from None
        pairs: list[tuple[str, Any]] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                pairs.append((key, Upload(data, value.content_type, value.filename)))
            else:
                pairs.append((key, value))
        return nest(pairs)
    return {}


class IdConvertor(Convertor[int]):
    """Starlette's `int` path convertor, safe for any run of digits: int() refuses strings of
    more than 4300 digits, so one too long to be an id becomes 0, which is no record's id."""

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        return int(value) if len(value) <= 20 else 0

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("int", IdConvertor())  # before any route compiles `{id:int}`


def rate_limit_headers(limit: int, remaining: int, reset_at: float) -> dict[str, str]:
    """Mastodon's X-RateLimit-* headers (both dialects send them)."""
    reset = datetime.fromtimestamp(reset_at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset,
    }


def refused_headers(limit: int, reset_at: float) -> dict[str, str]:
    """A 429's headers: the limit, nothing remaining, when it resets, and Retry-After."""
    return {**rate_limit_headers(limit, 0, reset_at), "Retry-After": str(retry_after(reset_at))}


def client_ip(request: HTTPConnection) -> str:
    """The client's address; behind a trusted proxy, from X-Forwarded-For."""
    peer = request.client.host if request.client else "0.0.0.0"
    services = getattr(request.app.state, "services", None)
    cidrs: tuple[str, ...] = services.settings.trusted_proxies if services is not None else ()
    if not cidrs:
        return peer
    return client_address(peer, request.headers.getlist("x-forwarded-for"), cidrs)
