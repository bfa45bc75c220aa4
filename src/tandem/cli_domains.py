"""`tandem admin domain-block add|remove|list` and `tandem admin domain-allow add|remove|list`:
the operator's moderation of other servers.

A block covers the domain's subdomains (a subdomain's own block wins). `--severity suspend`
suspends the domain's known accounts and ends their follows with local accounts at once;
federation refuses its inbox posts, fetches and deliveries (through
`core.domain_policies.policy_for`, which reads the table on each use: running servers apply
a change to their next activity). The allow-list matters with `federation_mode =
"allowlist"` only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from tandem.config import Settings
from tandem.core import domain_policies
from tandem.core.domain_blocks import normalize
from tandem.core.errors import ValidationFailed
from tandem.store.db import Database

WithDb = Callable[[Settings, Callable[[Database], Awaitable[Any]]], Any]
LoadSettings = Callable[[argparse.Namespace], Settings]


def _domain(raw: str) -> str:
    """A domain name as given (`bücher.example` too): refused by argparse (exit 2) when it
    is none."""
    try:
        return normalize(raw)
    except ValidationFailed:
        raise argparse.ArgumentTypeError(f"not a valid domain name: {raw!r}") from None


def _own(domain: str) -> NoReturn:
    print(f"{domain} is this server's own domain", file=sys.stderr)
    raise SystemExit(2)


def _flags(block: domain_policies.DomainBlock) -> str:
    shown = [
        name for name in ("reject_media", "reject_reports", "obfuscate") if getattr(block, name)
    ]
    return ",".join(shown) or "-"


# (The argument is `target`: `args.domain` would become the server's `domain` setting.)


def register(
    admin: argparse._SubParsersAction[argparse.ArgumentParser],
    with_db: WithDb,
    load: LoadSettings,
) -> None:
    blocks = admin.add_parser(
        "domain-block", help="block other servers (silence, suspend, reject media)"
    ).add_subparsers(dest="domain_block", required=True)

    def add(args: argparse.Namespace) -> None:
        settings = load(args)
        try:
            outcome = with_db(
                settings,
                lambda db: domain_policies.block_domain(
                    db,
                    settings,
                    args.target,
                    severity=args.severity,
                    reject_media=args.reject_media,
                    reject_reports=args.reject_reports,
                    public_comment=args.public_comment,
                    private_comment=args.private_comment,
                    obfuscate=args.obfuscate,
                ),
            )
        except domain_policies.OwnDomain:
            _own(args.target)
        block = outcome.block
        assert block is not None  # a block added or updated
        verb = "blocked" if outcome.created else "block updated:"
        print(f"{verb} {block.domain} ({block.severity}, {_flags(block)})")
        if outcome.suspended or outcome.unsuspended:
            print(f"accounts suspended: {outcome.suspended}, unsuspended: {outcome.unsuspended}")

    def remove(args: argparse.Namespace) -> None:
        settings = load(args)
        outcome = with_db(
            settings, lambda db: domain_policies.unblock_domain(db, settings, args.target)
        )
        if outcome is None:
            print(f"{args.target} is not blocked", file=sys.stderr)
            raise SystemExit(1)
        print(f"unblocked {args.target}")
        if outcome.unsuspended:
            print(f"accounts unsuspended: {outcome.unsuspended}")

    def list_(args: argparse.Namespace) -> None:
        for b in with_db(load(args), domain_policies.blocks):
            print(
                "\t".join(
                    (
                        b.domain,
                        b.severity,
                        _flags(b),
                        b.public_comment or "",
                        b.private_comment or "",
                    )
                )
            )

    p = blocks.add_parser("add", help="block a domain (again: set its block to these values)")
    p.add_argument("target", metavar="DOMAIN", type=_domain)
    p.add_argument("--severity", choices=domain_policies.SEVERITIES, default="silence")
    p.add_argument("--reject-media", action="store_true", help="store none of its files")
    p.add_argument("--reject-reports", action="store_true", help="ignore its reports")
    p.add_argument("--public-comment", help="the reason users may see")
    p.add_argument("--private-comment", help="a note for the moderators")
    p.add_argument("--obfuscate", action="store_true", help="show the domain partly hidden")
    p.set_defaults(func=add)
    p = blocks.add_parser("remove", help="lift a domain's block")
    p.add_argument("target", metavar="DOMAIN", type=_domain)
    p.set_defaults(func=remove)
    p = blocks.add_parser(
        "list",
        help="every block, tab-separated: domain, severity, flags, public and private comment",
    )
    p.set_defaults(func=list_)

    allows = admin.add_parser(
        "domain-allow", help='the servers federated with when federation_mode = "allowlist"'
    ).add_subparsers(dest="domain_allow", required=True)

    def allow(args: argparse.Namespace) -> None:
        settings = load(args)
        try:
            domain, added = with_db(
                settings, lambda db: domain_policies.allow_domain(db, settings, args.target)
            )
        except domain_policies.OwnDomain:
            _own(args.target)
        print(f"allowed {domain}" if added else f"{domain} was allowed already")

    def disallow(args: argparse.Namespace) -> None:
        domain, removed = with_db(
            load(args), lambda db: domain_policies.disallow_domain(db, args.target)
        )
        if not removed:
            print(f"{domain} is not on the allow-list", file=sys.stderr)
            raise SystemExit(1)
        print(f"no longer allowed: {domain}")

    def list_allowed(args: argparse.Namespace) -> None:
        for a in with_db(load(args), domain_policies.allowed_domains):
            print(f"{a.domain}\t{a.created_at.isoformat()}")

    p = allows.add_parser("add", help="federate with a domain (and its subdomains)")
    p.add_argument("target", metavar="DOMAIN", type=_domain)
    p.set_defaults(func=allow)
    p = allows.add_parser("remove", help="take a domain off the allow-list")
    p.add_argument("target", metavar="DOMAIN", type=_domain)
    p.set_defaults(func=disallow)
    p = allows.add_parser("list", help="the allowed domains, tab-separated with when")
    p.set_defaults(func=list_allowed)
