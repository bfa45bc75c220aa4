"""Signing up and signing in: signup, signup-pending, signin-flow and the older signin."""

from __future__ import annotations

from tandem.api.http import refused_headers
from tandem.api.locale import from_accept_language
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.responses import SignedIn, SignedUp, SigninNext
from tandem.api.misskey.schema import P, invalid
from tandem.api.misskey.views import me
from tandem.core import oauth, registration, sessions, signins
from tandem.core.errors import (
    AuthenticationFailed,
    FieldError,
    Forbidden,
    RateLimited,
    ValidationFailed,
)
from tandem.core.i18n import Text, supported
from tandem.core.models import Account

# The first problem with a sign-up, as Misskey's clients know it.
_SIGNUP_CODES = {
    ("username", "taken"): "DUPLICATED_USERNAME",
    ("username", "reserved"): "DENIED_USERNAME",
    ("email", "taken"): "DUPLICATED_EMAIL_ADDRESS",
    ("email", "blocked"): "DENIED_EMAIL_ADDRESS",
}
_SIGNUP_ATTRIBUTES = {
    "username": "INVALID_USERNAME",
    "password": "INVALID_PASSWORD",
    "email": "INVALID_EMAIL_ADDRESS",
}
# A refused invitation code (invite-only sign-up): Misskey answers an empty 400; tandem
# says why, checked before the other fields as Misskey does.
_INVITATION_ERRORS = {
    "blank": e.err("INVITATION_CODE_REQUIRED", "Signing up here needs an invitation code."),
    "invalid": e.err(
        "NO_SUCH_INVITATION_CODE", "This invitation code is not one of this server's."
    ),
    "used": e.err("INVITATION_CODE_ALREADY_USED", "This invitation code was used already."),
    "expired": e.err("INVITATION_CODE_EXPIRED", "This invitation code has expired."),
}
SIGNUP_DISABLED = e.err(
    "SIGNUP_DISABLED", "Sign-up is closed here, or needs a valid invitation code.", status=403
)
NO_SUCH_USER = e.err("NO_SUCH_USER", "No such user.", "6cc579cc-885d-43d8-95c2-b8c7fc963280", 404)
SUSPENDED_USER = e.err(
    "SUSPENDED", "This account is suspended.", "e03a5f46-d309-4865-9b69-56282d94e1eb", 403
)
WRONG_PASSWORD = e.err(
    "INCORRECT_PASSWORD", "Incorrect password.", "932c904e-9460-45b7-9ce6-7ed33be7eb2c", 403
)
WRONG_CODE = e.err(
    "INCORRECT_TOKEN", "Incorrect two-factor code.", "cdf1235b-ac71-46d4-a3a6-84ccce48df6f", 403
)
TOO_MANY = e.err(
    "TOO_MANY_AUTHENTICATION_FAILURES",
    "Too many failed attempts to sign in. Try again later.",
    "22d05606-fbcf-421a-a2db-b32610dcfd1b",
    429,
)


def _signup_error(errors: list[FieldError]) -> e.MisskeyError:
    for problem in errors:
        if problem.attribute == "invite_code" and problem.code in _INVITATION_ERRORS:
            return _INVITATION_ERRORS[problem.code].raise_(param="invitationCode")
    first = errors[0]
    code = _SIGNUP_CODES.get((first.attribute, first.code)) or _SIGNUP_ATTRIBUTES.get(
        first.attribute, "INVALID_PARAM"
    )
    field = "emailAddress" if first.attribute == "email" else first.attribute
    return e.err(code, Text("{param} {reason}", param=field, reason=first.message)).raise_(
        param=field
    )


async def _signed_in(call: Call, account: Account) -> SignedIn:
    issued = await oauth.issue_native(call.db, account.id)
    return {"finished": True, "id": str(account.id), "i": issued.access_token}


