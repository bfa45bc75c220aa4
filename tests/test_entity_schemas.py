"""Responses match Mastodon's published entity schemas (OpenAPI 4.7.0)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.api import Api, User, app_token, register
from support.cli import tandem
from support.images import png
from support.misskey import mk_user
from support.schemas import assert_valid, errors
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


# What a client reads, and the entity Mastodon's OpenAPI file says it is: (path, entity,
# "one" / "list" / "map" (values)). The paths are filled from the world built below.
READS: list[tuple[str, str, str]] = [
    ("/api/v1/accounts/verify_credentials", "CredentialAccount", "one"),
    ("/api/v1/accounts/{bob}", "Account", "one"),
    ("/api/v1/accounts/{alice}/statuses", "Status", "list"),
    ("/api/v1/accounts/{alice}/featured_tags", "FeaturedTag", "list"),
    ("/api/v1/accounts/{bob}/lists", "List", "list"),
    ("/api/v1/accounts/{alice}/followers", "Account", "list"),
    ("/api/v1/accounts/relationships?id[]={bob}&id[]={carol}", "Relationship", "list"),
    ("/api/v1/accounts/familiar_followers?id[]={carol}", "FamiliarFollowers", "list"),
    ("/api/v1/statuses/{poll}", "Status", "one"),
    ("/api/v1/statuses/{media}", "Status", "one"),
    ("/api/v1/statuses/{reblog}", "Status", "one"),
    ("/api/v1/statuses/{reply}/context", "Context", "one"),
    ("/api/v1/statuses/{edited}/history", "StatusEdit", "list"),
    ("/api/v1/statuses/{edited}/source", "StatusSource", "one"),
    ("/api/v1/statuses/{media}/favourited_by", "Account", "list"),
    ("/api/v1/statuses/{media}/reblogged_by", "Account", "list"),
    ("/api/v1/polls/{poll_id}", "Poll", "one"),
    ("/api/v1/timelines/home", "Status", "list"),
    ("/api/v1/timelines/public", "Status", "list"),
    ("/api/v1/timelines/tag/cats", "Status", "list"),
    ("/api/v1/timelines/list/{list}", "Status", "list"),
    ("/api/v1/favourites", "Status", "list"),
    ("/api/v1/bookmarks", "Status", "list"),
    ("/api/v1/notifications", "Notification", "list"),
    ("/api/v1/notifications/{notification}", "Notification", "one"),
    ("/api/v2/notifications", "GroupedNotificationsResults", "one"),
    ("/api/v2/notifications/policy", "NotificationPolicy", "one"),
    ("/api/v1/notifications/policy", "V1NotificationPolicy", "one"),
    ("/api/v1/notifications/requests", "NotificationRequest", "list"),
    ("/api/v1/markers?timeline[]=home&timeline[]=notifications", "Marker", "map"),
    ("/api/v2/filters", "Filter", "list"),
    ("/api/v2/filters/{filter}/keywords", "FilterKeyword", "list"),
    ("/api/v2/filters/{filter}/statuses", "FilterStatus", "list"),
    ("/api/v1/filters", "V1Filter", "list"),
    ("/api/v1/followed_tags", "Tag", "list"),
    ("/api/v1/tags/cats", "Tag", "one"),
    ("/api/v1/featured_tags", "FeaturedTag", "list"),
    ("/api/v1/featured_tags/suggestions", "Tag", "list"),
    ("/api/v1/preferences", "Preferences", "one"),
    ("/api/v1/suggestions", "Account", "list"),
    ("/api/v2/suggestions", "Suggestion", "list"),
    ("/api/v2/search?q=cats", "Search", "one"),
    ("/api/v2/search?q={bob_name}&type=accounts", "Search", "one"),
    ("/api/v1/accounts/search?q={bob_name}", "Account", "list"),
    ("/api/v1/directory", "Account", "list"),
    ("/api/v1/scheduled_statuses", "ScheduledStatus", "list"),
    ("/api/v1/conversations", "Conversation", "list"),
    ("/api/v1/lists", "List", "list"),
    ("/api/v1/lists/{list}", "List", "one"),
    ("/api/v1/lists/{list}/accounts", "Account", "list"),
    ("/api/v1/mutes", "MutedAccount", "list"),
    ("/api/v1/blocks", "Account", "list"),
    ("/api/v1/endorsements", "Account", "list"),
    ("/api/v1/custom_emojis", "CustomEmoji", "list"),
    ("/api/v1/announcements", "Announcement", "list"),
    ("/api/v1/trends/tags", "Tag", "list"),
    ("/api/v1/trends/statuses", "Status", "list"),
    ("/api/v1/trends/links", "TrendsLink", "list"),
    ("/api/v1/instance/rules", "Rule", "list"),
    ("/api/v1/instance/extended_description", "ExtendedDescription", "one"),
    ("/api/v1/instance/privacy_policy", "PrivacyPolicy", "one"),
    ("/api/v2/instance", "Instance", "one"),
    ("/api/v1/instance", "V1Instance", "one"),
]

# Notification types the world's actions give alice (Mastodon's names).
NOTIFIED = {"follow", "mention", "reblog", "favourite", "poll", "status", "update"}


def _world(server: RunningServer, folder: Path) -> tuple[User, dict[str, str]]:
    """alice, bob and a locked carol have done what the Mastodon dialect serves."""
    (folder / "e.png").write_bytes(png())
    tandem(server, "emoji", "add", f"schemas{time.monotonic_ns() % 10**9}", str(folder / "e.png"))
    alice_mk = mk_user(server, display_name="Alice", discoverable=True)
    alice, bob, carol = alice_mk.mastodon, register(server), register(server, locked=True)
    ids = {"alice": alice.id, "bob": bob.id, "carol": carol.id, "bob_name": bob.username}
    assert bob.api.post(f"/api/v1/accounts/{alice.id}/follow", data={"notify": "true"}).is_success
    alice.api.post(f"/api/v1/accounts/{bob.id}/follow", data={"notify": "true"})
    alice.api.post(f"/api/v1/accounts/{carol.id}/follow")  # a request
    bob.api.post(f"/api/v1/accounts/{carol.id}/follow")
    carol.api.post(f"/api/v1/follow_requests/{bob.id}/authorize")
    media = alice.api.post(
        "/api/v2/media", files={"file": ("p.png", png(), "image/png")}, data={"description": "d"}
    ).json()
    posted = alice.api.post(
        "/api/v1/statuses",
        data={"status": f"cats @{bob.username} #cats", "media_ids[]": media["id"]},
    ).json()
    ids["media"] = posted["id"]
    poll = alice_mk.mk(
        "notes/create", {"text": "which?", "poll": {"choices": ["a", "b"], "expiredAfter": 10_000}}
    )["createdNote"]
    ids["poll"] = poll["id"]
    ids["poll_id"] = alice.api.get(f"/api/v1/statuses/{poll['id']}").json()["poll"]["id"]
    bob.api.post(f"/api/v1/polls/{ids['poll_id']}/votes", data={"choices[]": "0"})
    reply = bob.api.post(
        "/api/v1/statuses",
        data={"status": f"@{alice.username} yes", "in_reply_to_id": posted["id"]},
    ).json()
    ids["reply"] = reply["id"]
    ids["reblog"] = bob.api.post(f"/api/v1/statuses/{posted['id']}/reblog").json()["id"]
    bob.api.post(f"/api/v1/statuses/{posted['id']}/favourite")
    bob.api.post(f"/api/v1/statuses/{posted['id']}/bookmark")
    alice.api.post(f"/api/v1/statuses/{reply['id']}/favourite")
    alice.api.post(f"/api/v1/statuses/{reply['id']}/bookmark")
    edited = bob.api.post("/api/v1/statuses", data={"status": "first #cats"}).json()
    alice.api.post(f"/api/v1/statuses/{edited['id']}/reblog")
    r = bob.api.put(f"/api/v1/statuses/{edited['id']}", data={"status": "second #cats"})
    assert r.status_code == 200, r.text
    ids["edited"] = edited["id"]
    bob.api.post(
        "/api/v1/statuses", data={"status": f"@{alice.username} psst", "visibility": "direct"}
    )
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    alice.api.post("/api/v1/statuses", data={"status": "later", "scheduled_at": later})
    ids["list"] = alice.api.post("/api/v1/lists", data={"title": "L"}).json()["id"]
    alice.api.post(f"/api/v1/lists/{ids['list']}/accounts", data={"account_ids[]": bob.id})
    alice.api.post("/api/v1/featured_tags", data={"name": "cats"})
    alice.api.post("/api/v1/tags/cats/follow")
    alice.api.post(f"/api/v1/accounts/{bob.id}/pin")
    alice.api.post(f"/api/v1/accounts/{carol.id}/mute", data={"duration": "600"})
    dave = register(server)
    alice.api.post(f"/api/v1/accounts/{dave.id}/block")
    alice.api.post("/api/v1/markers", data={"home[last_read_id]": posted["id"]})
    made = alice.api.post(
        "/api/v2/filters",
        json={
            "title": "dogs",
            "context": ["home", "public"],
            "filter_action": "warn",
            "keywords_attributes": [{"keyword": "dogs"}],
        },
    ).json()
    ids["filter"] = made["id"]
    alice.api.post(f"/api/v2/filters/{made['id']}/statuses", data={"status_id": reply["id"]})
    bob.api.post("/api/v1/statuses", data={"status": "dogs everywhere"})  # filtered: warn
    deadline = time.monotonic() + 60
    seen: set[str] = set()
    listed: list[dict[str, str]] = []
    while time.monotonic() < deadline and not seen >= NOTIFIED:
        listed = alice.api.get("/api/v1/notifications?limit=80").json()
        seen = {n["type"] for n in listed}
        time.sleep(0.2)
    ids["notification"] = listed[0]["id"]
    assert seen >= NOTIFIED, f"alice lacks {NOTIFIED - seen} notifications"
    return alice, ids


def test_everything_a_client_reads(server: RunningServer, tmp_path: Path) -> None:
    """Every entity tandem serves to Mastodon clients, read over HTTP after a world of
    actions, against the OpenAPI file (each list must hold something, except those the
    world cannot fill: trends, announcements, rules, notification requests)."""
    alice, ids = _world(server, tmp_path)
    may_be_empty = {"trends", "announcements", "rules", "requests", "suggestions"}
    problems: list[str] = []
    filtered = False
    for template, entity, shape in READS:
        path = template.format(**ids)
        r = alice.api.get(path)
        if r.status_code != 200:
            problems.append(f"{path}: {r.status_code} {r.text[:200]}")
            continue
        body = r.json()
        items = [body] if shape == "one" else list(body.values() if shape == "map" else body)
        if not items and not any(word in path for word in may_be_empty):
            problems.append(f"{path}: nothing to check (the world should fill it)")
        for item in items:
            problems += [f"{path} ({entity}) {e}" for e in errors(entity, item)]
            if entity == "Status" and item.get("filtered"):
                filtered = True
    assert filtered, "no status came with `filtered` (FilterResult)"
    assert not problems, "\n".join(problems)
