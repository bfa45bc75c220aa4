"""Rate limits: Mastodon's numbers, X-RateLimit-* headers, 429s, and Redis-shared counters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import redis

from support.api import PASSWORD, Api, app_token, register, shared_app, unique
from support.misskey import Misskey, mk_user
from support.server import RunningServer
from support.web import browser, sign_in_from
from tandem.config import DEFAULT_THROTTLES, Throttle

RESET = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")


def sign_up(server: RunningServer, token: str) -> Any:
    name = unique()
    return Api(server, token).post(
        "/api/v1/accounts",
        data={
            "username": name,
            "email": f"{name}@example.com",
            "password": PASSWORD,
            "agreement": "1",
        },
    )


def test_headers_on_api_responses(server: RunningServer) -> None:
    r = Api(server).get("/api/v1/instance")
    assert r.headers["x-ratelimit-limit"] == "1000000"
    assert int(r.headers["x-ratelimit-remaining"]) < 1000000
    assert RESET.match(r.headers["x-ratelimit-reset"])


# Windows are fixed (they start at multiples of the period), so a test that fills one and
# expects the next request refused uses a day-long period: with Mastodon's 300 s, a test that
# straddles a window's end would see the counter start again. The default numbers are checked
# as they are.


def _daylong(name: str) -> dict[str, Throttle]:
    """The default throttles, with `name`'s limit kept and its window made a day long."""
    return {**DEFAULT_THROTTLES, name: Throttle(DEFAULT_THROTTLES[name].limit, 86400)}


def test_sign_up_limit_is_five_per_half_hour(make_server: Callable[..., RunningServer]) -> None:
    assert DEFAULT_THROTTLES["api_sign_up"] == Throttle(5, 1800)
    server = make_server(require_email_confirmation=False, throttles=_daylong("api_sign_up"))
    token = app_token(server, "write:accounts")
    for _ in range(5):
        assert sign_up(server, token).status_code == 200
    r = sign_up(server, token)
    assert (r.status_code, r.json()) == (429, {"error": "Too many requests"})
    assert r.headers["x-ratelimit-limit"] == "5"
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert RESET.match(r.headers["x-ratelimit-reset"])


def test_app_registration_limit(make_server: Callable[..., RunningServer]) -> None:
    assert DEFAULT_THROTTLES["app_registrations"] == Throttle(5, 600)
    server = make_server(throttles=_daylong("app_registrations"))
    data = {"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    codes = [Api(server).post("/api/v1/apps", data=data).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_per_token_and_unauthenticated(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(
        require_email_confirmation=False,
        throttles="per_token_api=3/86400,unauthenticated_api=4/86400,app_registrations=100/600",
    )
    user = register(server)
    codes = [user.api.get("/api/v1/accounts/verify_credentials").status_code for _ in range(4)]
    # register() itself used the token twice; the limit is per token.
    assert codes[-1] == 429
    other_token = user.token_with("read")
    assert Api(server, other_token).get("/api/v1/accounts/verify_credentials").status_code == 200
    anonymous = [Api(server).get("/api/v1/instance").status_code for _ in range(6)]
    assert 429 in anonymous


