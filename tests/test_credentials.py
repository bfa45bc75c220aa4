"""verify/update credentials and the profile API: encodings, limits, images, source."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from support.api import User, register
from support.images import animated_gif, jpeg, png, size_of
from support.server import RunningServer

PROFILE_KEYS = {
    "id",
    "avatar",
    "avatar_static",
    "avatar_description",
    "header",
    "header_static",
    "header_description",
    "hide_collections",
    "bot",
    "locked",
    "discoverable",
    "indexable",
    "display_name",
    "fields",
    "formatted_fields",
    "attribution_domains",
    "note",
    "formatted_note",
    "show_featured",
    "show_media",
    "show_media_replies",
    "featured_tags",
}


def patch(user: User, **kw: Any) -> httpx.Response:
    return user.api.patch("/api/v1/accounts/update_credentials", **kw)


def test_credential_account_shape(alice: User) -> None:
    body = alice.api.get("/api/v1/accounts/verify_credentials").json()
    assert body["created_at"].endswith("T00:00:00.000Z")
    assert body["last_status_at"] is None
    assert body["avatar"].endswith("/avatars/original/missing.png")
    assert body["header_static"].endswith("/headers/original/missing.png")
    assert body["source"] == {
        "privacy": "public",
        "sensitive": False,
        "language": None,
        "note": "",
        "fields": [],
        "follow_requests_count": 0,
        "hide_collections": None,
        "discoverable": None,
        "indexable": False,
        "attribution_domains": [],
        "quote_policy": "public",
        "role": body["role"],  # masto.js's AccountSource carries the role too
    }
    assert body["role"] == {
        "id": "-99",
        "name": "",
        "permissions": "65536",
        "color": "",
        "highlighted": False,
        "collection_limit": 10,
    }
    assert body["roles"] == []
    assert body["noindex"] is False
    assert body["uri"] == f"{alice.server.base_url}/ap/users/{alice.id}"
    assert body["feature_approval"] == {"automatic": [], "manual": [], "current_user": "denied"}


def test_fields_in_all_three_encodings(alice: User) -> None:
    # 1. form with index-keyed hashes
    r = patch(
        alice,
        data={
            "fields_attributes[0][name]": "A",
            "fields_attributes[0][value]": "1",
            "fields_attributes[1][name]": "B",
            "fields_attributes[1][value]": "2",
        },
    )
    assert [(f["name"], f["value"]) for f in r.json()["source"]["fields"]] == [
        ("A", "1"),
        ("B", "2"),
    ]
    # 2. JSON hash: the keys do not matter, the order does
    r = patch(
        alice,
        json={
            "fields_attributes": {
                "420": {"name": "1st", "value": "x"},
                "69": {"name": "2nd", "value": "y"},
            }
        },
    )
    assert [f["name"] for f in r.json()["source"]["fields"]] == ["1st", "2nd"]
    # 3. JSON array
    r = patch(
        alice, json={"fields_attributes": [{"name": "Web", "value": "https://example.org/me"}]}
    )
    body = r.json()
    assert body["source"]["fields"] == [
        {"name": "Web", "value": "https://example.org/me", "verified_at": None}
    ]
    assert body["fields"][0]["value"].startswith(
        '<a href="https://example.org/me" target="_blank" rel="nofollow noopener me"'
    )
    # Blank pairs are dropped; sending none clears the fields.
    r = patch(alice, json={"fields_attributes": [{"name": "", "value": ""}]})
    assert r.json()["fields"] == []


def test_note_rendering_and_source(alice: User, bob: User) -> None:
    note = f"Hi @{bob.username}!\nLine two\n\nNew #Para https://example.com/some/very/long/path/that/goes/on"
    body = patch(alice, json={"note": note}).json()
    assert body["source"]["note"] == note
    html = body["note"]
    assert html.startswith('<p>Hi <span class="h-card" translate="no">')
    profile = f"{alice.server.base_url}/@{bob.username}"
    assert f'href="{profile}" class="u-url mention">@<span>{bob.username}</span>' in html
    assert "<br />Line two</p><p>New <a href=" in html
    assert '<span class="ellipsis">example.com/some/very/long/pat</span>' in html


@pytest.mark.parametrize(
    ("data", "attribute", "code"),
    [
        ({"display_name": "x" * 41}, "display_name", "ERR_TOO_LONG"),
        ({"note": "n" * 501}, "note", "ERR_TOO_LONG"),
        ({"avatar_description": "d" * 151}, "avatar_description", "ERR_TOO_LONG"),
        (
            {"fields_attributes": [{"name": str(i), "value": "v"} for i in range(5)]},
            "fields",
            "ERR_TOO_LONG",
        ),
        ({"fields_attributes": [{"name": "n" * 256, "value": "v"}]}, "fields", "ERR_TOO_LONG"),
        ({"fields_attributes": [{"name": "n", "value": "v" * 256}]}, "fields", "ERR_TOO_LONG"),
        (
            {"fields_attributes": [{"name": "", "value": "orphan"}]},
            "fields",
            "ERR_FIELDS_WITH_VALUES_MISSING_LABELS",
        ),
        ({"attribution_domains": ["not a domain"]}, "attribution_domains", "ERR_INVALID"),
        ({"source": {"privacy": "everyone"}}, "source[privacy]", "ERR_INCLUSION"),
        ({"source": {"language": "klingon"}}, "source[language]", "ERR_INCLUSION"),
    ],
)
def test_limits_give_422_naming_the_field(
    alice: User, data: dict[str, Any], attribute: str, code: str
) -> None:
    before = alice.api.get("/api/v1/accounts/verify_credentials").json()
    r = patch(alice, json={**data, "display_name": data.get("display_name", "Changed")})
    assert r.status_code == 422, r.text
    body = r.json()
    assert attribute in body["details"]
    assert body["details"][attribute][0]["error"] == code
    assert body["error"].startswith("Validation failed: ")
    # Nothing was written, not even the valid display name.
    after = alice.api.get("/api/v1/accounts/verify_credentials").json()
    assert after["display_name"] == before["display_name"]


def test_note_counts_urls_as_23_characters(alice: User) -> None:
    note = "x" * 470 + " https://example.com/" + "y" * 200
    assert patch(alice, json={"note": note}).status_code == 200


def test_flags_and_source(alice: User) -> None:
    body = patch(
        alice,
        data={
            "locked": "true",
            "bot": "1",
            "discoverable": "true",
            "indexable": "true",
            "hide_collections": "true",
            "source[privacy]": "private",
            "source[sensitive]": "true",
            "source[language]": "de",
            "attribution_domains[]": ["https://News.Example.com/", "*.blog.example"],
        },
    ).json()
    assert (body["locked"], body["bot"], body["discoverable"], body["indexable"]) == (
        True,
        True,
        True,
        True,
    )
    assert body["hide_collections"] is True
    assert body["source"]["privacy"] == "private"
    assert body["source"]["sensitive"] is True
    assert body["source"]["language"] == "de"
    assert body["source"]["attribution_domains"] == ["news.example.com", "blog.example"]
    assert body["feature_approval"]["automatic"] == ["followers"]
    # An empty source hash changes nothing (Mastodon's spec).
    assert (
        patch(alice, json={"display_name": "Still", "source": {}}).json()["source"]["privacy"]
        == "private"
    )


def test_avatar_and_header_processing(alice: User) -> None:
    r = patch(
        alice,
        files={
            "avatar": ("a.png", png(900, 600), "image/png"),
            "header": ("h.jpg", jpeg(3000, 1500), "image/jpeg"),
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    avatar = httpx.get(body["avatar"]).content
    assert size_of(avatar) == (400, 400)
    assert body["avatar_static"] == body["avatar"]
    assert "/system/accounts/avatars/" in body["avatar"]
    header = httpx.get(body["header"]).content
    width, height = size_of(header)
    assert width * height <= 1500 * 500
    assert abs(width / height - 2) < 0.01
    with Image.open(io.BytesIO(header)) as image:
        assert not image.getexif()  # metadata stripped
    # A small avatar is not enlarged, only squared.
    body = patch(alice, files={"avatar": ("s.png", png(120, 90), "image/png")}).json()
    assert size_of(httpx.get(body["avatar"]).content) == (90, 90)
    # data: URIs work too.
    import base64

    uri = "data:image/png;base64," + base64.b64encode(png(50, 50)).decode()
    assert patch(alice, json={"avatar": uri}).status_code == 200


def test_animated_avatar_keeps_animation_and_has_static(alice: User) -> None:
    body = patch(alice, files={"avatar": ("a.gif", animated_gif(200, 200), "image/gif")}).json()
    assert body["avatar"].endswith(".gif")
    assert body["avatar_static"].endswith(".png")
    with Image.open(io.BytesIO(httpx.get(body["avatar"]).content)) as image:
        assert image.is_animated


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (("a.txt", b"this is not an image", "image/png"), "ERR_INVALID"),
        (("big.png", b"\x89PNG" + b"0" * (8 * 1024 * 1024 + 10), "image/png"), "ERR_LESS_THAN"),
        (("huge.png", None, "image/png"), "ERR_TOO_BIG"),
    ],
)
def test_bad_images_are_refused(
    alice: User, upload: tuple[str, bytes | None, str], code: str
) -> None:
    name, data, mime = upload
    if data is None:
        data = png(8000, 4200, (0, 0, 0))  # over 33,177,600 pixels
    r = patch(alice, files={"avatar": (name, data, mime)})
    assert r.status_code == 422, r.text
    assert r.json()["details"]["avatar"][0]["error"] == code


def test_profile_api(alice: User) -> None:
    r = alice.api.get("/api/v1/profile")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == PROFILE_KEYS
    assert body["avatar"] is None
    assert body["header"] is None
    r = alice.api.patch(
        "/api/v1/profile",
        data={
            "display_name": "Profiled",
            "note": "raw *note*",
            "show_media": "false",
            "show_featured": "0",
            "avatar_description": "a red square",
            "fields_attributes[0][name]": "k",
            "fields_attributes[0][value]": "v",
        },
        files={"avatar": ("a.png", png(), "image/png")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["note"] == "raw *note*"
    assert body["formatted_note"] == "<p>raw *note*</p>"
    assert body["show_media"] is False
    assert body["show_featured"] is False
    assert body["avatar"].startswith(alice.server.base_url + "/system/")
    assert body["fields"] == [{"name": "k", "value": "v", "verified_at": None}]
    # source[...] is not part of this API.
    alice.api.patch("/api/v1/profile", json={"source": {"privacy": "private"}})
    assert (
        alice.api.get("/api/v1/accounts/verify_credentials").json()["source"]["privacy"] == "public"
    )
    r = alice.api.patch("/api/v1/profile", json={"note": "x" * 501})
    assert r.json()["details"]["note"][0]["error"] == "ERR_TOO_LONG"


def test_delete_avatar_and_header(alice: User) -> None:
    patch(
        alice,
        files={"avatar": ("a.png", png(), "image/png"), "header": ("h.png", png(), "image/png")},
    )
    body = alice.api.delete("/api/v1/profile/avatar").json()
    assert body["avatar"].endswith("/avatars/original/missing.png")
    assert "/system/" in body["header"]
    assert "source" in body  # a CredentialAccount
    body = alice.api.delete("/api/v1/profile/header").json()
    assert body["header"].endswith("/headers/original/missing.png")
    assert alice.api.delete("/api/v1/profile/header").status_code == 200  # nothing left: still fine


def test_unlocking_accepts_waiting_requests(server: RunningServer) -> None:
    owner = register(server, locked=True)
    fan = register(server)
    assert fan.api.post(f"/api/v1/accounts/{owner.id}/follow").json()["requested"] is True
    assert (
        owner.api.get("/api/v1/accounts/verify_credentials").json()["source"][
            "follow_requests_count"
        ]
        == 1
    )
    patch(owner, json={"locked": False})
    rel = fan.api.get(f"/api/v1/accounts/relationships?id[]={owner.id}").json()[0]
    assert rel["following"] is True
    assert rel["requested"] is False


def test_put_works_like_patch(alice: User) -> None:
    r = alice.api.put("/api/v1/accounts/update_credentials", json={"display_name": "Put"})
    assert r.json()["display_name"] == "Put"
