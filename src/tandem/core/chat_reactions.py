"""Reactions to chat messages: one Unicode emoji, or `:name:` of a local custom emoji (a
common shortcode like `:heart:` names its Unicode emoji unless a custom emoji has that name).

A direct message may be reacted to by its recipient only, a room message by the room's
owner and members other than its sender; at most 100 reactions per message. Reacting
twice with the same reaction changes nothing (one row per message, account and reaction).
"""

from __future__ import annotations

import regex

from tandem.core import chat_rules, clock, emoji_shortcodes
from tandem.core.chat_messages import topic_of, visible_row
from tandem.core.chat_models import MAX_REACTIONS_PER_MESSAGE
from tandem.core.errors import Unprocessable
from tandem.core.events import Event, publish
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Account
from tandem.store import chat_messages as store
from tandem.store import custom_emojis as emoji_store
from tandem.store.db import Conn, Database

_TAIL = r"(?:\uFE0F|\p{Emoji_Modifier}|[\U000E0020-\U000E007F])*"
_ONE_EMOJI = regex.compile(
    r"\p{Regional_Indicator}\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3"
    rf"|\p{{Extended_Pictographic}}{_TAIL}(?:\u200D\p{{Extended_Pictographic}}{_TAIL})*"
    r"|[\u2600-\u27BF]\uFE0F?"
)
_CUSTOM = regex.compile(r"^:([A-Za-z0-9_+-]+)(?:@\.)?:$")


async def chosen(conn: Conn, raw: str) -> str:
    """The stored reaction for what the client sent, or why it is not one."""
    raw = raw.strip()
    custom = _CUSTOM.match(raw)
    if custom:
        name = str(custom.group(1))
        if await emoji_store.by_shortcode(conn, name) is not None:
            return f":{name}:"
        found = emoji_shortcodes.unicode_for(name)
        if found is None:
            raise Unprocessable(Text("No such emoji: {name}.", name=raw), code="NO_SUCH_EMOJI")
        return found
    if not _ONE_EMOJI.fullmatch(raw):
        raise Unprocessable(
            Text("A reaction is one emoji or the :name: of a custom emoji."),
            code="INVALID_REACTION",
        )
    return raw if "\u200d" in raw else raw.replace("\ufe0f", "")


async def react(db: Database, account: Account, message_id: int, raw: str) -> None:
    chat_rules.check(account, "write")
    async with db.write() as conn:
        row = await visible_row(conn, account, message_id)
        if row.from_account_id == account.id:
            raise Unprocessable(
                Text("You cannot react to your own message."), code="CANNOT_REACT_TO_OWN_MESSAGE"
            )
        reaction = await chosen(conn, raw)
        await store.lock_message(conn, message_id)
        if await store.reaction_count(conn, message_id) >= MAX_REACTIONS_PER_MESSAGE:
            raise Unprocessable(
                Text(
                    "This message has {count} reactions already.", count=MAX_REACTIONS_PER_MESSAGE
                ),
                code="TOO_MANY_REACTIONS",
            )
        added = await store.add_reaction(
            conn, new_id(), message_id, account.id, reaction, clock.now()
        )
        if added:
            data: dict[str, int | str | None] = {
                "message_id": message_id,
                "account_id": account.id,
                "reaction": reaction,
            }
            publish(db, Event(topic_of(row), "react", data))


async def unreact(db: Database, account: Account, message_id: int, raw: str) -> None:
    chat_rules.check(account, "write")
    async with db.write() as conn:
        row = await visible_row(conn, account, message_id)
        reaction = await chosen(conn, raw)
        if await store.remove_reaction(conn, message_id, account.id, reaction):
            data: dict[str, int | str | None] = {
                "message_id": message_id,
                "account_id": account.id,
                "reaction": reaction,
            }
            publish(db, Event(topic_of(row), "unreact", data))
