"""Notification, NotificationGroup (grouped notifications v2) and Marker."""

from __future__ import annotations

from typing import cast

from tandem.api.mastodon.entities import notification_types as g
from tandem.api.mastodon.entities import types as t
from tandem.api.mastodon.entities.accounts import Render, account
from tandem.api.mastodon.entities.statuses import status
from tandem.api.mastodon.formats import iso_ms
from tandem.core.models import Account, Marker, Notification, Status
from tandem.core.notification_kinds import STATUS_TYPES, shown_key
from tandem.core.notifications import GroupedPage
from tandem.core.statuses import StatusBundle


def notification(
    n: Notification,
    sender: Account,
    shown: Status | None,
    b: StatusBundle,
    r: Render,
    grouped: tuple[str, ...],
) -> t.Notification:
    data: t.Notification = {
        "id": str(n.id),
        "type": n.type,
        "group_key": shown_key(n.id, n.type, n.group_key, grouped),
        "created_at": cast(str, iso_ms(n.created_at)),
        "account": account(sender, r),
    }
    if shown is not None:
        data["status"] = status(shown, b, r)
    return data


def grouped(found: GroupedPage, r: Render, *, paged: bool) -> g.GroupedNotificationsResults:
    statuses = {s.id: s for s in found.statuses.statuses}
    shown_ids = [i for i in statuses]
    groups: list[g.NotificationGroup] = []
    for row in found.groups:
        n = row.newest
        item: g.NotificationGroup = {
            "group_key": row.key,
            "notifications_count": row.count,
            "type": n.type,
            "most_recent_notification_id": n.id,
            "sample_account_ids": [str(i) for i in row.sample_account_ids],
        }
        if paged:
            item["page_min_id"] = str(row.page_min_id)
            item["page_max_id"] = str(row.page_max_id)
            item["latest_page_notification_at"] = iso_ms(row.latest_at)
        if n.type in STATUS_TYPES:
            item["status_id"] = str(n.status_id) if n.status_id in statuses else None
        groups.append(item)
    people = list(found.accounts.values())
    return {
        "accounts": [account(a, r) for a in people],
        "statuses": [status(statuses[i], found.statuses, r) for i in shown_ids],
        "notification_groups": groups,
    }


def marker(m: Marker) -> g.Marker:
    return {
        "last_read_id": str(m.last_read_id),
        "version": m.version,
        "updated_at": cast(str, iso_ms(m.updated_at)),
    }
