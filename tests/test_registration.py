"""POST /api/v1/accounts: every validation code, registration modes, and account states."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from support.api import (
    PASSWORD,
    Api,
    User,
    app_token,
    confirm,
    confirmation_link,
    register,
    shared_app,
    unique,
)
from support.cli import tandem
from support.server import RunningServer


def sign_up(server: RunningServer, **fields: Any) -> Any:
    base = {
        "username": unique(),
        "email": f"{unique('mail')}@example.com",
        "password": PASSWORD,
        "agreement": "true",
        "locale": "en",
    }
    data = {k: v for k, v in {**base, **fields}.items() if v is not None}
    return Api(server, app_token(server, "write:accounts")).post("/api/v1/accounts", data=data)


def only_error(response: Any, attribute: str, code: str) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"].startswith("Validation failed: ")
    errors = body["details"][attribute]
    assert [e["error"] for e in errors] == [code]
    return str(errors[0]["description"])


def test_success_returns_a_token_with_the_app_scopes(server: RunningServer) -> None:
    r = sign_up(server)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["created_at"], int)
    assert body["scope"] == shared_app(server).scopes
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("fields", "attribute", "code", "description"),
    [
        ({"username": ""}, "username", "ERR_BLANK", "can't be blank"),
        (
            {"username": "no spaces!"},
            "username",
            "ERR_INVALID",
            "must contain only letters, numbers and underscores",
        ),
        (
            {"username": "a" * 31},
            "username",
            "ERR_TOO_LONG",
            "is too long (maximum is 30 characters)",
        ),
        ({"username": "admin"}, "username", "ERR_RESERVED", "is reserved"),
        ({"username": "Adm1n"}, "username", "ERR_RESERVED", "is reserved"),
        ({"username": "m4stodonfan"}, "username", "ERR_RESERVED", "is reserved"),
        ({"email": ""}, "email", "ERR_BLANK", "can't be blank"),
        ({"email": "not-an-address"}, "email", "ERR_INVALID", "is invalid"),
        ({"email": "a,b@example.com"}, "email", "ERR_INVALID", "is invalid"),
        (
            {"email": "x" * 320 + "@example.com"},
            "email",
            "ERR_TOO_LONG",
            "is too long (maximum is 320 characters)",
        ),
        ({"password": ""}, "password", "ERR_BLANK", "can't be blank"),
        (
            {"password": "short"},
            "password",
            "ERR_TOO_SHORT",
            "is too short (minimum is 8 characters)",
        ),
        (
            {"password": "p" * 73},
            "password",
            "ERR_TOO_LONG",
            "is too long (maximum is 72 characters)",
        ),
        ({"agreement": None}, "agreement", "ERR_ACCEPTED", "must be accepted"),
        ({"agreement": "false"}, "agreement", "ERR_ACCEPTED", "must be accepted"),
        ({"locale": "xx-nope"}, "locale", "ERR_INCLUSION", "is not included in the list"),
        (
            {"reason": "r" * 421},
            "reason",
            "ERR_TOO_LONG",
            "is too long (maximum is 420 characters)",
        ),
    ],
)
def test_each_rule_has_its_code(
    server: RunningServer, fields: dict[str, Any], attribute: str, code: str, description: str
) -> None:
    assert only_error(sign_up(server, **fields), attribute, code) == description


def test_all_errors_are_reported_at_once(server: RunningServer) -> None:
    r = sign_up(server, username="bad name", password="", agreement=None)
    assert r.status_code == 422
    body = r.json()
    assert set(body["details"]) == {"username", "password", "agreement"}
    assert body["error"] == (
        "Validation failed: Username must contain only letters, numbers and underscores, "
        "Password can't be blank, Service agreement must be accepted"
    )


def test_taken_username_and_email_case_insensitive(server: RunningServer, alice: User) -> None:
    assert only_error(
        sign_up(server, username=alice.username.upper()), "username", "ERR_TAKEN"
    ) == ("has already been taken")
    assert only_error(sign_up(server, email=alice.email.upper()), "email", "ERR_TAKEN") == (
        "has already been taken"
    )


def test_failed_sign_up_writes_nothing(server: RunningServer) -> None:
    name = unique()
    assert sign_up(server, username=name, password="short").status_code == 422
    assert sign_up(server, username=name).status_code == 200  # the name was never taken


def test_auth_rules(server: RunningServer, alice: User) -> None:
    data = {
        "username": unique(),
        "email": f"{unique()}@example.com",
        "password": PASSWORD,
        "agreement": "1",
    }
    r = Api(server).post("/api/v1/accounts", data=data)
    assert (r.status_code, r.json()) == (401, {"error": "The access token is invalid"})
    r = alice.api.post("/api/v1/accounts", data=data)
    assert r.status_code == 403
    assert r.json() == {"error": "This method requires an client credentials authentication"}
    r = Api(server, app_token(server, "read")).post("/api/v1/accounts", data=data)
    assert (r.status_code, r.json()) == (
        403,
        {"error": "This action is outside the authorized scopes"},
    )


def test_blocked_email_domain(make_server: Any) -> None:
    server = make_server(email_domain_blocklist="spam.example")
    r = sign_up(server, email="someone@mail.spam.example")
    assert only_error(r, "email", "ERR_BLOCKED") == "uses a disallowed e-mail provider"


def test_min_age(make_server: Any) -> None:
    server = make_server(min_age=16)
    today = date.today()
    young = today.replace(year=today.year - 13).strftime("%d.%m.%Y")
    old_enough = today.replace(year=today.year - 17)
    assert only_error(sign_up(server, date_of_birth=young), "date_of_birth", "ERR_BELOW_LIMIT") == (
        "is below the age limit"
    )
    assert only_error(sign_up(server), "date_of_birth", "ERR_BLANK") == "can't be blank"
    assert sign_up(server, date_of_birth=old_enough.strftime("%d.%m.%Y")).status_code == 200
    assert sign_up(server, date_of_birth=old_enough.isoformat()).status_code == 200
    assert sign_up(server, date_of_birth=(today - timedelta(days=1)).isoformat()).status_code == 422


def test_closed_registrations(make_server: Any) -> None:
    server = make_server(registrations="closed")
    r = sign_up(server)
    assert (r.status_code, r.json()) == (403, {"error": "Forbidden"})
    shown = httpx.get(f"{server.base_url}/api/v2/instance", timeout=30)
    assert shown.json()["registrations"]["message"] == "Registrations are closed."
    in_japanese = httpx.get(
        f"{server.base_url}/api/v2/instance", headers={"Accept-Language": "ja"}, timeout=30
    )
    assert in_japanese.json()["registrations"]["message"] == "新規登録は受け付けていません。"
    assert "Accept-Language" in in_japanese.headers["Vary"]
    policy = httpx.get(f"{server.base_url}/api/v1/instance/privacy_policy?lang=de", timeout=30)
    assert "speichert, was du veröffentlichst" in policy.json()["content"]
    assert "Accept-Language" in policy.headers["Vary"]


def test_invite_only(make_server: Any) -> None:
    server = make_server(registrations="invite")
    assert only_error(sign_up(server), "invite_code", "ERR_BLANK") == "can't be blank"
    code = tandem(server, "admin", "create-invite", "--max-uses", "1").stdout.strip()
    assert sign_up(server, invite_code=code).status_code == 200
    used_up = sign_up(server, invite_code=code)  # tests/test_invite_signup.py: every reason
    assert only_error(used_up, "invite_code", "ERR_USED") == "has already been used"


def test_approval_mode_then_admin_approves(make_server: Any) -> None:
    server = make_server(registrations="approval", require_invite_text=True)
    assert only_error(sign_up(server), "reason", "ERR_BLANK") == "can't be blank"
    username = unique()
    email = f"{username}@example.com"
    r = sign_up(server, username=username, email=email, reason="I like tandems")
    assert r.status_code == 200
    api = Api(server, r.json()["access_token"])
    confirm(server, email)
    r = api.get("/api/v1/accounts/verify_credentials")
    assert (r.status_code, r.json()) == (403, {"error": "Your login is currently pending approval"})
    tandem(server, "admin", "approve", username)
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_unconfirmed_then_confirmed_then_disabled(server: RunningServer) -> None:
    user = register(server, confirmed=False)
    r = user.api.get("/api/v1/accounts/verify_credentials")
    assert (r.status_code, r.json()) == (
        403,
        {"error": "Your login is missing a confirmed e-mail address"},
    )
    # Pending accounts do not exist for others yet.
    assert Api(server).get(f"/api/v1/accounts/lookup?acct={user.username}").status_code == 404
    confirm(server, user.email)
    assert user.api.get("/api/v1/accounts/verify_credentials").status_code == 200
    tandem(server, "admin", "disable", user.username)
    r = user.api.get("/api/v1/accounts/verify_credentials")
    assert (r.status_code, r.json()) == (403, {"error": "Your login is currently disabled"})
    tandem(server, "admin", "enable", user.username)
    assert user.api.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_confirmation_link_works_once(server: RunningServer) -> None:
    user = register(server, confirmed=False)
    link = confirmation_link(server, user.email)
    assert httpx.get(link).status_code == 200
    assert httpx.get(link).status_code == 404


def test_json_body_is_accepted(server: RunningServer) -> None:
    token = app_token(server, "write:accounts")
    body = {
        "username": unique(),
        "email": f"{unique()}@example.com",
        "password": PASSWORD,
        "agreement": True,
        "locale": "pt-BR",
    }
    r = Api(server, token).post("/api/v1/accounts", json=body)
    assert r.status_code == 200, r.text
    r = Api(server, token).post(
        "/api/v1/accounts", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["error"]
