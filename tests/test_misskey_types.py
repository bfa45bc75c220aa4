"""Misskey responses match misskey-js's own types (`built/autogen/types.d.ts`).

A world where alice, bob and carol have done what the Misskey dialect serves (notes with files,
polls, reactions, renotes, quotes, replies, clips, antennas, lists, follow requests, blocks,
mutes, registry, apps, webhooks, sign-ins and a notification of each kind) is built over HTTP;
every answer is checked against the 200 response misskey-js declares for that endpoint
(`operations[...]['responses'][200]`), and the entities inside against
`components['schemas']` (required keys, types, nullability; extra keys are fine). Every
endpoint tandem lists in `POST /api/endpoints` must be called here, or be listed in
`NOT_CALLED` with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from support.cli import tandem
from support.images import png
from support.misskey import Misskey, MkUser, app_token, mk_user
from support.push_service import Browser
from support.server import RunningServer
from support.ts_schemas import errors, operation_response, operations

# Endpoints this module does not call, and why.
NOT_CALLED = {
    "i/2fa/done": "needs a TOTP code (tests/test_two_factor.py)",
    "i/2fa/unregister": "needs two-factor set up (tests/test_two_factor.py)",
    "i/2fa/password-less": "needs a security key (tests/test_two_factor.py)",
    "signup-pending": "needs a mailed code (tests/test_registration.py)",
    "i/delete-account": "deletes the account for good (tests/test_federation.py)",
    "i/move": "moves the account for good (tests/test_federation.py, test_federation_misskey.py)",
    **{
        f"i/{verb}-{what}": "answers 204 (no body to check); tests/test_misskey_transfers.py"
        for verb, kinds in [
            ("export", "antennas blocking clips favorites following mute notes user-lists"),
            ("import", "antennas blocking following muting user-lists"),
        ]
        for what in kinds.split()
    },
}

# Where misskey-js's type is narrower than what Misskey itself answers, and why tandem is right.
LOOSER_THAN_TYPED = {
    "i/registry/get": "the stored value itself, any JSON (Misskey declares `res: {}`)",
}

# Endpoints misskey-js has no operation for (Misskey serves them outside its API spec).
UNTYPED = {"signin", "signin-flow"}

ANTENNA: dict[str, Any] = {
    "src": "all",
    "keywords": [["cats"]],
    "excludeKeywords": [],
    "users": [],
    "caseSensitive": False,
    "withReplies": False,
    "withFile": False,
}


@dataclass
class World:
    server: RunningServer
    alice: MkUser
    bob: MkUser
    carol: MkUser
    # endpoint -> every 200 answer it gave here
    answers: dict[str, list[Any]] = field(default_factory=dict)
    called: set[str] = field(default_factory=set)

    def call(self, user: MkUser | None, endpoint: str, body: dict[str, Any] | None = None) -> Any:
        client = user.mk if user is not None else Misskey(self.server)
        r = client.raw(endpoint, body)
        assert r.status_code in (200, 204), f"{endpoint}: {r.status_code} {r.text}"
        self.called.add(endpoint)
        if r.status_code == 200:
            self.answers.setdefault(endpoint, []).append(r.json())
            return r.json()
        return None


def _wait(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)


def _build(server: RunningServer, folder: Path) -> World:
    w = World(server, mk_user(server, display_name="Alice"), mk_user(server), mk_user(server))
    alice, bob, carol = w.alice, w.bob, w.carol
    call = w.call
    emoji = "typed" + str(time.monotonic_ns())[-9:]
    (folder / "e.png").write_bytes(png())
    tandem(server, "emoji", "add", emoji, str(folder / "e.png"), "--category", "Typed")

    # profiles, relations
    call(alice, "i/update", {"description": "hi #cats", "fields": [{"name": "a", "value": "b"}]})
    call(carol, "i/update", {"isLocked": True})
    call(bob, "following/create", {"userId": alice.id})
    call(alice, "following/create", {"userId": bob.id})
    call(alice, "following/create", {"userId": carol.id})  # a request: carol is locked
    call(bob, "following/create", {"userId": carol.id})
    call(carol, "following/requests/list")
    call(carol, "following/requests/accept", {"userId": alice.id})
    call(carol, "following/requests/reject", {"userId": bob.id})
    call(bob, "following/create", {"userId": carol.id})
    call(bob, "following/requests/cancel", {"userId": carol.id})
    call(carol, "following/create", {"userId": alice.id})
    call(alice, "following/invalidate", {"userId": carol.id})
    call(carol, "following/create", {"userId": bob.id})
    call(carol, "following/delete", {"userId": bob.id})
    call(alice, "users/followers", {"userId": alice.id})
    call(alice, "users/following", {"userId": alice.id})
    call(alice, "users/relation", {"userId": bob.id})
    call(alice, "users/relation", {"userId": [bob.id, carol.id]})
    call(alice, "users/update-memo", {"userId": bob.id, "memo": "met at the park"})
    call(alice, "users/report-abuse", {"userId": bob.id, "comment": "typed report"})

    # drive and notes
    upload = alice.mk.upload(png(), "p.png", "image/png", comment="a cat")
    w.answers.setdefault("drive/files/create", []).append(upload)
    w.called.add("drive/files/create")
    call(alice, "drive/files/show", {"fileId": upload["id"]})
    call(alice, "drive")
    spare = alice.mk.upload(png(), "q.png", "image/png")
    call(alice, "drive/files/delete", {"fileId": spare["id"]})
    note = call(
        alice,
        "notes/create",
        {"text": "cats @" + bob.username + " #cats", "fileIds": [upload["id"]]},
    )["createdNote"]
    poll = call(
        alice,
        "notes/create",
        {
            "text": "which?",
            "poll": {"choices": ["a", "b"], "multiple": True, "expiredAfter": 10_000},
        },
    )["createdNote"]
    call(bob, "notes/polls/vote", {"noteId": poll["id"], "choice": 0})
    reply = call(bob, "notes/create", {"text": f"@{alice.username} nice", "replyId": note["id"]})[
        "createdNote"
    ]
    call(alice, "notes/create", {"text": "yes", "replyId": reply["id"]})
    call(bob, "notes/create", {"renoteId": note["id"]})
    # by ActivityPub id (this server's own; other servers': tests/test_federation_misskey.py)
    actors = f"{server.base_url}/ap/users"
    call(alice, "ap/show", {"uri": f"{actors}/{bob.id}"})
    call(alice, "ap/show", {"uri": f"{actors}/{alice.id}/statuses/{note['id']}"})
    call(alice, "i/update", {"alsoKnownAs": [f"@{bob.username}"]})
    call(bob, "notes/create", {"text": "look", "renoteId": note["id"]})  # a quote
    call(
        bob,
        "notes/create",
        {"text": "just for you", "visibility": "specified", "visibleUserIds": [alice.id]},
    )
    call(carol, "notes/create", {"text": "cats at home", "visibility": "followers"})
    call(bob, "notes/reactions/create", {"noteId": note["id"], "reaction": "👍"})
    call(carol, "notes/reactions/create", {"noteId": note["id"], "reaction": "❤"})
    call(carol, "notes/reactions/delete", {"noteId": note["id"]})
    call(carol, "notes/reactions/create", {"noteId": note["id"], "reaction": f":{emoji}:"})
    call(bob, "notes/favorites/create", {"noteId": note["id"]})
    call(bob, "i/favorites")
    call(bob, "notes/favorites/delete", {"noteId": note["id"]})
    call(bob, "notes/state", {"noteId": note["id"]})
    call(bob, "notes/thread-muting/create", {"noteId": poll["id"]})
    call(bob, "notes/thread-muting/delete", {"noteId": poll["id"]})
    call(alice, "i/pin", {"noteId": note["id"]})
    doomed = call(alice, "notes/create", {"text": "pinned and gone"})["createdNote"]
    call(alice, "i/pin", {"noteId": doomed["id"]})
    call(alice, "i/unpin", {"noteId": doomed["id"]})
    call(alice, "notes/delete", {"noteId": doomed["id"]})
    for endpoint, body in [
        ("notes/show", {"noteId": note["id"]}),
        ("notes/show", {"noteId": poll["id"]}),
        ("notes/children", {"noteId": note["id"]}),
        ("notes/replies", {"noteId": note["id"]}),
        ("notes/renotes", {"noteId": note["id"]}),
        ("notes/conversation", {"noteId": reply["id"]}),
        ("notes/reactions", {"noteId": note["id"]}),
        ("notes/timeline", {}),
        ("notes/local-timeline", {}),
        ("notes/hybrid-timeline", {}),
        ("notes/global-timeline", {}),
        ("notes/search", {"query": "cats"}),
        ("notes/search-by-tag", {"tag": "cats"}),
        ("users/notes", {"userId": alice.id}),
        ("users/show", {"userId": alice.id}),
        ("users/show", {"userIds": [alice.id, bob.id]}),
        ("users/show", {"username": carol.username}),
        ("users/search", {"query": alice.username[:6]}),
        ("users/search", {"query": alice.username[:6], "detail": False}),
        ("users/search-by-username-and-host", {"username": alice.username[:6]}),
        ("users/search-by-username-and-host", {"username": alice.username, "detail": False}),
    ]:
        call(bob, endpoint, body)
    call(alice, "users/show", {"userId": alice.id})
    call(None, "users/show", {"userId": alice.id})
    call(None, "notes/show", {"noteId": note["id"]})

    # collections
    listed = call(alice, "users/lists/create", {"name": "friends"})
    call(alice, "users/lists/push", {"listId": listed["id"], "userId": bob.id})
    call(alice, "users/lists/show", {"listId": listed["id"]})
    call(alice, "users/lists/list")
    call(alice, "notes/user-list-timeline", {"listId": listed["id"]})
    call(alice, "users/lists/pull", {"listId": listed["id"], "userId": bob.id})
    gone = call(alice, "users/lists/create", {"name": "gone"})
    call(alice, "users/lists/delete", {"listId": gone["id"]})
    antenna = call(alice, "antennas/create", {"name": "pets", **ANTENNA})
    call(alice, "antennas/list")
    call(alice, "antennas/delete", {"antennaId": antenna["id"]})
    clip = call(alice, "clips/create", {"name": "good", "description": "keep", "isPublic": True})
    call(alice, "clips/add-note", {"clipId": clip["id"], "noteId": note["id"]})
    call(alice, "clips/list")

    # blocks, mutes
    dave = mk_user(server)
    call(dave, "blocking/create", {"userId": carol.id})
    call(dave, "blocking/list")
    call(dave, "blocking/delete", {"userId": carol.id})
    call(dave, "mute/create", {"userId": carol.id, "expiresAt": None})
    call(dave, "mute/create", {"userId": bob.id, "expiresAt": int(time.time() * 1000) + 3600_000})
    call(dave, "mute/list")
    call(dave, "mute/delete", {"userId": carol.id})
    call(dave, "i/regenerate-token", {"password": dave.password})

    # account, security, registry, apps, webhooks
    call(alice, "i")
    call(alice, "i/signin-history")
    call(alice, "i/registry/set", {"key": "theme", "value": "dark", "scope": ["my-app"]})
    call(alice, "i/registry/set", {"key": "n", "value": {"a": [1]}, "scope": ["my-app"]})
    call(alice, "i/registry/get", {"key": "theme", "scope": ["my-app"]})
    call(alice, "i/registry/get-detail", {"key": "theme", "scope": ["my-app"]})
    call(alice, "i/registry/get-all", {"scope": ["my-app"]})
    call(alice, "i/registry/keys", {"scope": ["my-app"]})
    call(alice, "i/registry/keys-with-type", {"scope": ["my-app"]})
    call(alice, "i/registry/scopes-with-domain")
    call(alice, "i/registry/remove", {"key": "n", "scope": ["my-app"]})
    app = call(
        None, "app/create", {"name": "typed", "description": "d", "permission": ["read:account"]}
    )
    call(None, "app/show", {"appId": app["id"]})
    session = call(None, "auth/session/generate", {"appSecret": app["secret"]})
    call(None, "auth/session/show", {"token": session["token"]})
    call(alice, "auth/accept", {"token": session["token"]})
    call(None, "auth/session/userkey", {"appSecret": app["secret"], "token": session["token"]})
    app_token(alice, ["read:account"])
    apps = call(alice, "i/apps")
    if apps:
        call(alice, "i/revoke-token", {"tokenId": apps[0]["id"]})
    hook = call(
        alice,
        "i/webhooks/create",
        {"name": "h", "url": "https://example.com/hook", "on": ["note"], "secret": "s"},
    )
    call(alice, "i/webhooks/list")
    call(alice, "i/webhooks/show", {"webhookId": hook["id"]})
    call(alice, "i/webhooks/update", {"webhookId": hook["id"], "active": False})
    call(alice, "i/webhooks/test", {"webhookId": hook["id"], "type": "note"})
    call(alice, "i/webhooks/delete", {"webhookId": hook["id"]})
    browser = Browser("https://push.example/typed")  # (unregistered again below)
    sw = {"endpoint": browser.endpoint, "auth": browser.auth, "publickey": browser.p256dh}
    call(alice, "sw/register", sw)
    call(alice, "sw/show-registration", {"endpoint": browser.endpoint})
    call(alice, "sw/update-registration", {"endpoint": browser.endpoint, "sendReadMessage": True})
    call(None, "sw/unregister", {"endpoint": browser.endpoint})
    call(None, "signin-flow", {"username": carol.username, "password": carol.password})
    call(None, "signin", {"username": carol.username, "password": carol.password})
    call(
        carol,
        "i/change-password",
        {"currentPassword": carol.password, "newPassword": carol.password},
    )
    call(
        carol,
        "i/update-email",
        {"password": carol.password, "email": f"{carol.username}@example.org"},
    )
    call(carol, "i/2fa/register", {"password": carol.password})
    name = "typed" + str(time.monotonic_ns())[-9:]
    call(
        None,
        "signup",
        {"username": name, "password": "x" * 12, "emailAddress": f"{name}@example.com"},
    )

    # chat (alice and bob follow each other: the default scope, mutual, lets them write)
    photo = alice.mk.upload(png(), "chat.png", "image/png")
    dm = call(
        alice,
        "chat/messages/create-to-user",
        {"toUserId": bob.id, "text": "hi", "fileId": photo["id"]},
    )
    call(bob, "chat/messages/react", {"messageId": dm["id"], "reaction": f":{emoji}:"})
    call(bob, "chat/messages/react", {"messageId": dm["id"], "reaction": ":heart:"})
    call(bob, "chat/messages/unreact", {"messageId": dm["id"], "reaction": ":heart:"})
    call(alice, "chat/history", {})
    call(alice, "chat/messages/user-timeline", {"userId": bob.id})
    call(alice, "chat/messages/show", {"messageId": dm["id"]})
    room = call(alice, "chat/rooms/create", {"name": "Typed room", "description": "checked"})
    call(alice, "chat/rooms/update", {"roomId": room["id"], "name": "Typed room!"})
    call(alice, "chat/rooms/invitations/create", {"roomId": room["id"], "userId": carol.id})
    call(alice, "chat/rooms/invitations/create", {"roomId": room["id"], "userId": bob.id})
    call(alice, "chat/rooms/invitations/outbox", {"roomId": room["id"]})
    call(carol, "chat/rooms/invitations/inbox", {})
    call(carol, "chat/rooms/invitations/ignore", {"roomId": room["id"]})
    call(bob, "chat/rooms/join", {"roomId": room["id"]})
    call(bob, "chat/rooms/mute", {"roomId": room["id"], "mute": False})
    said = call(bob, "chat/messages/create-to-room", {"toRoomId": room["id"], "text": "room hi"})
    call(alice, "chat/messages/react", {"messageId": said["id"], "reaction": "\U0001f44d"})
    call(alice, "chat/messages/room-timeline", {"roomId": room["id"]})
    call(alice, "chat/history", {"room": True})
    call(alice, "chat/messages/search", {"query": "hi"})
    call(alice, "chat/rooms/show", {"roomId": room["id"]})
    call(alice, "chat/rooms/members", {"roomId": room["id"]})
    call(alice, "chat/rooms/owned", {})
    call(bob, "chat/rooms/joining", {})
    call(bob, "chat/read-all", {})
    call(bob, "chat/messages/delete", {"messageId": said["id"]})
    call(bob, "chat/rooms/leave", {"roomId": room["id"]})
    other_room = call(alice, "chat/rooms/create", {"name": "Gone soon"})
    call(alice, "chat/rooms/delete", {"roomId": other_room["id"]})

    # announcements (made for alice alone: the server is shared with other modules)
    moderator = mk_user(server)
    tandem(server, "admin", "set-role", moderator.username, "moderator")
    made = call(
        moderator,
        "admin/announcements/create",
        {"title": "Typed", "text": "news", "imageUrl": None, "userId": alice.id},
    )
    call(moderator, "admin/announcements/update", {"id": made["id"], "icon": "warning"})
    call(moderator, "admin/announcements/list", {"userId": alice.id})
    call(alice, "announcements", {})
    call(alice, "announcements/show", {"announcementId": made["id"]})
    call(alice, "i")  # with the unread announcement
    call(alice, "i/read-announcement", {"announcementId": made["id"]})
    gone = call(
        moderator,
        "admin/announcements/create",
        {"title": "Gone", "text": "soon", "imageUrl": None, "userId": bob.id},
    )
    call(moderator, "admin/announcements/delete", {"id": gone["id"]})

    # invite codes (an administrator passes canInvite without a policy change: the server
    # is shared, and its `user` role keeps Misskey's defaults)
    inviter = mk_user(server)
    tandem(server, "admin", "set-role", inviter.username, "admin")
    code = call(inviter, "invite/create")
    call(inviter, "invite/list")
    call(inviter, "invite/limit")
    call(inviter, "invite/delete", {"inviteId": code["id"]})
    call(inviter, "ap/get", {"uri": f"{actors}/{bob.id}"})  # administrators only

    # hashtags (a tag used in a post and worn in a profile)
    tagger = mk_user(server)
    call(tagger, "notes/create", {"text": "#typedtag"})
    call(tagger, "i/update", {"description": "wears #typedtag"})
    call(None, "hashtags/list", {"sort": "+mentionedUsers"})
    call(None, "hashtags/search", {"query": "typed"})
    call(None, "hashtags/show", {"tag": "typedtag"})
    call(None, "hashtags/trend")
    call(None, "hashtags/users", {"tag": "typedtag", "sort": "+follower"})

    # instance
    for endpoint, body in [
        ("meta", {}),
        ("meta", {"detail": False}),
        ("ping", {}),
        ("emojis", {}),
        ("endpoints", {}),
        ("endpoint", {"endpoint": "notes/create"}),
    ]:
        call(None, endpoint, body)
    call(None, "emoji", {"name": emoji})

    # notifications: wait until the poll has ended for alice
    def poll_ended() -> bool:
        listed = alice.mk("i/notifications", {"limit": 100})
        return any(n["type"] == "pollEnded" for n in listed)

    _wait(poll_ended)
    for user in (alice, bob, carol):
        call(user, "i/notifications", {"limit": 100})
        call(user, "i/notifications-grouped", {"limit": 100})
    call(alice, "notifications/mark-all-as-read")
    return w


@pytest.fixture(scope="module")
def world(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> World:
    return _build(server, tmp_path_factory.mktemp("misskey-types"))


def test_answers_match_their_operations(world: World) -> None:
    """Each endpoint's answers against the 200 response misskey-js types for it."""
    problems: dict[str, list[str]] = {}
    untyped = {e for e in world.answers if e not in operations()}
    assert untyped <= UNTYPED, f"misskey-js types none of {untyped - UNTYPED}"
    for endpoint, answers in world.answers.items():
        if endpoint in UNTYPED or endpoint in LOOSER_THAN_TYPED:
            continue
        schema = operation_response(endpoint)
        if schema is None:
            problems[endpoint] = ["misskey-js types it as 204, tandem answered 200 with a body"]
            continue
        for answer in answers:
            for found in errors(schema, answer):
                if found not in problems.setdefault(endpoint, []):
                    problems[endpoint].append(found)
    problems = {endpoint: found for endpoint, found in problems.items() if found}
    assert not problems, "\n".join(
        f"{endpoint}:\n  " + "\n  ".join(found) for endpoint, found in problems.items()
    )


