"""Who may chat, and with whom: availability (Misskey's `chatAvailability` role policy),
the recipient's chat scope, the "answer who wrote to you" approval, and blocks.

Misskey answers these refusals with a 500; tandem raises domain errors with a code of their
own, which the dialect maps to 4xx answers.
"""

from __future__ import annotations

from typing import Literal

from tandem.core.chat_models import Availability, ChatScope
from tandem.core.errors import Forbidden, NotFound
from tandem.core.i18n import Text
from tandem.core.models import Account
from tandem.store import accounts as account_store
from tandem.store import blocks, follows
from tandem.store import chat_messages as message_store
from tandem.store import users as user_store
from tandem.store.db import Conn

Need = Literal["read", "write"]


def availability(account: Account, disabled: bool = False) -> Availability:
    """The account's chat policy. tandem has no roles yet: every account in good standing
    may chat; a suspended or disabled one may not."""
    if account.suspended or disabled:
        return "unavailable"
    return "available"


def can_chat(account: Account) -> bool:
    """`canChat` of Misskey's user entities (chat does not federate: local accounts only)."""
    return account.local and availability(account) == "available"


def check(account: Account, need: Need) -> None:
    """Refuse a caller whose chat policy does not allow reading (or writing)."""
    found = availability(account)
    if found == "unavailable" or (need == "write" and found == "readonly"):
        raise Forbidden(Text("Chat is not available to your account."), code="CHAT_UNAVAILABLE")


def scope_allows(scope: str, sender_follows: bool, recipient_follows: bool) -> bool:
    """Does a recipient with `scope` accept a first message from the sender?"""
    chosen: ChatScope | str = scope
    if chosen == "everyone":
        return True
    if chosen == "followers":
        return sender_follows
    if chosen == "following":
        return recipient_follows
    if chosen == "mutual":
        return sender_follows and recipient_follows
    return False


async def recipient(conn: Conn, sender: Account, recipient_id: int) -> Account:
    """The account `sender` may write to, or why not."""
    if recipient_id == sender.id:
        raise Forbidden(
            Text("You cannot send a message to yourself."), code="RECIPIENT_IS_YOURSELF"
        )
    found = await account_store.get_functional(conn, recipient_id)
    if found is None:
        raise NotFound("account")
    user = await user_store.by_account(conn, found.id) if found.local else None
    disabled = user is not None and user.disabled
    if not found.local or availability(found, disabled=disabled) != "available":
        raise Forbidden(
            Text("This user cannot receive chat messages."), code="RECIPIENT_CANNOT_CHAT"
        )
    sender_blocks, recipient_blocks = await blocks.between(conn, sender.id, found.id)
    if recipient_blocks:
        raise Forbidden(Text("You have been blocked by this user."), code="YOU_HAVE_BEEN_BLOCKED")
    if sender_blocks:
        raise Forbidden(Text("You are blocking this user."), code="YOU_ARE_BLOCKING")
    if await message_store.approved(conn, found.id, sender.id):
        return found  # they wrote to the sender first: always answerable
    sender_follows = await follows.exists(conn, sender.id, found.id)
    recipient_follows = await follows.exists(conn, found.id, sender.id)
    if not scope_allows(found.chat_scope, sender_follows, recipient_follows):
        raise Forbidden(
            Text("This user does not accept chat messages from you."), code="CHAT_NOT_ALLOWED"
        )
    return found
