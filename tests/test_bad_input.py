"""Bad input never becomes a 500: junk parameters against every route give 4xx answers."""

from __future__ import annotations

import socket

import pytest

from support.api import Api, User, register
from support.server import RunningServer
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
    request = (
        "POST /api/v2/media HTTP/1.1\r\n"
        f"Host: {server.settings.domain}\r\n"
        f"Authorization: Bearer {owner.token}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request.encode())
        reply = sock.recv(65536).decode(errors="replace")
    assert reply.startswith("HTTP/1.1 413"), reply
    assert "Request body too large" in reply