@endpoint(
    "signup",
    credential=False,
    params={
        "username": P("string", required=True),
        "password": P("string", required=True),
        "emailAddress": P("string", nullable=True),
        "invitationCode": P("string", nullable=True),
        "host": P("string", nullable=True),
    },
    limit=(3_600_000, 5),
)
async def signup(call: Call) -> SignedUp | None:
    """New users sign up with a username and password (and an e-mail when it must be confirmed)."""
    p = call.params
    required = call.settings.require_email_confirmation
    if p.get("host"):
        raise invalid("host", "only local accounts can sign up here")
    # No account yet to ask: the confirmation mail (and the user's locale) follow `?lang=`,
    # then the browser's Accept-Language, as Mastodon's sign-up does without a `locale`.
    request = call.request
    locale = supported(request.query_params.get("lang")) or from_accept_language(
        request.headers.get("accept-language", "")
    )
    try:
        account, user, _ = await registration.register(
            call.db,
            call.settings,
            registration.SignUp(
                username=p["username"],
                email=p.get("emailAddress"),
                password=p["password"],
                agreement=True,
                invite_code=p.get("invitationCode"),
                ip=call.ip,
                email_required=required,
                locale=locale,
            ),
            None,
        )
    except ValidationFailed as err:
        raise _signup_error(err.errors) from None
    except Forbidden:
        raise SIGNUP_DISABLED.raise_() from None
    if not (user.confirmed and user.approved):
        return None  # a confirmation link was mailed, or a moderator must approve first
    body = await me(call, account_id=account.id)
    return {**body, "token": (await oauth.issue_native(call.db, account.id)).access_token}


@endpoint(
    "signup-pending",
    credential=False,
    params={"code": P("string", required=True)},
    errors={
        "not_found:confirmation_token": e.err(
            "NO_SUCH_CODE", "No such code: the link is unknown or was already used."
        )
    },
)
async def signup_pending(call: Call) -> SignedIn:
    """The link of the confirmation mail, answered with a signed-in session."""
    account_id = await registration.confirm_email(call.db, call.params["code"])
    found = await sessions.user_of(call.db, account_id)
    assert found is not None
    attempt = signins.Attempt(call.ip, dict(call.request.headers))
    await signins.record(call.db, account_id, attempt, True)
    return await _signed_in(call, found[0])


_SIGNIN_PARAMS = {
    "username": P("string", required=True),
    "password": P("string"),
    "token": P("string", nullable=True),
    "credential": P("object", nullable=True, extra=True),
}


def _too_many(err: RateLimited) -> e.MisskeyError:
    return e.MisskeyError(TOO_MANY, headers=refused_headers(err.limit, err.retry_at))


async def _sign_in(call: Call) -> SigninNext | SignedIn:
    p = call.params
    limiter = call.services.limiter
    username = p["username"].removeprefix("@")
    found = None if "@" in username else await sessions.find_user(call.db, username)
    if found is None:
        try:  # guessing usernames spends this IP's budget of failures too
            await signins.reserve_failure(limiter, call.ip, None)
        except RateLimited as err:
            raise _too_many(err) from None
        raise NO_SUCH_USER.raise_()
    account, user = found
    if account.suspended or user.disabled:
        raise SUSPENDED_USER.raise_()
    if p.get("password") is None and not (user.password_less_login and p.get("token")):
        return {"finished": False, "next": "totp" if user.password_less_login else "password"}
    attempt = signins.Attempt(call.ip, dict(call.request.headers))
    try:
        account, user = await signins.sign_in(
            call.db, account.username, p.get("password"), p.get("token"), attempt, limiter
        )
    except RateLimited as err:
        raise _too_many(err) from None
    except signins.SecondFactorNeeded:
        return {"finished": False, "next": "totp"}
    except AuthenticationFailed as err:
        raise (WRONG_CODE if err.code == "INCORRECT_TOKEN" else WRONG_PASSWORD).raise_() from None
    if sessions.login_block(user, account) is not None:
        raise e.PENDING.raise_()
    return await _signed_in(call, account)


@endpoint("signin-flow", credential=False, params=_SIGNIN_PARAMS)
async def signin_flow(call: Call) -> SigninNext | SignedIn:
    """Step by step: username, then password, then (with two-factor on) the TOTP code."""
    return await _sign_in(call)


@endpoint("signin", credential=False, params=_SIGNIN_PARAMS)
async def signin(call: Call) -> SigninNext | SignedIn:
    """The older one-step sign-in: everything in one request, or an error."""
    result = await _sign_in(call)
    if not result.get("finished"):
        raise (WRONG_PASSWORD if result.get("next") == "password" else WRONG_CODE).raise_()
    return result
