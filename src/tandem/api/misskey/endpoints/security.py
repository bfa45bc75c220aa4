"""Password, e-mail, tokens and sign-in history of the signed-in user (native sessions only)."""

from __future__ import annotations

from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.common import iso
from tandem.api.misskey.entities.misc import signin
from tandem.api.misskey.entities.responses import AuthorizedApp
from tandem.api.misskey.entities.types import MeDetailed, Signin
from tandem.api.misskey.schema import ID, PAGE, P
from tandem.api.misskey.views import in_order, me, page
from tandem.core import account_deletion, account_security, signins

INCORRECT_PASSWORD = e.err(
    "INCORRECT_PASSWORD", "Incorrect password.", "e54c1d7e-e7d6-4103-86b6-0a95069b4ad3"
)
INCORRECT_TOKEN = e.err(
    "INCORRECT_TOKEN", "Incorrect or missing two-factor code (send it as token).", status=400
)
CREDENTIAL_ERRORS = {"INCORRECT_PASSWORD": INCORRECT_PASSWORD, "INCORRECT_TOKEN": INCORRECT_TOKEN}


@endpoint(
    "i/change-password",
    secure=True,
    params={
        "currentPassword": P("string", required=True),
        "newPassword": P("string", required=True, min_length=1),
        "token": P("string", nullable=True),
    },
    limit=(3_600_000, 10),
    errors=CREDENTIAL_ERRORS,
)
async def change_password(call: Call) -> None:
    p = call.params
    await account_security.change_password(
        call.db, call.user, p["currentPassword"], p["newPassword"], p.get("token")
    )


@endpoint(
    "i/update-email",
    secure=True,
    params={
        "password": P("string", required=True),
        "email": P("string", nullable=True),
        "token": P("string", nullable=True),
    },
    limit=(3_600_000, 3),
    errors={
        **CREDENTIAL_ERRORS,
        "UNAVAILABLE": e.err(
            "UNAVAILABLE", "Unavailable email address.", "a2defefb-f220-8849-0af6-17f816099323"
        ),
    },
)
async def update_email(call: Call) -> MeDetailed:
    """A new address waits for the link mailed to it; null removes the address."""
    p = call.params
    await account_security.change_email(
        call.db,
        call.settings,
        call.account,
        call.user,
        p["password"],
        p.get("email"),
        p.get("token"),
    )
    return await me(call, reload=True)


@endpoint(
    "i/regenerate-token",
    secure=True,
    params={"password": P("string", required=True)},
    limit=(3_600_000, 10),
    errors=CREDENTIAL_ERRORS,
)
async def regenerate_token(call: Call) -> None:
    """Every sign-in token, this one included, stops working at once."""
    await account_security.regenerate_native_token(call.db, call.user, call.params["password"])


@endpoint(
    "i/revoke-token",
    secure=True,
    params={"tokenId": ID, "token": P("string", nullable=True)},
)
async def revoke_token(call: Call) -> None:
    p = call.params
    await account_security.revoke_token(
        call.db, call.account, token_id=p.get("tokenId"), token=p.get("token")
    )


@endpoint("i/signin-history", secure=True, params=PAGE)
async def signin_history(call: Call) -> list[Signin]:
    window, ascending = page(call)
    found = await signins.history(call.db, call.account, window)
    return [signin(entry) for entry in in_order(found, ascending)]


_SORTS = ("+createdAt", "-createdAt", "+lastUsedAt", "-lastUsedAt")


@endpoint("i/apps", secure=True, params={"sort": P("string", enum=_SORTS)})
async def apps(call: Call) -> list[AuthorizedApp]:
    """Apps holding a token to the account; their ids are what i/revoke-token takes."""
    found = await account_security.app_tokens(call.db, call.account)
    sort = call.params.get("sort")
    if sort is not None:
        by_use = sort.endswith("lastUsedAt")
        found.sort(
            key=lambda pair: (
                (pair[0].last_used_at or pair[0].created_at) if by_use else pair[0].created_at
            ),
            reverse=sort.startswith("+"),
        )
    shown: list[AuthorizedApp] = []
    for token, name in found:
        entry: AuthorizedApp = {
            "id": str(token.id),
            "name": name,
            "createdAt": iso(token.created_at),
            "permission": list(token.scopes),
        }
        if token.last_used_at is not None:  # Misskey leaves the key out until then
            entry["lastUsedAt"] = iso(token.last_used_at)
        shown.append(entry)
    return shown


@endpoint(
    "i/delete-account",
    secure=True,
    params={"password": P("string", required=True), "token": P("string", nullable=True)},
    limit=(3_600_000, 3),
    errors=CREDENTIAL_ERRORS,
)
async def delete_account(call: Call) -> None:
    """The account is gone for everyone at once (suspended, follows ended, tokens revoked,
    other servers told); see core/account_deletion.py for what is not purged yet."""
    p = call.params
    await account_deletion.delete_own(
        call.db, call.account, call.user, p["password"], p.get("token")
    )
