"""How apps get tokens: MiAuth pick-up, and the older app + auth-session flow."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tandem.api.http import JSON
from tandem.api.misskey import errors as e
from tandem.api.misskey.endpoint import Call, endpoint
from tandem.api.misskey.entities.common import Ctx
from tandem.api.misskey.entities.misc import app as app_json
from tandem.api.misskey.entities.responses import AuthSession, AuthSessionStarted, UserKey
from tandem.api.misskey.entities.types import App
from tandem.api.misskey.entities.users import user_detailed
from tandem.api.misskey.schema import REQ_ID, P
from tandem.api.misskey.views import ctx
from tandem.core import app_auth, user_views
from tandem.services import Services

NO_SUCH_APP = e.err("NO_SUCH_APP", "No such app.", "92f93e63-428e-4f2f-a5a4-39e1407fe998")
NO_SUCH_SESSION = e.err(
    "NO_SUCH_SESSION", "No such session.", "8c8a4145-02cc-4cca-8e66-29ba60445a8e"
)
PENDING_SESSION = e.err(
    "PENDING_SESSION", "The user has not approved this session yet.", status=400
)


async def miauth_check(request: Request) -> Response:
    """POST /api/miauth/:session/check: the app collects its token once the user approved."""
    services: Services = request.app.state.services
    collected = await app_auth.miauth_collect(services.db, request.path_params["session"])
    if collected is None:
        return JSON({"ok": False})
    token, account = collected
    view = await user_views.of(services.db, None, account.id)
    return JSON({"ok": True, "token": token, "user": user_detailed(Ctx(services.settings), view)})


@endpoint(
    "app/create",
    credential=False,
    params={
        "name": P("string", required=True, min_length=1, max_length=255),
        "description": P("string", required=True, max_length=1000),
        "permission": P("array", required=True, unique_items=True, items=P("string")),
        "callbackUrl": P("string", nullable=True, min_length=1, max_length=512),
    },
    limit=(3_600_000, 30),
    param_names={"callback_url": "callbackUrl"},
)
async def create_app(call: Call) -> App:
    p = call.params
    created = await app_auth.create_app(
        call.db,
        call.viewer,
        name=p["name"],
        description=p["description"],
        permission=p["permission"],
        callback_url=p.get("callbackUrl"),
    )
    return app_json(created, with_secret=True)


@endpoint(
    "app/show",
    credential=False,
    params={"appId": REQ_ID},
    errors={"not_found:app": NO_SUCH_APP},
)
async def show_app(call: Call) -> App:
    found = await app_auth.app_by_id(call.db, call.params["appId"])
    mine = call.viewer is not None and found.owner_account_id == call.viewer.id
    return app_json(found, with_secret=mine)


@endpoint(
    "auth/session/generate",
    credential=False,
    params={"appSecret": P("string", required=True)},
    errors={"not_found:app": NO_SUCH_APP},
)
async def session_generate(call: Call) -> AuthSessionStarted:
    app = await app_auth.app_by_secret(call.db, call.params["appSecret"])
    token = await app_auth.start_session(call.db, app)
    return {"token": token, "url": f"{call.settings.base_url}/auth/{token}"}


@endpoint(
    "auth/session/show",
    credential=False,
    params={"token": P("string", required=True)},
    errors={"not_found:session": NO_SUCH_SESSION},
)
async def session_show(call: Call) -> AuthSession:
    token = call.params["token"]
    row_id, app, _ = await app_auth.session_app(call.db, token)
    return {"id": str(row_id), "app": app_json(app, with_secret=False), "token": token}


@endpoint(
    "auth/accept",
    secure=True,
    params={"token": P("string", required=True)},
    errors={"not_found:session": NO_SUCH_SESSION},
)
async def session_accept(call: Call) -> None:
    """The user approves an app's session (the web page does the same)."""
    await app_auth.accept_session(call.db, call.params["token"], call.account)


@endpoint(
    "auth/session/userkey",
    credential=False,
    params={"appSecret": P("string", required=True), "token": P("string", required=True)},
    errors={
        "not_found:app": NO_SUCH_APP,
        "not_found:session": NO_SUCH_SESSION,
        "PENDING_SESSION": PENDING_SESSION,
    },
)
async def session_userkey(call: Call) -> UserKey:
    p = call.params
    access, account = await app_auth.session_userkey(call.db, p["appSecret"], p["token"])
    view = await user_views.of(call.db, None, account.id)
    return {"accessToken": access, "user": user_detailed(ctx(call), view)}


routes = [Route("/api/miauth/{session}/check", miauth_check, methods=["POST"])]
