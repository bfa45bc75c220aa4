"""Signing up: validating a new account, creating it, and confirming its e-mail address."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime

from tandem.config import Settings
from tandem.core import clock, invites, languages, mail, usernames
from tandem.core.errors import Errors, Forbidden, NotFound, ValidationFailed
from tandem.core.i18n import too_long, too_short
from tandem.core.ids import new_id
from tandem.core.models import Account, Application, IssuedToken, RoleName, User
from tandem.core.oauth import issue_token
from tandem.core.passwords import hash_password
from tandem.core.tokens import digest, new_secret
from tandem.store import accounts as account_store
from tandem.store import jobs as job_store
from tandem.store import users as user_store
from tandem.store.db import Conn, Database

PASSWORD_MIN, PASSWORD_MAX = 8, 72
EMAIL_MAX = 320
REASON_MAX = 420
_EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\Z")
_ACCEPTED = {True, "true", "1"}


@dataclass(frozen=True)
class SignUp:
    username: str | None
    email: str | None
    password: str | None
    agreement: object = None
    locale: str | None = None
    reason: str | None = None
    invite_code: str | None = None
    date_of_birth: str | None = None
    ip: str | None = None
    email_required: bool = True  # Misskey signs up without an address unless confirmation is on


def parse_birth_date(raw: str) -> date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(raw.strip()).date()
    except ValueError:
        return None


def _years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def check_username(errors: Errors, username: str, settings: Settings) -> None:
    if not username:
        errors.add("username", "blank", "can't be blank")
    elif not usernames.is_valid(username):
        errors.add("username", "invalid", "must contain only letters, numbers and underscores")
    elif len(username) > usernames.MAX_LENGTH:
        errors.add("username", "too_long", too_long(30))
    elif usernames.is_reserved(username, settings.reserved_usernames):
        errors.add("username", "reserved", "is reserved")


def check_email(errors: Errors, email: str, settings: Settings) -> None:
    if not email:
        errors.add("email", "blank", "can't be blank")
    elif len(email) > EMAIL_MAX:
        errors.add("email", "too_long", too_long(EMAIL_MAX))
    elif not _EMAIL.match(email) or any(c in email for c in '%,"'):
        errors.add("email", "invalid", "is invalid")
    else:
        domain = email.rsplit("@", 1)[1]
        blocked = any(
            domain == d or domain.endswith("." + d) for d in settings.email_domain_blocklist
        )
        if blocked:
            errors.add("email", "blocked", "uses a disallowed e-mail provider")


def check_password(errors: Errors, password: str, attribute: str = "password") -> None:
    if not password:
        errors.add(attribute, "blank", "can't be blank")
    elif len(password) < PASSWORD_MIN:
        errors.add(attribute, "too_short", too_short(PASSWORD_MIN))
    elif len(password) > PASSWORD_MAX:
        errors.add(attribute, "too_long", too_long(PASSWORD_MAX))


async def register(
    db: Database, settings: Settings, form: SignUp, app: Application | None
) -> tuple[Account, User, IssuedToken | None]:
    """Create a user + account; with an app, also a token carrying the app's scopes."""
    if settings.registrations == "closed":
        raise Forbidden("Forbidden")
    username = " ".join((form.username or "").split())
    email = (form.email or "").strip().lower()
    password = form.password or ""
    errors = Errors()
    check_username(errors, username, settings)
    if email or form.email_required:
        check_email(errors, email, settings)
    check_password(errors, password)
    if form.agreement not in _ACCEPTED:
        errors.add("agreement", "accepted", "must be accepted")
    locale = (form.locale or "").strip() or None
    if locale is not None and not languages.is_locale(locale):
        errors.add("locale", "inclusion", "is not included in the list")
    born: date | None = None
    if settings.min_age:
        if not form.date_of_birth:
            errors.add("date_of_birth", "blank", "can't be blank")
        else:
            born = parse_birth_date(form.date_of_birth)
            if born is None:
                errors.add("date_of_birth", "invalid", "is invalid (use YYYY-MM-DD)")
            elif _years_between(born, clock.now().date()) < settings.min_age:
                errors.add("date_of_birth", "below_limit", "is below the age limit")
    reason = (form.reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        errors.add("reason", "too_long", too_long(REASON_MAX))

    # Hash outside the transaction: Argon2 is slow on purpose and must not hold the write lock.
    password_hash = await asyncio.to_thread(hash_password, password) if password else ""
    async with db.write() as conn:
        # A code that cannot be used is ignored (as Mastodon does) unless one is required:
        # then the sign-up is refused, saying why.
        invite, refused = await invites.for_sign_up(conn, form.invite_code)
        if settings.registrations == "invite" and refused is not None:
            errors.add("invite_code", refused, invites.REFUSALS[refused])
        invite_id = invite.id if invite is not None and refused is None else None
        needs_reason = settings.registrations == "approval" and invite_id is None
        if needs_reason and settings.require_invite_text and reason is None:
            errors.add("reason", "blank", "can't be blank")
        if (
            username
            and not errors.has("username")
            and await account_store.username_taken(conn, username)
        ):
            errors.add("username", "taken", "has already been taken")
        if email and not errors.has("email") and await user_store.email_taken(conn, email):
            errors.add("email", "taken", "has already been taken")
        errors.raise_if_any()
        account, user, _confirmation = await create_local_user(
            conn,
            settings,
            username=username,
            email=email or None,
            password_hash=password_hash,
            approved=settings.registrations != "approval" or invite_id is not None,
            confirmed=not (settings.require_email_confirmation and email),
            locale=locale,
            reason=reason,
            date_of_birth=born,
            invite_id=invite_id,
            application_id=app.id if app else None,
            ip=form.ip,
        )
        if (
            invite is not None
            and invite_id is not None
            and not await invites.use(conn, invite, account.id)
        ):
            # Its last use went to a concurrent sign-up (the row lock made this one wait).
            raise ValidationFailed.one("invite_code", "used", invites.REFUSALS["used"])
        issued = None
        if app is not None:
            issued = await issue_token(
                conn,
                application_id=app.id,
                account_id=account.id,
                token_scopes=app.scopes,
                refresh=True,
            )
    return account, user, issued


async def create_local_user(
    conn: Conn,
    settings: Settings,
    *,
    username: str,
    email: str | None,
    password_hash: str,
    approved: bool = True,
    confirmed: bool = True,
    role: RoleName = "user",
    locale: str | None = None,
    reason: str | None = None,
    date_of_birth: date | None = None,
    invite_id: int | None = None,
    application_id: int | None = None,
    ip: str | None = None,
) -> tuple[Account, User, str | None]:
    """Insert the account and user rows; queues the confirmation mail when one is needed."""
    now = clock.now()
    account = Account(
        id=new_id(), username=username, domain=None, created_at=now, updated_at=now, role=role
    )
    if not await account_store.insert(conn, account):
        # Another sign-up took the name since it was checked: the answer a later one gets.
        raise ValidationFailed.one("username", "taken", "has already been taken")
    confirmation = None if confirmed else new_secret(24)
    user = User(
        id=new_id(),
        account_id=account.id,
        email=email,
        password_hash=password_hash,
        created_at=now,
        confirmed_at=now if confirmed else None,
        approved=approved,
        locale=locale,
        created_by_application_id=application_id,
        date_of_birth=date_of_birth,
        reason=reason,
        invite_id=invite_id,
    )
    if not await user_store.insert(
        conn, user, confirmation_token=digest(confirmation) if confirmation else None, sign_up_ip=ip
    ):
        raise ValidationFailed.one("email", "taken", "has already been taken")
    if confirmation is not None:
        assert email is not None, "confirming needs an address"
        message = mail.confirmation(
            settings, to=email, username=username, token=confirmation, locale=locale
        )
        await job_store.enqueue(conn, "send_email", message.to_payload())
    return account, user, confirmation


async def confirm_email(db: Database, token: str) -> int:
    """Mark the address behind a confirmation link confirmed; returns the account id."""
    async with db.write() as conn:
        account_id = await user_store.confirm_by_token(conn, digest(token), clock.now())
    if account_id is None:
        raise NotFound("confirmation_token")
    return account_id
