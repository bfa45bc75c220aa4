"""Apps, tokens and the OAuth flows, including every error a client can run into."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from support.api import PASSWORD, Api, User, app_token, create_test_app
from support.server import RunningServer


def make_app(server: RunningServer, **data: Any) -> httpx.Response:
    base = {"client_name": "app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    return Api(server).post("/api/v1/apps", data={**base, **data})


def token_request(server: RunningServer, **data: Any) -> httpx.Response:
    return Api(server).post("/oauth/token", data=data)


def test_create_app_shape_and_defaults(server: RunningServer) -> None:
    r = make_app(server, website="https://app.example")
    assert r.status_code == 200
    body = r.json()
    assert body["scopes"] == ["read"]
    assert body["redirect_uris"] == ["urn:ietf:wg:oauth:2.0:oob"]
    assert body["client_secret_expires_at"] == 0
    assert body["vapid_key"]
    assert set(body) >= {"id", "name", "website", "redirect_uri", "client_id", "client_secret"}
    body = make_app(server, scopes="read " * 40).json()
    assert body["scopes"] == ["read"]
    body = (
        Api(server)
        .post(
            "/api/v1/apps",
            json={
                "client_name": "json app",
                "redirect_uris": ["https://a.example/cb", "https://b.example/cb"],
                "scopes": "read write:statuses",
            },
        )
        .json()
    )
    assert body["redirect_uris"] == ["https://a.example/cb", "https://b.example/cb"]
    assert body["redirect_uri"] == "https://a.example/cb\nhttps://b.example/cb"
    assert body["scopes"] == ["read", "write:statuses"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"client_name": ""}, "Name can't be blank"),
        ({"client_name": "n" * 61}, "Name is too long (maximum is 60 characters)"),
        ({"redirect_uris": ""}, "Redirect URI can't be blank"),
        ({"redirect_uris": "\n"}, "Redirect URI can't be blank"),
        ({"redirect_uris": "not-absolute"}, "Redirect URI must be an absolute URI."),
        ({"redirect_uris": "javascript:alert(1)"}, "Redirect URI is forbidden by the server."),
        ({"redirect_uris": "https://x.example/" + "a" * 2000}, "Redirect URI is too long"),
        ({"scopes": "read bogus"}, "Scopes doesn't match configured on the server"),
        ({"website": "not a url"}, "Website is invalid"),
    ],
)
def test_create_app_errors(server: RunningServer, data: dict[str, str], message: str) -> None:
    r = make_app(server, **data)
    assert r.status_code == 422
    assert r.json()["error"].startswith(f"Validation failed: {message}")


def test_app_verify_credentials(server: RunningServer, alice: User) -> None:
    r = alice.api.get("/api/v1/apps/verify_credentials")
    assert r.status_code == 200
    assert "client_secret" not in r.json()
    assert r.json()["name"] == "tandem tests"
    r = Api(server).get("/api/v1/apps/verify_credentials")
    assert (r.status_code, r.json()) == (401, {"error": "The access token is invalid"})
    r = Api(server, "nonsense").get("/api/v1/apps/verify_credentials")
    assert (r.status_code, r.json()) == (401, {"error": "The access token is invalid"})


def test_client_credentials(server: RunningServer) -> None:
    app = create_test_app(server, "read write")
    base = {
        "grant_type": "client_credentials",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
    }
    assert token_request(server, **base).json()["scope"] == "read"
    assert token_request(server, **base, scope="write:accounts").json()["scope"] == "write:accounts"
    r = token_request(server, **base, scope="read follow")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    r = token_request(server, **{**base, "client_secret": "wrong"})
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    r = token_request(server, grant_type="magic", client_id=app.client_id)
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"
    # HTTP Basic client authentication works too.
    basic = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
    r = Api(server).post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200


def test_password_grant_refresh_and_revoke(server: RunningServer, alice: User) -> None:
    app = alice.app
    r = token_request(
        server,
        grant_type="password",
        client_id=app.client_id,
        client_secret=app.client_secret,
        username=alice.email,
        password=PASSWORD,
        scope="read write",
    )
    assert r.status_code == 200
    issued = r.json()
    assert issued["refresh_token"]
    access = Api(server, issued["access_token"])
    assert access.get("/api/v1/accounts/verify_credentials").status_code == 200
    r = token_request(
        server,
        grant_type="refresh_token",
        client_id=app.client_id,
        client_secret=app.client_secret,
        refresh_token=issued["refresh_token"],
    )
    assert r.status_code == 200
    fresh = r.json()
    assert fresh["scope"] == "read write"
    r = access.get("/api/v1/accounts/verify_credentials")
    assert (r.status_code, r.json()) == (401, {"error": "The access token was revoked"})
    r = Api(server).post(
        "/oauth/revoke",
        data={
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "token": fresh["access_token"],
        },
    )
    assert (r.status_code, r.json()) == (200, {})
    r = Api(server, fresh["access_token"]).get("/api/v1/accounts/verify_credentials")
    assert r.json() == {"error": "The access token was revoked"}
    # A revoked token is refused even on public endpoints.
    assert Api(server, fresh["access_token"]).get(f"/api/v1/accounts/{alice.id}").status_code == 401
    r = Api(server).post(
        "/oauth/revoke",
        data={
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "token": "unknown",
        },
    )
    assert r.status_code == 200
    r = token_request(
        server,
        grant_type="password",
        client_id=app.client_id,
        client_secret=app.client_secret,
        username=alice.email,
        password="wrong password",
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"


def _login_and_consent(server: RunningServer, user: User, authorize_url: str) -> httpx.Response:
    web = httpx.Client(base_url=server.base_url, follow_redirects=False)
    page = web.get(authorize_url)
    form = {
        k: html.unescape(v)
        for k, v in re.findall(r'name="(csrf|return_to)" value="([^"]*)"', page.text)
    }
    r = web.post("/auth/sign_in", data={**form, "login": user.username, "password": PASSWORD})
    assert r.status_code == 303
    page = web.get(r.headers["location"])
    assert "Authorize" in page.text, page.text
    fields = {
        k: html.unescape(v)
        for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    return web.post("/oauth/authorize", data={**fields, "decision": "approve"})


def test_authorization_code_with_pkce_and_redirect(server: RunningServer, alice: User) -> None:
    redirect = "https://client.example/callback"
    app = make_app(server, redirect_uris=redirect, scopes="read write").json()
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    url = (
        f"/oauth/authorize?response_type=code&client_id={app['client_id']}&redirect_uri={redirect}"
        f"&scope=read&state=xyz&code_challenge={challenge}&code_challenge_method=S256"
    )
    r = _login_and_consent(server, alice, url)
    assert r.status_code == 302
    target = urlsplit(r.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == redirect
    query = parse_qs(target.query)
    assert query["state"] == ["xyz"]
    code = query["code"][0]
    base = {
        "grant_type": "authorization_code",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": redirect,
        "code": code,
    }
    r = token_request(server, **base, code_verifier="wrong")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    code2 = parse_qs(urlsplit(_login_and_consent(server, alice, url).headers["location"]).query)[
        "code"
    ][0]
    r = token_request(server, **{**base, "code": code2}, code_verifier=verifier, scope="read write")
    assert r.status_code == 200
    assert r.json()["scope"] == "read"  # the code's scopes, whatever the token request asks
    r = token_request(server, **{**base, "code": code2}, code_verifier=verifier)
    assert r.status_code == 400  # codes work once


def test_authorize_errors_and_deny(server: RunningServer, alice: User) -> None:
    r = httpx.get(f"{server.base_url}/oauth/authorize?response_type=code&client_id=nope")
    assert r.status_code == 400
    redirect = "https://client.example/cb"
    app = make_app(server, redirect_uris=redirect).json()
    r = httpx.get(
        f"{server.base_url}/oauth/authorize?response_type=code&client_id={app['client_id']}&redirect_uri=https://evil.example"
    )
    assert r.status_code == 400
    r = httpx.get(
        f"{server.base_url}/oauth/authorize?response_type=code&client_id={app['client_id']}&scope=write"
    )
    assert r.status_code == 400
    assert "scope" in r.text
    web = httpx.Client(base_url=server.base_url, follow_redirects=True)
    url = f"/oauth/authorize?response_type=code&client_id={app['client_id']}&state=s1"
    page = web.get(url)
    form = {
        k: html.unescape(v)
        for k, v in re.findall(r'name="(csrf|return_to)" value="([^"]*)"', page.text)
    }
    page = web.post("/auth/sign_in", data={**form, "login": alice.email, "password": "nope"})
    assert page.status_code == 401
    assert "Invalid" in page.text
    page = web.post("/auth/sign_in", data={**form, "login": alice.email, "password": PASSWORD})
    fields = {
        k: html.unescape(v)
        for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    r = web.post("/oauth/authorize", data={**fields, "decision": "deny"}, follow_redirects=False)
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["s1"]
    r = web.post("/oauth/authorize", data={**fields, "decision": "approve", "csrf": "forged"})
    assert r.status_code == 403


def test_server_metadata_and_userinfo(server: RunningServer, alice: User) -> None:
    meta = Api(server).get("/.well-known/oauth-authorization-server").json()
    assert meta["token_endpoint"] == f"{server.base_url}/oauth/token"
    assert {"authorization_code", "client_credentials", "password", "refresh_token"} <= set(
        meta["grant_types_supported"]
    )
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "read:accounts" in meta["scopes_supported"]
    token = alice.token_with("profile")
    r = Api(server, token).get("/oauth/userinfo")
    assert r.status_code == 200
    assert r.json()["preferred_username"] == alice.username
    # `profile` opens only its own doors.
    assert Api(server, token).get("/api/v1/accounts/verify_credentials").status_code == 200
    assert Api(server, token).get("/api/v1/profile").status_code == 200
    assert Api(server, token).get("/api/v1/mutes").status_code == 403
    assert Api(server, alice.token_with("read")).get("/oauth/userinfo").status_code == 403


def test_app_token_on_user_endpoint(server: RunningServer) -> None:
    r = Api(server, app_token(server, "read")).get("/api/v1/accounts/verify_credentials")
    assert (r.status_code, r.json()) == (
        422,
        {"error": "This method requires an authenticated user"},
    )
    r = Api(server, app_token(server, "read")).get("/api/v1/apps/verify_credentials")
    assert r.status_code == 200


def test_token_in_query_param(server: RunningServer, alice: User) -> None:
    r = httpx.get(
        f"{server.base_url}/api/v1/accounts/verify_credentials",
        params={"access_token": alice.token},
    )
    assert r.status_code == 200
