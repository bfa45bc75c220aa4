"""Sending the confirmation mail again (Mastodon's POST /api/v1/emails/confirmations), from
the app the user signed up with, while the address still waits for confirmation; the app may
correct the address at the same time."""

from __future__ import annotations

from tandem.config import Settings
from tandem.core import clock, mail
from tandem.core.errors import Errors, Forbidden, ValidationFailed
from tandem.core.i18n import Text
from tandem.core.models import Account, Principal
from tandem.core.registration import check_email
from tandem.core.tokens import digest, new_secret
from tandem.store import jobs as job_store
from tandem.store import users as user_store
from tandem.store.db import Database

NOT_WAITING = Text("This method is only available while the e-mail is awaiting confirmation")
OTHER_APP = Text(
    "This method is only available to the application the user originally signed-up with"
)


async def resend(db: Database, settings: Settings, principal: Principal, email: str | None) -> None:
    user, account = principal.user, principal.account
    if user is None or account is None:
        raise Forbidden(NOT_WAITING)
    if user.confirmed_at is not None:
        raise Forbidden(NOT_WAITING)
    if user.created_by_application_id != principal.token.application_id:
        raise Forbidden(OTHER_APP)
    address = (email or "").strip().lower() or user.email
    if not address:
        raise ValidationFailed.one("email", "ERR_BLANK", "can't be blank")
    errors = Errors()
    check_email(errors, address, settings)
    errors.raise_if_any()
    changed = address != user.email
    locale = user.locale or account.lang
    await _send(db, settings, account, user.id, address, changed=changed, locale=locale)


async def _send(
    db: Database,
    settings: Settings,
    account: Account,
    user_id: int,
    address: str,
    changed: bool,
    locale: str | None = None,
) -> None:
    secret = new_secret(24)
    now = clock.now()
    async with db.write() as conn:
        if changed and await user_store.email_taken(conn, address):
            raise ValidationFailed.one("email", "ERR_TAKEN", "has already been taken")
        values: dict[str, object] = {"confirmation_token": digest(secret)}
        if changed:
            values["email"] = address
        await user_store.update_user(conn, user_id, now, **values)
        message = mail.confirmation(
            settings, to=address, username=account.username, token=secret, locale=locale
        )
        await job_store.enqueue(conn, "send_email", message.to_payload())
