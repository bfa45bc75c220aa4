"""User files can never act as a page of tandem's origin; HTML pages carry a tight CSP;
animations too costly to process are refused; `media_url` moves every file URL elsewhere."""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import re
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from PIL import Image

from support.api import PASSWORD, Api, User
from support.images import png, size_of
from support.misskey import Misskey, mk_user
from support.server import RunningServer
from support.web import browser, hidden_fields, sign_in_from

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)
JS = b"fetch('/oauth/authorize').then(r => r.text()).then(alert)"
# (file name, bytes, declared type): what an attacker would send.
HOSTILE = [
    ("x.html", HTML, "text/html"),
    ("x.png", HTML, "text/html"),
    ("x.svg", SVG, "image/svg+xml"),
    ("x.js", JS, "application/javascript"),
    ("x.xhtml", HTML, "application/xhtml+xml"),
]
PAGE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")


def gif(frames: int, width: int, height: int) -> bytes:
    """An animation of `frames` frames alternating two shades, spliced together from two
    frames Pillow encodes once (cheap at any length: Pillow's writer would hold every frame,
    and merges identical neighbours)."""
    head = b""
    blocks: list[bytes] = []
    for shade in (40, 200):
        out = io.BytesIO()
        Image.new("L", (width, height), shade).save(out, "GIF")
        data = out.getvalue()
        start = 13 + (3 * (2 << (data[10] & 7)) if data[10] & 0x80 else 0)
        head = data[:start]
        image = data.index(b"\x2c", start)  # past any extension Pillow wrote
        blocks.append(b"\x21\xf9\x04\x08\x04\x00\x00\x00" + data[image:-1])  # 40 ms
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    return head + loop + b"".join(blocks[i % 2] for i in range(frames)) + b";"


def assert_never_a_page(r: httpx.Response) -> None:
    assert r.status_code == 200, r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "sandbox" in csp
    assert "default-src 'none'" in csp
    assert r.headers["content-disposition"].startswith("attachment")
    content_type = r.headers["content-type"].split(";")[0].strip().lower()
    assert content_type not in PAGE_TYPES
    assert not content_type.endswith(("+xml", "javascript"))


def assert_inline_image(r: httpx.Response, content_type: str) -> None:
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    assert "content-disposition" not in r.headers


