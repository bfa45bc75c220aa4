"""HTML pages: the OAuth login and consent screens, e-mail confirmation, profile pages."""
