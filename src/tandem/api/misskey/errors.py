"""Misskey's error shape {"error": {message, code, id, kind}} and the errors all endpoints share."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from tandem.api.http import JSON
from tandem.core.errors import NOT_FOUND_KINDS
from tandem.core.i18n import render

_NAMESPACE = uuid.UUID("1a6b6e5e-6a2f-4a3e-9d0c-7d4f4c2f1e10")


@dataclass(frozen=True)
class ErrorDef:
    code: str
    message: str
    id: str = ""
    status: int = 400
    kind: str = "client"

    def raise_(self, **info: Any) -> MisskeyError:
        return MisskeyError(self, info or None)

    def explained(self, message: str, **info: Any) -> MisskeyError:
        """The same error with a message that says exactly what to change."""
        return MisskeyError(self, info or None, message)


def err(
    code: str, message: str, id: str | None = None, status: int = 400, kind: str = "client"
) -> ErrorDef:
    """An error definition; ids are Misskey's where it has one, else a stable id per code."""
    return ErrorDef(code, message, id or str(uuid.uuid5(_NAMESPACE, code)), status, kind)


def checked(endpoint: str, errors: dict[str, ErrorDef]) -> dict[str, ErrorDef]:
    """An endpoint's error map, refused at start-up if a `not_found:` key names no kind of
    NotFound that core raises (such a key would never match)."""
    for key in errors:
        kind = key.removeprefix("not_found:")
        if kind != key and kind not in NOT_FOUND_KINDS:
            raise ValueError(f"{endpoint}: {key!r} is not a NotFound kind of tandem.core.errors")
    return errors


@dataclass
class MisskeyError(Exception):
    error: ErrorDef
    info: dict[str, Any] | None = field(default=None)
    message: str | None = None
    headers: dict[str, str] | None = None

    def response(self, locale: str = "en") -> Response:
        """The error as Misskey sends it, its message in `locale` (code, id, kind unchanged)."""
        body: dict[str, Any] = {
            "message": render(self.message or self.error.message, locale),
            "code": self.error.code,
            "id": self.error.id,
            "kind": self.error.kind,
        }
        if self.info:
            body["info"] = self.info
        return JSON({"error": body}, status_code=self.error.status, headers=self.headers)


CREDENTIAL_REQUIRED = err(
    "CREDENTIAL_REQUIRED", "Credential required.", "1384574d-a912-4b81-8601-c7b1c4085df1", 401
)
AUTHENTICATION_FAILED = err(
    "AUTHENTICATION_FAILED",
    "Authentication failed. Please ensure your token is correct.",
    "b0a7f5f8-dc2f-4171-b91f-de88ad238e14",
    401,
)
PERMISSION_DENIED = err(
    "PERMISSION_DENIED",
    "Your app does not have the necessary permissions to use this endpoint.",
    "1370e5b7-d4eb-4566-bb1d-7748ee6a1838",
    403,
    "permission",
)
ACCESS_DENIED = err("ACCESS_DENIED", "Access denied.", "56f35758-7dd5-468b-8439-5d6fb8ec9b8e", 400)
RATE_LIMIT_EXCEEDED = err(
    "RATE_LIMIT_EXCEEDED",
    "Rate limit exceeded. Please try again later.",
    "d5826d14-3982-4d2e-8011-b9e9f02499ef",
    429,
)
NOT_MODERATOR = err(
    "ROLE_PERMISSION_DENIED",
    "You are not assigned to a moderator role.",
    "d33d5333-db36-423d-a8f9-1a2b9549da41",
    403,
    "permission",
)
INVALID_PARAM = err("INVALID_PARAM", "Invalid param.", "3d81ceae-475f-4600-b2a8-2bc116157532")
SUSPENDED = err(
    "YOUR_ACCOUNT_SUSPENDED",
    "Your account has been suspended.",
    "a8c724b3-6e9c-4b46-b1a8-bc3ed6258370",
    403,
)
PENDING = err("ACCOUNT_NOT_READY", "Your account is not confirmed or approved yet.", status=403)
UNKNOWN_ENDPOINT = err(
    "UNKNOWN_API_ENDPOINT", "Unknown API endpoint.", "2ca3b769-540a-4f08-9dd5-b5a825b6d0f1", 404
)
INTERNAL_ERROR = err(
    "INTERNAL_ERROR",
    "Internal error occurred. Please contact us if the error persists.",
    "5d37dbcb-891e-41ca-a3d6-e690c97775ac",
    500,
    "server",
)
