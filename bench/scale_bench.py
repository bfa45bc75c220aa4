"""Latency of the list and search endpoints at 10k, 100k and 1M accounts: flat, or not.

    .venv/bin/python bench/scale_bench.py --scales 10000,100000,1000000 --backends sqlite,postgresql
    .venv/bin/python bench/scale_bench.py --quick      # 10k only, 30 requests per endpoint

For each backend and scale, on the database bench/seed.py made for it (seeded first when
missing, 30 follows per account), starts one `tandem serve` process and sends each endpoint a
fixed number of requests one after another (after a warm-up), as the seeded viewer. Prints
p50/p99 per endpoint and scale, the statements each request ran, and p99 at the largest
scale over p99 at the smallest. Deep pages start at the follow 90% down the list.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed, seed_sql
from bench.seed_shape import Shape, account_id, relationship_targets, username

SEARCHES = {"ali": "names, usernames", "wils": "a later word"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    params: Any  # query parameters (GET) or the JSON body (POST)
    misskey: bool = False


@dataclass
class Timing:
    p50: float
    p99: float
    statements: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the value below which a fraction q of the samples lie."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def deep_cursors(url: str, celebrity: int) -> dict[str, int]:
    """Follow ids 90% of the way down the celebrity's followers and following lists."""
    found = {}
    async with seed_sql.connect(url, bulk=False) as db:
        for side, column in (("followers", "target_account_id"), ("following", "account_id")):
            where = f"WHERE {column} = {celebrity}"
            total = int(await db.value(f"SELECT COUNT(*) FROM follows {where}"))
            found[side] = int(
                await db.value(
                    f"SELECT id FROM follows {where} ORDER BY id LIMIT 1 OFFSET {total // 10}"
                )
            )
    return found


