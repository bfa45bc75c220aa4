"""emojis and emoji: the server's custom emoji as Misskey clients load them."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.errors import err
from tandem.api.misskey.schema import P
from tandem.core import custom_emojis, urls
from tandem.core.models import CustomEmoji


class EmojiSimple(TypedDict):
    aliases: list[str]
    name: str
    category: str | None
    url: str
    localOnly: NotRequired[bool]
    isSensitive: NotRequired[bool]
    roleIdsThatCanBeUsedThisEmojiAsReaction: NotRequired[list[str]]


class EmojiDetailed(TypedDict):
    id: str
    aliases: list[str]
    name: str
    category: str | None
    host: None
    url: str
    license: None
    isSensitive: bool
    localOnly: bool
    roleIdsThatCanBeUsedThisEmojiAsReaction: list[str]


class Emojis(TypedDict):
    emojis: list[EmojiSimple]


def _simple(call: Call, e: CustomEmoji) -> EmojiSimple:
    return {
        "aliases": [],
        "name": e.shortcode,
        "category": e.category,
        "url": urls.file_url(call.settings, e.image.path),
        "localOnly": False,
        "isSensitive": False,
        "roleIdsThatCanBeUsedThisEmojiAsReaction": [],
    }


@endpoint("emojis", credential=False, allow_get=True)
async def emojis(call: Call) -> Emojis:
    return {"emojis": [_simple(call, e) for e in await custom_emojis.listed(call.db)]}


@endpoint(
    "emoji",
    params={"name": P("string", required=True)},
    credential=False,
    allow_get=True,
    errors={
        "not_found:emoji": err(
            "NO_SUCH_EMOJI", "No such emoji.", "6a5e3be7-5ac3-44a6-a425-9937cd66f8e3", 404
        )
    },
)
async def emoji(call: Call) -> EmojiDetailed:
    e = await custom_emojis.get(call.db, str(call.params["name"]))
    return {
        "id": str(e.id),
        "aliases": [],
        "name": e.shortcode,
        "category": e.category,
        "host": None,
        "url": urls.file_url(call.settings, e.image.path),
        "license": None,
        "isSensitive": False,
        "localOnly": False,
        "roleIdsThatCanBeUsedThisEmojiAsReaction": [],
    }
