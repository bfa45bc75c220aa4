"""Every job kind and the handler that runs it."""

from __future__ import annotations

from tandem.jobs.links import verify_links
from tandem.jobs.mail import send_email
from tandem.jobs.mutes import expire_mute
from tandem.jobs.worker import Handler

HANDLERS: dict[str, Handler] = {
    "send_email": send_email,
    "expire_mute": expire_mute,
    "verify_links": verify_links,
}
