"""Rate limits: Mastodon's numbers, X-RateLimit-* headers, 429s, and Redis-shared counters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import redis

from support.api import PASSWORD, Api, app_token, register, unique
from support.server import RunningServer
from tandem.config import DEFAULT_THROTTLES

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


def test_sign_up_limit_is_five_per_half_hour(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(require_email_confirmation=False, throttles=dict(DEFAULT_THROTTLES))
    token = app_token(server, "write:accounts")
    for _ in range(5):
        assert sign_up(server, token).status_code == 200
    r = sign_up(server, token)
    assert (r.status_code, r.json()) == (429, {"error": "Too many requests"})
    assert r.headers["x-ratelimit-limit"] == "5"
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert RESET.match(r.headers["x-ratelimit-reset"])


def test_app_registration_limit(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(throttles=dict(DEFAULT_THROTTLES))
    data = {"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    codes = [Api(server).post("/api/v1/apps", data=data).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_per_token_and_unauthenticated(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(
        require_email_confirmation=False,
        throttles="per_token_api=3/300,unauthenticated_api=4/300,app_registrations=100/600",
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
    first = make_server(redis_url=redis_url, throttles="unauthenticated_api=5/300")
    second = make_server(redis_url=redis_url, throttles="unauthenticated_api=5/300")
    codes = [Api(s).get("/api/v1/instance").status_code for s in (first, second) * 3]
    assert codes == [200] * 5 + [429]
    keys = redis.Redis.from_url(redis_url).keys("rl:unauthenticated_api:*")
    assert keys
