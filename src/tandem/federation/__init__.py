"""ActivityPub: discovery documents, actors, signed deliveries and the inbox.

Like a dialect, this package parses and renders (here ActivityStreams JSON and HTTP
signatures) and calls core for the rules; it never touches the database.
"""
