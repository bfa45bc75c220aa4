"""What both dialects' handlers know about a request: who calls, and the server's services."""

from __future__ import annotations

from starlette.requests import Request

from tandem.api.http import client_ip
from tandem.config import Settings
from tandem.core.handles import Database, MediaFiles
from tandem.core.models import Account, Principal, User
from tandem.services import Services


class CallerView:
    """Shortcuts over `request`, `services` and `principal` (set by each dialect's context)."""

    request: Request
    services: Services
    principal: Principal | None

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def files(self) -> MediaFiles:
        return self.services.files

    @property
    def viewer(self) -> Account | None:
        return self.principal.account if self.principal else None

    @property
    def account(self) -> Account:
        """The signed-in account (only on routes that require one)."""
        assert self.principal is not None and self.principal.account is not None
        return self.principal.account

    @property
    def user(self) -> User:
        assert self.principal is not None and self.principal.user is not None
        return self.principal.user

    @property
    def ip(self) -> str:
        return client_ip(self.request)
