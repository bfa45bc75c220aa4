"""Generate a migration from changes to schema.py: `python -m tandem.store.revision "message"`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from tandem.store.db import alembic_config


def main(message: str) -> None:
    versions = Path(__file__).parent / "migrations" / "versions"
    number = len(list(versions.glob("[0-9][0-9][0-9][0-9]_*.py"))) + 1
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/schema.sqlite3")
        with engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")  # compare against the schema as migrated so far
            command.revision(cfg, message=message, autogenerate=True, rev_id=f"{number:04d}")
            conn.commit()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
