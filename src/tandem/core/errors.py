"""Errors the domain raises; each dialect turns them into its own wire shape."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base class: something the caller asked for cannot be done as asked."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it exists."""

    def __init__(self, what: str = "Record") -> None:
        super().__init__(f"{what} not found")
        self.what = what


class RowGone(NotFound):
    """A row this write needed was deleted by a concurrent request meanwhile."""

    def __init__(self) -> None:
        super().__init__("Object")


class Conflict(DomainError):
    """A concurrent twin of this write got there first: the thing is already done."""


class Forbidden(DomainError):
    """The caller is known but this action is not allowed for them."""


class Unprocessable(DomainError):
    """The request is well-formed but cannot be applied (a rule of the domain says no)."""

    def __init__(self, message: str, code: str = "UNPROCESSABLE") -> None:
        super().__init__(message)
        self.code = code


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
