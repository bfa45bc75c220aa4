"""Every job kind and the handler that runs it."""

from __future__ import annotations

from tandem.federation import inbox_jobs
from tandem.federation import outbox as federation_outbox
from tandem.jobs import home_feeds
from tandem.jobs.chat import new_message as chat_new_message
from tandem.jobs.exports import export
from tandem.jobs.hashtags import prune as hashtag_prune
from tandem.jobs.imports import import_
from tandem.jobs.links import verify_links
from tandem.jobs.mail import send_email
from tandem.jobs.media import process_media
from tandem.jobs.moves import carry_followers
from tandem.jobs.mutes import expire_mute
from tandem.jobs.polls import end_poll
from tandem.jobs.preview_cards import fetch_card
from tandem.jobs.push import deliver_push
from tandem.jobs.scheduled_statuses import publish_scheduled_status
from tandem.jobs.webhooks import deliver_webhook
from tandem.jobs.worker import Handler

HANDLERS: dict[str, Handler] = {
    "send_email": send_email,
    "chat_new_message": chat_new_message,
    "expire_mute": expire_mute,
    "end_poll": end_poll,
    "publish_scheduled_status": publish_scheduled_status,
    "verify_links": verify_links,
    "fetch_preview_card": fetch_card,
    "export": export,
    "import": import_,
    "deliver_webhook": deliver_webhook,
    "deliver_push": deliver_push,
    "home_feed_fan_out": home_feeds.fan_out,
    "home_feed_sync": home_feeds.sync,
    "process_media": process_media,
    "home_feed_regenerate": home_feeds.regenerate,
    "home_feed_prune": home_feeds.prune,
    "hashtag_prune": hashtag_prune,
    "ap_inbox": inbox_jobs.process_inbox,
    "ap_outbox": federation_outbox.fan_out,
    "ap_deliver": federation_outbox.deliver,
    "account_move_followers": carry_followers,
}
