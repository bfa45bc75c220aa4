"""Persistence: the schema, its migrations, the queries on it, and media files on disk."""
