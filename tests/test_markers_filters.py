"""Read markers, preferences, and content filters (v2 CRUD, the v1 view, `filtered` on
statuses and `hide` in notifications)."""

from __future__ import annotations

from support.api import User, register
from support.schemas import assert_valid
from support.server import RunningServer


def test_markers(server: RunningServer, alice: User) -> None:
    assert alice.api.get("/api/v1/markers").json() == {}
    r = alice.api.post(
        "/api/v1/markers",
        data={"home[last_read_id]": "1000", "notifications[last_read_id]": "7"},
    )
    assert r.status_code == 200, r.text
    saved = r.json()
    assert set(saved) == {"home", "notifications"}
    assert saved["home"]["last_read_id"] == "1000"
    assert saved["home"]["version"] == 0
    for m in saved.values():
        assert_valid("Marker", m)
    moved = alice.api.post("/api/v1/markers", json={"home": {"last_read_id": "1001"}}).json()
    assert list(moved) == ["home"]
    assert (moved["home"]["last_read_id"], moved["home"]["version"]) == ("1001", 1)
    only = alice.api.get("/api/v1/markers", params={"timeline[]": "notifications"}).json()
    assert list(only) == ["notifications"]
    assert only["notifications"]["version"] == 0
    both = alice.api.get("/api/v1/markers", params={"timeline[]": ["home", "notifications"]})
    assert both.json()["home"]["version"] == 1
    bad = alice.api.post("/api/v1/markers", data={"home[last_read_id]": "abc"})
    assert bad.status_code == 422
    assert alice.api.post("/api/v1/markers", data={"elsewhere[last_read_id]": "1"}).json() == {}


def test_preferences(server: RunningServer) -> None:
    user = register(server, locked=True)
    prefs = user.api.get("/api/v1/preferences").json()
    assert_valid("Preferences", prefs)
    assert prefs["posting:default:visibility"] == "private"
    assert prefs["posting:default:sensitive"] is False
    assert prefs["reading:expand:media"] == "default"


def test_filter_crud(server: RunningServer, alice: User, bob: User) -> None:
    r = alice.api.post(
        "/api/v2/filters",
        json={
            "title": "Spoilers",
            "context": ["home", "notifications"],
            "filter_action": "hide",
            "expires_in": 3600,
            "keywords_attributes": [
                {"keyword": "finale"},
                {"keyword": "twist", "whole_word": False},
            ],
        },
    )
    assert r.status_code == 200, r.text
    made = r.json()
    assert_valid("Filter", made)
    assert made["expires_at"] is not None
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("finale", True),
        ("twist", False),
    ]
    fid = made["id"]
    assert [f["id"] for f in alice.api.get("/api/v2/filters").json()] == [fid]
    assert bob.api.get(f"/api/v2/filters/{fid}").status_code == 404
    v1 = alice.api.get("/api/v1/filters").json()
    for item in v1:
        assert_valid("V1Filter", item)
    assert [(f["phrase"], f["irreversible"]) for f in v1] == [("finale", True), ("twist", True)]
    assert alice.api.get(f"/api/v1/filters/{v1[0]['id']}").json() == v1[0]

    first = made["keywords"][0]["id"]
    changed = alice.api.put(
        f"/api/v2/filters/{fid}",
        json={
            "title": "Renamed",
            "filter_action": "warn",
            "expires_in": "",
            "keywords_attributes": [
                {"id": first, "_destroy": True},
                {"keyword": "ending"},
            ],
        },
    ).json()
    assert changed["title"] == "Renamed"
    assert changed["expires_at"] is None
    assert [k["keyword"] for k in changed["keywords"]] == ["twist", "ending"]
    added = alice.api.post(f"/api/v2/filters/{fid}/keywords", data={"keyword": "cliff"}).json()
    assert_valid("FilterKeyword", added)
    kid = added["id"]
    assert alice.api.get(f"/api/v2/filters/keywords/{kid}").json() == added
    put = alice.api.put(f"/api/v2/filters/keywords/{kid}", data={"whole_word": "false"})
    assert put.json()["whole_word"] is False
    assert alice.api.delete(f"/api/v2/filters/keywords/{kid}").json() == {}
    assert alice.api.get(f"/api/v2/filters/keywords/{kid}").status_code == 404
    assert len(alice.api.get(f"/api/v2/filters/{fid}/keywords").json()) == 2

    status = bob.api.post("/api/v1/statuses", data={"status": "plain"}).json()
    entry = alice.api.post(f"/api/v2/filters/{fid}/statuses", data={"status_id": status["id"]})
    assert entry.status_code == 200, entry.text
    assert_valid("FilterStatus", entry.json())
    again = alice.api.post(f"/api/v2/filters/{fid}/statuses", data={"status_id": status["id"]})
    assert again.json() == entry.json()
    eid = entry.json()["id"]
    assert alice.api.get(f"/api/v2/filters/{fid}/statuses").json() == [entry.json()]
    assert alice.api.get(f"/api/v2/filters/statuses/{eid}").json() == entry.json()
    assert alice.api.delete(f"/api/v2/filters/statuses/{eid}").json() == {}
    assert alice.api.delete(f"/api/v2/filters/statuses/{eid}").status_code == 404
    missing = alice.api.post(f"/api/v2/filters/{fid}/statuses", data={"status_id": "1"})
    assert missing.status_code == 404

    assert alice.api.delete(f"/api/v2/filters/{fid}").json() == {}
    assert alice.api.get(f"/api/v2/filters/{fid}").status_code == 404
    assert alice.api.get("/api/v2/filters").json() == []


