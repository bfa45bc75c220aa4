"""The Misskey dialect: `POST /api/<endpoint>` with JSON bodies and Misskey's entities."""