def test_follow_limiter(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(require_email_confirmation=False, throttles="follows=2/86400")
    fan = register(server)
    idols = [register(server) for _ in range(3)]
    codes = [fan.api.post(f"/api/v1/accounts/{i.id}/follow").status_code for i in idols]
    assert codes == [200, 200, 429]


@pytest.fixture
def redis_url() -> str:
    url = "redis://127.0.0.1:6379/9"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis is not reachable on 127.0.0.1:6379")
    return url


def test_counters_shared_through_redis(
    make_server: Callable[..., RunningServer], redis_url: str
) -> None:
    first = make_server(redis_url=redis_url, throttles="unauthenticated_api=5/86400")
    second = make_server(redis_url=redis_url, throttles="unauthenticated_api=5/86400")
    codes = [Api(s).get("/api/v1/instance").status_code for s in (first, second) * 3]
    assert codes == [200] * 5 + [429]
    keys = redis.Redis.from_url(redis_url).keys("rl:unauthenticated_api:*")
    assert keys


def _refused(r: Any) -> None:
    """A 429 says when to come back: X-RateLimit-* and Retry-After in whole seconds."""
    assert r.status_code == 429, r.text
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert int(r.headers["x-ratelimit-limit"]) > 0
    assert RESET.match(r.headers["x-ratelimit-reset"])
    assert r.headers["retry-after"].isdigit()
    assert int(r.headers["retry-after"]) >= 1


def test_mastodon_429_has_retry_after(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(throttles="unauthenticated_api=2/86400")
    codes = [Api(server).get("/api/v1/instance") for _ in range(3)]
    _refused(codes[-1])
    assert int(codes[-1].headers["retry-after"]) <= 86400


def _password_grant(server: RunningServer, username: str, password: str, ip: str) -> Any:
    app = shared_app(server)
    return Api(server).post(
        "/oauth/token",
        headers={"X-Forwarded-For": ip},
        data={
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "username": username,
            "password": password,
            "scope": "read",
        },
    )


def _mk_signin(server: RunningServer, username: str, password: str, ip: str) -> Any:
    return Misskey(server).raw(
        "signin-flow",
        {"username": username, "password": password},
        headers={"X-Forwarded-For": ip},
    )


def _proxied(make_server: Callable[..., RunningServer], throttles: str = "") -> RunningServer:
    """Real sign-in limits, and 127.0.0.1 as a trusted proxy: X-Forwarded-For picks the IP."""
    return make_server(
        trusted_proxies="127.0.0.1/32",
        require_email_confirmation=False,
        throttles=throttles or "login_attempts=25/86400,login_attempts_account=100/86400",
    )


def test_oauth_token_failures_lock_the_ip_not_the_owner(
    make_server: Callable[..., RunningServer],
) -> None:
    server = _proxied(make_server)
    victim = register(server)
    attacker = "198.51.100.66"
    for _ in range(25):
        r = _password_grant(server, victim.username, "wrong guess", attacker)
        assert r.json()["error"] == "invalid_grant", r.text
    refused = _password_grant(server, victim.username, PASSWORD, attacker)
    _refused(refused)
    assert refused.json() == {"error": "Too many requests"}
    assert refused.headers["x-ratelimit-limit"] == "25"
    assert int(refused.headers["retry-after"]) <= 86400
    # The owner, elsewhere, still gets in; the attacker's address stays locked out.
    assert _password_grant(server, victim.username, PASSWORD, "203.0.113.5").status_code == 200
    _refused(_password_grant(server, victim.username, "wrong guess", attacker))


def test_successes_do_not_spend_the_failure_budget(
    make_server: Callable[..., RunningServer],
) -> None:
    server = make_server(
        trusted_proxies="127.0.0.1/32",
        require_email_confirmation=False,
        throttles="login_attempts=3/86400,app_registrations=99/600",
    )
    user = register(server)
    for _ in range(6):
        assert _mk_signin(server, user.username, PASSWORD, "192.0.2.1").status_code == 200
    for _ in range(3):
        r = _mk_signin(server, user.username, "nope", "192.0.2.1")
        assert r.json()["error"]["code"] == "INCORRECT_PASSWORD", r.text
    _refused(_mk_signin(server, user.username, PASSWORD, "192.0.2.1"))


def test_misskey_signin_failures_lock_the_ip_not_the_owner(
    make_server: Callable[..., RunningServer],
) -> None:
    server = _proxied(make_server)
    victim = register(server)
    attacker = "198.51.100.77"
    for _ in range(25):
        r = _mk_signin(server, victim.username, "wrong guess", attacker)
        assert r.json()["error"]["code"] == "INCORRECT_PASSWORD", r.text
    refused = _mk_signin(server, victim.username, PASSWORD, attacker)
    _refused(refused)
    assert refused.json()["error"]["code"] == "TOO_MANY_AUTHENTICATION_FAILURES"
    # Guessing user names spends the same budget.
    _refused(_mk_signin(server, "nobody_here", "x", attacker))
    ok = _mk_signin(server, victim.username, PASSWORD, "203.0.113.6")
    assert ok.status_code == 200, ok.text
    assert ok.json()["finished"]
    # The older one-step endpoint answers the same way.
    r = Misskey(server).raw(
        "signin",
        {"username": victim.username, "password": PASSWORD},
        headers={"X-Forwarded-For": attacker},
    )
    _refused(r)


def test_account_budget_stops_guesses_from_many_addresses(
    make_server: Callable[..., RunningServer],
) -> None:
    server = _proxied(make_server, "login_attempts=25/86400,login_attempts_account=4/86400")
    victim = register(server)
    for n in range(4):
        r = _mk_signin(server, victim.username, "wrong", f"198.51.100.{n + 1}")
        assert r.status_code == 403, r.text
    r = _mk_signin(server, victim.username, PASSWORD, "203.0.113.7")
    _refused(r)
    assert r.headers["x-ratelimit-limit"] == "4"


def test_web_sign_in_429_has_retry_after(make_server: Callable[..., RunningServer]) -> None:
    server = _proxied(make_server, "login_attempts=2/86400")
    user = register(server)
    web = browser(server)
    web.headers["X-Forwarded-For"] = "198.51.100.88"
    codes = []
    for password in ("bad", "bad", PASSWORD):
        page = web.get("/auth/sign_in")
        codes.append(sign_in_from(web, page, user.username, password))
    assert [r.status_code for r in codes] == [401, 401, 429]
    assert codes[-1].headers["retry-after"].isdigit()


def test_misskey_endpoint_limit_has_info_and_headers(
    make_server: Callable[..., RunningServer],
) -> None:
    server = make_server(endpoint_limit_factor=0.05, require_email_confirmation=False)
    user = mk_user(server)
    results = [user.mk.raw("i/update", {"name": "x"}) for _ in range(2)]  # 20/h x 0.05: 1
    assert results[0].status_code == 200, results[0].text
    r = results[1]
    _refused(r)
    error = r.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED"
    info = error["info"]
    assert info["total"] == 1
    assert info["remaining"] == 0
    assert info["resetMs"] == info["reset"] * 1000
    assert 0 < int(r.headers["retry-after"]) <= 3600
