"""The server starts on each backend and serves its instance document."""

from support.api import Api, User
from support.server import RunningServer


def test_instance_v2(server: RunningServer) -> None:
    r = Api(server).get("/api/v2/instance")
    assert r.status_code == 200
    assert r.json()["api_versions"] == {"mastodon": 11}


def test_register_and_verify(alice: User) -> None:
    r = alice.api.get("/api/v1/accounts/verify_credentials")
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == alice.username
    assert body["display_name"] == "Alice"
    assert body["source"]["privacy"] == "public"
