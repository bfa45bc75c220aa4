"""The long-lived handles the dialects hold and pass on to core: database and media files.

api/ and web/ may not import the store (ruff's TID251 bans it): they name these types from
here and never look inside them; core functions do the reading and writing.
"""

from __future__ import annotations

from tandem.store.db import Database as Database
from tandem.store.db import migration_heads
from tandem.store.files import MediaFiles as MediaFiles


def expected_revisions() -> list[str]:
    """The migration revisions this code's schema ends at: a current database is at these."""
    return sorted(migration_heads())


async def applied_revisions(db: Database) -> list[str]:
    """The revisions the database says it is at."""
    return sorted(await db.revisions())
