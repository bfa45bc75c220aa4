"""Background work: the database-backed queue's worker and the handlers it runs."""
