"""A real tandem server (uvicorn, in a thread) on a real database, for tests over HTTP."""

from __future__ import annotations

import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from support.databases import TestDatabase
from tandem.app import create_app
from tandem.config import DEFAULT_THROTTLES, Settings, Throttle, load_settings

# The shared test servers should not trip over their own rate limits; dedicated tests
# start servers with Mastodon's real numbers.
GENEROUS = {name: Throttle(1_000_000, t.period) for name, t in DEFAULT_THROTTLES.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bound_socket() -> socket.socket:
    """A listening socket on a free port, held from the start: parallel test workers can't
    grab the same port between choosing it and serving on it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    return sock


class RunningServer:
    def __init__(self, backend: str, **overrides: Any) -> None:
        self.backend = backend
        self._tmp = tempfile.TemporaryDirectory(prefix="tandem-test-")
        self.data_dir = Path(self._tmp.name)
        self.database = TestDatabase(backend, self.data_dir)
        self._socket: socket.socket | None = bound_socket()
        self.port = int(self._socket.getsockname()[1])
        defaults: dict[str, Any] = {
            "domain": f"127.0.0.1:{self.port}",
            "data_dir": self.data_dir,
            "database_url": self.database.url,
            "port": self.port,
            "throttles": GENEROUS,
            "job_poll_interval": 0.05,
            "allow_loopback_fetch": True,
            "endpoint_limit_factor": 1000,
            "fast_password_hashing": True,  # (tests/test_passwords.py checks the real cost)
        }
        self.settings: Settings = load_settings(**{**defaults, **overrides})
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> RunningServer:
        app = self.app = create_app(self.settings)
        # proxy_headers: as `tandem serve`, X-Forwarded-For counts only through
        # `trusted_proxies`. timeout_keep_alive: idle connections kept 30 s, as granian keeps
        # them (`tandem serve`); uvicorn's 5 s races a client that pauses 5 s between calls
        # (Mastodon.py's suite does), which then reuses a connection being closed: a reset.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            proxy_headers=False,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        if self._socket is None:  # restarted on the same port
            self._socket = socket.socket()
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind(("127.0.0.1", self.port))
            self._socket.listen(512)
        sockets = [self._socket]
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": sockets}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("tandem test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._server = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def close(self) -> None:
        self.stop()
        self.database.drop()
        self._tmp.cleanup()

    def mails(self, to: str | None = None) -> list[Message]:
        outbox = self.settings.outbox_dir
        found = (
            [email.message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]
            if outbox.exists()
            else []
        )
        return [m for m in found if to is None or m["To"] == to]

    def wait_for_mail(self, to: str, timeout: float = 30) -> Message:
        """(A shared server's jobs run one at a time: on a busy machine the mail may queue
        behind another test's job, such as a transcode.)"""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.mails(to)
            if found:
                return found[-1]
            time.sleep(0.02)
        raise AssertionError(f"no e-mail to {to} arrived within {timeout}s")


class ServerProcess(RunningServer):
    """The same server run as `python -m tandem serve` in its own process, so a test can kill
    it mid-job (SIGKILL: no clean shutdown) and start it again on the same data. `workers=N`
    runs N worker processes under granian's supervisor, as `tandem serve --workers N`."""

    def __init__(self, backend: str, **overrides: Any) -> None:
        super().__init__(backend, **overrides)
        self._overrides = overrides
        self._process: subprocess.Popen[bytes] | None = None

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
        env.update(
            TANDEM_DATA_DIR=str(self.data_dir),
            TANDEM_DATABASE_URL=self.database.url,
            TANDEM_JOB_POLL_INTERVAL="0.05",
            TANDEM_ALLOW_LOOPBACK_FETCH="true",
            TANDEM_RATE_LIMITS_ENABLED="false",
        )
        for key, value in self._overrides.items():
            env[f"TANDEM_{key.upper()}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        return env

    def start(self) -> ServerProcess:
        if self._socket is not None:  # the child process binds the port itself
            self._socket.close()
            self._socket = None
        command = [
            sys.executable, "-m", "tandem", "serve",
            "--host", "127.0.0.1", "--port", str(self.port), "--domain", f"127.0.0.1:{self.port}",
        ]  # fmt: skip
        log = self.data_dir / "server.log"
        with log.open("ab") as out:
            self._process = subprocess.Popen(  # its own group: `kill` reaches the workers too
                command,
                env=self._environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"tandem exited: {log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/api/v1/instance", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("tandem serve did not start")

    def kill(self) -> None:
        """Stop at once, mid-whatever, like a power cut: the supervisor and its workers."""
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=30)
            self._process = None

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None
