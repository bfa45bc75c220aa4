"""Alembic environment: migrations run on the connection tandem hands over at start-up."""

from alembic import context

from tandem.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("tandem runs migrations itself: use `tandem migrate`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