@pytest.mark.parametrize(("name", "data", "declared"), HOSTILE)
def test_drive_never_serves_a_page(
    server: RunningServer, name: str, data: bytes, declared: str
) -> None:
    user = mk_user(server)
    file = user.mk.upload(data, name, declared)
    assert file["type"] in ("text/plain", "image/svg+xml"), file
    assert file["thumbnailUrl"] is None
    path = urlsplit(file["url"]).path
    assert path.startswith("/system/")
    assert not path.endswith((".html", ".htm", ".xhtml", ".js", ".png"))
    served = httpx.get(file["url"])
    assert_never_a_page(served)
    assert served.content == data  # kept byte for byte, only never rendered
    # A HEAD and a conditional GET carry the same protection.
    head = httpx.head(file["url"])
    assert head.headers["content-disposition"].startswith("attachment")
    again = httpx.get(file["url"], headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["x-content-type-options"] == "nosniff"


def test_a_page_declared_as_an_image_is_refused(server: RunningServer) -> None:
    user = mk_user(server)
    for declared in ("image/png", "image/gif"):
        r = Misskey(server).client.post(
            "/api/drive/files/create",
            data={"i": user.token},
            files={"file": ("y.png", HTML, declared)},
        )
        assert r.status_code == 400, r.text
        assert r.json()["error"]["info"]["param"] == "file"
    assert user.mk("drive")["usage"] == 0


def test_svg_is_never_an_avatar(server: RunningServer) -> None:
    user = mk_user(server)
    svg = user.mk.upload(SVG, "face.svg", "image/svg+xml")
    user.mk.error("i/update", {"avatarId": svg["id"]}, 400, "AVATAR_NOT_AN_IMAGE")


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize(("name", "data", "declared"), HOSTILE)
def test_mastodon_media_takes_only_images(
    alice: User, version: str, name: str, data: bytes, declared: str
) -> None:
    r = alice.api.post(f"/api/{version}/media", files={"file": (name, data, declared)})
    assert r.status_code == 422, r.text
    assert "error" in r.json()


def test_png_declared_as_html_is_a_png(server: RunningServer, alice: User) -> None:
    user = mk_user(server)
    file = user.mk.upload(png(300, 200), "x.html", "text/html")
    assert file["type"] == "image/png"
    assert file["properties"] == {"width": 300, "height": 200}
    assert file["url"].endswith(".png")
    served = httpx.get(file["url"])
    assert_inline_image(served, "image/png")
    assert size_of(served.content) == (300, 200)
    assert_inline_image(httpx.get(file["thumbnailUrl"]), "image/jpeg")
    # The same through the Mastodon dialect.
    r = alice.api.post("/api/v2/media", files={"file": ("x.html", png(), "text/html")})
    assert r.status_code == 200, r.text
    media = r.json()
    assert media["type"] == "image"
    assert media["url"].endswith(".png")
    assert_inline_image(httpx.get(media["url"]), "image/png")


def test_text_files_keep_harmless_types_and_download(server: RunningServer) -> None:
    user = mk_user(server)
    csv = user.mk.upload(b"a@b.example\n", "follows.csv", "text/csv")
    assert csv["type"] == "text/csv"
    served = httpx.get(csv["url"])
    assert_never_a_page(served)
    assert served.headers["content-type"].startswith("text/csv")
    unnamed = user.mk.upload(b"[1, 2]", "list.json", "application/octet-stream")
    assert unnamed["type"] == "application/json"
    binary = user.mk.upload(b"\x00\x01\x02 binary", "tool.html", "text/html")
    assert binary["type"] == "application/octet-stream"
    assert_never_a_page(httpx.get(binary["url"]))


TOO_MANY_FRAMES = gif(1001, 1, 1)  # more frames than the cap, 25 KB
TOO_MANY_PIXELS = gif(151, 1280, 720)  # 151 frames x 921,600 pixels, 260 KB
BOMB = gif(3000, 1280, 720)  # 3000 frames x 921,600 pixels, 5 MB


@pytest.mark.parametrize(
    "data", [TOO_MANY_FRAMES, TOO_MANY_PIXELS, BOMB], ids=["frames", "pixels", "bomb"]
)
def test_costly_animations_are_refused(server: RunningServer, alice: User, data: bytes) -> None:
    assert len(data) < 6 * 1024 * 1024  # small files, costly to process
    user = mk_user(server)
    r = Misskey(server).client.post(
        "/api/drive/files/create",
        data={"i": user.token},
        files={"file": ("a.gif", data, "image/gif")},
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "FILE_TOO_COMPLEX"
    assert set(error) >= {"message", "code", "id", "kind"}
    assert "frames" in error["message"]
    assert user.mk("drive")["usage"] == 0
    for version in ("v1", "v2"):
        r = alice.api.post(f"/api/{version}/media", files={"file": ("a.gif", data, "image/gif")})
        assert r.status_code == 422, r.text
        assert "frames" in r.json()["error"]
    for field in ("avatar", "header"):
        r = alice.api.patch(
            "/api/v1/accounts/update_credentials", files={field: ("a.gif", data, "image/gif")}
        )
        assert r.status_code == 422, r.text
        assert "frames" in r.json()["error"]


def test_animations_under_the_caps_still_work(server: RunningServer, alice: User) -> None:
    user = mk_user(server)
    file = user.mk.upload(gif(40, 64, 64), "ok.gif", "image/gif")
    assert file["type"] == "image/gif"
    assert_inline_image(httpx.get(file["url"]), "image/gif")
    # An ordinary reaction GIF: 40 frames of 1280x720 (1.6 s), as media and as an avatar.
    hd = gif(40, 1280, 720)
    file = user.mk.upload(hd, "hd.gif", "image/gif")
    assert file["type"] == "image/gif"
    served = httpx.get(file["url"])
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (1280, 720)
        assert image.n_frames == 40
    r = alice.api.post("/api/v2/media", files={"file": ("hd.gif", hd, "image/gif")})
    assert r.status_code in (200, 202), r.text
    r = alice.api.patch(
        "/api/v1/accounts/update_credentials", files={"avatar": ("a.gif", hd, "image/gif")}
    )
    assert r.status_code == 200, r.text
    with Image.open(io.BytesIO(httpx.get(r.json()["avatar"]).content)) as image:
        assert image.size == (400, 400)
        assert image.n_frames == 40


def test_media_url_builds_every_file_url(make_server: Any) -> None:
    media = "https://media.example.org/files"
    server = make_server(media_url=media + "/")
    user = mk_user(server)
    drive = user.mk.upload(png(), "p.png", "image/png")
    other = user.mk.upload(b"a,b\n", "x.csv", "text/csv")
    for url in (drive["url"], drive["thumbnailUrl"], other["url"]):
        assert url.startswith(media + "/media_attachments/"), url
        # The media host serves the media folder; tandem's own /system holds the same file.
        local = httpx.get(f"{server.base_url}/system/{url.removeprefix(media + '/')}")
        assert local.status_code == 200
    me = user.mk("i/update", {"avatarId": drive["id"], "bannerId": drive["id"]})
    assert me["avatarUrl"].startswith(media + "/accounts/avatars/")
    assert me["bannerUrl"].startswith(media + "/accounts/headers/")
    api = Api(server, user.mastodon.token)
    r = api.post("/api/v2/media", files={"file": ("p.png", png(), "image/png")})
    attachment = r.json()
    assert attachment["url"].startswith(media + "/")
    assert attachment["preview_url"].startswith(media + "/")
    status = api.post("/api/v1/statuses", data={"status": "hi", "media_ids[]": attachment["id"]})
    assert status.json()["media_attachments"][0]["url"].startswith(media + "/")
    account = api.get("/api/v1/accounts/verify_credentials").json()
    for key in ("avatar", "avatar_static", "header", "header_static"):
        assert account[key].startswith(media + "/"), account[key]
    note = user.mk("notes/create", {"text": "x", "fileIds": [drive["id"]]})["createdNote"]
    assert note["files"][0]["url"].startswith(media + "/")
    assert note["user"]["avatarUrl"].startswith(media + "/")
    # The profile page may show images from the media origin, and only that one besides.
    csp = httpx.get(f"{server.base_url}/@{user.username}").headers["content-security-policy"]
    assert "https://media.example.org" in directive(csp, "img-src")


def test_default_file_urls_are_on_this_server(server: RunningServer) -> None:
    file = mk_user(server).mk.upload(png(), "p.png", "image/png")
    assert file["url"].startswith(f"{server.base_url}/system/media_attachments/")


def raw_get(server: RunningServer, path: str) -> tuple[int, bytes]:
    """A request sent exactly as written: no client-side `..` clean-up."""
    host, port = server.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_traversal_and_dotfiles_are_not_found(server: RunningServer) -> None:
    media = server.data_dir / "media"
    (media / ".secret").write_text("hidden")
    (media / "media_attachments").mkdir(parents=True, exist_ok=True)
    (media / "media_attachments" / ".half.png.tmp").write_bytes(png())
    secret_key = (server.data_dir / "secret_key").read_bytes()
    for path in (
        "/system/../secret_key",
        "/system/%2e%2e/secret_key",
        "/system/media_attachments/../../secret_key",
        "/system/media_attachments/..%2f..%2fsecret_key",
        "/system/..%5csecret_key",
        "/system//etc/passwd",
        "/system/.secret",
        "/system/media_attachments/.half.png.tmp",
        "/system/media_attachments",
        "/system/",
        "/system/nope.png",
    ):
        status, body = raw_get(server, path)
        assert status == 404, (path, status)
        assert secret_key not in body
        assert b"hidden" not in body
    for path in ("/system/a%00.png", "/system/%00/../../secret_key"):
        status, body = raw_get(server, path)
        assert status in (400, 404), (path, status)  # a NUL may be refused before routing
        assert secret_key not in body
        assert b"hidden" not in body


def test_files_are_cached_and_not_writable(server: RunningServer) -> None:
    file = mk_user(server).mk.upload(png(), "p.png", "image/png")
    served = httpx.get(file["url"])
    cache = served.headers["cache-control"]
    assert "public" in cache
    assert "max-age=31536000" in cache
    assert served.headers["etag"]
    assert httpx.put(file["url"], content=b"x").status_code == 405
    assert httpx.get(file["url"]).content == served.content


def directive(csp: str, name: str) -> str:
    for part in csp.split(";"):
        if part.strip().startswith(name + " "):
            return part.strip()
    raise AssertionError(f"no {name} in {csp}")


def assert_locked_down(page: httpx.Response) -> str:
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "base-uri 'none'" in csp
    for loose in ("script-src", "unsafe-inline", "unsafe-eval"):
        assert loose not in csp
    assert directive(csp, "form-action").startswith("form-action 'self'")
    # The page's own stylesheet is allowed by its hash: the page still looks as designed.
    for block in re.findall(r"<style>(.*?)</style>", page.text, re.S):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directive(csp, "style-src")
    assert " style=" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-content-type-options"] == "nosniff"
    return csp


def test_html_pages_carry_a_csp(server: RunningServer, alice: User) -> None:
    web = browser(server)
    assert_locked_down(web.get("/auth/sign_in"))
    assert_locked_down(web.get(f"/@{alice.username}"))
    assert_locked_down(web.get("/oauth/authorize?response_type=code&client_id=nope"))
    assert_locked_down(web.get("/auth/confirmation?confirmation_token=nope"))
    session = secrets.token_urlsafe(16)
    assert_locked_down(web.get(f"/miauth/{session}?name=x&callback=https://app.example/cb"))


def test_oauth_pages_allow_the_redirect_to_the_client(server: RunningServer) -> None:
    redirect = "https://client.example:8443/callback"
    data = {"client_name": "c", "redirect_uris": redirect, "scopes": "read"}
    app = Api(server).post("/api/v1/apps", data=data).json()
    user = mk_user(server)
    web = browser(server)
    url = (
        f"/oauth/authorize?response_type=code&client_id={app['client_id']}"
        f"&redirect_uri={quote(redirect, safe='')}&scope=read"
    )
    login = web.get(url)
    # Signing in may end in the redirect to the client (an app authorized before).
    assert "https://client.example:8443" in directive(assert_locked_down(login), "form-action")
    r = sign_in_from(web, login, user.username, PASSWORD)
    consent = web.get(r.headers["location"])
    assert "Authorize" in consent.text
    assert "https://client.example:8443" in directive(assert_locked_down(consent), "form-action")
    approved = web.post("/oauth/authorize", data={**hidden_fields(consent), "decision": "approve"})
    assert approved.status_code == 302
    assert approved.headers["location"].startswith(redirect)
    # A page for another app does not name this client.
    other = web.get("/oauth/authorize?response_type=code&client_id=nope")
    assert "client.example" not in other.headers["content-security-policy"]


def test_oauth_pages_allow_the_registered_uri_when_the_request_names_none(
    server: RunningServer,
) -> None:
    """Without redirect_uri the authorization goes to the app's only registered URI: every
    page on the way (sign-in, a failed sign-in, consent) allows that one."""
    redirect = "https://only.example/cb"
    data = {"client_name": "c", "redirect_uris": redirect, "scopes": "read"}
    app = Api(server).post("/api/v1/apps", data=data).json()
    user = mk_user(server)
    web = browser(server)
    url = f"/oauth/authorize?response_type=code&client_id={app['client_id']}&scope=read"
    login = web.get(url)
    assert "https://only.example" in directive(assert_locked_down(login), "form-action")
    fields = {**hidden_fields(login), "login": user.username, "password": "wrong"}
    wrong = web.post("/auth/sign_in", data=fields)
    assert wrong.status_code == 401
    assert "https://only.example" in directive(assert_locked_down(wrong), "form-action")
    r = sign_in_from(web, login, user.username, PASSWORD)
    consent = web.get(r.headers["location"])
    assert "Authorize" in consent.text
    assert "https://only.example" in directive(assert_locked_down(consent), "form-action")
    approved = web.post("/oauth/authorize", data={**hidden_fields(consent), "decision": "approve"})
    assert approved.status_code == 302
    assert approved.headers["location"].startswith(redirect + "?code=")
    # Out of band, the code is shown on a page of this server: nothing else is allowed.
    oob = "urn:ietf:wg:oauth:2.0:oob"
    data = {"client_name": "o", "redirect_uris": oob, "scopes": "read"}
    app = Api(server).post("/api/v1/apps", data=data).json()
    url = f"/oauth/authorize?response_type=code&client_id={app['client_id']}&scope=read"
    consent = web.get(url)
    assert directive(assert_locked_down(consent), "form-action") == "form-action 'self'"
    shown = web.post("/oauth/authorize", data={**hidden_fields(consent), "decision": "approve"})
    assert shown.status_code == 200
    assert directive(assert_locked_down(shown), "form-action") == "form-action 'self'"


def test_miauth_consent_allows_its_callback_and_icon(server: RunningServer) -> None:
    user = mk_user(server)
    session = secrets.token_urlsafe(16)
    web = browser(server)
    query = (
        "name=Tester&permission=read:account&callback=myapp%3A%2F%2Fdone"
        "&icon=https%3A%2F%2Ficons.example%2Fapp.png"
    )
    page = web.get(f"/miauth/{session}?{query}")
    r = sign_in_from(web, page, user.username, PASSWORD)
    consent = web.get(r.headers["location"])
    assert "Allow" in consent.text
    csp = assert_locked_down(consent)
    assert "myapp:" in directive(csp, "form-action")
    assert "https://icons.example" in directive(csp, "img-src")
    decided = web.post(f"/miauth/{session}", data={**hidden_fields(consent), "decision": "approve"})
    assert decided.status_code == 303
    assert decided.headers["location"].startswith("myapp://done")
