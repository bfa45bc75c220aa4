"""Requests per second of tandem's hot endpoints next to a bare endpoint, measured in one run.

    .venv/bin/python bench/http_bench.py --both                # SQLite and PostgreSQL
    .venv/bin/python bench/http_bench.py --both --workers 2    # and again with 2 workers
    .venv/bin/python bench/http_bench.py --both --servers granian,uvicorn   # both servers

For each database it starts `bench/serve.py` (tandem as `tandem serve` runs it, on granian,
plus a bare JSON route served by the same server, process and middleware), creates a user,
then runs `wrk -c32` against each endpoint in turn: `--runs` rounds (3), each endpoint once per
round, and prints the median req/s and the median of each round's ratio to the bare route.
The Misskey calls are POSTs with a JSON body, as misskey-js sends them; the server's cost of
delivering a body is the same for any POST, so they are also compared with a bare POST route
that reads and parses its body (the ceiling for any call that must read one).
PostgreSQL runs on a fresh database (created through `--postgres-admin-url`, then dropped). Rate
limits and the access log are off. The idle RSS of each worker is read after start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
POST_SCRIPT = ROOT / "bench" / "post.lua"
BARE = "bare route (baseline)"
BARE_POST = "bare POST route, reads its body"


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    token: bool = False
    body: str | None = None  # a Misskey POST: the JSON body (wrk runs post.lua)


@dataclass
class Setup:
    database: str  # "SQLite" or "PostgreSQL"
    server: str
    workers: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wrk(base: str, case: Case, token: str, seconds: int, connections: int) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"{base}{case.path}"]
    env = dict(os.environ)
    if case.token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    if case.body is not None:
        command[1:1] = ["-s", str(POST_SCRIPT)]
        env["WRK_BODY"] = case.body
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{case.name}: {errors.group(1)} failed responses\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def cases(me: str, token: str) -> list[Case]:
    """The Misskey calls carry the token in the body, as misskey-js sends it."""
    return [
        Case(BARE, "/bench/bare"),
        Case(BARE_POST, "/bench/bare-post", body=f'{{"i": "{token}"}}'),
        Case(
            "GET /api/v1/accounts/verify_credentials",
            "/api/v1/accounts/verify_credentials",
            token=True,
        ),
        Case("GET /api/v1/accounts/:id (anonymous)", f"/api/v1/accounts/{me}"),
        Case("GET /api/v1/accounts/:id (with token)", f"/api/v1/accounts/{me}", token=True),
        Case("Misskey POST /api/i", "/api/i", body=f'{{"i": "{token}"}}'),
        Case(
            "Misskey POST /api/users/show",
            "/api/users/show",
            body=f'{{"i": "{token}", "userId": "{me}"}}',
        ),
        Case("Misskey POST /api/meta", "/api/meta", False, '{"detail": false}'),
    ]


@contextmanager
def database(kind: str, admin_url: str) -> Iterator[str]:
    """ "" for SQLite (a file in the data folder), else a fresh PostgreSQL database's URL."""
    if kind == "SQLite":
        yield ""
        return
    name = f"tandem_bench_{secrets.token_hex(4)}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """granian's workers are the children of the supervisor; uvicorn serves in the process."""
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True
    ).stdout
    return [int(p) for p in out.split()] or [server.pid]


class Server:
    """bench/serve.py on a fresh data folder and database, with one user to sign in as."""

    def __init__(self, setup: Setup, database_url: str) -> None:
        self.setup = setup
        self.data = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
        self.env.update(
            TANDEM_DATA_DIR=str(self.data),
            TANDEM_RATE_LIMITS_ENABLED="false",
            TANDEM_ACCESS_LOG="false",
        )
        if database_url:
            self.env["TANDEM_DATABASE_URL"] = database_url
        self.process: subprocess.Popen[bytes] | None = None  # its own group: all stop

    def tandem(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "tandem", *args], check=True, capture_output=True, env=self.env
        )

    def start(self) -> None:
        self.tandem("migrate")
        self.tandem(
            "admin", "create-user", "bench", "--email", "bench@example.com",
            "--password", "benchmark password",
        )  # fmt: skip
        command = [
            sys.executable, str(ROOT / "bench" / "serve.py"), str(self.port),
            "--workers", str(self.setup.workers), "--server", self.setup.server,
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/bench/bare").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("bench/serve.py did not start")

    def sign_in(self) -> tuple[str, str]:
        """A read token for the user, and the user's account id."""
        app = httpx.post(
            f"{self.base}/api/v1/apps",
            data={"client_name": "bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"},
        ).json()
        token = httpx.post(
            f"{self.base}/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": "bench@example.com",
                "password": "benchmark password",
                "scope": "read",
            },
        ).json()["access_token"]
        me = httpx.get(
            f"{self.base}/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        return str(token), str(me["id"])

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.data, ignore_errors=True)


