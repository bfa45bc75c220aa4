"""Profile field URLs are checked in the background for a rel=me link back to the profile."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from support.api import User
from support.server import free_port

PAGES: dict[str, str] = {}


class Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", free_port()), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def fields(user: User) -> list[dict]:
    return list(user.api.get("/api/v1/accounts/verify_credentials").json()["fields"])


def wait_verified(user: User, index: int, timeout: float = 10) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fields(user)[index]["verified_at"]
        if found:
            return str(found)
        time.sleep(0.1)
    return None


def test_rel_me_link_verifies_the_field(site: str, alice: User) -> None:
    profile = f"{alice.server.base_url}/@{alice.username}"
    PAGES[f"/{alice.username}"] = f'<html><a rel="me noopener" href="{profile}">me</a></html>'
    PAGES[f"/{alice.username}-not"] = '<html><a href="https://elsewhere.example">x</a></html>'
    good, bad = f"{site}/{alice.username}", f"{site}/{alice.username}-not"
    r = alice.api.patch(
        "/api/v1/accounts/update_credentials",
        json={
            "fields_attributes": [{"name": "Site", "value": good}, {"name": "Other", "value": bad}]
        },
    )
    assert r.json()["fields"][0]["verified_at"] is None
    verified = wait_verified(alice, 0)
    assert verified is not None
    assert verified.endswith("+00:00")
    assert fields(alice)[1]["verified_at"] is None
    # Keeping the value keeps the verification; changing it drops it.
    alice.api.patch(
        "/api/v1/accounts/update_credentials",
        json={"display_name": "new", "fields_attributes": [{"name": "Site", "value": good}]},
    )
    assert fields(alice)[0]["verified_at"] == verified
    alice.api.patch(
        "/api/v1/accounts/update_credentials",
        json={"fields_attributes": [{"name": "Site", "value": bad}]},
    )
    assert fields(alice)[0]["verified_at"] is None
