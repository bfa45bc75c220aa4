"""`tandem admin role-policy set ROLE NAME VALUE… | reset ROLE [NAME] | show [ROLE]`: the
operator sets Misskey's role policies per role (the invitation ones: canInvite, inviteLimit,
inviteLimitCycle, inviteExpirationTime). The running servers see a change on their next
request (the write bumps the generation their cached copy checks)."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from tandem.config import Settings
from tandem.core import role_policies
from tandem.core.errors import ValidationFailed
from tandem.core.i18n import Text
from tandem.store.db import Database

WithDb = Callable[[Settings, Callable[[Database], Awaitable[Any]]], Any]
LoadSettings = Callable[[argparse.Namespace], Settings]


def _shown(value: bool | int) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def register(
    admin: argparse._SubParsersAction[argparse.ArgumentParser],
    with_db: WithDb,
    load: LoadSettings,
) -> None:
    policy = admin.add_parser(
        "role-policy", help="Misskey role policies per role (who may invite, how many)"
    ).add_subparsers(dest="role_policy", required=True)

    def set_(args: argparse.Namespace) -> None:
        given: list[str] = args.pairs
        if len(given) % 2:
            raise ValidationFailed.one("value", "blank", Text("each policy needs a value"))
        pairs = list(zip(given[::2], given[1::2], strict=True))
        done = with_db(load(args), lambda db: role_policies.set_policies(db, args.role, pairs))
        for name, value in done:
            print(f"{args.role}: {name} = {_shown(value)}")

    def reset(args: argparse.Namespace) -> None:
        with_db(load(args), lambda db: role_policies.reset_policy(db, args.role, args.name))
        what = args.name or "every policy"
        print(f"{args.role}: {what} back to the default")

    def show(args: argparse.Namespace) -> None:
        rows = with_db(load(args), lambda db: role_policies.overview(db, args.role))
        for role, name, value, was_set in rows:
            print(f"{role}\t{name}\t{_shown(value)}\t{'set' if was_set else 'default'}")

    names = ", ".join(role_policies.NAMES)
    p = policy.add_parser("set", help="set policies of one role: NAME VALUE [NAME VALUE …]")
    p.add_argument("role", help="user, moderator, admin or owner")
    p.add_argument(
        "pairs",
        nargs="+",
        metavar="NAME VALUE",
        help=f"{names}; true/false, or a whole number (limits, minutes)",
    )
    p.set_defaults(func=set_)
    p = policy.add_parser("reset", help="back to Misskey's default")
    p.add_argument("role")
    p.add_argument("name", nargs="?", help="default: every policy of the role")
    p.set_defaults(func=reset)
    p = policy.add_parser("show", help="the policies in force (tab-separated)")
    p.add_argument("role", nargs="?", help="default: every role")
    p.set_defaults(func=show)