@dataclass
class Result:
    rps: dict[str, float]  # median req/s per case
    ratio: dict[str, float]  # median over rounds of req/s ÷ the same round's bare req/s
    # for the POST cases, the same against the bare POST route: what is left once the
    # server's cost of delivering a body (the same for any POST) is set apart
    ratio_post: dict[str, float]
    idle_rss: list[float]  # MB per worker process, after start-up


def measure(setup: Setup, database_url: str, args: argparse.Namespace) -> Result:
    server = Server(setup, database_url)
    try:
        server.start()
        token, me = server.sign_in()
        time.sleep(1)
        assert server.process is not None
        idle = [rss_mb(pid) for pid in worker_pids(server.process)]
        all_cases = cases(me, token)
        for case in all_cases:  # warm caches and connection pools
            wrk(server.base, case, token, 2, args.connections)
        rounds: dict[str, list[float]] = {case.name: [] for case in all_cases}
        for _ in range(args.runs):
            for case in all_cases:
                rounds[case.name].append(
                    wrk(server.base, case, token, args.seconds, args.connections)
                )
    finally:
        server.stop()
    posts = {case.name for case in all_cases if case.body is not None}
    return Result(
        rps={name: statistics.median(found) for name, found in rounds.items()},
        ratio={name: _ratio(found, rounds[BARE]) for name, found in rounds.items()},
        ratio_post={name: _ratio(rounds[name], rounds[BARE_POST]) for name in posts},
        idle_rss=idle,
    )


def _ratio(found: list[float], baseline: list[float]) -> float:
    return statistics.median(r / b for r, b in zip(found, baseline, strict=True))


def report(setup: Setup, result: Result, args: argparse.Namespace) -> None:
    rss = ", ".join(f"{mb:.0f}" for mb in result.idle_rss)
    print(
        f"\ntandem on {setup.database}, {setup.server}, {setup.workers} worker(s), "
        f"wrk -t1 -c{args.connections} -d{args.seconds}s, median of {args.runs} "
        f"(idle RSS per worker: {rss} MB)"
    )
    print(f"{'endpoint':42} {'req/s':>9} {'ratio to bare':>14} {'to bare POST':>13}")
    for name, rps in result.rps.items():
        post = result.ratio_post.get(name)
        to_post = f"{post:13.2f}" if post is not None else f"{'':13}"
        print(f"{name:42} {rps:9.0f} {result.ratio[name]:14.2f} {to_post}")


def compare(title: str, left: Result, right: Result, label: str) -> None:
    print(f"\n{title}")
    print(f"{'endpoint':42} {label:>12}")
    for name, rps in left.rps.items():
        print(f"{name:42} {rps / right.rps[name]:11.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--both", action="store_true", help="SQLite, then PostgreSQL")
    parser.add_argument("--postgresql", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--postgres-admin-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="the server on which a fresh PostgreSQL database is created for each run",
    )
    parser.add_argument("--workers", type=int, default=1, help="also measure N workers")
    parser.add_argument("--servers", default="granian", help="comma list: granian,uvicorn")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if args.both:
        databases = ["SQLite", "PostgreSQL"]
    else:
        databases = ["PostgreSQL" if args.postgresql else "SQLite"]
    for kind in databases:
        results: dict[tuple[str, int], Result] = {}
        setups = [Setup(kind, server, 1) for server in servers]
        if args.workers > 1:
            setups.append(Setup(kind, servers[0], args.workers))
        for setup in setups:
            with database(kind, args.postgres_admin_url) as url:
                result = measure(setup, url, args)
            results[(setup.server, setup.workers)] = result
            report(setup, result, args)
        first = results[(servers[0], 1)]
        for server in servers[1:]:
            compare(
                f"{servers[0]} ÷ {server} on {kind}, 1 worker (req/s)",
                first,
                results[(server, 1)],
                f"{servers[0]}/{server}",
            )
        if args.workers > 1:
            compare(
                f"scaling on {kind}: {args.workers} workers ÷ 1 worker (req/s, "
                f"{os.cpu_count()} cores, wrk on the same machine)",
                results[(servers[0], args.workers)],
                first,
                f"{args.workers}w/1w",
            )


if __name__ == "__main__":
    main()
