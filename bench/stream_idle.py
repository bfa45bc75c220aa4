"""How much one `tandem serve` process pays for idle Misskey streams.

    python bench/stream_idle.py [N ...] [--database-url URL] [--stream-port]

Starts `tandem serve` (granian, one worker) on a fresh data folder (SQLite unless a database
URL is given), opens N websocket streams to `/streaming` (each connects the `localTimeline`
channel and waits for its `connected` ack, so it has a subscription on the bus), waits for
the server to settle, and prints the server's RSS (the supervisor and its worker together)
before and after, and the cost per connection. Several N measure one after another on the
same server (the connections of each step stay open). The goal: >= 10,000 idle streams
under 200 MB RSS.

`--stream-port` sets `stream_port` and opens the streams to the light listener there
(src/tandem/api/stream_listener/) instead of granian's websockets. The streams are held by
client processes of PER_CLIENT each (a client's memory is its own, not the server's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

HERE = Path(__file__).resolve().parent
TANDEM = Path(sys.executable).with_name("tandem")
# Browsers offer permessage-deflate; NO_DEFLATE=1 measures clients that do not.
COMPRESSION = None if os.environ.get("NO_DEFLATE") else "deflate"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(root: int) -> tuple[int, int]:
    """The resident memory of a process and its descendants, and of the largest of them (the
    worker), in KiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    largest = max(largest, int(line.split()[1]))
        except OSError:
            pass
    return total, largest


async def open_stream(url: str, n: int) -> ClientConnection:
    ws = await connect(
        url, open_timeout=60, ping_interval=None, max_queue=4, compression=COMPRESSION
    )
    frame = {"type": "connect", "body": {"channel": "localTimeline", "id": str(n), "pong": True}}
    await ws.send(json.dumps(frame))
    await ws.recv()  # the ack
    return ws


PER_CLIENT = 2500  # streams one client process holds (its own memory is not the server's)


async def hold(url: str, count: int) -> None:
    """A client process: open `count` streams, say `ready`, hold them until stdin closes."""
    held: list[ClientConnection] = []
    while len(held) < count:
        batch = min(200, count - len(held))
        held += await asyncio.gather(*(open_stream(url, len(held) + i) for i in range(batch)))
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)


def spawn_clients(url: str, count: int) -> list[subprocess.Popen[str]]:
    clients = []
    while count > 0:
        share = min(PER_CLIENT, count)
        command = [sys.executable, __file__, "--client", url, str(share)]
        clients.append(
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        )
        count -= share
    for client in clients:
        assert client.stdout is not None
        if client.stdout.readline().strip() != "ready":
            raise SystemExit("a client process could not open its streams")
    return clients


def measure(url: str, steps: list[int], pid: int) -> None:
    clients: list[subprocess.Popen[str]] = []
    opened_total = 0
    time.sleep(1)
    before, worker_before = rss_kb(pid)
    print(
        f"server RSS with no stream: {before / 1024:.1f} MB "
        f"(the worker process: {worker_before / 1024:.1f} MB)"
    )
    try:
        for target in steps:
            started = time.monotonic()
            clients += spawn_clients(url, target - opened_total)
            opened_total = target
            opened = time.monotonic() - started
            time.sleep(3)
            now, worker = rss_kb(pid)
            per = (now - before) / max(1, opened_total)
            print(
                f"{opened_total:>6} idle streams: server RSS {now / 1024:.1f} MB "
                f"(+{(now - before) / 1024:.1f} MB, {per:.1f} KiB per stream; "
                f"the worker process {worker / 1024:.1f} MB; opened in {opened:.1f} s)",
                flush=True,
            )
    finally:
        for client in clients:
            with contextlib.suppress(OSError):
                assert client.stdin is not None
                client.stdin.close()
        for client in clients:
            try:
                client.wait(30)
            except subprocess.TimeoutExpired:
                client.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("steps", nargs="*", type=int, default=[1000, 2000])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    parser.add_argument(
        "--stream-port", action="store_true", help="streams to the listener on stream_port"
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)  # a client process: its URL
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(args.steps) + 1000
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    if args.client:
        asyncio.run(hold(args.client, args.steps[0]))
        return
    data_dir = Path(tempfile.mkdtemp(prefix="tandem-stream-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(data_dir),
        "TANDEM_DATABASE_URL": args.database_url or f"sqlite:///{data_dir}/tandem.sqlite3",
        "TANDEM_DOMAIN": f"127.0.0.1:{port}",
    }
    url = f"ws://127.0.0.1:{port}/streaming"
    if args.stream_port:
        stream_port = free_port()
        env["TANDEM_STREAM_PORT"] = str(stream_port)
        url = f"ws://127.0.0.1:{stream_port}/streaming"
    command = [str(TANDEM), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.server == "uvicorn":  # the same app on uvicorn, for comparing the servers
        subprocess.run([str(TANDEM), "migrate"], env=env, check=True)
        command = [sys.executable, "-m", "uvicorn", "--factory", "tandem.asgi:app"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(  # the server inherits the raised file limit
        command,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/instance", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("tandem serve did not start")
            time.sleep(0.2)
        print(f"streams to {url}", flush=True)
        measure(url, sorted(args.steps), server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
