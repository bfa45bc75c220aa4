"""`tandem emoji add NAME FILE | remove NAME | list`: the operator manages local custom emoji."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tandem.config import Settings
from tandem.core import custom_emojis
from tandem.store.db import Database
from tandem.store.files import MediaFiles

WithDb = Callable[[Settings, Callable[[Database], Awaitable[Any]]], Any]
LoadSettings = Callable[[argparse.Namespace], Settings]


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    with_db: WithDb,
    load: LoadSettings,
) -> None:
    emoji = sub.add_parser("emoji", help="local custom emoji").add_subparsers(
        dest="emoji", required=True
    )

    def add(args: argparse.Namespace) -> None:
        settings = load(args)
        data = Path(args.file).read_bytes()
        files = MediaFiles(settings.media_dir)
        found = with_db(
            settings,
            lambda db: custom_emojis.add(db, files, args.name, data, args.category),
        )
        print(f":{found.shortcode}: added")

    def remove(args: argparse.Namespace) -> None:
        settings = load(args)
        files = MediaFiles(settings.media_dir)
        with_db(settings, lambda db: custom_emojis.remove(db, files, args.name))
        print(f":{args.name}: removed")

    def listing(args: argparse.Namespace) -> None:
        for e in with_db(load(args), custom_emojis.listed):
            print(f":{e.shortcode}:\t{e.category or ''}")

    p = emoji.add_parser("add", help="add an emoji from an image file (PNG, GIF, WebP…)")
    p.add_argument("name", help="the shortcode, without colons")
    p.add_argument("file")
    p.add_argument("--category")
    p.set_defaults(func=add)
    p = emoji.add_parser("remove", help="remove an emoji")
    p.add_argument("name")
    p.set_defaults(func=remove)
    emoji.add_parser("list", help="list the emoji").set_defaults(func=listing)
