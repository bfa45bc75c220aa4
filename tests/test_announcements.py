"""Announcements in the Misskey dialect: the moderators' admin/announcements/*, the public
`announcements` and `announcements/show`, `i/read-announcement`, MeDetailed's unread ones, and
the operator's `tandem admin announcement` command. The module has a server of its own (its
announcements would show on every other test's users).

Mastodon's side, over the same rows, and both dialects' streams: test_announcements_mastodon.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from support.cli import tandem
from support.misskey import Misskey, MkUser, app_token, mk_user
from support.server import RunningServer

NO_SUCH_SHOW = "b57b5e1d-4f49-404a-9edb-46b00268f121"
NO_SUCH_UPDATE = "d3aae5a7-6372-4cb4-b61c-f511ffc2d7cc"
NO_SUCH_DELETE = "ecad8040-a276-4e85-bda9-015a708d291e"
NOT_MODERATOR = "d33d5333-db36-423d-a8f9-1a2b9549da41"


@dataclass
class World:
    server: RunningServer
    moderator: MkUser

    def create(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "Hello", "text": "Some news", "imageUrl": None, **fields}
        return dict(self.moderator.mk("admin/announcements/create", body))


@pytest.fixture(scope="module")
def world(backend: str) -> Iterator[World]:
    running = RunningServer(backend).start()
    moderator = mk_user(running)
    tandem(running, "admin", "set-role", moderator.username, "moderator")
    yield World(running, moderator)
    running.close()


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def test_only_moderators_manage_announcements(world: World) -> None:
    user = mk_user(world.server)
    for name in ("create", "update", "delete", "list"):
        error = user.mk.error(f"admin/announcements/{name}", {}, 403, "ROLE_PERMISSION_DENIED")
        assert error["id"] == NOT_MODERATOR
        assert error["kind"] == "permission"
        Misskey(world.server).error(f"admin/announcements/{name}", {}, 401, "CREDENTIAL_REQUIRED")
    # A moderator's app token needs the endpoint's kind.
    token = app_token(world.moderator, ["read:admin:announcements"])
    Misskey(world.server, token).error("admin/announcements/create", {}, 403, "PERMISSION_DENIED")
    assert Misskey(world.server, token)("admin/announcements/list", {}) is not None


def test_create_show_update_and_delete(world: World) -> None:
    made = world.create(
        title="Maintenance", text="Down at 3", imageUrl="https://example.com/a.png", icon="warning"
    )
    assert made["title"] == "Maintenance"
    assert made["icon"] == "warning"
    assert made["isActive"] is True
    assert made["userId"] is None
    assert made["reads"] == 0
    assert made["updatedAt"] is None
    shown = Misskey(world.server)("announcements/show", {"announcementId": made["id"]})
    assert "isRead" not in shown  # anonymous
    assert shown["imageUrl"] == "https://example.com/a.png"
    assert shown["display"] == "normal"
    assert shown["forYou"] is False
    assert shown["needConfirmationToRead"] is False
    assert shown["silence"] is False
    reader = mk_user(world.server)
    mine = reader.mk("announcements/show", {"announcementId": made["id"]})
    assert mine["isRead"] is False
    mod = world.moderator.mk
    mod("admin/announcements/update", {"id": made["id"], "title": "Later", "imageUrl": ""})
    shown = reader.mk("announcements/show", {"announcementId": made["id"]})
    assert shown["title"] == "Later"
    assert shown["imageUrl"] is None
    assert shown["updatedAt"]
    assert shown["text"] == "Down at 3"  # untouched
    mod("admin/announcements/delete", {"id": made["id"]})
    error = reader.mk.error(
        "announcements/show", {"announcementId": made["id"]}, 400, "NO_SUCH_ANNOUNCEMENT"
    )
    assert error["id"] == NO_SUCH_SHOW
    error = mod.error(
        "admin/announcements/update", {"id": made["id"], "title": "x"}, 400, "NO_SUCH_ANNOUNCEMENT"
    )
    assert error["id"] == NO_SUCH_UPDATE
    error = mod.error("admin/announcements/delete", {"id": made["id"]}, 400, "NO_SUCH_ANNOUNCEMENT")
    assert error["id"] == NO_SUCH_DELETE


def test_bad_fields_are_named(world: World) -> None:
    mod = world.moderator.mk
    base = {"title": "t", "text": "x", "imageUrl": None}
    for bad, param in [
        ({"title": ""}, "title"),
        ({"text": "x" * 9000}, "text"),
        ({"icon": "fire"}, "icon"),
        ({"display": "popup"}, "display"),
        ({"silence": "yes"}, "silence"),
    ]:
        error = mod.error("admin/announcements/create", {**base, **bad}, 400, "INVALID_PARAM")
        assert error["info"]["param"] == param, error
    error = mod.error(
        "admin/announcements/create", {"title": "t", "text": "x"}, 400, "INVALID_PARAM"
    )
    assert error["info"]["param"] == "imageUrl"  # required, though it may be null
    mod.error("admin/announcements/create", {**base, "userId": "9" * 10}, 400, "NO_SUCH_USER")


def test_is_active_false_returns_only_inactive_ones_not_all(world: World) -> None:
    """The seed's client docs say `isActive: false` includes inactive ones too; Misskey (and
    tandem) return only the inactive ones."""
    active, archived = world.create(title="On"), world.create(title="Off")
    world.moderator.mk("admin/announcements/update", {"id": archived["id"], "isActive": False})
    anon = Misskey(world.server)
    listed = ids(anon("announcements", {"limit": 100}))
    assert active["id"] in listed
    assert archived["id"] not in listed
    inactive = ids(anon("announcements", {"limit": 100, "isActive": False}))
    assert archived["id"] in inactive
    assert active["id"] not in inactive


def test_a_user_targeted_announcement_is_its_users_and_becomes_inactive_once_read(
    world: World,
) -> None:
    bob, carol = mk_user(world.server), mk_user(world.server)
    made = world.create(title="For bob", userId=bob.id)
    assert made["userId"] == bob.id
    assert made["id"] not in ids(carol.mk("announcements", {"limit": 100}))
    assert made["id"] not in ids(Misskey(world.server)("announcements", {"limit": 100}))
    carol.mk.error(
        "announcements/show", {"announcementId": made["id"]}, 400, "NO_SUCH_ANNOUNCEMENT"
    )
    seen = {a["id"]: a for a in bob.mk("announcements", {"limit": 100})}
    assert seen[made["id"]]["forYou"] is True
    assert seen[made["id"]]["isRead"] is False
    assert bob.mk("i/read-announcement", {"announcementId": made["id"]}) is None
    assert made["id"] not in ids(bob.mk("announcements", {"limit": 100}))
    inactive = {a["id"]: a for a in bob.mk("announcements", {"isActive": False})}
    assert inactive[made["id"]]["isRead"] is True
    listed = world.moderator.mk("admin/announcements/list", {"userId": bob.id})
    assert [(a["id"], a["isActive"], a["reads"]) for a in listed] == [(made["id"], False, 1)]
    assert made["id"] not in ids(world.moderator.mk("admin/announcements/list", {"limit": 100}))


def test_paging_by_id_and_by_date(world: World) -> None:
    dave = mk_user(world.server)
    made = []
    for n in range(4):
        made.append(world.create(title=f"page {n}", userId=dave.id)["id"])
        time.sleep(0.005)  # distinct milliseconds, for the dates
    mine = set(made)

    def listed(**body: Any) -> list[str]:
        return [i for i in ids(dave.mk("announcements", {"limit": 100, **body})) if i in mine]

    assert listed() == made[::-1]  # newest first
    assert ids(dave.mk("announcements", {"limit": 2}))[0] == made[3]
    assert listed(untilId=made[2]) == [made[1], made[0]]
    assert listed(sinceId=made[1]) == [made[2], made[3]]  # sinceId alone: oldest first
    assert listed(sinceId=made[0], untilId=made[3]) == [made[2], made[1]]
    shown = {a["id"]: a for a in dave.mk("announcements", {"limit": 100})}
    stamp = [_ms(shown[i]["createdAt"]) for i in made]
    assert listed(untilDate=stamp[2]) == [made[1], made[0]]
    assert listed(sinceDate=stamp[1] + 1) == [made[2], made[3]]
    Misskey(world.server).error("announcements", {"limit": 101}, 400, "INVALID_PARAM")


def _ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_unread_announcements_in_me_detailed(world: World) -> None:
    old = mk_user(world.server)
    for_old = world.create(title="Welcome", forExistingUsers=True)
    silent = world.create(title="Quiet", silence=True)
    loud = world.create(title="Loud", needConfirmationToRead=True, display="dialog")
    newcomer = mk_user(world.server)

    def unread(user: MkUser) -> list[str]:
        me = user.mk("i")
        assert me["hasUnreadAnnouncement"] == bool(me["unreadAnnouncements"])
        return ids(me["unreadAnnouncements"])

    assert loud["id"] in unread(old)
    assert silent["id"] not in unread(old)
    assert for_old["id"] in unread(old)  # for the accounts older than it only
    assert for_old["id"] not in unread(newcomer)
    entry = next(a for a in newcomer.mk("i")["unreadAnnouncements"] if a["id"] == loud["id"])
    assert entry["needConfirmationToRead"] is True
    assert entry["display"] == "dialog"
    assert entry["isRead"] is False
    for item in newcomer.mk("i")["unreadAnnouncements"]:
        newcomer.mk("i/read-announcement", {"announcementId": item["id"]})
    assert unread(newcomer) == []
    assert newcomer.mk("i")["hasUnreadAnnouncement"] is False
    # An unknown id, or one read already: no error, as Misskey.
    assert newcomer.mk("i/read-announcement", {"announcementId": "99999"}) is None
    assert newcomer.mk("i/read-announcement", {"announcementId": loud["id"]}) is None
    Misskey(world.server).error(
        "i/read-announcement", {"announcementId": "1"}, 401, "CREDENTIAL_REQUIRED"
    )


def test_the_operator_command(world: World) -> None:
    erin = mk_user(world.server)
    done = tandem(
        world.server, "admin", "announcement", "create", "CLI news", "From the shell",
        "--user", erin.username, "--icon", "success", "--silence",
        "--starts-at", "2030-01-01", "--ends-at", "2030-01-02T12:00:00+00:00", "--all-day",
    )  # fmt: skip
    made_id = done.stdout.split()[1]
    shown = erin.mk("announcements/show", {"announcementId": made_id})
    assert (shown["title"], shown["icon"], shown["silence"], shown["forYou"]) == (
        "CLI news", "success", True, True,
    )  # fmt: skip
    listed = tandem(world.server, "admin", "announcement", "list", "--user", erin.username)
    assert made_id in listed.stdout
    assert "CLI news" in listed.stdout
    tandem(world.server, "admin", "announcement", "update", made_id, "--inactive", "--title", "Old")
    assert made_id not in ids(erin.mk("announcements", {"limit": 100}))
    assert erin.mk("announcements/show", {"announcementId": made_id})["title"] == "Old"
    draft = tandem(
        world.server, "admin", "announcement", "create", "Draft", "Soon", "--unpublished"
    )
    draft_id = draft.stdout.split()[1]
    erin.mk.error("announcements/show", {"announcementId": draft_id}, 400, "NO_SUCH_ANNOUNCEMENT")
    tandem(world.server, "admin", "announcement", "update", draft_id, "--published")
    assert erin.mk("announcements/show", {"announcementId": draft_id})["title"] == "Draft"
    tandem(world.server, "admin", "announcement", "delete", made_id)
    erin.mk.error("announcements/show", {"announcementId": made_id}, 400, "NO_SUCH_ANNOUNCEMENT")
    refused = tandem(
        world.server, "admin", "announcement", "create", "t", "x", "--starts-at", "2030-01-01",
        check=False,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "ends_at" in refused.stderr
    refused = tandem(world.server, "admin", "announcement", "delete", "12345", check=False)
    assert refused.returncode == 1
    refused = tandem(
        world.server, "admin", "announcement", "create", "t", "x", "--user", "nobody", check=False
    )
    assert refused.returncode == 1
