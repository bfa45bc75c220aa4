"""Responses match Mastodon's published entity schemas (OpenAPI 4.7.0)."""

from __future__ import annotations

from support.api import Api, User, app_token, register
from support.images import png
from support.schemas import assert_valid
from support.server import RunningServer


def test_accounts_and_relationships(server: RunningServer, alice: User, bob: User) -> None:
    alice.api.patch(
        "/api/v1/accounts/update_credentials",
        data={
            "note": "hi",
            "fields_attributes[0][name]": "a",
            "fields_attributes[0][value]": "b",
        },
        files={"avatar": ("a.png", png(), "image/png")},
    )
    assert_valid("CredentialAccount", alice.api.get("/api/v1/accounts/verify_credentials").json())
    assert_valid("Account", Api(server).get(f"/api/v1/accounts/{alice.id}").json())
    assert_valid("Relationship", alice.api.post(f"/api/v1/accounts/{bob.id}/follow").json())
    alice.api.post(f"/api/v1/accounts/{bob.id}/mute", data={"duration": "600"})
    for relationship in alice.api.get(f"/api/v1/accounts/relationships?id[]={bob.id}").json():
        assert_valid("Relationship", relationship)
    for muted in alice.api.get("/api/v1/mutes").json():
        assert_valid("MutedAccount", muted)
    assert_valid("Profile", alice.api.get("/api/v1/profile").json())
    familiar = alice.api.get(f"/api/v1/accounts/familiar_followers?id[]={bob.id}").json()
    for item in familiar:
        assert_valid("FamiliarFollowers", item)


def test_statuses_media_lists_tags(server: RunningServer, alice: User, bob: User) -> None:
    media = alice.api.post(
        "/api/v2/media", files={"file": ("p.png", png(), "image/png")}, data={"description": "d"}
    ).json()
    assert_valid("MediaAttachment", media)
    status = alice.api.post(
        "/api/v1/statuses",
        data={"status": f"hi @{bob.username} #tag", "media_ids[]": media["id"]},
    ).json()
    assert_valid("Status", status)
    assert_valid("Status", bob.api.post(f"/api/v1/statuses/{status['id']}/reblog").json())
    assert_valid("Status", Api(server).get(f"/api/v1/statuses/{status['id']}").json())
    assert_valid("List", alice.api.post("/api/v1/lists", data={"title": "L"}).json())
    assert_valid(
        "FeaturedTag", alice.api.post("/api/v1/featured_tags", data={"name": "tag"}).json()
    )


def test_apps_tokens_instance(server: RunningServer) -> None:
    app = (
        Api(server)
        .post(
            "/api/v1/apps", data={"client_name": "s", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
        )
        .json()
    )
    assert_valid("CredentialApplication", app)
    token = app_token(server, "read")
    assert_valid("Application", Api(server, token).get("/api/v1/apps/verify_credentials").json())
    r = Api(server).post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert_valid("Token", r.json())
    register(server)  # an admin-less server still has a contact of null
    assert_valid("Instance", Api(server).get("/api/v2/instance").json())
    assert_valid("V1Instance", Api(server).get("/api/v1/instance").json())
