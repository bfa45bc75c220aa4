"""oEmbed in preview cards (Mastodon's FetchOEmbedService) and Misskey's `GET /url`: pages on
a local HTTP server name their oEmbed documents; the cards are read over the Mastodon API,
the summaly answers over plain HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from support import site as site_support
from support.api import User, register
from support.images import png
from support.schemas import assert_valid
from support.server import RunningServer


class Site(site_support.Site):
    def oembed(self, path: str, doc: Any) -> str:
        """A page titled "Page <path>" naming a JSON oEmbed document (`doc`, or raw text)."""
        raw = doc if isinstance(doc, str) else json.dumps(doc)
        self.pages[path + ".json"] = ("application/json", raw.encode())
        return self.html(
            path,
            f"""<!doctype html><html><head><title>Page {path}</title>
<meta property="og:description" content="About {path}">
<meta property="og:image" content="/cover.png">
<link rel="alternate" type="application/json+oembed" href="{path}.json" title="oEmbed">
</head><body></body></html>""",
        )


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    running = Site()
    running.pages["/cover.png"] = ("image/png", png(800, 400))
    running.pages["/photo.png"] = ("image/png", png(300, 200))
    running.pages["/thumb.png"] = ("image/png", png(320, 180))
    yield running
    running.close()


def card_of(user: User, text: str, timeout: float = 15) -> dict[str, Any]:
    r = user.api.post("/api/v1/statuses", json={"status": text})
    assert r.status_code == 200, r.text
    status_id = r.json()["id"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = user.api.get(f"/api/v1/statuses/{status_id}").json()
        if shown["card"] is not None:
            assert_valid("Status", shown)
            assert_valid("PreviewCard", shown["card"])
            return dict(shown["card"])
        time.sleep(0.1)
    raise AssertionError("no card")


VIDEO = {
    "version": "1.0",
    "type": "video",
    "title": "A clip",
    "author_name": "Clip Maker",
    "author_url": "/people/maker",
    "provider_name": "ClipTube",
    "provider_url": "https://cliptube.example/",
    "thumbnail_url": "/thumb.png",
    "width": 480,
    "height": 270,
    "html": '<iframe width="480" height="270" src="https://cliptube.example/embed/1?a=1&amp;b=2"'
    ' frameborder="0" allow="autoplay" allowfullscreen></iframe>',
}


def test_video_oembed_becomes_a_video_card_with_one_iframe(site: Site, alice: User) -> None:
    url = site.oembed("/video", VIDEO)
    fetched = site.hits.count("/video.json")  # (the site may have served the other backend)
    card = card_of(alice, f"watch {url}")
    assert site.hits.count("/video.json") == fetched + 1
    assert card["type"] == "video"
    assert card["title"] == "A clip"
    assert card["description"] == "About /video"  # the page's own
    assert card["author_name"] == "Clip Maker"
    assert card["author_url"] == site.url + "/people/maker"  # resolved against the endpoint
    assert card["provider_name"] == "ClipTube"
    assert card["provider_url"] == "https://cliptube.example/"
    assert card["width"] == 480
    assert card["height"] == 270
    assert card["html"] == (
        '<iframe src="https://cliptube.example/embed/1?a=1&amp;b=2" width="480" height="270"'
        ' frameborder="0" allowfullscreen sandbox="allow-scripts allow-same-origin'
        ' allow-popups allow-popups-to-escape-sandbox allow-forms"></iframe>'
    )
    assert card["embed_url"] == ""
    assert card["image"].startswith(alice.server.base_url)  # the thumbnail, re-encoded here
    assert "/thumb.png" in site.hits


HOSTILE = [
    '<script src="https://evil.example/x.js"></script>'
    '<iframe src="https://player.example/v" onload="alert(1)" style="x" srcdoc="<b>x</b>"'
    ' width="100%" height="200" allow="camera"></iframe><img src=x onerror=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="http://player.example/plain"></iframe>',
    '<iframe src="//player.example/relative"></iframe>',
    "<div onclick=alert(1)>no frame</div><script>alert(1)</script>",
    '<iframe src="https://player.example/q" width="1"><script>alert(1)</script></iframe>'
    '<iframe src="https://second.example/"></iframe>',
    '<iframe src="https://player.example/&quot;onload=&quot;alert(1)"></iframe>',
]


@pytest.mark.parametrize("case", range(len(HOSTILE)))
def test_hostile_oembed_html_never_survives(site: Site, alice: User, case: int) -> None:
    doc = {**VIDEO, "type": "rich" if case % 2 else "video", "html": HOSTILE[case]}
    url = site.oembed(f"/hostile{case}", doc)
    card = card_of(alice, f"see {url}")
    html = card["html"]
    for bad in ("<script", "onload", "onerror", "onclick", "javascript:", "style", "srcdoc"):
        assert bad not in html.lower()
    for bad in ("<img", "<div", "allow=", "second.example", "http://", "//player.example/r"):
        assert bad not in html
    if html:
        assert card["type"] in ("video", "rich")
        assert html.startswith('<iframe src="https://player.example/')
        assert html.count("<iframe") == 1
        assert html.endswith("></iframe>")
    else:  # no usable iframe: the page's own link card
        assert card["type"] == "link"
        assert card["title"] == f"Page /hostile{case}"
    if case == 0:
        assert card["type"] == "rich" or card["type"] == "video"
        assert 'width="100%"' not in html
        assert 'height="200"' in html
    if case == 6:
        assert html == "" or 'onload="' not in html


def test_photo_oembed_becomes_a_photo_card(site: Site, alice: User) -> None:
    url = site.oembed(
        "/photo",
        {
            "version": 1.0,
            "type": "photo",
            "url": "/photo.png",
            "width": "300",
            "height": 200,
            "provider_name": "Pics",
        },
    )
    card = card_of(alice, f"pic {url}")
    assert card["type"] == "photo"
    assert card["title"] == "Page /photo"  # the document has none: the page's
    assert card["embed_url"] == site.url + "/photo.png"
    assert card["width"] == 300
    assert card["height"] == 200
    assert card["html"] == ""
    assert card["provider_name"] == "Pics"
    assert card["image"].startswith(alice.server.base_url)
    assert httpx.get(card["image"]).status_code == 200


@pytest.mark.parametrize(
    "doc",
    [
        "{not json",
        {"version": "2.0", "type": "video", "html": VIDEO["html"]},
        {"version": "1.0", "type": "movie"},
        {"version": "1.0", "type": "photo"},  # a photo without its url
        ["version", "1.0"],
        {"version": "1.0", "type": "video", "html": 42},
    ],
    ids=["broken", "version", "type", "photo-url", "array", "html-type"],
)
def test_unusable_oembed_falls_back_to_the_link_card(site: Site, alice: User, doc: Any) -> None:
    path = f"/broken-{abs(hash(json.dumps(doc)))}"
    url = site.oembed(path, doc)
    card = card_of(alice, f"odd {url}")
    assert card["type"] == "link"
    assert card["html"] == ""
    assert card["title"] == f"Page {path}"
    assert card["description"] == f"About {path}"
    assert card["image"] is not None  # the page's og:image
    assert card["width"] > 0
    assert card["height"] > 0


def test_missing_oembed_document_falls_back(site: Site, alice: User) -> None:
    url = site.html(
        "/gone",
        '<html><head><title>Gone</title><link type="application/json+oembed" href="/nope.json">'
        "</head></html>",
    )
    card = card_of(alice, f"gone {url}")
    assert card["type"] == "link"
    assert card["title"] == "Gone"
    assert "/nope.json" in site.hits


def test_twitter_player_makes_a_video_card(site: Site, alice: User) -> None:
    url = site.html(
        "/player",
        """<html><head><title>Player</title>