def cases(shape: Shape, cursors: dict[str, int]) -> list[Case]:
    star = account_id(0)
    kinds = relationship_targets(shape)
    forty = [account_id(i) for k in ("follows", "followers", "blocks", "mutes") for i in kinds[k]]
    forty = list(dict.fromkeys(forty + [account_id(i) for i in range(shape.celebrities)]))[:40]
    someone = username(shape.tier_end + shape.rest // 2)
    out = []
    for side in ("followers", "following"):
        path = f"/api/v1/accounts/{star}/{side}"
        out.append(Case(f"M {side} first page", "GET", path, {"limit": 40}))
        out.append(Case(f"M {side} deep page", "GET", path, {"limit": 40, "max_id": cursors[side]}))
    for side in ("followers", "following"):
        body: dict[str, Any] = {"userId": str(star), "limit": 40}
        out.append(Case(f"K users/{side} first", "POST", f"/api/users/{side}", body, True))
        deep = {**body, "untilId": str(cursors[side])}
        out.append(Case(f"K users/{side} deep", "POST", f"/api/users/{side}", deep, True))
    out += [
        Case("M relationships ×40", "GET", "/api/v1/accounts/relationships", {"id[]": forty}),
        Case("M lookup", "GET", "/api/v1/accounts/lookup", {"acct": someone}),
        Case("K users/show username", "POST", "/api/users/show", {"username": someone}, True),
    ]
    for q, what in SEARCHES.items():
        out.append(
            Case(
                f"M search {q!r} ({what})", "GET", "/api/v1/accounts/search", {"q": q, "limit": 40}
            )
        )
    out.append(Case("K i/favorites", "POST", "/api/i/favorites", {"limit": 10}, True))
    return out


def start_server(url: str, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(
        TANDEM_DATABASE_URL=url,
        TANDEM_DATA_DIR=str(data),
        TANDEM_RATE_LIMITS_ENABLED="false",
        TANDEM_REPORT_STATEMENT_COUNT="true",
    )
    command = [sys.executable, "-m", "tandem", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--domain", f"127.0.0.1:{port}"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=(data / "server.log").open("wb"),
                              stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError((data / "server.log").read_text()[-3000:])
        try:
            if httpx.get(f"{base}/api/v1/instance", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("tandem serve did not start")


def tokens(client: httpx.Client) -> tuple[str, str]:
    """A Mastodon bearer token (password grant) and a Misskey one (sign-in) for the viewer."""
    app = client.post("/api/v1/apps", data={"client_name": "scale bench", "scopes": "read",
                      "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}).json()  # fmt: skip
    grant = {"grant_type": "password", "client_id": app["client_id"], "scope": "read",
             "client_secret": app["client_secret"], "username": seed.VIEWER_EMAIL,
             "password": seed.VIEWER_PASSWORD}  # fmt: skip
    bearer = client.post("/oauth/token", data=grant).json()["access_token"]
    signin = {"username": seed.VIEWER, "password": seed.VIEWER_PASSWORD}
    return bearer, client.post("/api/signin-flow", json=signin).json()["i"]


def measure(
    client: httpx.Client,
    case: Case,
    bearer: str,
    native: str,
    n: int,
    warm: int,
    *,
    may_be_empty: bool = False,
) -> Timing:
    """`n` calls one after another (after `warm` that must answer 200, and unless
    `may_be_empty`, something): p50/p99 in ms, and the statements each call ran."""

    def call() -> httpx.Response:
        if case.misskey:
            return client.post(case.path, json={**case.params, "i": native})
        return client.get(
            case.path, params=case.params, headers={"Authorization": f"Bearer {bearer}"}
        )

    for _ in range(warm):
        first = call()
        if first.status_code != 200 or not (may_be_empty or first.json()):
            raise RuntimeError(f"{case.name}: {first.status_code} {first.text[:300]}")
    samples, statements = [], set()
    for _ in range(n):
        t0 = time.perf_counter()
        r = call()
        samples.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        statements.add(r.headers.get("x-statement-count", "?"))
    return Timing(
        statistics.median(samples), percentile(samples, 0.99), "/".join(sorted(statements))
    )


def measure_all(
    url: str, cases: list[Case], n: int, warm: int, *, may_be_empty: bool = False
) -> dict[str, Timing]:
    """Start `tandem serve` on the database at `url`, sign the viewer in, and `measure`
    every case (the other benchmarks on their own databases share this)."""
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        server, base = start_server(url, Path(tmp))
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                bearer, native = tokens(client)
                return {c.name: measure(client, c, bearer, native, n, warm,
                                        may_be_empty=may_be_empty)
                        for c in cases}  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=60)


def run_scale(backend: str, scale: int, n: int, warm: int) -> dict[str, Timing]:
    url = seed.scale_url(backend, scale)
    shape = Shape(scale, scale * seed.FOLLOWS_PER_ACCOUNT)
    asyncio.run(seed.seed(url, shape, lambda m: print(m, flush=True)))  # no-op when seeded
    cursors = asyncio.run(deep_cursors(url, account_id(0)))
    return measure_all(url, cases(shape, cursors), n, warm)


def report(
    backend: str,
    scales: list[int],
    results: dict[int, dict[str, Timing]],
    *,
    of: str = "",
    what: str = "",
) -> None:
    """A table: p50/p99 and statements per endpoint and scale (`of`: what the scale
    counts, "accounts" when empty), and p99 at the largest scale over the smallest."""
    print(f"\ntandem {backend}{what}: ms per request (p50 / p99), statements per request")
    head = "".join(
        f"{seed.scale_name(s).removeprefix('scale_') + (' ' + of if of else ''):>22}"
        for s in scales
    )
    ratio = f"  p99 {scales[-1] // 1000}k/{scales[0] // 1000}k" if len(scales) > 1 else ""
    print(f"{'endpoint':44}{head}{ratio}")
    for name in results[scales[0]]:
        row = "".join(
            f"{t.p50:8.1f} /{t.p99:6.1f} [{t.statements:>2}]"
            for t in (results[s][name] for s in scales)
        )
        if len(scales) > 1:
            row += f"{results[scales[-1]][name].p99 / results[scales[0]][name].p99:10.2f}x"
        print(f"{name:44}{row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="10k only, 30 requests after 5")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.warmup = 30, 5
        if args.scales == parser.get_default("scales"):
            args.scales = "10000"
    scales = sorted(int(s) for s in args.scales.split(",") if s)
    for backend in [b for b in args.backends.split(",") if b]:
        results = {s: run_scale(backend, s, args.requests, args.warmup) for s in scales}
        report("PostgreSQL" if backend == "postgresql" else "SQLite", scales, results)


if __name__ == "__main__":
    main()