def test_filter_validation(alice: User) -> None:
    r = alice.api.post("/api/v2/filters", data={"title": "", "context[]": "elsewhere"})
    assert r.status_code == 422
    assert set(r.json()["details"]) >= {"title", "context"}
    r = alice.api.post(
        "/api/v2/filters", data={"title": "x", "context[]": "home", "filter_action": "shout"}
    )
    assert r.status_code == 422
    r = alice.api.post(
        "/api/v2/filters",
        json={"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": " "}]},
    )
    assert r.status_code == 422
    r = alice.api.post(
        "/api/v2/filters", json={"title": "x", "context": ["home"], "expires_in": -5}
    )
    assert r.status_code == 422
    r = alice.api.post(
        "/api/v2/filters", json={"title": "x", "context": ["home"], "keywords_attributes": 3}
    )
    assert r.status_code == 400


def test_filtered_notifications(server: RunningServer) -> None:
    owner, fan = register(server), register(server)
    owner.api.post(
        "/api/v2/filters",
        json={
            "title": "warn me",
            "context": ["notifications"],
            "keywords_attributes": [{"keyword": "cats"}],
        },
    )
    owner.api.post(
        "/api/v2/filters",
        json={
            "title": "hide it",
            "context": ["notifications"],
            "filter_action": "hide",
            "keywords_attributes": [{"keyword": "spam"}],
        },
    )
    fan.api.post("/api/v1/statuses", data={"status": f"@{owner.username} I love Cats!"})
    fan.api.post("/api/v1/statuses", data={"status": f"@{owner.username} buy spam now"})
    fan.api.post("/api/v1/statuses", data={"status": f"@{owner.username} catsup"})
    shown = owner.api.get("/api/v1/notifications").json()
    texts = [n["status"]["content"] for n in shown]
    assert len(texts) == 2
    assert "spam" not in " ".join(texts)
    catsup, cats = shown
    assert catsup["status"]["filtered"] == []
    assert [f["keyword_matches"] for f in cats["status"]["filtered"]] == [["cats"]]
    assert cats["status"]["filtered"][0]["filter"]["title"] == "warn me"
    assert_valid("Notification", cats)


def test_filters_act_on_timelines_threads_and_profiles(server: RunningServer) -> None:
    """`warn` marks matching statuses with `filtered`, `hide` leaves them out, in the contexts
    the filter names (home here; the thread and the profile through their own contexts)."""
    reader, author = register(server), register(server)
    assert reader.api.post(f"/api/v1/accounts/{author.id}/follow").status_code == 200
    for title, action, contexts, word in (
        ("warned", "warn", ["home", "thread"], "cliffhanger"),
        ("hidden", "hide", ["home", "account"], "epilogue"),
    ):
        r = reader.api.post(
            "/api/v2/filters",
            json={
                "title": title,
                "context": contexts,
                "filter_action": action,
                "keywords_attributes": [{"keyword": word}],
            },
        )
        assert r.status_code == 200, r.text
    warned = author.api.post("/api/v1/statuses", data={"status": "what a cliffhanger"}).json()
    hidden = author.api.post("/api/v1/statuses", data={"status": "the epilogue"}).json()
    plain = author.api.post(
        "/api/v1/statuses", data={"status": "a reply", "in_reply_to_id": warned["id"]}
    ).json()
    home = {s["id"]: s for s in reader.api.get("/api/v1/timelines/home").json()}
    assert hidden["id"] not in home
    assert [f["filter"]["title"] for f in home[warned["id"]]["filtered"]] == ["warned"]
    assert home[warned["id"]]["filtered"][0]["keyword_matches"] == ["cliffhanger"]
    assert home[plain["id"]]["filtered"] == []
    context = reader.api.get(f"/api/v1/statuses/{plain['id']}/context").json()
    assert [f["filter"]["title"] for f in context["ancestors"][0]["filtered"]] == ["warned"]
    profile = reader.api.get(f"/api/v1/accounts/{author.id}/statuses").json()
    assert {s["id"] for s in profile} == {warned["id"], plain["id"]}
    assert all(s["filtered"] == [] for s in profile)  # "warned" is not for the account context
    # The author has no filters: everything, unmarked.
    own = author.api.get(f"/api/v1/accounts/{author.id}/statuses").json()
    assert len(own) == 3
