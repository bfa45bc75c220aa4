"""Misskey's JSON entities (UserLite, UserDetailed, MeDetailed, Note, DriveFile…)."""
