"""Fuzzing every Misskey endpoint with generated bodies: never a 5xx, never a hang.

The endpoint list comes from `POST /api/endpoints` and each endpoint's parameters from
`POST /api/endpoint`. For every parameter the fuzzer sends wrong types, nulls, huge and
NUL-bearing strings, huge/negative/float numbers and nested values, each inside an otherwise
plausible body (real ids, so handlers run); every endpoint also gets broken bodies (malformed
JSON, 10k nested arrays, wrong content types, invalid UTF-8) and an anonymous call. Choices are
deterministic (a fixed seed), so CI sends the same requests each run. The fuzzer has a server
of its own: what it changes harms no other test.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from support.misskey import MkUser, mk_user, sign_in
from support.server import RunningServer

SEED = 20261201
TIMEOUT = 15  # seconds; a request that takes longer counts as a hang
BAD_PER_PARAM = 3
MIN_REQUESTS = 1200
SKIPPED = {"i/delete-account"}  # would end the fuzzing user (it needs the password anyway)

DEEP = "[" * 10_000 + "]" * 10_000
BAD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    -1e308,
    2**63,
    -(2**63) - 1,
    10**30,
    9_007_199_254_740_993,
    "",
    "x" * 100_000,
    "a\x00b",
    "\u202e\U0001f600\ufeff",
    "9" * 5000,
    "-1",
    "1e5",
    [],
    [None],
    ["x"] * 1000,
    {},
    {"a": {"b": None}},
    json.loads("[" * 100 + "]" * 100),
    {"\x00": 1},
]


# Per parameter type, edge values always tried (in turn) besides the random ones.
EDGES: dict[str, list[Any]] = {
    "Integer": [2**63 - 1, 10**30, -(2**63), 9_000_000_000_000_000, -1],
    "Number": [2**63, -1e308, 0.5],
    "String": ["a\x00b", "x" * 100_000, "9" * 30, " "],
    "Array": [["x"] * 1000, [None], [[[]]], ["a\x00"]],
    "Object": [{"a": [None]}, {"\x00": 1}],
    "Boolean": ["true", 1],
    "Any": [2**63, "a\x00b", ["9" * 30]],
}


def _broken_bodies(token: str) -> list[tuple[bytes, str]]:
    """Bodies no parser should accept, with their Content-Type."""
    return [
        (b'{"i": "' + token.encode() + b'", ', "application/json"),
        (f'{{"i": "{token}", "x": {DEEP}}}'.encode(), "application/json"),
        (f'{{"i": "{token}"}}'.encode(), "text/plain"),
        (f"i={token}&a=%00&b[c][d][]=1&e[".encode(), "application/x-www-form-urlencoded"),
        (b'--x\r\nContent-Disposition: form-data; name="i"\r\n\r\nbroken', "multipart/form-data"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"i": "\xff\xfe"}', "application/json"),
        (b'{"x": "\\ud800", "y": 1e999}', "application/json"),
        (b"\x00" * 64, "application/json"),
    ]


@pytest.fixture(scope="module")
def fuzz_server(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(backend).start()
    yield running
    running.close()


class Fuzzer:
    def __init__(self, server: RunningServer, user: MkUser, target: MkUser) -> None:
        self.server = server
        self.user = user
        self.target = target
        self.client = httpx.Client(base_url=server.base_url, timeout=TIMEOUT)
        self.sent = 0
        self.failures: list[str] = []

    def post(self, endpoint: str, *, label: str, **kw: Any) -> httpx.Response | None:
        self.sent += 1
        try:
            r = self.client.post(f"/api/{endpoint}", **kw)
        except httpx.HTTPError as exc:  # a hang (timeout) or a dropped connection
            self.failures.append(f"{endpoint} {label}: {exc!r}")
            self.client = httpx.Client(base_url=self.server.base_url, timeout=TIMEOUT)
            return None
        if r.status_code >= 500:
            self.failures.append(f"{endpoint} {label}: {r.status_code} {r.text[:300]}")
        elif r.status_code >= 400 and r.content:
            error = r.json().get("error")
            if not isinstance(error, dict) or not {"code", "message", "id"} <= set(error):
                self.failures.append(f"{endpoint} {label}: not Misskey's error shape: {r.text}")
        return r

    def call(self, endpoint: str, body: dict[str, Any], label: str) -> None:
        content = json.dumps({"i": self.user.token, **body}).encode()
        r = self.post(
            endpoint, label=label, content=content, headers={"Content-Type": "application/json"}
        )
        if r is not None and r.status_code == 401:
            self._keep_signed_in()

    def _keep_signed_in(self) -> None:
        """A fuzzed call may have ended the token (revoke, regenerate): sign in again."""
        check = self.client.post("/api/i", json={"i": self.user.token})
        if check.status_code == 401:
            self.user.token = sign_in(self.server, self.user.username, self.user.password)

    def plausible(self, name: str, kind: str) -> Any:
        """A value of the right type (ids of a real user) so that handlers get to run."""
        if kind == "String":
            if name.endswith("Id"):
                return self.target.id
            return "fuzz"
        if name.endswith("Ids") and kind == "Array":
            return [self.target.id]
        return {"Integer": 1, "Number": 1, "Boolean": True, "Array": [], "Object": {}}.get(kind)


def test_misskey_endpoints_never_fail(
    fuzz_server: RunningServer, record_property: Callable[[str, object], None]
) -> None:
    user, target = mk_user(fuzz_server), mk_user(fuzz_server)
    fuzzer = Fuzzer(fuzz_server, user, target)
    names = fuzzer.client.post("/api/endpoints", json={}).json()
    assert len(names) >= 50, names
    rng = random.Random(SEED)
    pool = list(range(len(BAD_VALUES)))
    broken = _broken_bodies(user.token)
    for index, name in enumerate(n for n in names if n not in SKIPPED):
        info = fuzzer.client.post("/api/endpoint", json={"endpoint": name}).json()
        params = [(p["name"], p["type"]) for p in (info or {}).get("params", [])]
        base = {p: fuzzer.plausible(p, kind) for p, kind in params}
        base = {k: v for k, v in base.items() if v is not None}
        fuzzer.call(name, base, "plausible body")
        for position, (param, kind) in enumerate(params):
            edges = EDGES.get(kind, [None])
            values = [edges[(index + position) % len(edges)]]
            values += [BAD_VALUES[choice] for choice in rng.sample(pool, BAD_PER_PARAM)]
            for value in values:
                fuzzer.call(name, {**base, param: value}, f"{param}={str(value)[:40]!r}")
        if params:
            spoiled = {p: BAD_VALUES[rng.choice(pool)] for p, _ in params}
            fuzzer.call(name, spoiled, "every param wrong")
        for content, content_type in (broken[index % len(broken)], broken[(index + 4) % 9]):
            fuzzer.post(
                name,
                label=f"broken {content_type} body {content[:30]!r}",
                content=content,
                headers={"Content-Type": content_type},
            )
        fuzzer.post(name, label="anonymous", json={p: BAD_VALUES[0] for p, _ in params})
        fuzzer.sent += 1
        query = "&".join(f"{p}=%00" for p, _ in params) or "x=%00"
        r = fuzzer.client.get(f"/api/{name}?{query}")
        if r.status_code >= 500:
            fuzzer.failures.append(f"GET {name}?{query}: {r.status_code} {r.text[:300]}")
    print(
        f"\nMisskey fuzz ({fuzz_server.backend}): {len(names)} endpoints, "
        f"{fuzzer.sent} requests, {len(fuzzer.failures)} failures"
    )
    record_property("requests_sent", fuzzer.sent)  # summed in the run's summary (conftest)
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:30])
    assert fuzzer.sent >= MIN_REQUESTS
