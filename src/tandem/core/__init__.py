"""The domain: accounts, relationships, statuses, OAuth… as plain typed Python.

Rules live here and nowhere else. Modules take a `Database` (or a connection inside a
transaction), raise `tandem.core.errors` values, and return `tandem.core.models` records;
no HTTP and no JSON.
"""
