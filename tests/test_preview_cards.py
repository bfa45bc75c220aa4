"""Preview cards: a local status's first link is fetched in a job (through the outbound
guard) and shown as the status's `card`; the link timeline lists the statuses showing it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from support.api import User, register
from support.images import png
from support.schemas import assert_valid
from support.server import RunningServer
from support.site import Site

PAGE = """<!doctype html><html lang="fr"><head>
<title>Fallback title</title>
<meta property="og:title" content="  Un   titre &amp; plus ">
<meta property="og:description" content="What the page is about">
<meta property="og:site_name" content="Example Site">
<meta property="og:image" content="/cover.png">
<meta property="og:image:alt" content="A red rectangle">
<meta property="article:published_time" content="2024-05-06T07:08:09Z">
<meta name="author" content="Jane Writer">
<script>alert("never run")</script>
</head><body><p>Hello</p></body></html>"""


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    running = Site()
    running.pages["/cover.png"] = ("image/png", png(800, 400))
    yield running
    running.close()


def wait_card(user: User, status_id: str, timeout: float = 15) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        card = user.api.get(f"/api/v1/statuses/{status_id}").json()["card"]
        if card is not None:
            return dict(card)
        time.sleep(0.1)
    return None


def post(user: User, text: str, **extra: Any) -> dict[str, Any]:
    r = user.api.post("/api/v1/statuses", json={"status": text, **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_first_link_gets_a_card_with_its_image(site: Site, alice: User, bob: User) -> None:
    url = site.html("/article", PAGE)
    status = post(alice, f"@{bob.username} read {url}#part and {site.url}/other #tagged")
    assert status["card"] is None  # fetched in the background
    card = wait_card(alice, status["id"])
    assert card is not None
    assert_valid("PreviewCard", card)
    assert card["url"] == url  # normalised: the fragment dropped
    assert card["title"] == "Un titre & plus"
    assert card["description"] == "What the page is about"
    assert card["type"] == "link"
    assert card["html"] == ""
    assert card["provider_name"] == "Example Site"
    assert card["provider_url"] == site.url + "/"
    assert card["author_name"] == "Jane Writer"
    assert card["authors"] == [{"name": "Jane Writer", "url": "", "account": None}]
    assert card["language"] == "fr"
    assert card["published_at"] == "2024-05-06T07:08:09.000Z"
    assert card["image_description"] == "A red rectangle"
    assert card["blurhash"]
    assert card["width"] > 0
    assert card["height"] > 0
    assert card["image"].startswith(alice.server.base_url)
    image = httpx.get(card["image"])
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/")
    shown = alice.api.get(f"/api/v1/statuses/{status['id']}").json()
    assert_valid("Status", shown)
    # Others see it too, and a reblog carries it on the original.
    reblog = bob.api.post(f"/api/v1/statuses/{status['id']}/reblog").json()
    assert reblog["card"] is None
    assert reblog["reblog"]["card"]["url"] == url


def test_a_known_card_is_reused_and_edits_follow_the_link(site: Site, alice: User) -> None:
    first = site.html("/shared", "<html><head><title>Shared</title></head></html>")
    one = post(alice, f"one {first}")
    assert wait_card(alice, one["id"]) is not None
    fetched = site.hits.count("/shared")
    two = post(alice, f"two {first}")
    card = wait_card(alice, two["id"])
    assert card is not None
    assert card["title"] == "Shared"
    assert site.hits.count("/shared") == fetched  # fresh: not fetched again
    other = site.html("/edited", "<html><head><title>Edited</title></head></html>")
    r = alice.api.put(f"/api/v1/statuses/{two['id']}", json={"status": f"now {other}"})
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        card = alice.api.get(f"/api/v1/statuses/{two['id']}").json()["card"]
        if card and card["title"] == "Edited":
            break
        time.sleep(0.1)
    assert card
    assert card["url"] == other
    r = alice.api.put(f"/api/v1/statuses/{two['id']}", json={"status": "no link now"})
    assert r.json()["card"] is None


def test_no_card_without_a_title_or_for_mentions_and_tags(site: Site, alice: User) -> None:
    untitled = site.html("/untitled", "<html><body>nothing</body></html>")
    status = post(alice, f"see {untitled}")
    tagged = post(alice, "only #tags and @nobody here")
    time.sleep(1.5)
    assert "/untitled" in site.hits
    assert alice.api.get(f"/api/v1/statuses/{status['id']}").json()["card"] is None
    assert alice.api.get(f"/api/v1/statuses/{tagged['id']}").json()["card"] is None


def test_link_timeline(site: Site, alice: User, bob: User) -> None:
    url = site.html("/timeline", "<html><head><title>Timeline</title></head></html>")
    public = post(alice, f"public {url}")
    assert wait_card(alice, public["id"]) is not None
    private = post(alice, f"private {url}", visibility="private")
    assert wait_card(alice, private["id"]) is not None
    newer = post(bob, f"again {url}")
    assert wait_card(bob, newer["id"]) is not None
    r = bob.api.get("/api/v1/timelines/link", params={"url": url})
    assert r.status_code == 200, r.text
    ids = [s["id"] for s in r.json()]
    assert ids == [newer["id"], public["id"]]  # public statuses only, newest first
    for shown in r.json():
        assert_valid("Status", shown)
    page = bob.api.get("/api/v1/timelines/link", params={"url": url, "limit": 1})
    assert [s["id"] for s in page.json()] == [newer["id"]]
    assert "max_id=" in page.headers["link"]
    assert "url=" in page.headers["link"]
    anonymous = httpx.get(f"{alice.server.base_url}/api/v1/timelines/link", params={"url": url})
    assert [s["id"] for s in anonymous.json()] == ids
    missing = bob.api.get("/api/v1/timelines/link", params={"url": "http://example.com/"})
    assert missing.status_code == 404
    assert "error" in missing.json()
    blank = bob.api.get("/api/v1/timelines/link")
    assert blank.status_code == 422
    assert "url" in blank.json()["error"]
    odd = bob.api.get("/api/v1/timelines/link", params={"url": "javascript:alert(1)"})
    assert odd.status_code == 404


def test_private_addresses_are_refused_without_the_test_setting(
    site: Site, make_server: Callable[..., RunningServer]
) -> None:
    guarded = make_server(allow_loopback_fetch=False)
    user = register(guarded)
    url = site.html("/guarded", "<html><head><title>Secret</title></head></html>")
    status = post(user, f"look {url}")
    time.sleep(2)
    assert "/guarded" not in site.hits
    assert user.api.get(f"/api/v1/statuses/{status['id']}").json()["card"] is None
