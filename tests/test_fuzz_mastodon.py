"""Fuzzing the Mastodon dialect from Mastodon's OpenAPI document: never a 5xx, never a hang.

Every operation of the document that tandem serves (matched against the app's routes) gets a
few generated requests: valid ones with a real user's token (real ids in the path, so handlers
run), invalid ones (negative mode: wrong types, missing and out-of-range values) with the token,
and valid ones without a token. Generation is derandomized, so CI sends the same requests each
run. The fuzzer has a server of its own: what it breaks (blocks, deletes…) harms no other test.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import HypothesisException
from starlette.routing import Route

from support.api import User, register
from support.server import RunningServer
from tandem.app import all_routes

SPEC = Path(__file__).resolve().parents[2] / "shared/spec/reference/mastodon-openapi-4.7.0.json"
TIMEOUT = 15  # seconds; a request that takes longer counts as a hang
STREAMING_HEALTH = "/api/v1/streaming/health"
# Requests per operation: valid with the token (each sent again with one parameter replaced by
# an edge value), invalid with the token, valid without a token.
POSITIVE, NEGATIVE, ANONYMOUS = 5, 6, 1
MIN_REQUESTS = 800
# What generated values rarely hit: NUL characters, numbers past int64 (as text and as JSON
# numbers), thousands of digits, non-ASCII and blank text.
EDGES: list[Any] = [
    "a\x00b",
    "9223372036854775808",
    10**30,
    "9" * 5000,
    "-9223372036854775809",
    "1e400",
    "é\u202e\U0001f600",
    "",
    2**63,
    "\x00",
]
# Path ids that cannot be ids: too long for int64, too long for int() itself.
ODD_IDS = ["99999999999999999999", "9" * 5000]

schemathesis = pytest.importorskip("schemathesis")
pytestmark = pytest.mark.skipif(
    not SPEC.exists(), reason=f"Mastodon's OpenAPI file is absent: {SPEC}"
)


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


@pytest.fixture(scope="module")
def fuzz_server(backend: str) -> Iterator[RunningServer]:
    running = RunningServer(backend).start()
    yield running
    running.close()


def _served_operations(server: RunningServer) -> list[Any]:
    served = {
        (method, _shape(route.path))
        for route in all_routes(server.settings)
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    schema = schemathesis.openapi.from_path(SPEC)
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/streaming/") and operation.path != STREAMING_HEALTH:
            continue  # an open stream never ends: tests/test_mastodon_streaming.py covers them
        if (operation.method.upper(), _shape(operation.path)) in served:
            operations.append(operation)
    return operations


def _real_ids(server: RunningServer, owner: User, target: User) -> dict[str, str]:
    """Path ids that exist, by path prefix, so generated requests reach the handlers' logic."""
    status = owner.api.post("/api/v1/statuses", data={"status": "fuzz me"})
    assert status.status_code == 200, status.text
    listed = owner.api.post("/api/v1/lists", data={"title": "fuzz"})
    assert listed.status_code == 200, listed.text
    return {
        "/api/v1/accounts/": target.id,
        "/api/v1/statuses/": status.json()["id"],
        "/api/v1/lists/": listed.json()["id"],
        "/api/v1/follow_requests/": target.id,
    }


class Sender:
    def __init__(self, server: RunningServer) -> None:
        self.base_url = server.base_url
        self.session = requests.Session()
        self.sent = 0
        self.failures: list[str] = []

    def send(self, case: Any, token: str | None, *, edge: bool = False) -> None:
        self._send(case, token)
        if edge and self._replace_one(case):
            self._send(case, token)

    def _replace_one(self, case: Any) -> bool:
        """Put an edge value in one query or body parameter (in turn), in place."""
        targets = [(case.query, k) for k in case.query or {}]
        if isinstance(case.body, dict):
            targets += [(case.body, k) for k in case.body]
        if not targets:
            return False
        container, key = targets[self.sent % len(targets)]
        container[key] = EDGES[self.sent % len(EDGES)]
        return True

    def _send(self, case: Any, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.sent += 1
        try:
            response = case.call(
                base_url=self.base_url, session=self.session, headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException as exc:  # a hang (timeout) or a dropped connection
            self.failures.append(f"{case.method} {case.formatted_path[:120]}: {exc!r}")
            self.session = requests.Session()
            return
        if response.status_code >= 500:
            self.failures.append(
                f"{response.status_code} {case.method} {case.formatted_path[:120]} "
                f"query={case.query!r} body={str(case.body)[:300]!r}: {response.text[:300]}"
            )


def _run(
    operation: Any, strategy: Any, count: int, sender: Sender, token: str | None, edge: bool
) -> None:
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        sender.send(case, token, edge=edge)

    try:
        fuzz()
    except HypothesisException as exc:  # e.g. nothing invalid can be made for this operation
        warnings.warn(f"{operation.method} {operation.path}: {exc}", stacklevel=1)


def test_mastodon_operations_never_fail(
    fuzz_server: RunningServer, record_property: Callable[[str, object], None]
) -> None:
    owner, target = register(fuzz_server), register(fuzz_server)
    ids = _real_ids(fuzz_server, owner, target)
    operations = _served_operations(fuzz_server)
    assert len(operations) >= 50, [f"{o.method} {o.path}" for o in operations]
    sender = Sender(fuzz_server)
    mode = schemathesis.GenerationMode
    for operation in operations:
        fixed = {}
        real = [v for prefix, v in ids.items() if operation.path.startswith(prefix)]
        if "{id}" in operation.path and real:
            fixed = {"id": real[0]}
        # Invalid input needs parameters to spoil (schemathesis keeps paths well-formed);
        # operations with none get random path ids instead.
        spoilable = len(operation.query) > 0 or len(operation.body) > 0
        runs = [
            (mode.POSITIVE, fixed, POSITIVE, owner.token, True),
            (mode.NEGATIVE if spoilable else mode.POSITIVE, {}, NEGATIVE, owner.token, False),
            (mode.POSITIVE, {}, ANONYMOUS, None, True),
        ]
        if "{id}" in operation.path:
            runs += [(mode.POSITIVE, {"id": odd}, 1, owner.token, False) for odd in ODD_IDS]
        for generation, path, count, token, edge in runs:
            strategy = operation.as_strategy(generation, path_parameters=path)
            _run(operation, strategy, count, sender, token, edge)
    print(
        f"\nMastodon fuzz ({fuzz_server.backend}): {len(operations)} operations, "
        f"{sender.sent} requests, {len(sender.failures)} failures"
    )
    record_property("requests_sent", sender.sent)  # summed in the run's summary (conftest)
    assert not sender.failures, "\n".join(sender.failures[:30])
    assert sender.sent >= MIN_REQUESTS
