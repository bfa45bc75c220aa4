"""The signed-in user's own profile: i, i/update, i/pin, i/unpin."""

from __future__ import annotations

from typing import Any

from tandem.api import remote_lookup
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.types import MeDetailed
from tandem.api.misskey.schema import REQ_ID, P, invalid
from tandem.api.misskey.views import me
from tandem.core import account_aliases, accounts, muted_words, profiles, status_pins, urls
from tandem.core.errors import NotFound
from tandem.core.models import Account
from tandem.core.profile_changes import COLLECTION_VISIBILITIES, ProfileChanges


@endpoint("i", kind="read:account", allow_get=True, replay=True)
async def i(call: Call) -> MeDetailed:
    return await me(call)


_TEXT = {  # Misskey param -> ProfileChanges attribute (None clears)
    "name": "display_name",
    "description": "note",
    "location": "location",
    "birthday": "birthday",
    "lang": "lang",
}
_FLAGS = {
    "isLocked": "locked",
    "isExplorable": "discoverable",
    "isBot": "bot",
    "isCat": "is_cat",
    "hideOnlineStatus": "hide_online_status",
    "publicReactions": "public_reactions",
    "noCrawle": "noindex",
    "preventAiLearning": "prevent_ai_learning",
    "autoAcceptFollowed": "auto_accept_followed",
    "carefulBot": "careful_bot",
    "followingVisibility": "following_visibility",
    "followersVisibility": "followers_visibility",
    "chatScope": "chat_scope",
}
# Stored as the user's client preferences, returned as they were given.
_PREFS = (
    "followedMessage",
    "hideActivity",
    "hideProfileFiles",
    "autoRejectFollowRequest",
    "injectFeaturedNote",
    "receiveAnnouncementEmail",
    "alwaysMarkNsfw",
    "autoSensitive",
    "mutedWords",
    "hardMutedWords",
    "mutedInstances",
    "notificationRecieveConfig",
    "emailNotificationTypes",
)
_VISIBILITY = P("string", enum=COLLECTION_VISIBILITIES)
_BOOL = P("boolean")
_WORDS = P("array")  # items: a /regex/ string or an array of words (checked below)
_UPDATE_PARAMS: dict[str, P] = {
    "name": P("string", nullable=True, max_length=50),
    "description": P("string", nullable=True, max_length=1500),
    "location": P("string", nullable=True, max_length=50),
    "birthday": P("string", nullable=True, pattern=r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"),
    "lang": P("string", nullable=True),
    "avatarId": P("id", nullable=True),
    "bannerId": P("id", nullable=True),
    "fields": P(
        "array",
        max_items=16,
        items=P(
            "object",
            properties={
                "name": P("string", required=True),
                "value": P("string", required=True),
            },
        ),
    ),
    **{n: _BOOL for n in _FLAGS if not n.endswith("Visibility") and n != "chatScope"},
    "followingVisibility": _VISIBILITY,
    "followersVisibility": _VISIBILITY,
    "followedMessage": P("string", nullable=True, max_length=256),
    "hideActivity": _BOOL,
    "hideProfileFiles": _BOOL,
    "autoRejectFollowRequest": _BOOL,
    "chatScope": P("string", enum=("everyone", "followers", "following", "mutual", "none")),
    "avatarDecorations": P("array", max_items=16, items=P("object", extra=True, properties={})),
    "pinnedPageId": P("id", nullable=True),
    "injectFeaturedNote": _BOOL,
    "receiveAnnouncementEmail": _BOOL,
    "alwaysMarkNsfw": _BOOL,
    "autoSensitive": _BOOL,
    "mutedWords": _WORDS,
    "hardMutedWords": _WORDS,
    "mutedInstances": P("array", items=P("string")),
    "notificationRecieveConfig": P("object", extra=True, properties={}),
    "emailNotificationTypes": P("array", items=P("string")),
    # handles (`@user@host`, `@user`, `user`) or actor URIs of the accounts also one's own
    "alsoKnownAs": P(
        "array", max_items=account_aliases.MAX_ALIASES, unique_items=True, items=P("string")
    ),
}
_UPDATE_ERRORS = {
    "not_found:avatar_file": e.err(
        "NO_SUCH_AVATAR", "No such avatar file.", "539f3a45-f215-4f81-a9a8-31293640207f"
    ),
    "not_found:banner_file": e.err(
        "NO_SUCH_BANNER", "No such banner file.", "0d8f5629-f210-41c2-9433-735831a58595"
    ),
    "AVATAR_NOT_AN_IMAGE": e.err(
        "AVATAR_NOT_AN_IMAGE",
        "The file specified as an avatar is not an image.",
        "f419f9f8-2f4d-46b1-9fb4-49d3a2fd7191",
    ),
    "BANNER_NOT_AN_IMAGE": e.err(
        "BANNER_NOT_AN_IMAGE",
        "The file specified as a banner is not an image.",
        "75aedb19-2afd-4e6d-87fc-67941256fa60",
    ),
    "INVALID_REGEXP": e.err(
        "INVALID_REGEXP", "Invalid Regular Expression.", "0d786918-10df-41cd-8f33-8dec7d9a89a5"
    ),
    "RESTRICTED_BY_ROLE": e.err(
        "RESTRICTED_BY_ROLE",
        "This feature is restricted by your role: avatar decorations are not available here.",
        "8feff0ba-5ab5-585b-31f4-4df816663fad",
    ),
    "NO_SUCH_PAGE": e.err("NO_SUCH_PAGE", "No such page.", "8e01b590-7eb9-431b-a239-860e086c408e"),
    "TOO_MANY_MUTED_WORDS": e.err(
        "TOO_MANY_MUTED_WORDS", "Too many muted words.", "010665b1-a211-42d2-bc64-8f6609d79785"
    ),
    "NO_SUCH_USER": e.err("NO_SUCH_USER", "No such user.", "fcd2eef9-a9b2-4c4f-8624-038099e90aa5"),
    "FORBIDDEN_TO_SET_YOURSELF": e.err(
        "FORBIDDEN_TO_SET_YOURSELF",
        "You can't set yourself as your own alias.",
        "25c90186-4ab0-49c8-9bba-a1fa6c202ba4",
    ),
    "YOUR_ACCOUNT_MOVED": e.err(
        "YOUR_ACCOUNT_MOVED",
        "You have moved your account.",
        "56f20ec9-fd06-4fa5-841b-edd6d7d4fa31",
        403,
        "permission",
    ),
}
_PARAM_NAMES = {
    "display_name": "name",
    "note": "description",
    "avatar": "avatarId",
    "header": "bannerId",
    "following_visibility": "followingVisibility",
    "followers_visibility": "followersVisibility",
}


def _word_mutes(name: str, value: list[Any]) -> list[Any]:
    for index, entry in enumerate(value):
        words = entry if isinstance(entry, list) else [entry]
        if not isinstance(entry, str | list) or not all(isinstance(w, str) for w in words):
            raise invalid(f"{name}[{index}]", "must be a string or an array of strings")
    return muted_words.check(value)


def _changes(params: dict[str, Any]) -> ProfileChanges:
    changes = ProfileChanges()
    for param, attr in _TEXT.items():
        if param in params:
            value = params[param]
            if attr in ("display_name", "note"):
                value = (value or "").strip() if attr == "display_name" else value or ""
            setattr(changes, attr, value)
    for param, attr in _FLAGS.items():
        if param in params:
            setattr(changes, attr, params[param])
    if "fields" in params:
        changes.fields = [
            (f["name"].strip(), f["value"].strip())
            for f in params["fields"]
            if f["name"].strip() and f["value"].strip()
        ]
    if "avatarId" in params:
        changes.avatar_file_id = params["avatarId"]
    if "bannerId" in params:
        changes.banner_file_id = params["bannerId"]
    prefs = {name: params[name] for name in _PREFS if name in params}
    for name in ("mutedWords", "hardMutedWords"):
        if name in prefs:
            prefs[name] = _word_mutes(name, prefs[name])
    if prefs:
        changes.client_prefs = prefs
    return changes


@endpoint(
    "i/update",
    kind="write:account",
    params=_UPDATE_PARAMS,
    limit=(3_600_000, 20),
    errors=_UPDATE_ERRORS,
    param_names=_PARAM_NAMES,
)
async def update(call: Call) -> MeDetailed:
    """Omitted params stay as they are, a value sets, null clears."""
    if call.params.get("avatarDecorations"):
        raise _UPDATE_ERRORS["RESTRICTED_BY_ROLE"].raise_()  # the policy allows none
    if call.params.get("pinnedPageId") is not None:
        raise _UPDATE_ERRORS["NO_SUCH_PAGE"].raise_()  # this server has no Pages
    if "alsoKnownAs" in call.params:
        targets = [await _alias(call, name) for name in call.params["alsoKnownAs"]]
        await account_aliases.set_aliases(call.db, call.settings, call.account, targets)
        if not any(name in call.params for name in _UPDATE_PARAMS if name != "alsoKnownAs"):
            return await me(call, reload=True)
    known = await profiles.update_profile(
        call.db, call.settings, call.files, call.account, call.user, _changes(call.params)
    )
    return await me(call, known=known)


async def _alias(call: Call, name: str) -> Account:
    """The account an alias names: a handle of this server or another (found through
    WebFinger), or an actor URI."""
    found: Account | None
    if remote_lookup.looks_like_url(name):
        local_id = urls.local_actor_id(call.settings, name.strip())
        if local_id is not None:
            found = await accounts.find(call.db, local_id)
        else:
            found, _ = await remote_lookup.by_url(call.db, call.settings, name.strip())
    else:
        try:
            found = await accounts.lookup(call.db, call.settings, name)
        except NotFound:
            found = await remote_lookup.handle_in(call.db, call.settings, name)
    if found is None:
        raise _UPDATE_ERRORS["NO_SUCH_USER"].raise_()
    return found


NO_SUCH_NOTE_TO_PIN = e.err("NO_SUCH_NOTE", "No such note.", "56734f8b-3928-431e-bf80-6ff87df40cb3")
_PIN_ERRORS = {
    "not_found:status": NO_SUCH_NOTE_TO_PIN,
    "PIN_OWNERSHIP": NO_SUCH_NOTE_TO_PIN,
    "PIN_LIMIT": e.err(
        "PIN_LIMIT_EXCEEDED",
        "You can not pin notes any more.",
        "72dab508-c64d-498f-8740-a8eec1ba385a",
    ),
    "ALREADY_PINNED": e.err(
        "ALREADY_PINNED",
        "That note has already been pinned.",
        "8b18c2b7-68fe-4edb-9892-c0cbaeb6c913",
    ),
}


@endpoint("i/pin", kind="write:account", params={"noteId": REQ_ID}, errors=_PIN_ERRORS)
async def pin(call: Call) -> MeDetailed:
    await status_pins.pin(
        call.db, call.settings, call.account, call.params["noteId"], again_ok=False
    )
    return await me(call)


@endpoint(
    "i/unpin",
    kind="write:account",
    params={"noteId": REQ_ID},
    errors={
        "not_found:status": e.err(
            "NO_SUCH_NOTE", "No such note.", "454170ce-9d63-4a43-9da1-ea10afe81e21"
        )
    },
)
async def unpin(call: Call) -> MeDetailed:
    await status_pins.unpin(call.db, call.account, call.params["noteId"])
    return await me(call)
