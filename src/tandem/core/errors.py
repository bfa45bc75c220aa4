"""Errors the domain raises; each dialect turns them into its own wire shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from tandem.core.i18n import Text, as_text

# What was not found: stable identifiers the dialects' error maps key on (a Misskey endpoint
# declares `"not_found:<kind>"`); the wording of messages may change, these may not.
NotFoundKind = Literal[
    "account",
    "status",
    "reply_target",  # the status a new post answers
    "recipient",  # an account a direct post names
    "file",  # a media attachment / Drive file
    "avatar_file",
    "banner_file",
    "list",
    "antenna",
    "clip",
    "follow_request",
    "featured_tag",
    "notification",
    "webhook",
    "event_type",
    "key",  # a registry key
    "app",
    "session",
    "confirmation_token",
    "user",  # a local user by name (admin commands)
    "role",
    "row",  # a row a write needed, deleted meanwhile by a concurrent request
    "filter",  # a content filter, or one of its keywords or statuses
    "tag",
    "poll",
    "emoji",  # a custom emoji
    "conversation",  # a direct conversation (Mastodon's /api/v1/conversations/:id)
    "collection",  # a collection of featured accounts (Mastodon's /api/v1/collections/:id)
    "collection_item",  # an account featured in a collection
    "chat_room",
    "chat_message",
    "invite",  # an invite code (Misskey's invite/delete)
    "push_subscription",  # a Web Push subscription (Misskey sw/*, Mastodon push)
    "announcement",
]
NOT_FOUND_KINDS: frozenset[str] = frozenset(get_args(NotFoundKind))

# The word each kind has in messages ("Record not found", as Mastodon says for accounts).
_LABELS: dict[NotFoundKind, str] = {
    "account": Text("Record"),
    "status": Text("Note"),
    "reply_target": Text("Reply target"),
    "recipient": Text("Recipient"),
    "file": Text("File"),
    "avatar_file": Text("Avatar file"),
    "banner_file": Text("Banner file"),
    "list": Text("List"),
    "antenna": Text("Antenna"),
    "clip": Text("Clip"),
    "follow_request": Text("Follow request"),
    "featured_tag": Text("Record"),
    "notification": Text("Notification"),
    "webhook": Text("Webhook"),
    "event_type": Text("Event type"),
    "key": Text("Key"),
    "app": Text("App"),
    "session": Text("Session"),
    "confirmation_token": Text("Confirmation token"),
    "user": Text("User"),
    "role": Text("Role"),
    "row": Text("Object"),
    "filter": Text("Record"),
    "tag": Text("Record"),
    "poll": Text("Record"),
    "emoji": Text("Emoji"),
    "conversation": Text("Record"),
    "collection": Text("Record"),
    "collection_item": Text("Record"),
    "chat_room": Text("Room"),
    "chat_message": Text("Message"),
    "invite": Text("Invite code"),
    "push_subscription": Text("Record"),
    "announcement": Text("Announcement"),
}

# "Already so" answers of strict writes (Misskey's): stable codes the error maps key on.
AlreadyKind = Literal[
    "ALREADY_FOLLOWING",
    "NOT_FOLLOWING",  # also: the other account does not follow the caller
    "ALREADY_BLOCKING",
    "NOT_BLOCKING",
    "ALREADY_MUTING",
    "NOT_MUTING",
    "ALREADY_PINNED",
    "ALREADY_REACTED",
    "NOT_REACTED",
    "ALREADY_VOTED",
]


class DomainError(Exception):
    """Base class: something the caller asked for cannot be done as asked.

    `message` is English; it is kept as a `Text` so each dialect can render it in the
    caller's language (`tandem.core.i18n`)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message: str = as_text(message)


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it exists.

    `kind` says what is missing; `label` is its word in messages (`detail` replaces the
    whole subject, as in "Local user @ann not found")."""

    def __init__(self, kind: NotFoundKind, detail: str | None = None) -> None:
        self.kind = kind
        self.label = _LABELS[kind]
        super().__init__(Text("{subject} not found", subject=detail or self.label))


class RowGone(NotFound):
    """A row this write needed was deleted by a concurrent request meanwhile."""

    def __init__(self) -> None:
        super().__init__("row")


class Conflict(DomainError):
    """A concurrent twin of this write got there first: the thing is already done."""


class Forbidden(DomainError):
    """The caller is known but this action is not allowed for them; `code`, when set, says
    which rule refused (e.g. BLOCKING, BLOCKED) for dialects that tell them apart."""

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class Unprocessable(DomainError):
    """The request is well-formed but cannot be applied (a rule of the domain says no)."""

    def __init__(self, message: str, code: str = "UNPROCESSABLE") -> None:
        super().__init__(message)
        self.code = code


class AlreadyDone(Unprocessable):
    """The change asked for is already in place (a repeat, or a concurrent twin won).

    Raised only by writes called strictly (`again_ok=False`, Misskey's way), and decided
    inside the write transaction, which it rolls back; idempotent callers (Mastodon) get
    the current state instead."""

    def __init__(self, kind: AlreadyKind, message: str) -> None:
        super().__init__(message, code=kind)
        self.kind = kind


class RateLimited(DomainError):
    """Too many requests of one kind; `retry_at` is a Unix time."""

    def __init__(self, limit: int, retry_at: float) -> None:
        super().__init__("Too many requests")
        self.limit = limit
        self.retry_at = retry_at


class AuthenticationFailed(DomainError):
    """Wrong credentials (password, code, token)."""

    def __init__(self, message: str, code: str = "AUTHENTICATION_FAILED") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FieldError:
    """One broken rule on one input: `code` is the rule (blank, taken…), `message` says why."""

    attribute: str
    code: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", as_text(self.message))


class ValidationFailed(DomainError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.attribute} {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, attribute: str, code: str, message: str) -> ValidationFailed:
        return cls([FieldError(attribute, code, message)])


class Errors:
    """Collects field errors so a request reports every problem at once."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, attribute: str, code: str, message: str) -> None:
        self.items.append(FieldError(attribute, code, message))

    def has(self, attribute: str) -> bool:
        return any(e.attribute == attribute for e in self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)
