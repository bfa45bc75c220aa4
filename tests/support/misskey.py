"""Misskey-dialect helpers: `POST /api/<endpoint>` calls, and users signed in the Misskey way."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

from support.api import PASSWORD, User, register
from support.server import RunningServer


class Misskey:
    """Calls Misskey endpoints; the token travels as `i` in the body, like misskey-js sends it."""

    def __init__(self, server: RunningServer, token: str | None = None) -> None:
        self.server = server
        self.token = token
        self.client = httpx.Client(base_url=server.base_url, timeout=30)

    def raw(self, endpoint: str, body: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        payload = dict(body or {})
        if self.token is not None and "i" not in payload:
            payload["i"] = self.token
        return self.client.post(f"/api/{endpoint}", json=payload, **kw)

    def __call__(self, endpoint: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The result of a call that must succeed (None for 204)."""
        r = self.raw(endpoint, body, **kw)
        assert r.status_code in (200, 204), f"{endpoint}: {r.status_code} {r.text}"
        return r.json() if r.status_code == 200 else None

    def error(
        self, endpoint: str, body: dict[str, Any] | None, status: int, code: str
    ) -> dict[str, Any]:
        """Call, expect Misskey's error shape with this status and code; return the error."""
        r = self.raw(endpoint, body)
        assert r.status_code == status, f"{endpoint}: {r.status_code} {r.text}"
        error = r.json()["error"]
        assert set(error) >= {"message", "code", "id", "kind"}, error
        assert error["code"] == code, error
        assert error["message"], error
        return dict(error)

    def upload(
        self, data: bytes, filename: str, content_type: str, **fields: str
    ) -> dict[str, Any]:
        r = self.client.post(
            "/api/drive/files/create",
            data={"i": self.token or "", **fields},
            files={"file": (filename, data, content_type)},
        )
        assert r.status_code == 200, r.text
        return dict(r.json())


@dataclass
class MkUser:
    """A user with a native (sign-in) token, as the Misskey web client holds."""

    server: RunningServer
    id: str
    username: str
    password: str
    token: str
    mastodon: User

    @property
    def mk(self) -> Misskey:
        return Misskey(self.server, self.token)


def sign_in(server: RunningServer, username: str, password: str = PASSWORD) -> str:
    r = Misskey(server).raw("signin-flow", {"username": username, "password": password})
    assert r.status_code == 200, r.text
    assert r.json()["finished"], r.text
    return str(r.json()["i"])


def mk_user(server: RunningServer, **profile: Any) -> MkUser:
    """Registered like any user, then signed in through the Misskey dialect."""
    user = register(server, **profile)
    token = sign_in(server, user.username)
    return MkUser(server, user.id, user.username, user.password, token, user)


def app_token(user: MkUser, permissions: list[str]) -> str:
    """A token for a third-party app holding `permissions` (app + auth session flow)."""
    anon = Misskey(user.server)
    app = anon(
        "app/create",
        {"name": "tandem tests", "description": "tests", "permission": permissions},
    )
    session = anon("auth/session/generate", {"appSecret": app["secret"]})
    user.mk("auth/accept", {"token": session["token"]})
    key = anon("auth/session/userkey", {"appSecret": app["secret"], "token": session["token"]})
    return hashlib.sha256((key["accessToken"] + app["secret"]).encode()).hexdigest()
