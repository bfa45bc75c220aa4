"""Who may quote a status, and how a quote shows to a viewer (Mastodon 4.5's quote policy
and quote states): rules on loaded rows (and `check`, which asks the store about blocks and
follows), shared by core/statuses.py (posting, page bundles) and core/quotes.py."""

from __future__ import annotations

from typing import Literal

from tandem.core.errors import Unprocessable
from tandem.core.models import Account, Status
from tandem.store import blocks
from tandem.store import statuses as status_store
from tandem.store.db import Conn

POLICIES = ("public", "followers", "nobody")
Approval = Literal["automatic", "denied"]
QuoteState = Literal[
    "accepted", "revoked", "deleted", "unauthorized", "blocked_account", "muted_account"
]


def initial_policy(visibility: str, requested: str | None, default: str) -> str:
    """The policy a new status gets: what was asked for (else the author's default); a
    private or direct status can only be quoted by its author (Mastodon downgrades it)."""
    if visibility in ("private", "direct"):
        return "nobody"
    return requested or default


def stored_policy(status: Status) -> str:
    """The policy as shown: NULL (statuses older than quotes) lets nobody else quote."""
    if status.visibility in ("private", "direct") or status.reblog_of_id:
        return "nobody"
    return status.quote_policy if status.quote_policy in POLICIES else "nobody"


def automatic(status: Status) -> list[str]:
    """Who gets their quotes accepted at once (QuoteApproval.automatic)."""
    policy = stored_policy(status)
    return [] if policy == "nobody" else [policy]


def approval(status: Status, viewer_id: int | None, following: bool) -> Approval:
    """How the policy applies to the viewer (QuoteApproval.current_user): the author may
    always quote their own status (but for a reblog: quote the original)."""
    if viewer_id is None or status.reblog_of_id or status.visibility == "direct":
        return "denied"
    if status.account_id == viewer_id:
        return "automatic"
    policy = stored_policy(status)
    if policy == "public" or (policy == "followers" and following):
        return "automatic"
    return "denied"


def may_see(status: Status, viewer_id: int | None, following: bool) -> bool:
    """Visibility alone (blocks are the caller's): as core.statuses.can_see decides."""
    if viewer_id is not None and status.account_id == viewer_id:
        return True
    if status.visibility in ("public", "unlisted"):
        return True
    if viewer_id is None:
        return False
    mentioned = any(m.account_id == viewer_id for m in status.mentions)
    return mentioned or (status.visibility == "private" and following)


def state(
    quote: Status,
    quoted: Status | None,
    viewer_id: int | None,
    *,
    blocked_by: bool = False,
    blocking: bool = False,
    muting: bool = False,
    following: bool = False,
) -> QuoteState:
    """A quote's state as the viewer sees it (Mastodon's QuoteSerializer): revoked or
    deleted first; then unauthorized when the viewer may not see the quoted status (or its
    author blocks them); then blocked_account / muted_account for the viewer's own block or
    mute of its author; else accepted."""
    if quote.quote_state == "revoked":
        return "revoked"
    if quoted is None:
        return "deleted"
    if viewer_id is not None and quoted.account_id == viewer_id:
        return "accepted"
    if blocked_by or not may_see(quoted, viewer_id, following):
        return "unauthorized"
    if blocking:
        return "blocked_account"
    if muting:
        return "muted_account"
    return "accepted"


def shows_quoted(state: QuoteState) -> bool:
    """Whether the quoted status is shown with the quote (Mastodon shows it to a viewer who
    blocks or mutes its author too, for the client to hide)."""
    return state in ("accepted", "blocked_account", "muted_account")


async def check(conn: Conn, account: Account, quoted: Status) -> None:
    """May the account quote this status (which it can see)? Unprocessable, with a code
    each dialect maps, when not: a reblog (quote its original), a block either way, a
    private or direct status of someone else, or the status's quote policy."""
    if quoted.reblog_of_id:
        raise Unprocessable("A boost cannot be quoted: quote the original post", "QUOTE_REBLOG")
    if quoted.account_id == account.id:
        return  # one's own statuses, whatever their visibility or policy
    if await blocks.exists(conn, quoted.account_id, account.id) or await blocks.exists(
        conn, account.id, quoted.account_id
    ):
        raise Unprocessable(
            "You cannot quote posts of accounts you blocked or that blocked you", "QUOTE_BLOCKED"
        )
    if quoted.visibility in ("private", "direct"):
        raise Unprocessable("Private and direct posts cannot be quoted", "QUOTE_PRIVATE")
    following = stored_policy(quoted) == "followers" and await status_store.is_follower(
        conn, account.id, quoted.account_id
    )
    if approval(quoted, account.id, following) == "denied":
        raise Unprocessable(
            "The author of this post does not allow you to quote it", "QUOTE_DENIED"
        )
