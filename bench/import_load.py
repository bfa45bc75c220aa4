"""Request latency while a 10k-entry import runs: background jobs must not starve requests.

    .venv/bin/python bench/import_load.py [--database-url postgresql://…] [--entries 10000]
    .venv/bin/python bench/import_load.py --both     # SQLite, then a fresh PostgreSQL database

Starts `python -m tandem serve` on a temporary data directory, seeds local accounts straight
into the real schema (bench/seed.py's bulk seeder), uploads a Misskey following CSV naming all
of them, queues `i/import-following`, and sends cheap GETs one after another (`/api/v1/instance` and
`/api/v1/accounts/verify_credentials`, alternating) until the import's notification arrives.
Prints p50/p99/max of each GET during the import, and how long the import took.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a script: import the bench package like tests do
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import add_local_accounts

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DOMAIN = "t"  # short, so 10k `name@t` lines fit Misskey's 64 KB cap on a following import
PASSWORD = "benchmark password"
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def short_name(n: int) -> str:
    """n in base 36, at least three characters (never the bench user's name)."""
    out = ""
    while n or len(out) < 3:
        n, digit = divmod(n, 36)
        out = ALPHABET[digit] + out
    return "x" + out if len(out) > 3 else out


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def read_log(data: Path) -> str:
    return (data / "server.log").read_text(errors="replace")[-3000:]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Result:
    backend: str
    entries: int
    import_seconds: float
    latencies: dict[str, list[float]]


def run(database_url: str, entries: int, batch_size: int | None) -> Result:
    data = Path(tempfile.mkdtemp(prefix="tandem-import-load-"))
    url = database_url or f"sqlite:///{data / 'tandem.sqlite3'}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(
        TANDEM_DATA_DIR=str(data),
        TANDEM_DATABASE_URL=url,
        TANDEM_RATE_LIMITS_ENABLED="false",
        TANDEM_REQUIRE_EMAIL_CONFIRMATION="false",
        TANDEM_MAX_FOLLOWS=str(entries + 100),
        TANDEM_JOB_POLL_INTERVAL="0.2",
    )
    if batch_size:
        env["TANDEM_JOB_BATCH_SIZE"] = str(batch_size)
    tandem = [sys.executable, "-m", "tandem"]
    subprocess.run([*tandem, "migrate"], check=True, capture_output=True, env=env)
    subprocess.run(
        [*tandem, "admin", "create-user", "bench", "--email", "bench@example.com",
         "--password", PASSWORD],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    asyncio.run(add_local_accounts(url, [short_name(n) for n in range(entries)]))
    log = (data / "server.log").open("wb")
    server = subprocess.Popen(
        [*tandem, "serve", "--host", "127.0.0.1", "--port", str(port), "--domain", DOMAIN],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=600)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tandem serve did not start:\n{read_log(data)}")
            try:
                if client.get("/api/v1/instance").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        app = client.post(
            "/api/v1/apps",
            data={"client_name": "bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                  "scopes": "read"},
        ).json()  # fmt: skip
        token = client.post(
            "/oauth/token",
            data={"grant_type": "password", "client_id": app["client_id"],
                  "client_secret": app["client_secret"], "username": "bench@example.com",
                  "password": PASSWORD, "scope": "read"},
        ).json()["access_token"]  # fmt: skip
        signin = client.post("/api/signin-flow", json={"username": "bench", "password": PASSWORD})
        native = signin.json()["i"]
        csv = "".join(f"{short_name(n)}@{DOMAIN}\n" for n in range(entries)).encode()
        upload = client.post(
            "/api/drive/files/create",
            data={"i": native},
            files={"file": ("following.csv", csv, "text/csv")},
        )
        assert upload.status_code == 200, upload.text
        cases = {
            "GET /api/v1/instance": ("/api/v1/instance", {}),
            "GET /api/v1/accounts/verify_credentials": (
                "/api/v1/accounts/verify_credentials",
                {"Authorization": f"Bearer {token}"},
            ),
        }
        for path, headers in cases.values():  # warm up
            for _ in range(20):
                client.get(path, headers=headers).raise_for_status()
        latencies: dict[str, list[float]] = {name: [] for name in cases}
        queued = client.post(
            "/api/i/import-following", json={"i": native, "fileId": upload.json()["id"]}
        )
        assert queued.status_code in (200, 204), queued.text
        started = time.perf_counter()
        next_poll = started
        finished = None
        while finished is None:
            for name, (path, headers) in cases.items():
                t0 = time.perf_counter()
                client.get(path, headers=headers).raise_for_status()
                latencies[name].append(time.perf_counter() - t0)
            if time.perf_counter() >= next_poll:
                notes = client.post("/api/i/notifications", json={"i": native, "limit": 5})
                if any(n["type"] == "app" for n in notes.json()):
                    finished = time.perf_counter()
                next_poll = time.perf_counter() + 0.25
        following = client.get(
            f"/api/v1/accounts/{signin.json()['id']}", headers={"Authorization": f"Bearer {token}"}
        ).json()["following_count"]
        assert following == entries, f"imported {following} of {entries}"
    finally:
        client.close()
        server.terminate()
        server.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    return Result(backend, entries, finished - started, latencies)


def report(result: Result) -> None:
    print(f"\ntandem {result.backend}: {result.entries}-entry following import took "
          f"{result.import_seconds:.1f} s (includes up to 0.2 s of queue polling)")  # fmt: skip
    print(f"{'request during the import':42} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in result.latencies.items():
        ms = [v * 1000 for v in values]
        print(
            f"{name:42} {len(ms):6d} {statistics.median(ms):8.1f} "
            f"{percentile(ms, 0.99):8.1f} {max(ms):8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to use")
    parser.add_argument("--both", action="store_true", help="SQLite, then a fresh PostgreSQL db")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, help="job_batch_size for the server")
    args = parser.parse_args()
    if args.entries > 36**3:
        sys.exit("at most 46656 entries")
    runs: list[str | None] = [args.database_url]
    if args.both:
        runs = ["", None]  # None: a fresh PostgreSQL database, dropped afterwards
    for database_url in runs:
        if database_url is None:
            name = f"tandem_bench_{secrets.token_hex(4)}"
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            try:
                report(run(f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}", args.entries, args.batch_size))
            finally:
                asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            report(run(database_url, args.entries, args.batch_size))


if __name__ == "__main__":
    main()
