"""Instance documents and nodeinfo."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from support.api import Api, User, register
from support.server import RunningServer


def test_nodeinfo(server: RunningServer, alice: User) -> None:
    links = Api(server).get("/.well-known/nodeinfo").json()["links"]
    assert links[0]["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.0"
    assert links[0]["href"] == f"{server.base_url}/nodeinfo/2.0"
    info = Api(server).get("/nodeinfo/2.0").json()
    assert info["version"] == "2.0"
    assert info["software"]["name"] == "tandem"
    assert info["usage"]["users"]["total"] >= 1
    assert info["openRegistrations"] is True


def test_instance_limits_and_registration(server: RunningServer) -> None:
    v2 = Api(server).get("/api/v2/instance").json()
    accounts = v2["configuration"]["accounts"]
    assert accounts["max_display_name_length"] == 40
    assert accounts["max_note_length"] == 500
    assert (accounts["max_profile_fields"], accounts["profile_field_name_limit"]) == (4, 255)
    assert v2["registrations"] == {
        "enabled": True,
        "approval_required": False,
        "reason_required": False,
        "message": None,
        "min_age": None,
        "url": None,
    }
    assert v2["version"].startswith("4.7.0")
    # Mastodon.py asks for the v1 document with a trailing slash.
    assert Api(server).get("/api/v1/instance/").status_code == 200


def test_default_images_are_served(server: RunningServer) -> None:
    for path in ("/avatars/original/missing.png", "/headers/original/missing.png"):
        r = Api(server).get(path)
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/png"


def test_cors_for_browser_clients(server: RunningServer) -> None:
    r = Api(server).request(
        "OPTIONS",
        "/api/v1/accounts/verify_credentials",
        headers={
            "Origin": "https://elk.zone",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    r = Api(server).get("/api/v1/instance", headers={"Origin": "https://elk.zone"})
    assert "Link" in r.headers["access-control-expose-headers"]


def test_profile_page(server: RunningServer, alice: User) -> None:
    r = Api(server).get(f"/@{alice.username}")
    assert r.status_code == 200
    assert "Alice" in r.text
    assert Api(server).get("/@nobody_here").status_code == 404


def test_unknown_api_path_is_json_404(server: RunningServer) -> None:
    r = Api(server).get("/api/v1/does_not_exist")
    assert (r.status_code, r.json()) == (404, {"error": "Record not found"})


def test_concurrent_writes_all_succeed(server: RunningServer) -> None:
    star = register(server)
    fans = [register(server) for _ in range(8)]

    def follow(fan: User) -> int:
        return fan.api.post(f"/api/v1/accounts/{star.id}/follow").status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(follow, fans)) == [200] * 8
    assert Api(server).get(f"/api/v1/accounts/{star.id}").json()["followers_count"] == 8
