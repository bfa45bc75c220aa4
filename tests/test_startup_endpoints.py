"""What clients call on start: followed and featured tags, custom emoji, trends,
announcements, suggestions, the directory, instance pages, domain blocks."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from support.api import Api, User, confirm, register
from support.cli import tandem
from support.images import png
from support.misskey import Misskey
from support.schemas import assert_valid
from support.server import RunningServer


def test_tags_follow_and_feature(server: RunningServer) -> None:
    user = register(server)
    shown = user.api.get("/api/v1/tags/NeverUsed").json()
    assert_valid("Tag", shown)
    assert (shown["name"], shown["following"], shown["featuring"]) == ("neverused", False, False)
    assert user.api.get("/api/v1/tags/not%20a%20tag").status_code == 404
    followed = user.api.post("/api/v1/tags/Python/follow").json()
    assert_valid("Tag", followed)
    assert (followed["name"], followed["following"]) == ("Python", True)
    assert user.api.post("/api/v1/tags/python/follow").json()["following"] is True
    user.api.post("/api/v1/tags/rust/follow")
    user.api.post("/api/v1/tags/zig/follow")
    listed = user.api.get("/api/v1/followed_tags", params={"limit": 2})
    assert [t["name"] for t in listed.json()] == ["zig", "rust"]
    assert 'rel="next"' in listed.headers["Link"]
    nxt = listed.headers["Link"].split(">")[0].lstrip("<").split("?")[1]
    rest = user.api.get(f"/api/v1/followed_tags?{nxt}").json()
    assert [t["name"] for t in rest] == ["Python"]
    assert Api(server).get("/api/v1/tags/python").json()["following"] is False
    assert user.api.post("/api/v1/tags/python/unfollow").json()["following"] is False
    assert user.api.post("/api/v1/tags/python/unfollow").json()["following"] is False
    assert [t["name"] for t in user.api.get("/api/v1/followed_tags").json()] == ["zig", "rust"]

    featured = user.api.post("/api/v1/tags/rust/feature").json()
    assert featured["featuring"] is True
    assert user.api.post("/api/v1/tags/rust/feature").json()["featuring"] is True
    assert [t["name"] for t in user.api.get("/api/v1/featured_tags").json()] == ["rust"]
    assert user.api.post("/api/v1/tags/rust/unfeature").json()["featuring"] is False
    assert user.api.post("/api/v1/tags/rust/unfeature").json()["featuring"] is False
    assert user.api.get("/api/v1/featured_tags").json() == []
    assert Api(server).post("/api/v1/tags/rust/follow").status_code == 401


def test_custom_emojis_from_the_cli(server: RunningServer, tmp_path: Path) -> None:
    image = tmp_path / "blob.png"
    image.write_bytes(png())
    done = tandem(server, "emoji", "add", "blobcat_test", str(image), "--category", "Blobs")
    assert ":blobcat_test: added" in done.stdout
    bad = tandem(server, "emoji", "add", "x", str(image), check=False)
    assert bad.returncode == 1
    assert "shortcode" in bad.stderr
    again = tandem(server, "emoji", "add", "blobcat_test", str(image), check=False)
    assert "has already been taken" in again.stderr
    text = tmp_path / "nope.png"
    text.write_bytes(b"not an image at all")
    assert tandem(server, "emoji", "add", "not_image", str(text), check=False).returncode == 1
    assert "blobcat_test" in tandem(server, "emoji", "list").stdout

    listed = Api(server).get("/api/v1/custom_emojis").json()
    mine = [e for e in listed if e["shortcode"] == "blobcat_test"]
    assert len(mine) == 1
    assert_valid("CustomEmoji", mine[0])
    assert mine[0]["category"] == "Blobs"
    served = httpx.get(mine[0]["url"], timeout=30)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    anon = Misskey(server)
    simple = [e for e in anon("emojis")["emojis"] if e["name"] == "blobcat_test"]
    assert simple[0]["url"] == mine[0]["url"]
    assert {"aliases", "name", "category", "url"} <= set(simple[0])
    detailed = anon("emoji", {"name": "blobcat_test"})
    assert (detailed["name"], detailed["host"], detailed["category"]) == (
        "blobcat_test",
        None,
        "Blobs",
    )
    anon.error("emoji", {"name": "no_such_one"}, 404, "NO_SUCH_EMOJI")

    tandem(server, "emoji", "remove", "blobcat_test")
    assert all(
        e["shortcode"] != "blobcat_test" for e in Api(server).get("/api/v1/custom_emojis").json()
    )
    assert httpx.get(mine[0]["url"], timeout=30).status_code == 404
    gone = tandem(server, "emoji", "remove", "blobcat_test", check=False)
    assert gone.returncode == 1


def test_trends_announcements_and_instance_pages(server: RunningServer, alice: User) -> None:
    anon = Api(server)
    for path in ("/api/v1/trends/statuses", "/api/v1/trends/links"):
        assert anon.get(path).json() == []
    assert isinstance(anon.get("/api/v1/trends/tags").json(), list)  # tests/test_hashtags.py
    assert alice.api.get("/api/v1/announcements").json() == []
    weeks = anon.get("/api/v1/instance/activity").json()
    assert len(weeks) == 12
    assert int(weeks[0]["week"]) > int(weeks[1]["week"])
    assert int(weeks[0]["statuses"]) >= 0
    assert int(weeks[0]["registrations"]) >= 1
    assert set(weeks[0]) == {"week", "statuses", "logins", "registrations"}
    assert_valid("ExtendedDescription", anon.get("/api/v1/instance/extended_description").json())
    assert_valid("PrivacyPolicy", anon.get("/api/v1/instance/privacy_policy").json())
    assert anon.get("/api/v1/instance/terms_of_service").status_code == 404
    languages = anon.get("/api/v1/instance/languages").json()
    assert {"code": "ja", "name": "Japanese"} in languages
    assert anon.get("/api/v1/instance/translation_languages").json() == {}
    head = httpx.head(server.base_url + "/", timeout=30)
    assert head.status_code == 200
    assert "date" in head.headers


def test_suggestions_and_directory(server: RunningServer) -> None:
    me = register(server)
    friend, popular, seen, blocked, shy = (register(server) for _ in range(5))
    me.api.post(f"/api/v1/accounts/{friend.id}/follow")
    friend.api.post(f"/api/v1/accounts/{seen.id}/follow")
    friend.api.post(f"/api/v1/accounts/{blocked.id}/follow")
    for fan in (seen, shy, blocked):
        fan.api.post(f"/api/v1/accounts/{popular.id}/follow")
    me.api.post(f"/api/v1/accounts/{blocked.id}/block")
    found = me.api.get("/api/v2/suggestions", params={"limit": 80}).json()
    for item in found:
        assert_valid("Suggestion", item)
    ids = [s["account"]["id"] for s in found]
    assert ids[0] == seen.id
    assert found[0]["sources"] == ["friends_of_friends"]
    assert popular.id in ids
    assert me.id not in ids
    assert friend.id not in ids
    assert blocked.id not in ids
    assert me.api.delete(f"/api/v1/suggestions/{seen.id}").json() == {}
    assert me.api.delete("/api/v1/suggestions/12345").json() == {}
    v1 = [a["id"] for a in me.api.get("/api/v1/suggestions", params={"limit": 80}).json()]
    assert seen.id not in v1
    assert popular.id in v1

    shown = register(server, discoverable=True)
    shown.api.post("/api/v1/statuses", data={"status": "active now"})
    newest = Api(server).get("/api/v1/directory", params={"order": "new", "limit": 80}).json()
    ids = [a["id"] for a in newest]
    assert shown.id in ids
    assert shy.id not in ids  # not discoverable
    active = Api(server).get("/api/v1/directory", params={"local": "true"}).json()
    assert active[0]["id"] == shown.id
    assert Api(server).get("/api/v1/directory", params={"offset": 10_000}).json() == []


def test_domain_blocks(server: RunningServer) -> None:
    user = register(server)
    assert user.api.get("/api/v1/domain_blocks").json() == []
    for domain in ("Spam.Example", "ads.example.", "xn--bcher-kva.example", "bücher.example"):
        assert user.api.post("/api/v1/domain_blocks", data={"domain": domain}).json() == {}
    listed = user.api.get("/api/v1/domain_blocks").json()
    assert listed == ["xn--bcher-kva.example", "ads.example", "spam.example"]
    page = user.api.get("/api/v1/domain_blocks", params={"limit": 2})
    assert 'rel="next"' in page.headers["Link"]
    bad = user.api.post("/api/v1/domain_blocks", data={"domain": "not a domain"})
    assert bad.status_code == 422
    assert user.api.post("/api/v1/domain_blocks", data={}).status_code == 422
    assert user.api.delete("/api/v1/domain_blocks", params={"domain": "ads.example"}).json() == {}
    assert user.api.delete("/api/v1/domain_blocks", params={"domain": "ads.example"}).json() == {}
    assert user.api.get("/api/v1/domain_blocks").json() == ["xn--bcher-kva.example", "spam.example"]
    assert register(server).api.get("/api/v1/domain_blocks").json() == []


def test_resend_confirmation(server: RunningServer) -> None:
    if not server.settings.require_email_confirmation:
        pytest.skip("this server confirms no e-mail addresses")
    waiting = register(server, confirmed=False)
    before = len(server.mails(waiting.email))
    r = waiting.api.post("/api/v1/emails/confirmations")
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 10
    while len(server.mails(waiting.email)) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.mails(waiting.email)) > before
    moved = f"moved-{waiting.username}@example.com"
    assert waiting.api.post("/api/v1/emails/confirmations", data={"email": moved}).json() == {}
    confirm(server, moved)
    me = waiting.api.get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200, me.text
    done = waiting.api.post("/api/v1/emails/confirmations")
    assert done.status_code == 403
    assert "awaiting confirmation" in done.json()["error"]
