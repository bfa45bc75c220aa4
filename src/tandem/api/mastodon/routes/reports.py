"""/api/v1/reports: report an account (and some of its posts) to the moderators."""

from __future__ import annotations

from typing import TypedDict

from tandem.api.mastodon.endpoint import Ctx, routes
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.formats import iso_ms
from tandem.api.mastodon.views import account_json
from tandem.core import reports
from tandem.core.scopes import accepts


class Report(TypedDict):
    """Mastodon's Report entity, as the reporter sees it."""

    id: str
    action_taken: bool
    action_taken_at: str | None
    category: str
    comment: str
    forwarded: bool
    created_at: str | None
    status_ids: list[str] | None
    collection_ids: list[str] | None
    rule_ids: list[str] | None
    target_account: t.Account


@routes(
    "POST",
    "/api/v1/reports",
    scopes=accepts("write:reports"),
    throttles=("reports",),
)
async def create(ctx: Ctx) -> Report:
    p = ctx.params
    filed = await reports.file(
        ctx.db,
        ctx.account,
        p.id("account_id"),
        comment=p.text("comment"),
        category=p.text("category") or None,
        status_ids=p.strings("status_ids") or [],
        rule_ids=p.strings("rule_ids") or [],
        forward=p.flag("forward"),
        forward_to_domains=p.strings("forward_to_domains"),
    )
    report = filed.report
    return {
        "id": str(report.id),
        "action_taken": report.action_taken_at is not None,
        "action_taken_at": iso_ms(report.action_taken_at),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": iso_ms(report.created_at),
        "status_ids": [str(i) for i in report.status_ids],
        "collection_ids": [],
        "rule_ids": [str(i) for i in report.rule_ids] or None,  # Mastodon: null, not []
        "target_account": await account_json(ctx, filed.target),
    }
