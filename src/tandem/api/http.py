"""Request parsing and JSON responses shared by both dialects."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from tandem.core.images import Upload

MAX_BODY = 64 * 1024 * 1024
_KEY = re.compile(r"\A([^\[\]]+)((?:\[[^\[\]]*\])*)\Z")
_PART = re.compile(r"\[([^\[\]]*)\]")
_DATA_URI = re.compile(r"\Adata:([\w.+-]+/[\w.+-]+)?(;base64)?,(.*)\Z", re.DOTALL)


class JSON(Response):
    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class BadRequest(Exception):
    """The request body or parameters cannot be read at all (400)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def nest(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Rails-style keys to nested values: `a[b][]=1` → {"a": {"b": ["1"]}}."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            root[key] = value
            continue
        parts = [match.group(1), *_PART.findall(match.group(2))]
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


async def read_params(request: Request) -> dict[str, Any]:
    """Query string merged with the body (JSON, form or multipart); files become Uploads."""
    params: dict[str, Any] = nest(parse_qsl(request.url.query, keep_blank_values=True))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return params
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY:
        raise BadRequest(f"Request body too large (maximum {MAX_BODY // 1024 // 1024} MB)", 413)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = await request.body()
        if raw.strip():
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise BadRequest(f"The request body is not valid JSON: {exc}") from None
            if not isinstance(body, dict):
                raise BadRequest("The JSON request body must be an object")
            params.update(body)
    elif content_type == "application/x-www-form-urlencoded":
        raw = await request.body()
        try:
            params.update(nest(parse_qsl(raw.decode(), keep_blank_values=True)))
        except UnicodeDecodeError:
            raise BadRequest("The form body is not valid UTF-8") from None
    elif content_type == "multipart/form-data":
        try:
            form = await request.form(max_files=16, max_fields=2000)
        except Exception as exc:  # python-multipart raises several kinds of parse errors
            raise BadRequest(f"The multipart body cannot be parsed: {exc}") from None
        pairs: list[tuple[str, Any]] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                pairs.append((key, Upload(data, value.content_type, value.filename)))
            else:
                pairs.append((key, value))
        params.update(nest(pairs))
    return params


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "0.0.0.0"
