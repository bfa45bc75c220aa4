"""E-mails tandem sends, composed here and delivered by the `send_email` job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.config import Settings


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str

    def to_payload(self) -> dict[str, Any]:
        return {"to": self.to, "subject": self.subject, "text": self.text}


def confirmation(settings: Settings, *, to: str, username: str, token: str) -> Message:
    link = f"{settings.base_url}/auth/confirmation?confirmation_token={token}"
    return Message(
        to=to,
        subject=f"{settings.instance_title}: confirm your e-mail address",
        text=(
            f"Hello @{username},\n\n"
            f"To confirm this e-mail address for your account on {settings.domain}, open:\n\n"
            f"{link}\n\n"
            "If you did not ask for this, ignore this message.\n"
        ),
    )
