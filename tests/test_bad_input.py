"""Bad input never becomes a 500: junk parameters against every route give 4xx answers."""

from __future__ import annotations

import base64
import io
import random
import select
import socket
from typing import Any

import httpx
import pytest
from PIL import Image

from support.api import Api, User, register, shared_app
from support.images import png
from support.misskey import mk_user
from support.server import RunningServer
from support.web import browser, hidden_fields
from tandem.api.http import text_body_limit, upload_limit
from test_scope_matrix import MATRIX

JUNK = [
    {"json": {"display_name": ["a", "list"], "note": {"a": 1}, "id": {"x": 1}, "limit": "abc"}},
    {"json": {"fields_attributes": "nope", "source": "x", "status": 5, "media_ids": [{"a": 1}]}},
    {"json": {"fields_attributes": [1, 2], "languages": {"x": {"y": 1}}, "account_ids": "x"}},
    {"data": {"limit": "-5", "max_id": "abc", "since_id": "99999999999999999999999", "id[]": "x"}},
    {"data": {"avatar": "not a file", "header": "data:image/png;base64,!!!", "duration": "soon"}},
    {"content": b"\xff\xfe{", "headers": {"Content-Type": "application/json"}},
    {"content": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data; boundary=x"}},
    {"content": b"%%%=%%%&\xff", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
]


@pytest.fixture(scope="module")
def pair(server: RunningServer) -> tuple[User, User]:
    return register(server), register(server)


@pytest.mark.parametrize(
    ("method", "path", "_scopes"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX]
)
def test_no_server_errors(
    server: RunningServer, pair: tuple[User, User], method: str, path: str, _scopes: tuple[str, ...]
) -> None:
    owner, other = pair
    url = (
        path.replace("{account}", other.id)
        .replace("{status}", "99999")
        .replace("{list}", "99999")
        .replace("{media}", "99999")
        .replace("{tag}", "99999")
    )
    for junk in JUNK:
        r = Api(server, owner.token).request(method, url, **junk)
        assert r.status_code < 500, (junk, r.status_code, r.text)
        assert "error" in r.json() if r.status_code >= 400 else True


def test_huge_and_odd_ids(server: RunningServer, pair: tuple[User, User]) -> None:
    owner, _ = pair
    for odd in ("99999999999999999999999", "0", "-1", "1e5", "%00"):
        r = owner.api.get(f"/api/v1/accounts/{odd}")
        assert r.status_code == 404, odd
        assert r.json() == {"error": "Record not found"}


def test_body_too_large_is_refused_before_reading(
    server: RunningServer, pair: tuple[User, User]
) -> None:
    owner, _ = pair
    head = (
        "POST /api/v2/media HTTP/1.1\r\n"
        f"Authorization: Bearer {owner.token}\r\n"
        "Content-Type: multipart/form-data; boundary=x"
    )
    reply = _content_length_answer(server, head, 200 * 1024 * 1024)
    assert reply.startswith("HTTP/1.1 413"), reply
    assert "Request body too large" in reply


# --- Body limits: refused by Content-Length before reading, and while a chunked body streams.


def _mk_error(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) >= {"message", "code", "id", "kind"}, error
    assert error["code"] == code, error
    return dict(error)


def _invalid_param(r: httpx.Response, param: str) -> None:
    error = _mk_error(r, 400, "INVALID_PARAM")
    assert error["info"]["param"] == param, error
    assert param in error["message"], error


def _stream_chunked(
    server: RunningServer, path: str, headers: dict[str, str], total: int
) -> tuple[bytes, int]:
    """POST a chunked body (no Content-Length) of up to `total` bytes; stop as soon as the server
    answers. Returns the answer and how many body bytes were sent before it came."""
    head = f"POST {path} HTTP/1.1\r\nHost: {server.settings.domain}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += "Transfer-Encoding: chunked\r\n\r\n"
    chunk = b"[" + b"1," * (32 * 1024) + b"1]"  # the same bytes again and again
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode())
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        else:
            sock.sendall(b"0\r\n\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply or len(reply) < reply.index(b"\r\n\r\n") + 50:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not data:
                break
            reply += data
    return reply, sent


def test_misskey_json_body_over_one_mib_is_refused(server: RunningServer) -> None:
    user = mk_user(server)
    body = {"i": user.token, "description": "x" * (2 * 1024 * 1024)}
    r = user.mk.client.post("/api/i/update", json=body)
    error = _mk_error(r, 413, "PAYLOAD_TOO_LARGE")
    assert "1 MB" in error["message"], error
    # Just under the limit is read (and then judged by the schema: description is too long).
    r = user.mk.raw("i/update", {"description": "x" * (1024 * 1024 - 100)})
    _invalid_param(r, "description")


def test_streamed_bodies_are_cut_off_at_the_limit(
    server: RunningServer, pair: tuple[User, User]
) -> None:
    owner, _ = pair
    sixty_four_mib = 64 * 1024 * 1024
    mk = mk_user(server)
    cases = [
        (
            "/api/i/update",
            {"Authorization": f"Bearer {mk.token}"},
            "application/json",
            b'"code":"PAYLOAD_TOO_LARGE"',
        ),
        (
            "/api/v1/statuses",
            {"Authorization": f"Bearer {owner.token}"},
            "application/json",
            b'{"error":"Request body too large',
        ),
        (
            "/api/v2/media",
            {"Authorization": f"Bearer {owner.token}"},
            "multipart/form-data; boundary=x",
            b'{"error":"Request body too large',
        ),
    ]
    for path, headers, content_type, marker in cases:
        # Media uploads take a video (99 MiB): that body goes past their larger limit.
        extra = upload_limit(server.settings) if path.endswith("/media") else 0
        reply, sent = _stream_chunked(
            server, path, {**headers, "Content-Type": content_type}, sixty_four_mib + extra
        )
        assert reply.startswith(b"HTTP/1.1 413"), (path, reply[:300])
        assert marker in reply, (path, reply[:300])
        assert sent < 40 * 1024 * 1024 + extra, (path, sent)  # cut off long before the end


def _noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress (random pixels, stored without compression: cheap)."""
    pixels = random.Random(width * height).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "PNG", compress_level=0)
    return out.getvalue()


def _content_length_answer(server: RunningServer, head: str, length: int) -> str:
    """The answer to a request that announces `length` body bytes and sends none."""
    request = f"{head}\r\nHost: {server.settings.domain}\r\nContent-Length: {length}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request.encode())
        reply = b""
        # Head and body may come in separate segments: read until the body is whole.
        while b"\r\n\r\n" not in reply or len(reply.split(b"\r\n\r\n", 1)[1]) < _length(reply):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
        return reply.decode(errors="replace")


def _length(reply: bytes) -> int:
    for line in reply.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def test_big_mastodon_form_and_json_bodies_are_refused(
    server: RunningServer, pair: tuple[User, User]
) -> None:
    owner, _ = pair
    # Avatars and headers may come as base64 data: URIs, so the limit leaves room for the
    # biggest upload (an avatar and a header) in base64: 23 MiB with the default settings.
    limit = text_body_limit(server.settings)
    assert limit == 23 * 1024 * 1024
    maximum = f"Request body too large (maximum {limit // (1024 * 1024)} MB)"
    image = _noise_png(1300, 1000)
    avatar = "data:image/png;base64," + base64.b64encode(image).decode()
    assert len(avatar) > 5_000_000
    for kw in ({"json": {"avatar": avatar}}, {"data": {"header": avatar}}):
        r = owner.api.patch("/api/v1/accounts/update_credentials", **kw)
        assert r.status_code == 200, r.text[:300]
    me = r.json()
    assert "/accounts/avatars/" in me["avatar"], me
    assert "/accounts/headers/" in me["header"], me
    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        head = (
            "PATCH /api/v1/accounts/update_credentials HTTP/1.1\r\n"
            f"Authorization: Bearer {owner.token}\r\nContent-Type: {content_type}"
        )
        reply = _content_length_answer(server, head, limit + 1)
        assert reply.startswith("HTTP/1.1 413"), reply
        assert maximum in reply, reply
    r = owner.api.patch("/api/v1/accounts/update_credentials", data={"note": "still here"})
    assert r.status_code == 200, r.text
    # The sign-in page's form has its own, smaller limit: an HTML error page.
    big = "x" * 100_000
    r = httpx.post(f"{server.base_url}/auth/sign_in", data={"login": big, "password": "x"})
    assert r.status_code == 413, r.text
    assert "text/html" in r.headers["content-type"], r.text


# --- Unchecked input that used to be a 500.


def test_non_ascii_client_secret_is_just_a_wrong_secret(server: RunningServer) -> None:
    user = register(server)
    app = shared_app(server)
    base = {"client_id": app.client_id, "client_secret": "sécret"}
    for grant in ("client_credentials", "password"):
        r = Api(server).post(
            "/oauth/token",
            data={**base, "grant_type": grant, "username": user.username, "password": "x"},
        )
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "invalid_client"
    r = Api(server).post("/oauth/revoke", data={**base, "token": user.token})
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "invalid_client", r.text
    for credentials in (f"{app.client_id}:sécret", "%00:x", "\x00:\x00"):
        basic = base64.b64encode(credentials.encode()).decode()
        r = Api(server).post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "invalid_client", r.text


def test_huge_numbers_mastodon(server: RunningServer, pair: tuple[User, User]) -> None:
    owner, other = pair
    r = owner.api.post(f"/api/v1/accounts/{other.id}/mute", data={"duration": "1000000000000"})
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith("Validation failed: Duration")
    assert "duration" in r.json()["details"]
    r = owner.api.post(f"/api/v1/accounts/{other.id}/mute", json={"duration": 10**30})
    assert r.status_code == 422, r.text
    r = owner.api.post(f"/api/v1/accounts/{other.id}/mute", data={"duration": "86400"})
    assert r.status_code == 200, r.text
    assert r.json()["muting"], r.text
    owner.api.post(f"/api/v1/accounts/{other.id}/unmute")
    for offset in ("9223372036854775808", "9" * 5000, "-9223372036854775809"):
        r = owner.api.get("/api/v1/accounts/search", params={"q": "user", "offset": offset})
        assert r.status_code == 200, r.text
        if not offset.startswith("-"):
            assert r.json() == []
    r = owner.api.get("/api/v1/blocks", params={"limit": "9" * 5000, "max_id": "9" * 5000})
    assert r.status_code == 200, r.text
    for path in ("/api/v1/accounts/" + "9" * 5000, "/api/v1/statuses/" + "1" * 5000):
        r = owner.api.get(path)
        assert r.status_code == 404, r.text
        assert r.json() == {"error": "Record not found"}, r.text
    r = owner.api.post("/api/v1/accounts/" + "9" * 5000 + "/follow")
    assert r.status_code == 404, r.text


MISSKEY_PAGED = [
    "blocking/list",
    "clips/list",
    "mute/list",
    "following/requests/list",
    "i/favorites",
    "i/notifications",
    "i/signin-history",
]


def test_huge_numbers_misskey(server: RunningServer) -> None:
    user, other = mk_user(server), mk_user(server)
    for expires in (1e17, 100_000_000_000_000_000, 9_000_000_000_000_000):
        r = user.mk.raw("mute/create", {"userId": other.id, "expiresAt": expires})
        _invalid_param(r, "expiresAt")
    for endpoint in MISSKEY_PAGED:
        for param in ("sinceDate", "untilDate"):
            r = user.mk.raw(endpoint, {param: 9223372036854775807})
            _invalid_param(r, param)
            # Far but valid dates (what a JavaScript Date holds) are before/after every id.
            for date in (8_000_000_000_000_000, -8_000_000_000_000_000, 0):
                r = user.mk.raw(endpoint, {param: date})
                assert r.status_code == 200, (endpoint, param, date, r.text)
    r = user.mk.raw("users/relation", {"userId": "99999999999999999999"})
    assert r.status_code in (200, 204), r.text
    r = user.mk.raw("users/relation", {"userId": ["99999999999999999999", other.id]})
    assert r.status_code == 200, r.text
    assert [rel["id"] for rel in r.json()] == [other.id]
    for bad in ([], 5, [5], None):
        _invalid_param(user.mk.raw("users/relation", {"userId": bad}), "userId")
    r = user.mk.raw("users/show", {"userId": "9" * 5000})
    _mk_error(r, 400, "NO_SUCH_USER")
    _invalid_param(user.mk.raw("i/favorites", {"limit": 10**30}), "limit")


def test_nul_characters_are_refused_everywhere(
    server: RunningServer, pair: tuple[User, User]
) -> None:
    owner, _ = pair
    user = mk_user(server)
    anonymous = Api(server)
    # Mastodon: query strings, form and JSON bodies (keys and values), nested values.
    r = owner.api.get("/api/v1/accounts/search?q=%00")
    assert r.status_code == 400
    assert r.json() == {"error": "q must not contain NUL characters"}
    for kw in (
        {"data": {"note": "a\x00b"}},
        {"json": {"note": "a\x00b"}},
        {"json": {"fields_attributes": [{"name": "x", "value": "\x00"}]}},
        {"json": {"a\x00": "b"}},
        {"data": {"fields_attributes[0][name]": "\x00"}},
    ):
        r = owner.api.patch("/api/v1/accounts/update_credentials", **kw)
        assert r.status_code == 400, (kw, r.text)
        assert "must not contain NUL characters" in r.json()["error"], r.text
    r = anonymous.post("/oauth/token", data={"grant_type": "password", "client_id": "\x00"})
    assert r.status_code == 400, r.text
    assert "client_id" in r.json()["error"], r.text
    r = owner.api.get("/api/v1/accounts/lookup", params={"acct": "a\x00"})
    assert r.status_code == 400, r.text
    assert "acct" in r.json()["error"], r.text
    # Misskey: JSON bodies and GET query strings.
    _invalid_param(user.mk.raw("users/show", {"username": "a\x00b"}), "username")
    _invalid_param(user.mk.raw("i/update", {"fields": [{"name": "\x00", "value": "x"}]}), "fields")
    _invalid_param(user.mk.raw("i/registry/set", {"key": "k", "value": {"x": "\x00"}}), "value")
    _invalid_param(user.mk.raw("users/show", {"\x00": 1}), "\\0")
    _invalid_param(user.mk.client.get("/api/users/show?username=%00"), "username")
    # HTML pages: a query with NUL is a 400 page, a path with NUL names nothing (404 page).
    for path, status in (
        ("/oauth/authorize?client_id=%00&response_type=code", 400),
        ("/auth/confirmation?confirmation_token=%00", 400),
        ("/miauth/abc?name=%00", 400),
        ("/auth/sign_in?return_to=%00", 400),
        ("/@a%00b", 404),
        ("/miauth/a%00b", 404),
        ("/auth/a%00b", 404),
    ):
        r = anonymous.get(path)
        assert r.status_code == status, (path, r.text)
        assert "text/html" in r.headers["content-type"], (path, r.headers)
    web = browser(server)
    page = web.get("/auth/sign_in")
    r = web.post("/auth/sign_in", data={**hidden_fields(page), "login": "\x00", "password": "x"})
    assert r.status_code == 400, r.text
    assert "text/html" in r.headers["content-type"], r.text
    r = web.post("/auth/sign_in", data={**hidden_fields(page), "csrf": "é", "login": "a"})
    assert r.status_code == 403, r.text  # a non-ASCII CSRF token is just a wrong one
    r = web.post(
        "/auth/sign_in/two_factor",
        data={**hidden_fields(page), "ticket": "1:99999999999:é", "code": "1"},
    )
    assert r.status_code == 403, r.text


def test_deep_nesting_is_refused(server: RunningServer, pair: tuple[User, User]) -> None:
    owner, _ = pair
    user = mk_user(server)
    deep = "[" * 10_000 + "]" * 10_000
    r = user.mk.client.post(
        "/api/i/update",
        content=f'{{"i": "{user.token}", "fields": {deep}}}',
        headers={"Content-Type": "application/json"},
    )
    _invalid_param(r, "body")  # orjson refuses past 1024 levels: not valid JSON
    nested = "[" * 100 + "]" * 100
    r = user.mk.client.post(
        "/api/i/update",
        content=f'{{"i": "{user.token}", "fields": {nested}}}',
        headers={"Content-Type": "application/json"},
    )
    _invalid_param(r, "fields")
    r = owner.api.patch(
        "/api/v1/accounts/update_credentials",
        content=f'{{"note": {nested}}}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400, r.text
    assert "nested too deeply" in r.json()["error"], r.text
    r = owner.api.patch("/api/v1/accounts/update_credentials", data={"note" + "[a]" * 40: "x"})
    assert r.status_code == 400, r.text
    assert "nested too deeply" in r.json()["error"], r.text
    r = owner.api.get("/api/v1/accounts/relationships?" + "&".join(["id[]=1"] * 3000))
    assert r.status_code == 400, r.text
    assert "Too many parameters" in r.json()["error"], r.text


def test_bad_input_keeps_the_connection(server: RunningServer, pair: tuple[User, User]) -> None:
    """Refusals are ordinary answers: the keep-alive connection serves the next request."""
    owner, other = pair
    api = owner.api
    streams = set()
    for _ in range(3):
        for r, status in (
            (api.get("/api/v1/accounts/search?q=%00"), 400),
            (api.post(f"/api/v1/accounts/{other.id}/mute", data={"duration": "1" * 30}), 422),
            (api.get("/api/v1/accounts/" + "9" * 5000), 404),
            (api.get("/api/v1/accounts/verify_credentials"), 200),
        ):
            assert r.status_code == status, r.text
            streams.add(id(r.extensions["network_stream"]))
    assert len(streams) == 1  # one connection served them all


def _multipart(parts: list[tuple[bytes, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A raw multipart body (httpx would escape what these tests mean to send as is)."""
    body = b""
    for head, content in parts:
        body += b"--XbOuNdArY\r\n" + head + b"\r\n\r\n" + content + b"\r\n"
    body += b"--XbOuNdArY--\r\n"
    return body, {"Content-Type": "multipart/form-data; boundary=XbOuNdArY"}


def _file_part(name: bytes, filename: bytes, content_type: bytes) -> tuple[bytes, bytes]:
    head = b'Content-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s'
    return head % (name, filename, content_type), png(10, 10)


def test_nul_in_uploaded_file_names_and_types_is_refused(
    server: RunningServer, pair: tuple[User, User]
) -> None:
    owner, _ = pair
    user = mk_user(server)
    bad = ((b"a\x00b.png", b"image/png"), (b"a.png", b"image/png\x00x"))
    for filename, content_type in bad:
        token = (b'Content-Disposition: form-data; name="i"', user.token.encode())
        body, headers = _multipart([token, _file_part(b"file", filename, content_type)])
        r = user.mk.client.post("/api/drive/files/create", content=body, headers=headers)
        _invalid_param(r, "file")
        for path, param in (
            ("/api/v1/media", "file"),
            ("/api/v2/media", "file"),
            ("/api/v1/accounts/update_credentials", "avatar"),
            ("/api/v1/accounts/update_credentials", "header"),
        ):
            body, headers = _multipart([_file_part(param.encode(), filename, content_type)])
            method = "PATCH" if "update_credentials" in path else "POST"
            r = owner.api.request(method, path, content=body, headers=headers)
            assert r.status_code == 400, (path, param, r.text)
            assert r.json() == {"error": f"{param} must not contain NUL characters"}, r.text
    # The same files with clean names are stored.
    token = (b'Content-Disposition: form-data; name="i"', user.token.encode())
    body, headers = _multipart([token, _file_part(b"file", b"ab.png", b"image/png")])
    r = user.mk.client.post("/api/drive/files/create", content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "ab.png"
