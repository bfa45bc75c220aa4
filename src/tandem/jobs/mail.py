"""send_email: deliver through SMTP, or write to the data folder's outbox when none is set."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from tandem.config import Settings
from tandem.core import clock
from tandem.jobs.worker import JobContext


def _message(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = clock.now().strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg.set_content(text)
    return msg


def _smtp_send(settings: Settings, msg: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)


async def send_email(ctx: JobContext) -> None:
    settings = ctx.services.settings
    p = ctx.payload
    msg = _message(settings, p["to"], p["subject"], p["text"])
    if settings.smtp_host:
        await asyncio.to_thread(_smtp_send, settings, msg)
        return
    outbox = settings.outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    (outbox / f"{stamp}-{ctx.job_id}.eml").write_bytes(msg.as_bytes())
