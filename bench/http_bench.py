"""Requests per second of tandem endpoints next to a bare endpoint, measured in one run.

    .venv/bin/python bench/http_bench.py [--database-url postgresql://…] [--seconds 10]

Starts one server process (one uvicorn worker), creates a user, then runs `wrk` against
each URL in turn and prints req/s and the ratio to the bare Starlette endpoint.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wrk(url: str, token: str | None, seconds: int, connections: int) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{out}")
    assert match, out
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    data = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    port = free_port()
    env = {**os.environ, "TANDEM_DATA_DIR": str(data)}
    if args.database_url:
        env["TANDEM_DATABASE_URL"] = args.database_url
    tandem = [sys.executable, "-m", "tandem", "--data-dir", str(data)]
    if args.database_url:
        tandem += ["--database-url", args.database_url]
    subprocess.run([*tandem, "migrate"], check=True, capture_output=True, env=env)
    subprocess.run(
        [
            *tandem,
            "admin",
            "create-user",
            "bench",
            "--email",
            "bench@example.com",
            "--password",
            "benchmark password",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "serve.py"), str(port)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/bench/bare")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        app = httpx.post(
            f"{base}/api/v1/apps",
            data={
                "client_name": "bench",
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "scopes": "read",
            },
        ).json()
        token = httpx.post(
            f"{base}/oauth/token",
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
            f"{base}/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        cases = [
            ("bare Starlette endpoint (baseline)", f"{base}/bench/bare", None),
            (
                "GET /api/v1/accounts/verify_credentials",
                f"{base}/api/v1/accounts/verify_credentials",
                token,
            ),
            ("GET /api/v1/accounts/:id (anonymous)", f"{base}/api/v1/accounts/{me['id']}", None),
            ("GET /api/v1/accounts/:id (with token)", f"{base}/api/v1/accounts/{me['id']}", token),
            ("Misskey i (GET /api/i, bearer token)", f"{base}/api/i", token),
            ("Misskey meta (GET /api/meta?detail=false)", f"{base}/api/meta?detail=false", None),
        ]
        for _name, url, bearer in cases:  # warm up caches and connection pools
            wrk(url, bearer, 2, args.connections)
        results = [
            (name, wrk(url, bearer, args.seconds, args.connections)) for name, url, bearer in cases
        ]
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)
    baseline = results[0][1]
    backend = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"\ntandem {backend}, 1 uvicorn worker, wrk -c{args.connections} -d{args.seconds}s")
    print(f"{'endpoint':45} {'req/s':>10} {'ratio to bare':>14}")
    for name, rps in results:
        print(f"{name:45} {rps:10.0f} {rps / baseline:14.2f}")


if __name__ == "__main__":
    main()