def test_every_endpoint_is_checked(world: World) -> None:
    """Each endpoint tandem serves is called above (or listed in NOT_CALLED with a reason), so
    a new endpoint's answers are checked against misskey-js's types too."""
    served = set(Misskey(world.server)("endpoints"))
    missing = served - world.called - set(NOT_CALLED)
    assert not missing, f"call these in _build (or list them in NOT_CALLED): {sorted(missing)}"
    unknown = set(NOT_CALLED) - served
    assert not unknown, f"NOT_CALLED names endpoints tandem does not serve: {sorted(unknown)}"


# Misskey's notification types the world's actions cause, and whose they are.
NOTIFIED = {
    "alice": {
        "follow",
        "mention",
        "reply",
        "renote",
        "quote",
        "reaction",
        "pollEnded",
        "followRequestAccepted",
    },
    "carol": {"receiveFollowRequest", "follow", "chatRoomInvitationReceived"},
}


def test_a_notification_of_each_kind(world: World) -> None:
    """The notifications checked above hold every kind the world's actions cause."""
    for name, kinds in NOTIFIED.items():
        user = getattr(world, name)
        seen = {n["type"] for n in user.mk("i/notifications", {"limit": 100})}
        assert kinds <= seen, f"{name} lacks {kinds - seen} notifications (has {seen})"


