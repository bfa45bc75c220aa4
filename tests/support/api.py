"""HTTP helpers: a small client, and users created the way a real client would."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from mastodon import Mastodon

from support.server import RunningServer

DEFAULT_SCOPES = "read write follow push"
PASSWORD = "correct horse battery"


def unique(prefix: str = "user") -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


class Api:
    """httpx with the server's base URL and, optionally, a bearer token."""

    def __init__(self, server: RunningServer, token: str | None = None) -> None:
        self.server = server
        self.token = token
        self.client = httpx.Client(base_url=server.base_url, timeout=30)

    def _headers(self, headers: dict[str, str] | None, token: str | None) -> dict[str, str]:
        out = dict(headers or {})
        bearer = token if token is not None else self.token
        if bearer:
            out.setdefault("Authorization", f"Bearer {bearer}")
        return out

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> httpx.Response:
        return self.client.request(method, path, headers=self._headers(headers, token), **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)


@dataclass
class TestApp:
    client_id: str
    client_secret: str
    scopes: str


@dataclass
class User:
    server: RunningServer
    id: str
    username: str
    email: str
    password: str
    token: str
    scopes: str
    app: TestApp
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> Api:
        return Api(self.server, self.token)

    def mastodon(self) -> Mastodon:
        return Mastodon(
            api_base_url=self.server.base_url,
            client_id=self.app.client_id,
            client_secret=self.app.client_secret,
            access_token=self.token,
        )

    def token_with(self, scopes: str) -> str:
        return password_token(self.server, self.username, self.password, scopes)


def create_test_app(server: RunningServer, scopes: str = DEFAULT_SCOPES) -> TestApp:
    r = Api(server).post(
        "/api/v1/apps",
        data={
            "client_name": "tandem tests",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": scopes,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return TestApp(body["client_id"], body["client_secret"], scopes)


def shared_app(server: RunningServer) -> TestApp:
    app = getattr(server, "_test_app", None)
    if app is None:
        app = create_test_app(server, "read write follow push profile admin:read admin:write")
        server._test_app = app  # type: ignore[attr-defined]
    return app


def app_token(server: RunningServer, scopes: str = "read write", app: TestApp | None = None) -> str:
    app = app or shared_app(server)
    r = Api(server).post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "scope": scopes,
        },
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def password_token(server: RunningServer, login: str, password: str, scopes: str) -> str:
    app = shared_app(server)
    r = Api(server).post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "username": login,
            "password": password,
            "scope": scopes,
        },
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def confirmation_link(server: RunningServer, address: str) -> str:
    mail = server.wait_for_mail(address)
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    match = re.search(r"(https?://\S+/auth/confirmation\?confirmation_token=\S+)", body.decode())
    assert match, body
    return match.group(1)


def confirm(server: RunningServer, address: str) -> None:
    link = confirmation_link(server, address)
    r = httpx.get(link, timeout=30)
    assert r.status_code == 200, r.text


def register(
    server: RunningServer,
    username: str | None = None,
    *,
    confirmed: bool = True,
    scopes: str = DEFAULT_SCOPES,
    **profile: Any,
) -> User:
    """Sign up through the API like an app would, confirm the e-mail, set profile fields."""
    username = username or unique()
    email = f"{username}@example.com"
    app = shared_app(server)
    token = app_token(server, "write:accounts")
    r = Api(server, token).post(
        "/api/v1/accounts",
        data={
            "username": username,
            "email": email,
            "password": PASSWORD,
            "agreement": "true",
            "locale": "en",
        },
    )
    assert r.status_code == 200, r.text
    user_token = r.json()["access_token"]
    if confirmed and server.settings.require_email_confirmation:
        confirm(server, email)
    account_id = ""
    if confirmed:
        api = Api(server, user_token)
        if profile:
            r = api.patch("/api/v1/accounts/update_credentials", json=profile)
            assert r.status_code == 200, r.text
        r = api.get("/api/v1/accounts/verify_credentials")
        assert r.status_code == 200, r.text
        account_id = r.json()["id"]
    return User(server, account_id, username, email, PASSWORD, user_token, app.scopes, app)
