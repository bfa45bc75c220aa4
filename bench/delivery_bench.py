"""ActivityPub delivery: one post to 10k remote followers over 500 inboxes, on loopback.

    .venv/bin/python bench/delivery_bench.py                       # both backends, lanes 1, 8, 8p
    .venv/bin/python bench/delivery_bench.py --backends sqlite --concurrency 8 --rounds 1
    .venv/bin/python bench/delivery_bench.py --one-host            # every inbox on 127.0.0.1

Per backend, a fresh database (`delivery_bench`: a PostgreSQL database of that name, or
/tmp/tandem-scale/delivery_bench.sqlite3) holds the viewer of bench/seed.py (the author, with
a password) and 10,000 remote accounts following it, 20 on each of 500 fake servers whose
shared inboxes all lead to bench/stub_inbox.py on loopback: `http://127.1.x.y:<port>/inbox/<i>`,
one loopback address per server (so each is a server of its own to the sender: its own
connections and circuit breaker row), or 127.0.0.1 for all with `--one-host`.

Then for each `delivery_concurrency` asked for (`8p`: 8 lanes with `delivery_process`, the
deliveries in a process of their own), one `tandem serve` (with
`allow_loopback_fetch`), one warm-up delivery (a Follow of one remote account), and
`--rounds` rounds of: a few seconds of steady API load with no fan-out (the baseline), then
the author posts a public status (Mastodon API) while the same
load goes on, until the stub has had all 500 deliveries. Deliveries per second = 500 / (last
arrival - the moment the post was sent); the API latency under fan-out counts the requests
sent in that span. The load is open-loop (requests leave on a fixed schedule, whether or not
the earlier ones have answered) and goes round GET home timeline, verify_credentials, the
author's statuses and its followers. A few deliveries per round have their signatures checked
against the author's published key. Prints per backend and concurrency the median of the
rounds of each figure, and the server's CPU time per delivery (less the API load's).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import seed, seed_sql
from bench.scale_bench import free_port, percentile, start_server
from bench.stub_inbox import inbox_host

from tandem.core.ids import new_id
from tandem.federation.signatures import SignatureError, verify_request
from tandem.store.db import Database

NAME = "delivery_bench"
AP_JSON = "application/activity+json"


@dataclass(frozen=True)
class Plan:
    followers: int
    inboxes: int
    hosts: int  # loopback addresses the inboxes are spread over (0: all on 127.0.0.1)
    rounds: int
    rate: float  # API requests per second of the load
    baseline: float  # seconds of load before each post


@dataclass(frozen=True)
class Latency:
    p50: float
    p99: float
    n: int
    errors: int


@dataclass(frozen=True)
class Round:
    per_second: float  # deliveries / (last arrival - post sent)
    steady: float  # deliveries / (last arrival - first arrival)
    first_ms: float  # post sent → first delivery arrived
    post_ms: float  # the POST /api/v1/statuses itself
    cpu_ms: float  # the server's CPU time per delivery (less the API load's, as measured quiet)
    quiet: Latency
    busy: Latency
    verified: str  # "checked/sampled" signatures
    repeated: int  # inboxes that got the activity more than once


@dataclass(frozen=True)
class Sample:
    started: float  # time.monotonic() when the request left
    ms: float
    ok: bool


def database_url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{seed.SCALE_DIR / (NAME + '.sqlite3')}"
    return f"{seed.ADMIN_URL.rsplit('/', 1)[0]}/{NAME}"


def drop_sqlite_file(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def fresh_database(url: str) -> None:
    """Drop what an earlier run left (the stub's port is in the rows), migrate, add the author."""
    if not url.startswith("sqlite:///"):
        import asyncpg

        conn = await asyncpg.connect(seed.ADMIN_URL)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        finally:
            await conn.close()
        await seed.ensure_database(url)
    db = Database(url)
    try:
        await db.migrate()
    finally:
        await db.dispose()
    await seed._create_viewer(url)


async def seed_followers(url: str, plan: Plan, port: int) -> None:
    """`plan.followers` remote accounts, spread evenly over `plan.inboxes` servers, each
    following the author (counters set to match)."""
    now = datetime.now(UTC)
    accounts: list[tuple[Any, ...]] = []
    follows: list[tuple[Any, ...]] = []
    async with seed_sql.connect(url, bulk=True) as db:
        author = await db.account_by_username(seed.VIEWER)
        assert author is not None
        for n in range(plan.followers):
            server = n % plan.inboxes
            domain = f"inbox-{server}.test"
            origin = f"http://{inbox_host(server, plan.hosts)}:{port}"
            name = f"user{n // plan.inboxes}"
            actor = f"{origin}/users/{server}/{name}"
            aid = new_id()
            accounts.append(
                (aid, name, name, domain, domain, name.capitalize(), actor, actor, "Person",
                 f"{actor}/inbox", f"{origin}/inbox/{server}", f"{actor}/followers",
                 1, now, now, now)
            )  # fmt: skip
            follows.append((new_id(), aid, author, now))
        columns = ("id", "username", "username_key", "domain", "domain_key", "display_name",
                   "uri", "url", "actor_type", "inbox_url", "shared_inbox_url", "followers_url",
                   "following_count", "fetched_at", "created_at", "updated_at")  # fmt: skip
        for lo in range(0, plan.followers, 5000):
            await db.copy("accounts", columns, accounts[lo : lo + 5000])
            await db.copy(
                "follows",
                ("id", "account_id", "target_account_id", "created_at"),
                follows[lo : lo + 5000],
            )
            await db.commit()
        await db.run(f"UPDATE accounts SET followers_count = {plan.followers} WHERE id = {author}")
        await db.commit()
        await db.analyze()


async def unfinished_deliveries(url: str) -> int:
    """ActivityPub jobs still queued or running (due now or later)."""
    async with seed_sql.connect(url, bulk=False) as db:
        found = await db.value(
            "SELECT COUNT(*) FROM jobs WHERE kind IN ('ap_outbox', 'ap_deliver') "
            "AND state IN ('queued', 'running')"
        )
        return int(found or 0)


def tree_cpu(pid: int) -> float:
    """CPU seconds a process and its descendants have used so far (Linux /proc): `tandem
    serve` runs the app in a child process."""
    total, pending = 0.0, [pid]
    while pending:
        proc = Path(f"/proc/{pending.pop()}")
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in (proc / "task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def start_stub(port: int, hosts: int) -> subprocess.Popen[bytes]:
    stub_path = Path(__file__).with_name("stub_inbox.py")
    command = [sys.executable, str(stub_path), "--port", str(port), "--hosts", str(hosts)]
    stub = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert stub.stdout is not None
    if stub.stdout.readline().strip() != b"ready":
        stub.kill()
        raise RuntimeError("the stub inbox did not start")
    return stub


async def token(client: httpx.AsyncClient) -> str:
    """A bearer token of the author that may post (password grant)."""
    app = (
        await client.post("/api/v1/apps", data={"client_name": "delivery bench",
                          "scopes": "read write", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})
    ).json()  # fmt: skip
    grant = {"grant_type": "password", "client_id": app["client_id"],
             "client_secret": app["client_secret"], "scope": "read write",
             "username": seed.VIEWER_EMAIL, "password": seed.VIEWER_PASSWORD}  # fmt: skip
    answer = await client.post("/oauth/token", data=grant)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def load(
    client: httpx.AsyncClient, paths: list[str], rate: float, stop: asyncio.Event
) -> list[Sample]:
    """GET the paths in turn, one every 1/rate seconds, each on its own (open loop)."""
    samples: list[Sample] = []
    tasks: set[asyncio.Task[None]] = set()

    async def one(path: str) -> None:
        started = time.monotonic()
        try:
            ok = (await client.get(path)).status_code == 200
        except httpx.HTTPError:
            ok = False
        samples.append(Sample(started, (time.monotonic() - started) * 1000, ok))

    begin, n = time.monotonic(), 0
    while not stop.is_set():
        task = asyncio.create_task(one(paths[n % len(paths)]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
        await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
    await asyncio.gather(*tasks)
    return samples


def latency(samples: list[Sample], lo: float, hi: float) -> Latency:
    inside = [s for s in samples if lo <= s.started <= hi]
    ms = [s.ms for s in inside] or [float("nan")]
    return Latency(
        statistics.median(ms), percentile(ms, 0.99), len(inside), sum(not s.ok for s in inside)
    )


async def check_signatures(stats: dict[str, Any], public_pem: str) -> str:
    """Verify the stub's sampled deliveries as a receiving server would."""

    async def key(_key_id: str, _refresh: bool) -> str | None:
        return public_pem

    good = 0
    for sample in stats["samples"]:
        headers = sample["headers"]
        try:
            await verify_request(
                method="POST",
                target=sample["path"],
                authority=headers.get("host", ""),
                headers=headers,
                body=base64.b64decode(sample["body"]),
                now=datetime.now(UTC),
                fetch_key=key,
                scheme="http",
            )
            good += 1
        except SignatureError as err:
            print(f"    signature refused: {err}", flush=True)
    return f"{good}/{len(stats['samples'])}"


async def rounds(base: str, server: int, url: str, stub_base: str, plan: Plan) -> list[Round]:
    out = []
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with (
        httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client,
        httpx.AsyncClient(base_url=stub_base, timeout=30) as stub,
    ):
        client.headers["Authorization"] = f"Bearer {await token(client)}"
        me = (await client.get("/api/v1/accounts/verify_credentials")).json()
        actor = await client.get(f"/ap/users/{me['id']}", headers={"Accept": AP_JSON})
        actor.raise_for_status()  # (also makes the author's key pair, once)
        public_pem = actor.json()["publicKey"]["publicKeyPem"]
        paths = [
            "/api/v1/timelines/home?limit=20",
            "/api/v1/accounts/verify_credentials",
            f"/api/v1/accounts/{me['id']}/statuses?limit=20",
            f"/api/v1/accounts/{me['id']}/followers?limit=40",
        ]
        for path in paths * 5:  # warm-up
            (await client.get(path)).raise_for_status()
        await warm_delivery(client, stub)
        for number in range(plan.rounds):
            await stub.post("/reset")
            stop = asyncio.Event()
            quiet_from, quiet_cpu = time.monotonic(), tree_cpu(server)
            loading = asyncio.create_task(load(client, paths, plan.rate, stop))
            await asyncio.sleep(plan.baseline)
            sent, sent_cpu = time.monotonic(), tree_cpu(server)
            posted = await client.post(
                "/api/v1/statuses",
                data={"status": f"delivery bench round {number}", "visibility": "public"},
            )
            post_ms = (time.monotonic() - sent) * 1000
            posted.raise_for_status()
            deadline = sent + 600
            while True:
                stats = (await stub.get("/stats")).json()
                if stats["paths"] >= plan.inboxes or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            busy_cpu, busy_end = tree_cpu(server) - sent_cpu, time.monotonic()
            stop.set()
            samples = await loading
            if stats["paths"] < plan.inboxes:
                raise RuntimeError(f"only {stats['paths']} of {plan.inboxes} inboxes reached")
            first, last = float(stats["first"]), float(stats["last"])
            api_cpu = (sent_cpu - quiet_cpu) / (sent - quiet_from) * (busy_end - sent)
            out.append(
                Round(
                    per_second=plan.inboxes / (last - sent),
                    steady=(plan.inboxes - 1) / max(last - first, 1e-6),
                    first_ms=(first - sent) * 1000,
                    post_ms=post_ms,
                    cpu_ms=max(0.0, busy_cpu - api_cpu) * 1000 / plan.inboxes,
                    quiet=latency(samples, quiet_from, sent),
                    busy=latency(samples, sent, last),
                    verified=await check_signatures(stats, public_pem),
                    repeated=int(stats["repeated"]),
                )
            )
            print(f"    round {number + 1}: {show(out[-1])}", flush=True)
            for _ in range(3000):  # the last jobs settle before the next round
                if not await unfinished_deliveries(url):
                    break
                await asyncio.sleep(0.2)
    return out


async def warm_delivery(client: httpx.AsyncClient, stub: httpx.AsyncClient) -> None:
    """One delivery before the rounds (a Follow, or its Undo when an earlier run followed,
    to a remote account's own inbox): the first one in a process pays once for loading the
    signing path and opening the HTTP client."""
    await stub.post("/reset")
    someone = await client.get("/api/v1/accounts/lookup", params={"acct": "user0@inbox-0.test"})
    someone.raise_for_status()
    account_id = someone.json()["id"]
    known = await client.get("/api/v1/accounts/relationships", params={"id[]": account_id})
    known.raise_for_status()
    following = known.json()[0]["following"] or known.json()[0]["requested"]
    action = "unfollow" if following else "follow"
    (await client.post(f"/api/v1/accounts/{account_id}/{action}")).raise_for_status()
    for _ in range(600):
        if (await stub.get("/stats")).json()["requests"]:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the warm-up delivery never arrived")


def show(r: Round) -> str:
    return (
        f"{r.per_second:6.0f}/s (steady {r.steady:4.0f}/s, first after {r.first_ms:4.0f} ms), "
        f"post {r.post_ms:5.1f} ms, CPU {r.cpu_ms:4.1f} ms/delivery, "
        f"API p50/p99 quiet {r.quiet.p50:5.1f}/{r.quiet.p99:5.1f} ms "
        f"[{r.quiet.n}], fan-out {r.busy.p50:5.1f}/{r.busy.p99:5.1f} ms [{r.busy.n}, "
        f"{r.busy.errors} errors], signatures {r.verified}, repeats {r.repeated}"
    )


def run_backend(backend: str, concurrencies: list[str], plan: Plan) -> dict[str, list[Round]]:
    url = database_url(backend)
    port = free_port()
    stub = start_stub(port, plan.hosts)
    results: dict[str, list[Round]] = {}
    try:
        started = time.perf_counter()
        if backend == "sqlite":
            drop_sqlite_file(url)
        asyncio.run(fresh_database(url))
        asyncio.run(seed_followers(url, plan, port))
        print(f"  {backend}: seeded in {time.perf_counter() - started:.1f} s", flush=True)
        for lanes in concurrencies:
            count, own_process = int(lanes.rstrip("p")), lanes.endswith("p")
            with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
                data = Path(tmp)
                (data / "tandem.toml").write_text(
                    f"allow_loopback_fetch = true\ndelivery_concurrency = {count}\n"
                    f"delivery_process = {str(own_process).lower()}\n"
                )
                where = ", in a process of their own" if own_process else ""
                print(
                    f"  delivery_concurrency {count}{where}, load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
                server, base = start_server(url, data)
                try:
                    results[lanes] = asyncio.run(
                        rounds(base, server.pid, url, f"http://127.0.0.1:{port}", plan)
                    )
                finally:
                    server.terminate()
                    server.wait(timeout=60)
    finally:
        stub.terminate()
        stub.wait(timeout=10)
    return results


def report(results: dict[str, dict[str, list[Round]]], plan: Plan) -> None:
    hosts = f"{plan.hosts} loopback hosts" if plan.hosts else "one host"
    print(
        f"\ntandem delivery: one post to {plan.followers} followers over {plan.inboxes} inboxes "
        f"({hosts}); medians of {plan.rounds} rounds; API load {plan.rate:.0f} req/s"
    )
    print(
        f"{'backend':11}{'lanes':>6}{'deliv/s':>9}{'steady/s':>9}{'first ms':>9}{'post ms':>8}"
        f"{'CPU ms/d':>9}"
        f"{'quiet p50/p99':>16}{'fan-out p50/p99':>18}{'p99 ×':>7}  signatures"
    )
    for backend, by_lanes in results.items():
        for lanes, runs in by_lanes.items():
            quiet_p99 = statistics.median(r.quiet.p99 for r in runs)
            busy_p99 = statistics.median(r.busy.p99 for r in runs)
            quiet = f"{statistics.median(r.quiet.p50 for r in runs):.1f}/{quiet_p99:.1f}"
            busy = f"{statistics.median(r.busy.p50 for r in runs):.1f}/{busy_p99:.1f}"
            print(
                f"{backend:11}{lanes:>6}{statistics.median(r.per_second for r in runs):>9.0f}"
                f"{statistics.median(r.steady for r in runs):>9.0f}"
                f"{statistics.median(r.first_ms for r in runs):>9.0f}"
                f"{statistics.median(r.post_ms for r in runs):>8.1f}"
                f"{statistics.median(r.cpu_ms for r in runs):>9.1f}"
                f"{quiet:>16}{busy:>18}{busy_p99 / quiet_p99:>7.2f}  "
                + ", ".join(r.verified for r in runs)
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--concurrency",
        default="1,8,8p",
        help="delivery_concurrency values (8p: with delivery_process, in a process of their own)",
    )
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--inboxes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=40.0, help="API requests per second")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of quiet load")
    parser.add_argument("--one-host", action="store_true", help="every inbox on 127.0.0.1")
    args = parser.parse_args()
    plan = Plan(
        followers=args.followers,
        inboxes=args.inboxes,
        hosts=0 if args.one_host else args.inboxes,
        rounds=args.rounds,
        rate=args.rate,
        baseline=args.baseline,
    )
    lanes = [c.strip() for c in args.concurrency.split(",") if c.strip()]
    results: dict[str, dict[str, list[Round]]] = {}
    for backend in [b for b in args.backends.split(",") if b]:
        print(f"{backend}: load average {os.getloadavg()[0]:.2f}", flush=True)
        name = "PostgreSQL" if backend == "postgresql" else "SQLite"
        results[name] = run_backend(backend, lanes, plan)
    report(results, plan)


if __name__ == "__main__":
    main()
