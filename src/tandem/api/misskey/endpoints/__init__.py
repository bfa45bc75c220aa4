"""Misskey endpoints, one module per area; each registers into the shared registry."""