<meta name="twitter:player" content="https://player.example/p?id=1&amp;x=2">
<meta name="twitter:player:width" content="640"><meta name="twitter:player:height" content="360">
</head></html>""",
    )
    card = card_of(alice, f"play {url}")
    assert card["type"] == "video"
    assert card["width"] == 640
    assert card["height"] == 360
    assert card["html"].startswith(
        '<iframe src="https://player.example/p?id=1&amp;x=2" width="640" height="360"'
    )
    hostile = site.html(
        "/bad-player",
        """<html><head><title>Bad player</title>
<meta name="twitter:player" content="javascript:alert(1)//&quot; onload=&quot;alert(1)">
</head></html>""",
    )
    card = card_of(alice, f"play {hostile}")
    assert card["type"] == "link"
    assert card["html"] == ""


# --- Misskey's GET /url --------------------------------------------------------------------


def test_url_preview_answers_the_summaly_shape(site: Site, server: RunningServer) -> None:
    url = site.html(
        "/summary",
        """<html><head><title>Fallback</title>
<meta property="og:title" content="Summary page"><meta property="og:description" content="Words">
<meta property="og:site_name" content="Sitey"><meta property="og:image" content="/cover.png">
</head></html>""",
    )
    r = httpx.get(f"{server.base_url}/url", params={"url": url + "#frag", "lang": "ja-JP"})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "max-age=604800, immutable"
    body = r.json()
    assert set(body) == {
        "url",
        "title",
        "icon",
        "description",
        "thumbnail",
        "player",
        "sitename",
        "sensitive",
        "activityPub",
    }
    assert body["url"] == url
    assert body["title"] == "Summary page"
    assert body["description"] == "Words"
    assert body["sitename"] == "Sitey"
    assert body["sensitive"] is False
    assert body["activityPub"] is None
    assert body["icon"] is None
    assert body["player"] == {"url": None, "width": None, "height": None, "allow": []}
    assert body["thumbnail"].startswith(server.base_url)
    assert httpx.get(body["thumbnail"]).status_code == 200
    # Stored: asked again, the page is not fetched again.
    fetched = site.hits.count("/summary")
    again = httpx.get(f"{server.base_url}/url", params={"url": url})
    assert again.json() == body
    assert site.hits.count("/summary") == fetched


def test_url_preview_of_a_video_has_its_player(site: Site, server: RunningServer) -> None:
    url = site.oembed("/mk-video", VIDEO)
    body = httpx.get(f"{server.base_url}/url", params={"url": url}).json()
    assert body["title"] == "A clip"
    assert body["player"] == {
        "url": "https://cliptube.example/embed/1?a=1&b=2",
        "width": 480,
        "height": 270,
        "allow": ["fullscreen"],
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"url": ""},
        {"url": "javascript:alert(1)"},
        {"url": "not a url"},
        {"url": "http://exa mple.com:99999/"},
        {"url": ["https://a.example/", "https://b.example/"]},
        {"url": "https://a.example/", "lang": ["ja", "en"]},
    ],
)
def test_url_preview_refuses_bad_params(server: RunningServer, params: dict[str, Any]) -> None:
    r = httpx.get(f"{server.base_url}/url", params=params)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "INVALID_PARAM"
    assert error["kind"] == "client"
    assert error["id"] == "3d81ceae-475f-4600-b2a8-2bc116157532"


def test_url_preview_of_a_page_without_card_fails_in_misskey_shape(
    site: Site, server: RunningServer
) -> None:
    r = httpx.get(f"{server.base_url}/url", params={"url": site.url + "/missing-page"})
    assert r.status_code == 422
    assert r.headers["cache-control"] == "max-age=3600"
    assert r.json()["error"]["code"] == "URL_PREVIEW_FAILED"
    assert r.json()["error"]["id"] == "09d01cb5-53b9-4856-82e5-38a50c290a3b"
    ja = httpx.get(
        f"{server.base_url}/url", params={"url": site.url + "/missing-page", "lang": "ja"}
    )
    assert ja.json()["error"]["message"] == "プレビューを取得できませんでした"


def test_url_preview_refuses_private_addresses(
    site: Site, make_server: Callable[..., RunningServer]
) -> None:
    guarded = make_server(allow_loopback_fetch=False)
    register(guarded)  # the server is up
    url = site.html("/mk-secret", "<html><head><title>Secret</title></head></html>")
    for target in (url, "http://localhost:1/", "http://10.0.0.1:9/x", "http://[::1]/"):
        r = httpx.get(f"{guarded.base_url}/url", params={"url": target}, timeout=30)
        assert r.status_code == 422, (target, r.text)
        assert r.json()["error"]["code"] == "URL_PREVIEW_FAILED"
    assert "/mk-secret" not in site.hits