@pytest.mark.parametrize(
    ("entity", "endpoint", "pick"),
    [
        ("MeDetailed", "i", lambda a: [a]),
        ("UserDetailedNotMe", "users/show", lambda a: a if isinstance(a, list) else [a]),
        ("UserLite", "notes/show", lambda a: [a["user"]]),
        ("Note", "notes/timeline", lambda a: a),
        ("NoteReaction", "notes/reactions", lambda a: a),
        ("Notification", "i/notifications", lambda a: a),
        ("DriveFile", "drive/files/show", lambda a: [a]),
        ("Clip", "clips/list", lambda a: a),
        ("Antenna", "antennas/list", lambda a: a),
        ("UserList", "users/lists/list", lambda a: a),
        ("App", "app/show", lambda a: [a]),
        ("Blocking", "blocking/list", lambda a: a),
        ("Muting", "mute/list", lambda a: a),
        ("Following", "users/followers", lambda a: a),
        ("Signin", "i/signin-history", lambda a: a),
        ("UserWebhook", "i/webhooks/list", lambda a: a),
        ("EmojiSimple", "emojis", lambda a: a["emojis"]),
        ("EmojiDetailed", "emoji", lambda a: [a]),
    ],
)
def test_entities(
    world: World, entity: str, endpoint: str, pick: Callable[[Any], list[Any]]
) -> None:
    """Each entity by name, from the answers that hold it (none may be empty)."""
    items = [item for answer in world.answers[endpoint] for item in pick(answer)]
    if entity == "UserDetailedNotMe":  # users/show of oneself answers MeDetailed
        items = [i for i in items if i["id"] != world.bob.id]
    assert items, f"the world has no {entity} from {endpoint}"
    found = [f"{n}: {e}" for n, item in enumerate(items) for e in errors(entity, item)]
    assert not found, f"{entity} from {endpoint}:\n" + "\n".join(found)
