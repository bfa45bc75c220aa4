"""E-mails tandem sends, composed here and delivered by the `send_email` job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.config import Settings
from tandem.core.i18n import DEFAULT, Text, render, supported


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str

    def to_payload(self) -> dict[str, Any]:
        return {"to": self.to, "subject": self.subject, "text": self.text}


def confirmation(
    settings: Settings, *, to: str, username: str, token: str, locale: str | None = None
) -> Message:
    """The address confirmation, in the recipient's locale (English when it has no catalog)."""
    lang = supported(locale) or DEFAULT
    link = f"{settings.base_url}/auth/confirmation?confirmation_token={token}"
    subject = Text("{title}: confirm your e-mail address", title=settings.instance_title)
    greeting = Text("Hello @{username},", username=username)
    body = Text(
        "To confirm this e-mail address for your account on {domain}, open:",
        domain=settings.domain,
    )
    ignore = Text("If you did not ask for this, ignore this message.")
    return Message(
        to=to,
        subject=render(subject, lang),
        text=(
            f"{render(greeting, lang)}\n\n{render(body, lang)}\n\n{link}\n\n"
            f"{render(ignore, lang)}\n"
        ),
    )
